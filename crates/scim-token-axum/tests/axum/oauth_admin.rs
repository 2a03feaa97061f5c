//! The OAuth admin API: every status code of every route, under the usual admin authentication and
//! cross-site rules.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use scim_token_axum::paths::{
    OAUTH_FEDERATION_PATH, OAUTH_MODE_PATH, OAUTH_SECRET_PATH, OAUTH_SECRETS_PATH, OAUTH_SETTINGS_PATH,
};
use scim_token_axum::{AdminRoutes, OAuthRoutes};
use scim_token_core::Scope;

use crate::common::oauth::*;
use crate::common::*;

const TRUST: &str = r#"{"issuer": "https://login.microsoftonline.com/tid-1/v2.0",
    "jwksUrl": "https://login.microsoftonline.com/tid-1/discovery/v2.0/keys",
    "subject": "5c0e2f41-7a8b-4c3d-9e1f-0a2b3c4d5e6f", "audience": "api://app-id/.default", "tenantId": "tid-1"}"#;

fn secret_path(id: &str) -> String {
    OAUTH_SECRET_PATH.replace("{id}", id)
}

#[tokio::test]
async fn the_settings_show_what_an_identity_provider_asks_for() {
    let app = oauth_app(enabled_service().await);
    let answer = call(&app, admin_json("GET", OAUTH_SETTINGS_PATH, None)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(
        answer.json(),
        serde_json::json!({
            "clientId": null,
            "tokenEndpoint": "https://scim.example.com/oauth2/token",
            "scimBaseUrl": "https://scim.example.com/scim/v2",
            "authMode": "any",
            "accessTokenLifetimeSeconds": 3600,
            "maxSecrets": 5,
            "secretExpiryDays": { "default": 365, "min": 365, "max": 1095 },
            "federationSupported": false,
            "secrets": [],
            "federation": null,
        })
    );
    let (client_id, _, secret_id) = create_secret(&app).await;
    let json = call(&app, admin_json("GET", OAUTH_SETTINGS_PATH, None)).await.json();
    assert_eq!(json["clientId"], client_id.as_str());
    let secret = &json["secrets"][0];
    assert_eq!(secret["id"], secret_id.as_str());
    assert_eq!(secret["createdBy"], "admin");
    assert_eq!(secret["expired"], false);
    assert_eq!(secret["lastUsedAt"], serde_json::Value::Null);
    assert!(secret["expiresAt"].as_str().unwrap().ends_with('Z'));
    assert!(!json.to_string().contains("scimcs_"), "never a secret: {json}");
}

#[tokio::test]
async fn without_public_urls_nothing_is_derived() {
    let service = enabled_service().await;
    let app: axum::Router = AdminRoutes::new(service, admins()).into_router();
    let request = Request::get(OAUTH_SETTINGS_PATH)
        .header("authorization", ADMIN)
        .header("host", "evil.example")
        .body(Body::empty())
        .unwrap();
    let json = call(&app, request).await.json();
    assert_eq!(json["tokenEndpoint"], serde_json::Value::Null);
    assert_eq!(json["scimBaseUrl"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_per_tenant_scim_base_url_names_the_admins_scope() {
    let service = enabled_service().await;
    let app: axum::Router = AdminRoutes::new(service, admins())
        .with_public_urls("https://app.example/", "/scim/v2/{scope}/")
        .unwrap()
        .into_router();
    let json = call(&app, admin_json("GET", OAUTH_SETTINGS_PATH, None)).await.json();
    assert_eq!(json["scimBaseUrl"], format!("https://app.example/scim/v2/{}", Scope::default_scope()));
    assert_eq!(json["tokenEndpoint"], "https://app.example/oauth2/token");
    for (base, path) in [("app.example", "/scim"), ("https://app.example", "scim"), ("https://a", "/s c")] {
        let service = enabled_service().await;
        assert!(AdminRoutes::new(service, admins()).with_public_urls(base, path).is_err(), "{base} {path}");
    }
}

#[tokio::test]
async fn creating_secrets_201_once_400_out_of_range_409_past_the_limit() {
    let app = oauth_app(enabled_service().await);
    let answer = call(&app, admin_json("POST", OAUTH_SECRETS_PATH, Some(r#"{"expiresInDays": 400}"#))).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.header("pragma"), Some("no-cache"));
    let body = answer.json();
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["clientId", "clientSecret", "expiresAt", "secretId"]);
    assert!(body["clientSecret"].as_str().unwrap().starts_with("scimcs_"));
    assert!(body["clientId"].as_str().unwrap().starts_with("scimcl_"));

    for bad in [r#"{"expiresInDays": 10}"#, r#"{"expiresInDays": 5000}"#] {
        let answer = call(&app, admin_json("POST", OAUTH_SECRETS_PATH, Some(bad))).await;
        assert_eq!(assert_unleash_error(&answer, 400), "BadDataError", "{bad}");
        assert!(answer.json()["message"].as_str().unwrap().contains("days"), "{}", answer.text());
    }
    for bad in [r#"{"expiresInDays": -1}"#, r#"{"expiresInDays": "a"}"#, "[1]", "{"] {
        let answer = call(&app, admin_json("POST", OAUTH_SECRETS_PATH, Some(bad))).await;
        assert_eq!(assert_unleash_error(&answer, 400), "BadDataError", "{bad}");
    }
    let text = Request::post(OAUTH_SECRETS_PATH)
        .header("authorization", ADMIN)
        .header("content-type", "text/plain")
        .body(Body::from(r#"{"expiresInDays": 400}"#))
        .unwrap();
    assert_eq!(assert_unleash_error(&call(&app, text).await, 415), "ContentTypeError");
    let huge = format!(r#"{{"expiresInDays": 400, "pad": "{}"}}"#, "a".repeat(9000));
    let answer = call(&app, admin_json("POST", OAUTH_SECRETS_PATH, Some(&huge))).await;
    assert_eq!(assert_unleash_error(&answer, 413), "ContentTooLarge");

    // One created above; four more reach the default limit of five.
    for _ in 0..4 {
        create_secret(&app).await;
    }
    let answer = call(&app, admin_json("POST", OAUTH_SECRETS_PATH, None)).await;
    assert_eq!(assert_unleash_error(&answer, 409), "ConflictError");
    assert!(answer.json()["message"].as_str().unwrap().contains('5'));
}

#[tokio::test]
async fn deleting_a_secret_204_then_404() {
    let app = oauth_app(enabled_service().await);
    let (_, _, secret_id) = create_secret(&app).await;
    let answer = call(&app, admin_json("DELETE", &secret_path(&secret_id), None)).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    for id in [secret_id.as_str(), "AAAAAAAAAAAAAAAA", "not-an-id", "%FF"] {
        let answer = call(&app, admin_json("DELETE", &secret_path(id), None)).await;
        assert_eq!(assert_unleash_error(&answer, 404), "NotFoundError", "{id}");
    }
}

#[tokio::test]
async fn the_federation_trust_200_400_204_404() {
    let app = oauth_app(enabled_service().await);
    let answer = call(&app, admin_json("PUT", OAUTH_FEDERATION_PATH, Some(TRUST))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let trust = answer.json();
    assert_eq!(trust["audience"], "api://app-id", "the /.default Entra shows is removed");
    assert_eq!(trust["tenantId"], "tid-1");
    assert_eq!(trust["createdBy"], "admin");
    let settings = call(&app, admin_json("GET", OAUTH_SETTINGS_PATH, None)).await.json();
    assert_eq!(settings["federation"]["issuer"], "https://login.microsoftonline.com/tid-1/v2.0");
    assert!(settings["clientId"].as_str().unwrap().starts_with("scimcl_"), "the trust creates the client");

    let http =
        TRUST.replace("https://login.microsoftonline.com/tid-1/discovery", "http://example.com/discovery");
    let other_tenant = TRUST.replace(r#""tenantId": "tid-1""#, r#""tenantId": "tid-2""#);
    for bad in [http.as_str(), other_tenant.as_str(), r#"{"issuer": "x"}"#, "not json"] {
        let answer = call(&app, admin_json("PUT", OAUTH_FEDERATION_PATH, Some(bad))).await;
        assert_eq!(assert_unleash_error(&answer, 400), "BadDataError", "{bad}");
    }
    let answer = call(&app, admin_json("PUT", OAUTH_FEDERATION_PATH, None)).await;
    assert_eq!(assert_unleash_error(&answer, 415), "ContentTypeError", "no body, no JSON");

    let answer = call(&app, admin_json("DELETE", OAUTH_FEDERATION_PATH, None)).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    let answer = call(&app, admin_json("DELETE", OAUTH_FEDERATION_PATH, None)).await;
    assert_eq!(assert_unleash_error(&answer, 404), "NotFoundError");
}

#[tokio::test]
async fn the_mode_204_and_400() {
    let app = oauth_app(enabled_service().await);
    for mode in ["oauth", "static", "any"] {
        let body = format!(r#"{{"mode": "{mode}"}}"#);
        let answer = call(&app, admin_json("PUT", OAUTH_MODE_PATH, Some(&body))).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
        let settings = call(&app, admin_json("GET", OAUTH_SETTINGS_PATH, None)).await.json();
        assert_eq!(settings["authMode"], mode);
    }
    for bad in [r#"{"mode": "OAuth"}"#, r#"{"mode": 1}"#, "{}"] {
        let answer = call(&app, admin_json("PUT", OAUTH_MODE_PATH, Some(bad))).await;
        assert_eq!(assert_unleash_error(&answer, 400), "BadDataError", "{bad}");
    }
}

#[tokio::test]
async fn strangers_401_viewers_read_only_403_and_wrong_methods_405() {
    let app = oauth_app(enabled_service().await);
    let writes: [(&str, String); 5] = [
        ("POST", OAUTH_SECRETS_PATH.to_owned()),
        ("DELETE", secret_path("AAAAAAAAAAAAAAAA")),
        ("PUT", OAUTH_FEDERATION_PATH.to_owned()),
        ("DELETE", OAUTH_FEDERATION_PATH.to_owned()),
        ("PUT", OAUTH_MODE_PATH.to_owned()),
    ];
    for (method, path) in writes.iter().chain([&("GET", OAUTH_SETTINGS_PATH.to_owned())]) {
        let answer = call(&app, request(method, path, None)).await;
        assert_eq!(assert_unleash_error(&answer, 401), "AuthenticationRequired", "{method} {path}");
    }
    for (method, path) in &writes {
        let answer = call(&app, request(method, path, Some(VIEWER))).await;
        assert_eq!(assert_unleash_error(&answer, 403), "NoAccessError", "{method} {path}");
    }
    assert_eq!(call(&app, request("GET", OAUTH_SETTINGS_PATH, Some(VIEWER))).await.status, StatusCode::OK);
    for (method, path) in
        [("POST", OAUTH_SETTINGS_PATH), ("GET", OAUTH_SECRETS_PATH), ("POST", OAUTH_MODE_PATH)]
    {
        let answer = call(&app, request(method, path, Some(ADMIN))).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
    }
}

#[tokio::test]
async fn cross_site_writes_are_refused_with_the_admin_page_on() {
    let service = enabled_service().await;
    let app: axum::Router = axum::Router::new()
        .merge(AdminRoutes::new(service.clone(), admins()).with_admin_page().into_router())
        .merge(OAuthRoutes::new(service).into_router());
    let request = Request::post(OAUTH_SECRETS_PATH)
        .header("authorization", ADMIN)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    let answer = call(&app, request).await;
    assert_eq!(assert_unleash_error(&answer, 403), "CrossSiteRequestError");
    let settings = call(&app, admin_json("GET", OAUTH_SETTINGS_PATH, None)).await.json();
    assert_eq!(settings["secrets"], serde_json::json!([]), "nothing was created");
}
