//! How keys are fetched: rotation, forged `kid` storms, an endpoint that is down, redirects, size caps,
//! and which URLs are fetched at all.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use scim_token_core::oauth::{AssertionError, AssertionVerifier};
use scim_token_federation::{BuildError, FederationVerifier, FetchError};
use serde_json::json;
use tokio::task::JoinSet;

use crate::support::{
    JwksServer, Reply, TestKey, entra_claims, jwks, later, now, sign, test_builder, trust, verifier,
};

fn fetch_error(result: Result<(), AssertionError>) -> FetchError {
    match result {
        Err(AssertionError::Unavailable(source)) => *source.downcast::<FetchError>().expect("a FetchError"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

/// Valid claims at `secs` under a made-up `kid`, with a signature no key made.
fn unsigned_with_kid(kid: &str, secs: i64) -> String {
    let encode = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"));
    format!("{}.{}.c2ln", encode(&json!({"alg": "RS256", "kid": kid})), encode(&entra_claims(secs)))
}

fn is_rejected(result: &Result<(), AssertionError>, why: &str) -> bool {
    matches!(result, Err(AssertionError::Rejected { reason }) if *reason == why)
}

#[tokio::test]
async fn a_rotated_in_key_is_accepted_after_one_refetch() {
    let (a, b) = (TestKey::a(), TestKey::b());
    let server = JwksServer::start(Reply::Jwks(jwks(&[&a]))).await;
    let (t0, secs) = now();
    let verifier = verifier();
    let trust = trust(&server.url);
    verifier.verify(&trust, &sign(&a, &entra_claims(secs)), t0).await.expect("key A");
    verifier.verify(&trust, &sign(&a, &entra_claims(secs)), later(t0, 10)).await.expect("key A, cached");
    assert_eq!(server.requests(), 1);

    // The issuer rotates A out and B in.
    server.set(Reply::Jwks(jwks(&[&b])));
    // Within the refetch interval of the last fetch, an unknown kid is refused without a request...
    let early = verifier.verify(&trust, &sign(&b, &entra_claims(secs)), later(t0, 10)).await;
    assert!(is_rejected(&early, "unknown kid"), "{early:?}");
    assert_eq!(server.requests(), 1);
    // ...and once it has passed, one refetch finds B.
    let t1 = later(t0, 31);
    verifier.verify(&trust, &sign(&b, &entra_claims(secs + 31)), t1).await.expect("key B after a refetch");
    assert_eq!(server.requests(), 2);
    // The fetched set replaced the old one: A, rotated out, is no longer trusted.
    let old = verifier.verify(&trust, &sign(&a, &entra_claims(secs + 31)), t1).await;
    assert!(is_rejected(&old, "unknown kid"), "{old:?}");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_storm_of_forged_kids_fetches_at_most_once_per_interval() {
    let key = TestKey::a();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (t0, secs) = now();
    let verifier = Arc::new(verifier());
    let trust = Arc::new(trust(&server.url));
    verifier.verify(&trust, &sign(&key, &entra_claims(secs)), t0).await.expect("valid");
    assert_eq!(server.requests(), 1);

    // Assertions with valid claims (so they pass the pre-checks) under 50 forged kids, all at once.
    let storm = |at_secs: u64| {
        let mut set = JoinSet::new();
        for n in 0..50 {
            let (verifier, trust) = (Arc::clone(&verifier), Arc::clone(&trust));
            // The signature is never looked at (no key has this kid), so none is made.
            let forged = unsigned_with_kid(
                &format!("forged-{at_secs}-{n}"),
                secs + i64::try_from(at_secs).expect("secs"),
            );
            set.spawn(async move { verifier.verify(&trust, &forged, later(t0, at_secs)).await });
        }
        set
    };
    for (at_secs, fetches_after) in [(0, 1), (31, 2), (45, 2), (62, 3)] {
        for result in storm(at_secs).join_all().await {
            assert!(is_rejected(&result, "unknown kid"), "{result:?}");
        }
        assert_eq!(server.requests(), fetches_after, "after the storm at +{at_secs} s");
    }
    // The real key still works throughout.
    verifier.verify(&trust, &sign(&key, &entra_claims(secs + 62)), later(t0, 62)).await.expect("valid");
}

#[tokio::test]
async fn when_the_endpoint_is_down_cached_keys_still_work_and_unknown_ones_are_unavailable() {
    let (a, b) = (TestKey::a(), TestKey::b());
    let mut server = JwksServer::start(Reply::Jwks(jwks(&[&a]))).await;
    let (t0, secs) = now();
    let verifier = verifier();
    let trust = trust(&server.url);
    verifier.verify(&trust, &sign(&a, &entra_claims(secs)), t0).await.expect("fetched");
    server.stop().await;

    let t1 = later(t0, 31);
    verifier
        .verify(&trust, &sign(&a, &entra_claims(secs + 31)), t1)
        .await
        .expect("cached key, endpoint down");
    let unknown = verifier.verify(&trust, &sign(&b, &entra_claims(secs + 31)), t1).await;
    assert!(matches!(fetch_error(unknown), FetchError::Request(_)));
    // Within the interval the failed fetch is not retried: still unavailable, not "unknown".
    let again = verifier.verify(&trust, &sign(&b, &entra_claims(secs + 40)), later(t0, 40)).await;
    assert!(matches!(fetch_error(again), FetchError::RecentlyFailed(_)));
    verifier
        .verify(&trust, &sign(&a, &entra_claims(secs + 40)), later(t0, 40))
        .await
        .expect("cached key still");
}

#[tokio::test]
async fn a_never_fetched_url_that_is_down_is_unavailable() {
    let key = TestKey::a();
    let mut server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    server.stop().await;
    let (at, secs) = now();
    let result = verifier().verify(&trust(&server.url), &sign(&key, &entra_claims(secs)), at).await;
    assert!(matches!(fetch_error(result), FetchError::Request(_)));
}

#[tokio::test]
async fn an_old_key_set_is_refreshed_in_the_background_and_withdrawn_keys_stop_working() {
    let (a, b) = (TestKey::a(), TestKey::b());
    let mut server = JwksServer::start(Reply::Jwks(jwks(&[&a, &b]))).await;
    let (t0, secs) = now();
    let verifier = test_builder().key_set_max_age(Duration::from_secs(3600)).build().expect("verifier");
    let trust = trust(&server.url);
    verifier.verify(&trust, &sign(&a, &entra_claims(secs)), t0).await.expect("fetched");

    // The issuer withdraws A. Two hours on, A is still cached: accepted, and a refresh starts.
    server.set(Reply::Jwks(jwks(&[&b])));
    let t1 = later(t0, 7200);
    verifier
        .verify(&trust, &sign(&a, &entra_claims(secs + 7200)), t1)
        .await
        .expect("cached, refresh started");
    server.wait_for_requests(2).await;
    // The refresh took the single-flight lock before that call returned and holds it until the new set
    // is stored: an unknown kid's look-up waits for it (and, within the interval, fetches nothing).
    let forged = unsigned_with_kid("forged", secs + 7201);
    let waited = verifier.verify(&trust, &forged, later(t1, 1)).await;
    assert!(is_rejected(&waited, "unknown kid"), "{waited:?}");
    let result = verifier.verify(&trust, &sign(&a, &entra_claims(secs + 7201)), later(t1, 1)).await;
    assert!(is_rejected(&result, "unknown kid"), "{result:?}");
    verifier.verify(&trust, &sign(&b, &entra_claims(secs + 7201)), later(t1, 1)).await.expect("B");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let key = TestKey::a();
    let target = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let server = JwksServer::start(Reply::Redirect(target.url.clone())).await;
    let (at, secs) = now();
    let result = verifier().verify(&trust(&server.url), &sign(&key, &entra_claims(secs)), at).await;
    assert!(matches!(fetch_error(result), FetchError::Status(302)));
    assert_eq!(target.requests(), 0);
}

#[tokio::test]
async fn an_oversized_or_malformed_key_set_is_unavailable_and_keeps_the_cached_keys() {
    let (a, b) = (TestKey::a(), TestKey::b());
    let server = JwksServer::start(Reply::Jwks(jwks(&[&a]))).await;
    let (t0, secs) = now();
    let verifier = verifier();
    let trust = trust(&server.url);
    verifier.verify(&trust, &sign(&a, &entra_claims(secs)), t0).await.expect("fetched");

    let mut big = serde_json::from_str::<serde_json::Value>(&jwks(&[&b])).expect("jwks");
    big["padding"] = json!("x".repeat(70 * 1024));
    server.set(Reply::Jwks(big.to_string()));
    let result = verifier.verify(&trust, &sign(&b, &entra_claims(secs + 31)), later(t0, 31)).await;
    assert!(matches!(fetch_error(result), FetchError::TooLarge { limit: 65536 }));

    server.set(Reply::Jwks("<html>not json</html>".to_owned()));
    let result = verifier.verify(&trust, &sign(&b, &entra_claims(secs + 62)), later(t0, 62)).await;
    assert!(matches!(fetch_error(result), FetchError::Malformed(_)));

    let many = json!({ "keys": vec![serde_json::to_value(a.jwk()).expect("jwk"); 65] });
    server.set(Reply::Jwks(many.to_string()));
    let result = verifier.verify(&trust, &sign(&b, &entra_claims(secs + 93)), later(t0, 93)).await;
    assert!(matches!(fetch_error(result), FetchError::TooManyKeys { limit: 64 }));

    verifier
        .verify(&trust, &sign(&a, &entra_claims(secs + 93)), later(t0, 93))
        .await
        .expect("cached key kept");
}

#[tokio::test]
async fn only_https_or_allowed_loopback_http_urls_are_fetched() {
    let key = TestKey::a();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (at, secs) = now();
    let assertion = sign(&key, &entra_claims(secs));
    let loopback_ok = verifier();
    for url in
        ["http://example.com/keys", "http://10.1.2.3/keys", "http://localhost/keys", "ftp://127.0.0.1/keys"]
    {
        let result = loopback_ok.verify(&trust(url), &assertion, at).await;
        assert!(is_rejected(&result, "JWKS URL not allowed"), "{url}: {result:?}");
    }
    // Without the opt-in, not even loopback HTTP is fetched.
    let https_only = test_builder().allow_loopback_http(false).build().expect("verifier");
    let result = https_only.verify(&trust(&server.url), &assertion, at).await;
    assert!(is_rejected(&result, "JWKS URL not allowed"), "{result:?}");
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn the_default_build_uses_the_system_roots_or_says_there_are_none() {
    match FederationVerifier::builder().build() {
        Ok(verifier) => assert!(format!("{verifier:?}").contains("FederationVerifier")),
        Err(error) => assert!(matches!(error, BuildError::NoRootCertificates), "{error:?}"),
    }
}
