//! The example server (`examples/server/`), assembled by its own `app` function and served on a
//! loopback port: the README's curl walkthrough, the viewer credential, first-start enabling, restarts.

use crate::{http_client, server};
use std::net::SocketAddr;

use http_client::{send, send_auth};
use scim_token::sqlite::SqliteStore;
use scim_token::{Actor, ScimTokenService, Scope};
use scim_token_test_support::{Served, TempDb, fast, fast_service, serve_on_loopback};

const ADMIN: &str = "*:*.walkthrough-admin";
const VIEWER: &str = "*:*.walkthrough-viewer";
const GENERATE: &str = "/api/admin/scim-settings/generate-new-token";
const SETTINGS: &str = "/api/admin/scim-settings";
const TOKENS: &str = "/api/admin/scim-settings/tokens";

/// The example server, started as its `main` starts it, on a free loopback port.
async fn start(service: ScimTokenService) -> Served {
    server::enable_on_first_start(&service).await.unwrap();
    serve_on_loopback(server::app(service, server::admin_tokens(ADMIN, Some(VIEWER)).unwrap())).await
}

async fn generate(addr: SocketAddr) -> String {
    let answer = send_auth(addr, "POST", GENERATE, ADMIN).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["token"].as_str().unwrap().to_owned()
}

async fn scim(addr: SocketAddr, token: &str) -> http_client::HttpResponse {
    send_auth(addr, "GET", server::SERVICE_PROVIDER_CONFIG_PATH, &format!("Bearer {token}")).await
}

#[tokio::test]
async fn readme_walkthrough() {
    let running = start(fast_service(SqliteStore::open_in_memory().await.unwrap())).await;
    let addr = running.addr;

    // 1. Generate a token.
    let first = generate(addr).await;

    // 2. The identity provider calls the SCIM API with it.
    let config = scim(addr, &first).await;
    assert_eq!(config.status, 200, "{}", config.text());
    assert_eq!(config.header("content-type"), Some("application/scim+json"));
    let document = config.json();
    assert_eq!(document["schemas"][0], "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
    assert_eq!(document["authenticationSchemes"][0]["type"], "oauthbearertoken");
    for feature in ["patch", "bulk", "filter", "changePassword", "sort", "etag"] {
        assert!(document[feature]["supported"].is_boolean(), "{feature}");
    }

    // 3. Generate again: the first token stops working at once, the new one works.
    let second = generate(addr).await;
    let refused = scim(addr, &first).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("content-type"), Some("application/scim+json"));
    assert!(refused.header("www-authenticate").unwrap().starts_with("Bearer"));
    assert_eq!(refused.json()["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    assert!(!refused.text().contains(&first));
    assert_eq!(scim(addr, &second).await.status, 200);

    // The settings and the OpenAPI document.
    let settings = send_auth(addr, "GET", SETTINGS, ADMIN).await.json();
    assert_eq!(settings, serde_json::json!({ "enabled": true, "hasToken": true }));
    let doc = send(addr, "GET", "/api/openapi.json", &[], b"").await.json();
    assert_eq!(doc["paths"][GENERATE]["post"]["operationId"], "generate-new-token");

    // The per-tenant URL accepts the token on its own tenant's path (`default`) only.
    let bearer = format!("Bearer {second}");
    let own = send_auth(addr, "GET", "/scim/v2/default/ServiceProviderConfig", &bearer).await;
    assert_eq!(own.status, 200, "{}", own.text());
    let other = send_auth(addr, "GET", "/scim/v2/acme/ServiceProviderConfig", &bearer).await;
    assert_eq!((other.status, other.header("content-type")), (401, Some("application/scim+json")));

    // The token inventory: one current token; revoking them all stops it at once.
    let tokens = send_auth(addr, "GET", TOKENS, ADMIN).await.json();
    assert_eq!(tokens.as_array().unwrap().len(), 1, "{tokens}");
    assert_eq!((&tokens[0]["role"], &tokens[0]["createdBy"]), (&"current".into(), &"admin".into()));
    assert_eq!(send_auth(addr, "DELETE", TOKENS, VIEWER).await.status, 403);
    assert_eq!(send_auth(addr, "DELETE", TOKENS, ADMIN).await.status, 204);
    assert_eq!(scim(addr, &second).await.status, 401);
    assert_eq!(send_auth(addr, "GET", SETTINGS, ADMIN).await.json()["hasToken"], false);

    // The admin page is served, with its script and style sheet, without credentials.
    let page = send(addr, "GET", "/admin/scim", &[], b"").await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));

    // Unknown paths are 404s, with or without a token.
    assert_eq!(send_auth(addr, "GET", "/scim/v2/Users", &bearer).await.status, 404);
    assert_eq!(send(addr, "GET", "/nothing-here", &[], b"").await.status, 404);

    running.shut_down().await;
}

