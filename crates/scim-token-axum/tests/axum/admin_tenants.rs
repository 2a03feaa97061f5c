//! One admin API for many tenants: `StaticAdminTokens::with_scoped_token` gives each credential its own
//! scope, and a tenant's credential never reads or changes another tenant's settings or token.

use crate::common::{SCIM_PATH, assert_unleash_error, call, request, scim_status};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use scim_token_axum::paths::{GENERATE_TOKEN_PATH, SETTINGS_PATH};
use scim_token_axum::{AdminAccess, StaticAdminTokens};
use scim_token_core::{Actor, Scope};
use scim_token_memory::MemoryStore;
use scim_token_test_support::fast_service;
use serde_json::json;

const ACME: &str = "acme.admin-0123456789abcdef";
const ACME_VIEWER: &str = "acme.viewer-0123456789abcdef";
const GLOBEX: &str = "globex.admin-0123456789abcdef";

fn scope(name: &str) -> Scope {
    Scope::new(name).unwrap()
}

fn tenant_admins() -> StaticAdminTokens {
    let actor = |name: &str| Actor::new(name).unwrap();
    StaticAdminTokens::new()
        .with_scoped_token(ACME, actor("acme-admin"), AdminAccess::ReadWrite, scope("acme"))
        .unwrap()
        .with_scoped_token(ACME_VIEWER, actor("acme-viewer"), AdminAccess::ReadOnly, scope("acme"))
        .unwrap()
        .with_scoped_token(GLOBEX, actor("globex-admin"), AdminAccess::ReadWrite, scope("globex"))
        .unwrap()
}

async fn generate_as(app: &Router, credential: &str) -> String {
    let answer = call(app, request("POST", GENERATE_TOKEN_PATH, Some(credential))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()["token"].as_str().unwrap().to_owned()
}

async fn set_enabled_as(app: &Router, credential: &str, enabled: bool) {
    let request = Request::post(SETTINGS_PATH)
        .header("authorization", credential)
        .header("content-type", "application/json")
        .body(Body::from(json!({ "enabled": enabled }).to_string()))
        .unwrap();
    let answer = call(app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
}

async fn settings_as(app: &Router, credential: &str) -> serde_json::Value {
    let answer = call(app, request("GET", SETTINGS_PATH, Some(credential))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

/// The scope the SCIM guard reports for `token`.
async fn scim_scope(app: &Router, token: &str) -> serde_json::Value {
    let answer = call(app, request("GET", SCIM_PATH, Some(&format!("Bearer {token}")))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()["scope"].clone()
}

#[tokio::test]
async fn each_tenant_credential_acts_on_its_own_scope_only() {
    let service = fast_service(MemoryStore::new());
    let app = crate::common::app(service.clone(), tenant_admins());

    // Scopes start disabled; each tenant's administrator enables its own.
    set_enabled_as(&app, ACME, true).await;
    assert_eq!(settings_as(&app, GLOBEX).await, json!({ "enabled": false, "hasToken": false }));
    set_enabled_as(&app, GLOBEX, true).await;

    let acme = generate_as(&app, ACME).await;
    let globex = generate_as(&app, GLOBEX).await;
    assert_eq!(scim_scope(&app, &acme).await, "acme");
    assert_eq!(scim_scope(&app, &globex).await, "globex");

    // Acme rotates its token, then disables provisioning: Globex's token and settings stay as they were.
    let acme_next = generate_as(&app, ACME).await;
    assert_eq!(scim_status(&app, &acme).await, StatusCode::UNAUTHORIZED);
    assert_eq!(scim_scope(&app, &acme_next).await, "acme");
    assert_eq!(scim_scope(&app, &globex).await, "globex");
    set_enabled_as(&app, ACME, false).await;
    assert_eq!(scim_status(&app, &acme_next).await, StatusCode::UNAUTHORIZED);
    assert_eq!(scim_scope(&app, &globex).await, "globex");
    assert_eq!(settings_as(&app, ACME).await, json!({ "enabled": false, "hasToken": true }));
    assert_eq!(settings_as(&app, GLOBEX).await, json!({ "enabled": true, "hasToken": true }));

    // Globex rotates: Acme's (disabled) token is not touched either.
    let globex_next = generate_as(&app, GLOBEX).await;
    assert_eq!(scim_status(&app, &globex).await, StatusCode::UNAUTHORIZED);
    let acme_status = service.status(&scope("acme")).await.unwrap();
    assert_eq!(acme_status.current.unwrap().id.as_str(), &acme_next["scim_".len().."scim_".len() + 16]);
    assert_eq!(scim_scope(&app, &globex_next).await, "globex");

    // No credential here serves the default scope: it was never touched.
    let default = service.status(&Scope::default_scope()).await.unwrap();
    assert!(!default.enabled && !default.has_token);
}

#[tokio::test]
async fn a_tenant_viewer_reads_its_own_tenant_and_changes_nothing() {
    let service = fast_service(MemoryStore::new());
    let app = crate::common::app(service.clone(), tenant_admins());
    set_enabled_as(&app, ACME, true).await;
    let token = generate_as(&app, ACME).await;

    assert_eq!(settings_as(&app, ACME_VIEWER).await, json!({ "enabled": true, "hasToken": true }));
    let generate = call(&app, request("POST", GENERATE_TOKEN_PATH, Some(ACME_VIEWER))).await;
    assert_eq!(assert_unleash_error(&generate, 403), "NoAccessError");
    assert_eq!(scim_scope(&app, &token).await, "acme", "the refused generate left the token working");
}

#[tokio::test]
async fn unknown_credentials_and_scim_tokens_get_401_whatever_the_tenant() {
    let service = fast_service(MemoryStore::new());
    let app = crate::common::app(service.clone(), tenant_admins());
    set_enabled_as(&app, ACME, true).await;
    let scim_token = generate_as(&app, ACME).await;
    for credential in ["acme.admin-0123456789abcde", "globex", "acme", &scim_token, "Bearer acme"] {
        let answer = call(&app, request("GET", SETTINGS_PATH, Some(credential))).await;
        assert_eq!(assert_unleash_error(&answer, 401), "AuthenticationRequired", "{credential}");
    }
}
