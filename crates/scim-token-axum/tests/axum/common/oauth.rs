//! OAuth fixtures: an app with the token endpoint, the admin routes and guarded routes that echo the
//! credential; a secret created through the admin API; the adapter that lets the `oauth2` crate use the
//! loopback client.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use scim_token_axum::paths::{OAUTH_SECRETS_PATH, TOKEN_ENDPOINT_PATH};
use scim_token_axum::{AdminRoutes, OAuthRoutes, ScimCaller, ScimGuardLayer};
use scim_token_core::ScimTokenService;
use scim_token_core::oauth::VerifiedCredential;

use super::http_client::send;
use super::{ADMIN, Answer, HOST_FALLBACK_BODY, SCIM_PATH, admins, call};

pub const PUBLIC_BASE: &str = "https://scim.example.com";
pub const TENANT_PATH: &str = "/scim/v2/{tenant}/Users";

/// A host's app with OAuth: admin routes with public URLs, the token endpoint with its metadata, a
/// guarded SCIM route and a per-tenant one, both echoing the verified credential.
pub fn oauth_app(service: ScimTokenService) -> Router {
    let scim = Router::new()
        .route(SCIM_PATH, get(credential_echo))
        .route_layer(ScimGuardLayer::new(service.clone()));
    let tenant = Router::new()
        .route(TENANT_PATH, get(credential_echo))
        .route_layer(ScimGuardLayer::per_tenant(service.clone(), "tenant"));
    Router::new()
        .merge(
            AdminRoutes::new(service.clone(), admins())
                .with_public_urls(PUBLIC_BASE, "/scim/v2")
                .unwrap()
                .into_router(),
        )
        .merge(OAuthRoutes::new(service).with_issuer(PUBLIC_BASE).unwrap().into_router())
        .merge(scim)
        .merge(tenant)
        .fallback(|| async { (StatusCode::NOT_FOUND, HOST_FALLBACK_BODY) })
}

/// The verified caller: scope, token id and which credential.
async fn credential_echo(ScimCaller(caller): ScimCaller) -> impl IntoResponse {
    let credential = match &caller.credential {
        VerifiedCredential::StaticToken => serde_json::json!({ "kind": "static" }),
        VerifiedCredential::ClientSecret { client_id, secret_id } => serde_json::json!({
            "kind": "secret", "clientId": client_id.as_str(), "secretId": secret_id.as_str()
        }),
        VerifiedCredential::Federation { client_id, trust_id } => serde_json::json!({
            "kind": "federation", "clientId": client_id.as_str(), "trustId": trust_id.as_str()
        }),
        _ => serde_json::json!({ "kind": "other" }),
    };
    axum::Json(serde_json::json!({
        "scope": caller.scope.as_str(),
        "tokenId": caller.token_id.as_str(),
        "credential": credential,
    }))
}

/// A client secret created through the admin API: `(client id, secret, secret id)`.
pub async fn create_secret(app: &Router) -> (String, String, String) {
    let answer = call(app, admin_json("POST", OAUTH_SECRETS_PATH, None)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let body = answer.json();
    let field = |name: &str| body[name].as_str().unwrap().to_owned();
    (field("clientId"), field("clientSecret"), field("secretId"))
}

/// An admin request with an optional JSON body.
pub fn admin_json(method: &str, path: &str, body: Option<&str>) -> Request<Body> {
    let builder = Request::builder().method(method).uri(path).header("authorization", ADMIN);
    match body {
        Some(body) => builder.header("content-type", "application/json").body(Body::from(body.to_owned())),
        None => builder.body(Body::empty()),
    }
    .unwrap()
}

/// A token request with the given headers and body.
pub fn token_request(headers: &[(&str, &str)], body: &str) -> Request<Body> {
    let mut builder = Request::builder().method("POST").uri(TOKEN_ENDPOINT_PATH);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

pub const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// Checks the headers every token endpoint answer carries.
pub fn assert_no_store(answer: &Answer) {
    assert_eq!(answer.header("cache-control"), Some("no-store"), "{}", answer.text());
    assert_eq!(answer.header("pragma"), Some("no-cache"), "{}", answer.text());
}

/// Checks an RFC 6749 §5.2 error answer and returns its `error` code.
pub fn assert_oauth_error(answer: &Answer, status: u16) -> String {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.text());
    assert_no_store(answer);
    assert!(answer.header("content-type").unwrap().starts_with("application/json"));
    let body = answer.json();
    let object = body.as_object().unwrap();
    let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["error", "error_description"], "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'),
        "{description}"
    );
    body["error"].as_str().unwrap().to_owned()
}

/// The `oauth2` crate's HTTP client: its request sent over the loopback client to `addr`.
pub fn loopback_client(
    addr: SocketAddr,
) -> impl Fn(
    oauth2::HttpRequest,
) -> std::pin::Pin<
    Box<dyn Future<Output = Result<oauth2::HttpResponse, std::convert::Infallible>> + Send>,
> {
    move |request: oauth2::HttpRequest| {
        Box::pin(async move {
            let path = request.uri().path_and_query().map(ToString::to_string).unwrap_or_default();
            let headers: Vec<(String, Vec<u8>)> = request
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
                .collect();
            let borrowed: Vec<(&str, &[u8])> =
                headers.iter().map(|(name, value)| (name.as_str(), value.as_slice())).collect();
            let answer = send(addr, request.method().as_str(), &path, &borrowed, request.body()).await;
            let mut response = axum::http::Response::builder().status(answer.status);
            for (name, value) in &answer.headers {
                response = response.header(name, value);
            }
            Ok(response.body(answer.body).unwrap())
        })
    }
}
