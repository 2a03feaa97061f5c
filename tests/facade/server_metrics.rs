//! The example server's `GET /metrics` (`examples/server/monitoring.rs`), served on a loopback port:
//! Prometheus text, no credential needed, the SCIM calls counted, and no token in the page.

use crate::{http_client, server};
use http_client::{send, send_auth};
use scim_token::MemoryStore;
use scim_token_test_support::fast_service;
use server::monitoring;

const ADMIN: &str = "*:*.metrics-admin";

#[tokio::test]
async fn metrics_page_counts_scim_calls_without_credentials_or_secrets() {
    // A recorder of this test's own, set around `build`: the service registers its metrics then.
    let recorder = monitoring::recorder().unwrap();
    let handle = recorder.handle();
    let service = metrics::with_local_recorder(&recorder, || fast_service(MemoryStore::new()));
    server::enable_on_first_start(&service).await.unwrap();
    let app =
        server::app(service, server::admin_tokens(ADMIN, None).unwrap()).merge(monitoring::routes(handle));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let generated = send_auth(addr, "POST", "/api/admin/scim-settings/generate-new-token", ADMIN).await;
    let token = generated.json()["token"].as_str().unwrap().to_owned();
    let scim = server::SERVICE_PROVIDER_CONFIG_PATH;
    assert_eq!(send_auth(addr, "GET", scim, &format!("Bearer {token}")).await.status, 200);
    assert_eq!(send_auth(addr, "GET", scim, &format!("Bearer {token}")).await.status, 200);
    assert_eq!(send_auth(addr, "GET", scim, "Bearer scim_wrong").await.status, 401);

    let page = send(addr, "GET", monitoring::METRICS_PATH, &[], b"").await;
    assert_eq!(page.status, 200, "no credential needed");
    assert_eq!(page.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    let text = page.text();
    for line in [
        "# TYPE scim_token_verifications_total counter",
        "scim_token_verifications_total{outcome=\"valid\"} 2",
        "scim_token_verifications_total{outcome=\"invalid\"} 1",
        "scim_token_rotations_total 1",
        // The instance that generated the token knows it: both calls are cache hits, with no Argon2.
        "scim_token_verify_duration_seconds_count{path=\"cache_hit\"} 2",
        "scim_token_verify_duration_seconds_bucket{path=\"rejected_early\",le=\"+Inf\"} 1",
        "scim_token_hashes_in_flight 0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
    }
    let id = &token[5..21];
    assert!(!text.contains(&token[21..]) && !text.contains(id), "no token nor its id in:\n{text}");
    served.abort();
}
