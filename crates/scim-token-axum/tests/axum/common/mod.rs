//! Shared test fixtures: an app wired like a host's, admin credentials, requests and answer checks. The
//! fast service and the store that fails on demand come from `scim-token-test-support`.

pub mod down_store;
pub mod http_client;
pub mod oauth;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use scim_token_axum::{
    AdminAccess, AdminAction, AdminAuthenticator, AdminGrant, AdminRejection, AdminRoutes, ScimCaller,
    ScimGuardLayer, StaticAdminTokens, async_trait,
};
use scim_token_core::{Actor, ScimTokenService, Scope};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{FlakyStore, fast_service};
use tower::ServiceExt;

pub const ADMIN: &str = "*:*.admin-0123456789abcdef";
pub const VIEWER: &str = "*:*.viewer-0123456789abcdef";
pub const SCIM_PATH: &str = "/scim/v2/ServiceProviderConfig";
pub const HOST_FALLBACK_BODY: &str = "host fallback";

/// A service over a fresh memory store, with SCIM provisioning enabled for the default scope.
pub async fn enabled_service() -> ScimTokenService {
    let service = fast_service(MemoryStore::new());
    enable(&service).await;
    service
}

/// A host's app over a [`FlakyStore`] (nothing failing yet) with SCIM enabled, and a token generated
/// through it: the start of every failing-store test.
pub async fn flaky_app() -> (FlakyStore, Router, String) {
    let store = FlakyStore::default();
    let service = fast_service(store.clone());
    enable(&service).await;
    let app = app(service, admins());
    let token = generate(&app).await;
    (store, app, token)
}

pub async fn enable(service: &ScimTokenService) {
    service.set_enabled(&Scope::default_scope(), true, &Actor::new("test").unwrap()).await.unwrap();
}

pub fn admins() -> StaticAdminTokens {
    StaticAdminTokens::new()
        .with_token(ADMIN, Actor::new("admin").unwrap(), AdminAccess::ReadWrite)
        .unwrap()
        .with_token(VIEWER, Actor::new("viewer").unwrap(), AdminAccess::ReadOnly)
        .unwrap()
}

/// What a host assembles: the admin routes, the OpenAPI route, one guarded SCIM route, its own fallback.
pub fn app(service: ScimTokenService, authenticator: impl AdminAuthenticator) -> Router {
    let scim =
        Router::new().route(SCIM_PATH, get(scim_echo)).route_layer(ScimGuardLayer::new(service.clone()));
    Router::new()
        .merge(AdminRoutes::new(service, authenticator).with_openapi_route().into_router())
        .merge(scim)
        .fallback(|| async { (StatusCode::NOT_FOUND, HOST_FALLBACK_BODY) })
}

async fn scim_echo(ScimCaller(caller): ScimCaller) -> impl IntoResponse {
    axum::Json(serde_json::json!({ "scope": caller.scope.as_str(), "tokenId": caller.token_id.as_str() }))
}

/// Admin authenticator that lets tests pick any rejection with an `x-test-auth` header.
pub struct ScriptedAuth;

#[async_trait]
impl AdminAuthenticator for ScriptedAuth {
    async fn authenticate(
        &self,
        parts: &axum::http::request::Parts,
        _: AdminAction,
    ) -> Result<AdminGrant, AdminRejection> {
        match parts.headers.get("x-test-auth").and_then(|v| v.to_str().ok()) {
            Some("ok") => Ok(AdminGrant::new(Actor::new("scripted").unwrap(), Scope::default_scope())),
            Some("forbidden") => Err(AdminRejection::Forbidden),
            Some("not-found") => Err(AdminRejection::NotFound),
            Some("unavailable") => Err(AdminRejection::Unavailable),
            _ => Err(AdminRejection::Unauthenticated),
        }
    }
}

/// The answer to an in-process request.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

pub async fn call(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap().to_vec();
    Answer { status, headers, body }
}

/// A request with an optional `Authorization` header and no body.
pub fn request(method: &str, path: &str, authorization: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(value) = authorization {
        builder = builder.header("authorization", value);
    }
    builder.body(Body::empty()).unwrap()
}

pub async fn generate(app: &Router) -> String {
    let answer = call(app, request("POST", "/api/admin/scim-settings/generate-new-token", Some(ADMIN))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()["token"].as_str().unwrap().to_owned()
}

pub async fn scim_status(app: &Router, token: &str) -> StatusCode {
    call(app, request("GET", SCIM_PATH, Some(&format!("Bearer {token}")))).await.status
}

/// Checks an Unleash-shaped error body and returns its `name`.
pub fn assert_unleash_error(answer: &Answer, status: u16) -> String {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.text());
    assert!(answer.header("content-type").unwrap().starts_with("application/json"));
    let body = answer.json();
    let object = body.as_object().unwrap();
    let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["details", "id", "message", "name"], "{body}");
    let id = body["id"].as_str().unwrap();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(id.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
    let message = body["message"].as_str().unwrap();
    assert!(message.len() > 20, "{message}");
    assert_eq!(body["details"], serde_json::json!([{ "message": message }]));
    body["name"].as_str().unwrap().to_owned()
}

/// Checks an RFC 7644 error body.
pub fn assert_scim_error(answer: &Answer, status: u16) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some("application/scim+json"));
    let body = answer.json();
    assert_eq!(body["schemas"], serde_json::json!(["urn:ietf:params:scim:api:messages:2.0:Error"]));
    assert_eq!(body["status"], status.to_string());
    assert!(body["detail"].as_str().unwrap().len() > 20);
    assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
}
