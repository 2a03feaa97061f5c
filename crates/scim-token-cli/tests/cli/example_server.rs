//! The example host server (`examples/server/main.rs`) serves a SQLite file while the real `scim-token`
//! binary, another process, rotates and revokes on the same file: the server refuses the old token on
//! its very next request, with no restart and no cache to wait out.
//!
//! The server is the example's own `app`, built here as a module (as the root crate's
//! `tests/facade/server_walkthrough.rs` does) and served on a loopback port: no nested `cargo build`, no
//! search for a possibly stale example binary, and the server stops with the test. Only `main` (reading
//! environment variables) is not exercised.

// The example itself, not a copy: its `main` and defaults go unused here.
#[allow(dead_code, missing_docs)]
#[path = "../../../../examples/server/main.rs"]
mod server;

#[allow(dead_code)] // The shared client has more than this test needs.
#[path = "../../../scim-token-axum/tests/axum/common/http_client.rs"]
mod http_client;

use std::net::SocketAddr;

use crate::common::{Db, Run};
use http_client::send_auth;
use scim_token::sqlite::SqliteStore;
use scim_token::{ScimTokenService, Scope};
use scim_token_test_support::serve_on_loopback;

const ADMIN: &str = "*:*.cli-test-admin";
const GENERATE: &str = "/api/admin/scim-settings/generate-new-token";
const SETTINGS: &str = "/api/admin/scim-settings";

/// Runs the CLI on the blocking pool, so the server keeps serving on the runtime meanwhile.
async fn cli(db: &Db, args: &[&str]) -> Run {
    let (url, args) = (db.url(), args.iter().map(|a| a.to_string()).collect::<Vec<_>>());
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        crate::common::run_with(&[("SCIM_TOKEN_DATABASE_URL", &url)], &args, None)
    })
    .await
    .unwrap()
}

async fn scim_status(addr: SocketAddr, token: &str) -> u16 {
    send_auth(addr, "GET", server::SERVICE_PROVIDER_CONFIG_PATH, &format!("Bearer {token}")).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_honours_the_cli_on_its_next_request() {
    let db = tokio::task::spawn_blocking(Db::new).await.unwrap(); // it runs its own small runtime
    // The example's start-up, on the file: the library's defaults, first-start enabling, its routes.
    let service = ScimTokenService::builder(SqliteStore::open(&db.path).await.unwrap()).build().unwrap();
    assert!(server::enable_on_first_start(&service).await.unwrap());
    let served = serve_on_loopback(server::app(service, server::admin_tokens(ADMIN, None).unwrap())).await;
    let addr = served.addr;

    // An administrator generated a token over HTTP; the identity provider uses it (twice: the second
    // call is served from the server's cache of verified tokens).
    let generated = send_auth(addr, "POST", GENERATE, ADMIN).await;
    assert_eq!(generated.status, 200, "{}", generated.text());
    let leaked = generated.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(scim_status(addr, &leaked).await, 200);
    assert_eq!(scim_status(addr, &leaked).await, 200);

    // The operator sees it, and rotates it from a shell.
    let status = cli(&db, &["status", "--json"]).await.ok().json();
    assert_eq!((status["enabled"].as_bool(), status["hasToken"].as_bool()), (Some(true), Some(true)));
    assert_eq!(status["tokens"][0]["createdBy"], "admin");
    let fresh = cli(&db, &["generate", "--yes", "--actor", "ops"]).await.ok().token();

    // The running server refuses the old token on its next request and accepts the new one.
    assert_eq!(scim_status(addr, &leaked).await, 401);
    assert_eq!(scim_status(addr, &fresh).await, 200);

    // Revoke from the shell: the server refuses the token at once; the settings route agrees.
    cli(&db, &["revoke", "--yes"]).await.ok();
    assert_eq!(scim_status(addr, &fresh).await, 401);
    let settings = send_auth(addr, "GET", SETTINGS, ADMIN).await.json();
    assert_eq!(settings, serde_json::json!({ "enabled": true, "hasToken": false }));

    // Disable and enable from the shell, with a token generated meanwhile.
    let last = cli(&db, &["generate", "--yes"]).await.ok().token();
    cli(&db, &["disable"]).await.ok();
    assert_eq!(scim_status(addr, &last).await, 401);
    cli(&db, &["enable"]).await.ok();
    assert_eq!(scim_status(addr, &last).await, 200);

    served.shut_down().await;
    // The file still holds the CLI's token as the scope's only one.
    let store = SqliteStore::open(&db.path).await.unwrap();
    let state = scim_token::TokenStore::load_scope(&store, &Scope::default_scope()).await.unwrap();
    assert_eq!(state.current.unwrap().id.as_str(), &last[5..21]);
    assert!(state.previous.is_none());
}
