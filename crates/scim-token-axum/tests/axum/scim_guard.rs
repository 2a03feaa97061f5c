//! The SCIM guard in process: accepted and refused tokens, failing stores, saturated hashing.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::routing::get;
use scim_token_axum::ScimCaller;
use scim_token_axum::paths::GENERATE_TOKEN_PATH;
use scim_token_core::Scope;
use scim_token_memory::MemoryStore;
use scim_token_test_support::{
    HeldBlockingThread, fast, pending_after_one_poll, runtime_with_one_blocking_thread, with_checksum_fixed,
};

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_its_scope_and_id() {
    let app = app(enabled_service().await, admins());
    let token = generate(&app).await;
    for authorization in [format!("Bearer {token}"), format!("bearer {token}"), token.clone()] {
        let answer = call(&app, request("GET", SCIM_PATH, Some(&authorization))).await;
        assert_eq!(answer.status, StatusCode::OK, "{authorization}");
        let body = answer.json();
        assert_eq!(body["scope"], Scope::DEFAULT);
        // The public id is the 16 characters after the prefix.
        assert_eq!(body["tokenId"], token["scim_".len().."scim_".len() + 16]);
    }
}

#[tokio::test]
async fn every_refused_token_gets_the_same_401() {
    let app = app(enabled_service().await, admins());
    let token = generate(&app).await;
    // Known selector with a wrong secret (refused by Argon2), a typo (refused by the checksum), an
    // unknown selector (refused after the look-up), and shapes that are not tokens at all.
    let wrong_secret = with_changed_secret(&token, true);
    let typo = with_changed_secret(&token, false);
    let other_service = enabled_service().await;
    let other_app = crate::common::app(other_service, admins());
    let unknown = generate(&other_app).await;
    let long = "a".repeat(5000);
    let candidates = [
        None,
        Some(String::new()),
        Some("Bearer".to_owned()),
        Some("Bearer ".to_owned()),
        Some(format!("Basic {token}")),
        Some(format!("Bearer {wrong_secret}")),
        Some(format!("Bearer {typo}")),
        Some(format!("Bearer {unknown}")),
        Some(format!("Bearer {}", &token[..token.len() - 1])),
        Some(format!("Bearer {token} extra")),
        Some("Bearer scim_".to_owned()),
        Some(ADMIN.to_owned()),
        Some(long),
    ];
    let mut bodies = Vec::new();
    for authorization in &candidates {
        let answer = call(&app, request("GET", SCIM_PATH, authorization.as_deref())).await;
        assert_scim_error(&answer, 401);
        assert_eq!(answer.header("www-authenticate"), Some(r#"Bearer realm="SCIM""#));
        assert!(!answer.text().contains(&token) && !answer.text().contains(&unknown));
        bodies.push(answer.json());
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "one answer for every reason: {bodies:?}");
}

/// `token` with one secret character changed, and its checksum recomputed (or not).
fn with_changed_secret(token: &str, fix_checksum: bool) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let i = "scim_".len() + 16 + 5;
    bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
    let changed = String::from_utf8(bytes).unwrap();
    if fix_checksum { with_checksum_fixed(&changed) } else { changed }
}

#[tokio::test]
async fn a_forged_checksum_is_valid_so_only_argon2_refuses_the_wrong_secret() {
    let format = scim_token_core::TokenFormat::default();
    let app = app(enabled_service().await, admins());
    let token = generate(&app).await;
    assert!(format.parse(&with_changed_secret(&token, true)).is_ok());
    assert!(format.parse(&with_changed_secret(&token, false)).is_err());
}

#[tokio::test]
async fn repeated_and_non_ascii_headers_get_401() {
    let app = app(enabled_service().await, admins());
    let token = generate(&app).await;
    let repeated = Request::builder()
        .uri(SCIM_PATH)
        .header("authorization", format!("Bearer {token}"))
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_scim_error(&call(&app, repeated).await, 401);
    let mut raw = format!("Bearer {token}").into_bytes();
    raw.push(0xff);
    let non_ascii = Request::builder()
        .uri(SCIM_PATH)
        .header("authorization", HeaderValue::from_bytes(&raw).unwrap())
        .body(Body::empty())
        .unwrap();
    assert_scim_error(&call(&app, non_ascii).await, 401);
}

#[tokio::test]
async fn a_disabled_scope_refuses_its_token_with_the_same_401() {
    let service = enabled_service().await;
    let app = app(service.clone(), admins());
    let token = generate(&app).await;
    service
        .set_enabled(&Scope::default_scope(), false, &scim_token_core::Actor::new("t").unwrap())
        .await
        .unwrap();
    assert_scim_error(&call(&app, request("GET", SCIM_PATH, Some(&format!("Bearer {token}")))).await, 401);
}

#[tokio::test]
async fn a_failing_store_gives_a_generic_500_and_the_token_works_again_after() {
    let (store, app, token) = flaky_app().await;

    store.fail_find.store(true, Ordering::SeqCst);
    let answer = call(&app, request("GET", SCIM_PATH, Some(&format!("Bearer {token}")))).await;
    assert_scim_error(&answer, 500);
    let text = answer.text();
    assert!(!text.contains("LEAKED") && !text.contains("secret.db") && !text.contains(&token), "{text}");
    assert!(answer.header("www-authenticate").is_none());

    store.fail_find.store(false, Ordering::SeqCst);
    assert_eq!(scim_status(&app, &token).await, StatusCode::OK);
}

#[tokio::test]
async fn unknown_scim_paths_are_not_swallowed_by_the_guard() {
    let app = app(enabled_service().await, admins());
    let answer = call(&app, request("GET", "/scim/v2/Users", None)).await;
    assert_eq!((answer.status, answer.text().as_str()), (StatusCode::NOT_FOUND, HOST_FALLBACK_BODY));
}

#[tokio::test]
async fn scim_caller_without_the_guard_fails_closed() {
    let app: Router = Router::new().route("/unguarded", get(|ScimCaller(_): ScimCaller| async { "reached" }));
    let answer = call(&app, request("GET", "/unguarded", Some("Bearer anything"))).await;
    assert_scim_error(&answer, 500);
    assert!(!answer.text().contains("reached"));
}

/// Saturated hashing is reached for real: the blocking pool has one thread, which the test occupies;
/// a generate then takes the only hashing permit and waits for that thread, so the next request that
/// needs Argon2 finds no permit and, with no busy wait, is refused as Busy.
#[test]
fn saturated_hashing_gives_503_with_retry_after() {
    let runtime = runtime_with_one_blocking_thread();
    runtime.block_on(async {
        let store = MemoryStore::new();
        let service = fast(store.clone()).max_concurrent_hashes(1).busy_wait(Duration::ZERO).build().unwrap();
        enable(&service).await;
        // Issued by another instance before the pool is blocked: this one never checked it, so its check
        // needs Argon2 (an instance knows the tokens it generated itself).
        let issuer = app(fast(store).build().unwrap(), admins());
        let token = generate(&issuer).await;
        let app = app(service, admins());

        let blocker = HeldBlockingThread::take().await;

        let holder = call(&app, request("POST", GENERATE_TOKEN_PATH, Some(ADMIN)));
        let mut holder = std::pin::pin!(holder);
        // One poll runs the generate up to its hash: it takes the permit and queues on the blocked pool.
        let pending = pending_after_one_poll(holder.as_mut()).await;
        assert!(pending, "the generate should be waiting for the blocking pool");

        let limit = Duration::from_secs(30);
        let scim = tokio::time::timeout(
            limit,
            call(&app, request("GET", SCIM_PATH, Some(&format!("Bearer {token}")))),
        )
        .await
        .expect("a saturated guard must answer at once, not queue");
        assert_scim_error(&scim, 503);
        assert_eq!(scim.header("retry-after"), Some("1"));

        let admin =
            tokio::time::timeout(limit, call(&app, request("POST", GENERATE_TOKEN_PATH, Some(ADMIN))))
                .await
                .expect("a saturated generate must answer at once, not queue");
        assert_eq!(assert_unleash_error(&admin, 503), "ServiceUnavailable");
        assert_eq!(admin.header("retry-after"), Some("1"));

        blocker.release().await;
        let finished = holder.await;
        assert_eq!(finished.status, StatusCode::OK);
        let newest = finished.json()["token"].as_str().unwrap().to_owned();
        assert_eq!(scim_status(&app, &newest).await, StatusCode::OK);
        assert_eq!(scim_status(&app, &token).await, StatusCode::UNAUTHORIZED);
    });
}
