//! The admin page's OAuth section, driven in headless Chromium: the values to paste into Entra ID are
//! shown, a client secret is generated and shown once, gets an access token that works on the SCIM API,
//! and is deleted from its row (the access token stops working); the federation trust is saved; the
//! accepted credentials are changed. Screenshots go to `target/browser-test/`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use fantoccini::{Client, Locator};
use scim_token::axum_adapter::{AdminAccess, AdminRoutes, OAuthRoutes, ScimGuardLayer, StaticAdminTokens};
use scim_token::{Actor, MemoryStore, ScimTokenService, Scope};
use scim_token_test_support::fast_service;

use crate::admin_page_browser::{
    ADMIN, by_id, click, confirm, connect, displayed, output_dir, status_is, until,
};
use crate::{browser, http_client};

const PUBLIC_BASE: &str = "https://scim.example.com";
const USERS: &str = "/scim/v2/Users";

async fn serve(service: ScimTokenService) -> SocketAddr {
    let admins = StaticAdminTokens::new()
        .with_token(ADMIN, Actor::new("admin").unwrap(), AdminAccess::ReadWrite)
        .unwrap();
    let app: Router = Router::new()
        .merge(
            AdminRoutes::new(service.clone(), admins)
                .with_admin_page()
                .with_public_urls(PUBLIC_BASE, "/scim/v2")
                .unwrap()
                .into_router(),
        )
        .merge(OAuthRoutes::new(service.clone()).into_router())
        .merge(
            Router::new().route(USERS, get(|| async { "users" })).route_layer(ScimGuardLayer::new(service)),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn text_of(c: &Client, test_id: &str) -> String {
    displayed(c, test_id).await.text().await.unwrap()
}

/// An access token for `client_id` and `secret`, by `client_secret_post` over HTTP.
async fn access_token(addr: SocketAddr, client_id: &str, secret: &str) -> String {
    let body = format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
    let headers: [(&str, &[u8]); 1] = [("Content-Type", b"application/x-www-form-urlencoded")];
    let answer = http_client::send(addr, "POST", "/oauth2/token", &headers, body.as_bytes()).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["access_token"].as_str().unwrap().to_owned()
}

async fn users_status(addr: SocketAddr, token: &str) -> u16 {
    http_client::send_auth(addr, "GET", USERS, &format!("Bearer {token}")).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_sets_up_oauth_in_a_real_browser() {
    let Some((chromium, driver)) = browser::binaries_or_skip() else { return };
    let _one = browser::ONE_AT_A_TIME.lock().await;
    let service = fast_service(MemoryStore::new());
    service.set_enabled(&Scope::default_scope(), true, &Actor::new("admin").unwrap()).await.unwrap();
    let addr = serve(service.clone()).await;
    let browser = browser::Browser::start(&chromium, &driver, 1024, 2400).await;
    let outcome =
        tokio::time::timeout(Duration::from_secs(180), walk_through(&browser.client, addr, &service)).await;
    browser.close().await;
    outcome.expect("the browser walkthrough did not finish in 3 minutes");
}

async fn walk_through(c: &Client, addr: SocketAddr, service: &ScimTokenService) {
    c.goto(&format!("http://{addr}/admin/scim")).await.unwrap();
    connect(c).await;

    // 1. What Entra asks for, before any client exists: the URLs, and no client ID yet.
    displayed(c, "oauth").await;
    assert_eq!(text_of(c, "oauth-token-endpoint").await, format!("{PUBLIC_BASE}/oauth2/token"));
    assert_eq!(text_of(c, "oauth-scim-url").await, format!("{PUBLIC_BASE}/scim/v2"));
    assert_eq!(text_of(c, "scim-url").await, format!("{PUBLIC_BASE}/scim/v2"), "beside the static token too");
    displayed(c, "oauth-no-client").await;

    // 2. Generate a client secret: shown once, with the client ID; it gets a working access token.
    click(c, "generate-secret").await;
    status_is(c, "Client secret generated. Copy it now: it is shown only once.").await;
    let secret = text_of(c, "new-secret").await;
    assert!(secret.starts_with("scimcs_"), "{secret}");
    let client_id = text_of(c, "oauth-client-id").await;
    assert!(client_id.starts_with("scimcl_"), "{client_id}");
    std::fs::write(output_dir().join("admin-page-oauth-secret.png"), c.screenshot().await.unwrap()).unwrap();
    click(c, "copy-secret").await;
    until("copy feedback", || async {
        (displayed(c, "copy-secret").await.text().await.ok()? != "Copy").then_some(())
    })
    .await;
    let access = access_token(addr, &client_id, &secret).await;
    assert_eq!(users_status(addr, &access).await, 200);
    let rows = c.find_all(Locator::Css(&by_id("secret-row"))).await.unwrap();
    assert_eq!(rows.len(), 1);

    // 3. Dismissed, the secret is gone from the page.
    click(c, "dismiss-secret").await;
    assert!(!c.source().await.unwrap().contains(&secret));

    // 4. Delete it from its row: its access token stops working at once.
    click(c, "delete-secret").await;
    confirm(c, "It stops working at once").await;
    let secret_id = &secret["scimcs_".len().."scimcs_".len() + 16];
    status_is(c, &format!("Client secret {secret_id} was deleted.")).await;
    assert_eq!(users_status(addr, &access).await, 401);
    displayed(c, "no-secrets").await;

    // 5. The federation trust: saved, with Entra's /.default removed from the audience.
    let fields = [
        ("trust-issuer", "https://login.microsoftonline.com/tid-1/v2.0"),
        ("trust-jwks-url", "https://login.microsoftonline.com/tid-1/discovery/v2.0/keys"),
        ("trust-subject", "5c0e2f41-7a8b-4c3d-9e1f-0a2b3c4d5e6f"),
        ("trust-audience", "api://app-id/.default"),
        ("trust-tenant-id", "tid-1"),
    ];
    for (id, value) in fields {
        displayed(c, id).await.send_keys(value).await.unwrap();
    }
    click(c, "save-trust").await;
    status_is(c, "Federation trust saved.").await;
    until("the saved audience", || async {
        let value = displayed(c, "trust-audience").await.prop("value").await.ok()??;
        (value == "api://app-id").then_some(())
    })
    .await;
    let status = service.oauth_status(&Scope::default_scope()).await.unwrap();
    assert_eq!(status.trust.unwrap().audience, "api://app-id");

    // 6. OAuth only: confirmed, saved.
    let mode = displayed(c, "auth-mode").await;
    mode.select_by_value("oauth").await.unwrap();
    confirm(c, "the static token stops working").await;
    until("the mode saved", || async {
        let status = service.oauth_status(&Scope::default_scope()).await.ok()?;
        (status.auth_mode.as_str() == "oauth").then_some(())
    })
    .await;
    std::fs::write(output_dir().join("admin-page-oauth.png"), c.screenshot().await.unwrap()).unwrap();
}
