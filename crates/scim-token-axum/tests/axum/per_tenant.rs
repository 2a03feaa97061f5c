//! The per-tenant SCIM guard: `/scim/v2/{tenant}/…` accepts only that tenant's token, and refuses every
//! other with the same 401 as any bad token.

use crate::common::*;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use scim_token_axum::{ScimCaller, ScimGuardLayer};
use scim_token_core::{Actor, ScimTokenService, Scope};
use scim_token_memory::MemoryStore;
use scim_token_test_support::fast_service;

async fn tenant_echo(ScimCaller(caller): ScimCaller) -> String {
    caller.scope.as_str().to_owned()
}

/// One service for two enabled tenants, `acme` and `globex`, each with a token.
async fn two_tenants() -> (ScimTokenService, String, String) {
    let service = fast_service(MemoryStore::new());
    let admin = Actor::new("admin").unwrap();
    let mut tokens = Vec::new();
    for tenant in ["acme", "globex"] {
        let scope = Scope::new(tenant).unwrap();
        service.set_enabled(&scope, true, &admin).await.unwrap();
        tokens.push(service.generate(&scope, &admin).await.unwrap().expose_secret().to_owned());
    }
    let globex = tokens.pop().unwrap();
    (service, tokens.pop().unwrap(), globex)
}

fn routed(service: ScimTokenService) -> Router {
    Router::new()
        .route("/scim/v2/{tenant}/Users", get(tenant_echo))
        .route("/scim/v2/{tenant}/Groups/{id}", get(tenant_echo))
        .route_layer(ScimGuardLayer::per_tenant(service, "tenant"))
}

fn nested(service: ScimTokenService) -> Router {
    let inner = Router::new()
        .route("/Users", get(tenant_echo))
        .route_layer(ScimGuardLayer::per_tenant(service, "tenant"));
    Router::new().nest("/scim/v2/{tenant}", inner)
}

async fn get_with(app: &Router, path: &str, token: &str) -> Answer {
    call(app, request("GET", path, Some(&format!("Bearer {token}")))).await
}

#[tokio::test]
async fn a_token_works_on_its_own_tenants_path_only() {
    let (service, acme, globex) = two_tenants().await;
    for app in [routed(service.clone()), nested(service.clone())] {
        let own = get_with(&app, "/scim/v2/acme/Users", &acme).await;
        assert_eq!((own.status, own.text().as_str()), (StatusCode::OK, "acme"));
        let own = get_with(&app, "/scim/v2/globex/Users", &globex).await;
        assert_eq!((own.status, own.text().as_str()), (StatusCode::OK, "globex"));

        let reference = call(&app, request("GET", "/scim/v2/acme/Users", None)).await;
        assert_scim_error(&reference, 401);
        for (path, token) in [
            ("/scim/v2/globex/Users", &acme),
            ("/scim/v2/acme/Users", &globex),
            ("/scim/v2/initech/Users", &acme),
            ("/scim/v2/ACME/Users", &acme),
            ("/scim/v2/acme%20/Users", &acme),
            ("/scim/v2/%ff/Users", &acme),
            ("/scim/v2/a%2Fb/Users", &acme),
        ] {
            let refused = get_with(&app, path, token).await;
            assert_scim_error(&refused, 401);
            assert_eq!(refused.header("www-authenticate"), Some(r#"Bearer realm="SCIM""#), "{path}");
            assert_eq!(refused.json(), reference.json(), "the same answer as a missing token: {path}");
        }
    }
    let app = routed(service);
    let deeper = get_with(&app, "/scim/v2/acme/Groups/42", &acme).await;
    assert_eq!(deeper.status, StatusCode::OK);
    assert_scim_error(&get_with(&app, "/scim/v2/globex/Groups/42", &acme).await, 401);
}

#[tokio::test]
async fn a_disabled_tenant_refuses_its_own_token() {
    let (service, acme, globex) = two_tenants().await;
    let app = routed(service.clone());
    let acme_scope = Scope::new("acme").unwrap();
    service.set_enabled(&acme_scope, false, &Actor::new("admin").unwrap()).await.unwrap();
    assert_scim_error(&get_with(&app, "/scim/v2/acme/Users", &acme).await, 401);
    assert_eq!(get_with(&app, "/scim/v2/globex/Users", &globex).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_route_without_the_parameter_fails_closed() {
    let (service, acme, _) = two_tenants().await;
    let app: Router = Router::new()
        .route("/scim/v2/Users", get(tenant_echo))
        .route("/scim/v2/{org}/Groups", get(tenant_echo))
        .route_layer(ScimGuardLayer::per_tenant(service, "tenant"));
    for path in ["/scim/v2/Users", "/scim/v2/acme/Groups"] {
        let answer = get_with(&app, path, &acme).await;
        assert_scim_error(&answer, 500);
        assert!(!answer.text().contains(&acme));
        // Not even a request without a token learns anything else.
        assert_scim_error(&call(&app, request("GET", path, None)).await, 500);
    }
}

#[tokio::test]
async fn the_any_scope_guard_still_accepts_every_tenant() {
    let (service, acme, globex) = two_tenants().await;
    let app: Router =
        Router::new().route("/scim/v2/Users", get(tenant_echo)).route_layer(ScimGuardLayer::new(service));
    assert_eq!(get_with(&app, "/scim/v2/Users", &acme).await.text(), "acme");
    assert_eq!(get_with(&app, "/scim/v2/Users", &globex).await.text(), "globex");
}