#[tokio::test]
async fn the_viewer_can_read_but_not_write() {
    let running = start(fast_service(SqliteStore::open_in_memory().await.unwrap())).await;
    let addr = running.addr;
    let token = generate(addr).await;

    assert_eq!(send_auth(addr, "GET", SETTINGS, VIEWER).await.status, 200);
    let generate = send_auth(addr, "POST", GENERATE, VIEWER).await;
    assert_eq!((generate.status, generate.json()["name"].as_str()), (403, Some("NoAccessError")));
    let json: (&str, &[u8]) = ("Content-Type", b"application/json");
    let disable =
        send(addr, "POST", SETTINGS, &[("Authorization", VIEWER.as_bytes()), json], br#"{"enabled":false}"#)
            .await;
    assert_eq!(disable.status, 403);
    assert_eq!(scim(addr, &token).await.status, 200, "nothing changed");

    // The admin can disable provisioning; the token is then refused, and accepted again once re-enabled.
    let admin: (&str, &[u8]) = ("Authorization", ADMIN.as_bytes());
    assert_eq!(send(addr, "POST", SETTINGS, &[admin, json], br#"{"enabled":false}"#).await.status, 200);
    assert_eq!(scim(addr, &token).await.status, 401);
    assert_eq!(send(addr, "POST", SETTINGS, &[admin, json], br#"{"enabled":true}"#).await.status, 200);
    assert_eq!(scim(addr, &token).await.status, 200);

    running.shut_down().await;
}

#[tokio::test]
async fn tokens_and_settings_survive_a_restart_and_first_start_runs_once() {
    let db = TempDb::new("restart");

    let running = start(fast_service(SqliteStore::open(db.path()).await.unwrap())).await;
    let token = generate(running.addr).await;
    let admin: (&str, &[u8]) = ("Authorization", ADMIN.as_bytes());
    let json: (&str, &[u8]) = ("Content-Type", b"application/json");
    let disable = send(running.addr, "POST", SETTINGS, &[admin, json], br#"{"enabled":false}"#).await;
    assert_eq!(disable.status, 200);
    running.shut_down().await;

    // Restarted on the same file: the administrator's choice (disabled) is kept, not reset by first start.
    let service = fast_service(SqliteStore::open(db.path()).await.unwrap());
    assert!(!server::enable_on_first_start(&service).await.unwrap());
    let running = start(service.clone()).await;
    assert_eq!(scim(running.addr, &token).await.status, 401);
    service.set_enabled(&Scope::default_scope(), true, &Actor::new("test").unwrap()).await.unwrap();
    assert_eq!(scim(running.addr, &token).await.status, 200, "the token survived the restart");
    running.shut_down().await;
}

#[tokio::test]
async fn first_start_enables_a_fresh_database_only() {
    let service = fast_service(SqliteStore::open_in_memory().await.unwrap());
    assert!(server::enable_on_first_start(&service).await.unwrap());
    assert!(service.status(&Scope::default_scope()).await.unwrap().enabled);
    assert!(!server::enable_on_first_start(&service).await.unwrap(), "already enabled");
}

#[test]
fn admin_credentials_are_checked_at_start() {
    assert!(server::admin_tokens("", None).is_err());
    assert!(server::admin_tokens("two words", None).is_err());
    assert!(server::admin_tokens(ADMIN, Some(ADMIN)).is_err(), "the viewer must differ from the admin");
    assert!(server::admin_tokens(ADMIN, None).is_ok());
}

/// The README's zero-downtime rotation: two example servers on one database file, both with
/// `overlap_until_first_use`. The identity provider keeps calling with the old token, to either server,
/// while the administrator pastes the new one; its first call with the new token ends the overlap, and
/// from the next request on only the new token works, on both servers. No provisioning call fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_until_first_use_fails_no_provisioning_call() {
    let db = TempDb::new("first-use");
    let overlap = std::time::Duration::from_secs(24 * 3600);
    let instance = || async {
        fast(SqliteStore::open(db.path()).await.unwrap()).overlap_until_first_use(overlap).build().unwrap()
    };
    let (a, b) = (start(instance().await).await, start(instance().await).await);
    let old = generate(a.addr).await;
    assert_eq!(scim(b.addr, &old).await.status, 200);

    let new = generate(a.addr).await;
    for addr in [a.addr, b.addr, a.addr, b.addr] {
        assert_eq!(scim(addr, &old).await.status, 200, "the old token works until the new one is used");
    }
    assert_eq!(scim(b.addr, &new).await.status, 200, "the provider switches: its first call succeeds");
    for addr in [a.addr, b.addr] {
        assert_eq!(scim(addr, &old).await.status, 401, "from the next request on, only the new token works");
        assert_eq!(scim(addr, &new).await.status, 200);
    }
    a.shut_down().await;
    b.shut_down().await;
}
