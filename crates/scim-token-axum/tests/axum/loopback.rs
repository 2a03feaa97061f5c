//! Over a real loopback port: the walkthrough, concurrent rotations, and bodies a client should not send.

use std::net::SocketAddr;
use std::time::Duration;

use crate::common::http_client::{send, send_auth};
use crate::common::*;
use scim_token_axum::paths::{GENERATE_TOKEN_PATH, OPENAPI_PATH, SETTINGS_PATH};
use scim_token_core::ScimTokenService;
use scim_token_memory::MemoryStore;
use scim_token_test_support::fast;

/// Serves `app` on 127.0.0.1 at a free port for the rest of the test.
async fn serve(service: ScimTokenService) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app(service, admins());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn generate_over_http(addr: SocketAddr) -> String {
    let answer = send_auth(addr, "POST", GENERATE_TOKEN_PATH, ADMIN).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    answer.json()["token"].as_str().unwrap().to_owned()
}

async fn scim_over_http(addr: SocketAddr, token: &str) -> u16 {
    send_auth(addr, "GET", SCIM_PATH, &format!("Bearer {token}")).await.status
}

#[tokio::test]
async fn walkthrough_generate_call_rotate() {
    let addr = serve(enabled_service().await).await;

    let settings = send_auth(addr, "GET", SETTINGS_PATH, ADMIN).await;
    assert_eq!(settings.json(), serde_json::json!({ "enabled": true, "hasToken": false }));

    let first = generate_over_http(addr).await;
    assert_eq!(scim_over_http(addr, &first).await, 200);
    assert_eq!(send_auth(addr, "GET", SETTINGS_PATH, VIEWER).await.json()["hasToken"], true);

    let second = generate_over_http(addr).await;
    let refused = send_auth(addr, "GET", SCIM_PATH, &format!("Bearer {first}")).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("content-type"), Some("application/scim+json"));
    assert!(refused.header("www-authenticate").unwrap().starts_with("Bearer"));
    assert_eq!(refused.json()["status"], "401");
    assert!(!refused.text().contains(&first));
    assert_eq!(scim_over_http(addr, &second).await, 200);
    // Okta may send the token without the scheme.
    assert_eq!(send_auth(addr, "GET", SCIM_PATH, &second).await.status, 200);

    let viewer = send_auth(addr, "POST", GENERATE_TOKEN_PATH, VIEWER).await;
    assert_eq!((viewer.status, viewer.json()["name"].as_str()), (403, Some("NoAccessError")));
    assert_eq!(scim_over_http(addr, &second).await, 200, "a refused generate changes nothing");

    let doc = send(addr, "GET", OPENAPI_PATH, &[], b"").await.json();
    assert_eq!(doc["paths"][GENERATE_TOKEN_PATH]["post"]["operationId"], "generate-new-token");
}

#[tokio::test]
async fn concurrent_generates_leave_exactly_one_valid_token() {
    // A generous busy wait: all 32 must be served, not refused as Busy, on a 2-core machine.
    let service = fast(MemoryStore::new()).busy_wait(Duration::from_secs(30)).build().unwrap();
    enable(&service).await;
    let addr = serve(service).await;

    let requests: Vec<_> = (0..32).map(|_| tokio::spawn(generate_over_http(addr))).collect();
    let mut tokens = Vec::new();
    for request in requests {
        tokens.push(request.await.unwrap());
    }
    let distinct: std::collections::HashSet<_> = tokens.iter().collect();
    assert_eq!(distinct.len(), 32);

    let mut accepted = 0;
    for token in &tokens {
        match scim_over_http(addr, token).await {
            200 => accepted += 1,
            401 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(accepted, 1, "exactly one of the concurrently generated tokens survives");
}

#[tokio::test]
async fn bad_headers_on_the_wire_get_401_not_500() {
    let addr = serve(enabled_service().await).await;
    let token = generate_over_http(addr).await;
    let bearer = format!("Bearer {token}");
    let long = vec![b'a'; 8 * 1024];
    let cases: [&[(&str, &[u8])]; 4] = [
        &[],
        &[("Authorization", bearer.as_bytes()), ("Authorization", bearer.as_bytes())],
        &[("Authorization", b"Bearer \xff\xfe\x80")],
        &[("Authorization", &long)],
    ];
    for headers in cases {
        let scim = send(addr, "GET", SCIM_PATH, headers, b"").await;
        assert_eq!(scim.status, 401, "{}", scim.text());
        let admin = send(addr, "POST", GENERATE_TOKEN_PATH, headers, b"").await;
        assert_eq!(admin.status, 401, "{}", admin.text());
        assert_eq!(admin.json()["name"], "AuthenticationRequired");
    }
    assert_eq!(scim_over_http(addr, &token).await, 200, "nothing was rotated");
}

#[tokio::test]
async fn huge_bodies_are_never_buffered() {
    let addr = serve(enabled_service().await).await;
    let auth: (&str, &[u8]) = ("Authorization", ADMIN.as_bytes());
    let json: (&str, &[u8]) = ("Content-Type", b"application/json");
    // Announces 10 GB and sends 4 KiB: answered at once, so the server did not wait for the rest.
    let huge: (&str, &[u8]) = ("Content-Length", b"10000000000");
    let start = vec![b' '; 4096];

    let generate = send(addr, "POST", GENERATE_TOKEN_PATH, &[auth, huge], &start).await;
    assert_eq!(generate.status, 200, "generate ignores its body: {}", generate.text());
    assert!(generate.json()["token"].is_string());

    let settings = send(addr, "POST", SETTINGS_PATH, &[auth, json, huge], &start).await;
    assert_eq!(settings.status, 413, "{}", settings.text());
    assert_eq!(settings.json()["name"], "ContentTooLarge");
}
