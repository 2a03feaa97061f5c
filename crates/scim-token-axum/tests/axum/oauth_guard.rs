//! Access tokens through `ScimGuardLayer`: the handler learns which credential was used, tenant isolation
//! holds for them as for static tokens, and the scope's auth mode decides which kind is accepted.

use axum::http::StatusCode;
use scim_token_axum::paths::OAUTH_MODE_PATH;
use scim_token_core::{Actor, Scope};
use scim_token_memory::MemoryStore;
use scim_token_test_support::fast_service;

use crate::common::down_store::DownStore;
use crate::common::oauth::*;
use crate::common::*;

/// An access token for `scope`'s new client secret, minted through the token endpoint.
async fn access_token(
    app: &axum::Router,
    service: &scim_token_core::ScimTokenService,
    scope: &str,
) -> String {
    let secret = service
        .create_client_secret(&Scope::new(scope).unwrap(), None, &Actor::new("admin").unwrap())
        .await
        .unwrap();
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        secret.client_id().as_str(),
        secret.expose_secret()
    );
    let answer = call(app, token_request(&[FORM], &body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()["access_token"].as_str().unwrap().to_owned()
}

async fn get(app: &axum::Router, path: &str, token: &str) -> Answer {
    call(app, request("GET", path, Some(&format!("Bearer {token}")))).await
}

#[tokio::test]
async fn the_handler_learns_which_credential_was_used() {
    let service = enabled_service().await;
    let app = oauth_app(service.clone());
    let access = access_token(&app, &service, "default").await;
    let answer = get(&app, SCIM_PATH, &access).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let caller = answer.json();
    assert_eq!(caller["credential"]["kind"], "secret");
    let status = service.oauth_status(&Scope::default_scope()).await.unwrap();
    assert_eq!(caller["credential"]["clientId"], status.client_id.unwrap().as_str());
    assert_eq!(caller["credential"]["secretId"], status.secrets[0].id.as_str());
    // The static token beside it is reported as such.
    let token = generate(&app).await;
    let answer = get(&app, SCIM_PATH, &token).await;
    assert_eq!(answer.json()["credential"], serde_json::json!({ "kind": "static" }));
    assert_eq!(answer.json()["tokenId"], &token[5..21]);
}

#[tokio::test]
async fn an_access_token_works_only_on_its_own_tenants_urls() {
    let service = fast_service(MemoryStore::new());
    let admin = Actor::new("admin").unwrap();
    for tenant in ["acme", "globex"] {
        service.set_enabled(&Scope::new(tenant).unwrap(), true, &admin).await.unwrap();
    }
    let app = oauth_app(service.clone());
    let acme = access_token(&app, &service, "acme").await;
    let globex = access_token(&app, &service, "globex").await;
    let acme_users = TENANT_PATH.replace("{tenant}", "acme");
    let globex_users = TENANT_PATH.replace("{tenant}", "globex");
    assert_eq!(get(&app, &acme_users, &acme).await.json()["scope"], "acme");
    assert_eq!(get(&app, &globex_users, &globex).await.json()["scope"], "globex");
    for (path, token) in [(&acme_users, &globex), (&globex_users, &acme)] {
        let answer = get(&app, path, token).await;
        assert_scim_error(&answer, 401);
    }
    // The any-tenant guard accepts both, and says whose they are.
    assert_eq!(get(&app, SCIM_PATH, &acme).await.json()["scope"], "acme");
}

#[tokio::test]
async fn the_auth_mode_decides_which_tokens_pass() {
    let service = enabled_service().await;
    let app = oauth_app(service.clone());
    let access = access_token(&app, &service, "default").await;
    let token = generate(&app).await;
    let set_mode = |mode: &'static str| {
        let app = app.clone();
        async move {
            let body = format!(r#"{{"mode": "{mode}"}}"#);
            let answer = call(&app, admin_json("PUT", OAUTH_MODE_PATH, Some(&body))).await;
            assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
        }
    };

    set_mode("oauth").await;
    assert_eq!(get(&app, SCIM_PATH, &access).await.status, StatusCode::OK);
    assert_scim_error(&get(&app, SCIM_PATH, &token).await, 401);

    set_mode("static").await;
    assert_eq!(get(&app, SCIM_PATH, &token).await.status, StatusCode::OK);
    assert_scim_error(&get(&app, SCIM_PATH, &access).await, 401);
    let status = service.oauth_status(&Scope::default_scope()).await.unwrap();
    let secret = service
        .create_client_secret(&Scope::default_scope(), None, &Actor::new("admin").unwrap())
        .await
        .unwrap();
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        status.client_id.unwrap().as_str(),
        secret.expose_secret()
    );
    let answer = call(&app, token_request(&[FORM], &body)).await;
    assert_eq!(assert_oauth_error(&answer, 400), "unauthorized_client");

    set_mode("any").await;
    assert_eq!(get(&app, SCIM_PATH, &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_access_token_with_the_store_down_is_503_not_401() {
    let store = DownStore::default();
    let service = fast_service(store.clone());
    enable(&service).await;
    let app = oauth_app(service.clone());
    let access = access_token(&app, &service, "default").await;
    store.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let answer = get(&app, SCIM_PATH, &access).await;
    assert_scim_error(&answer, 503);
    assert_eq!(answer.header("retry-after"), Some("1"));
}
