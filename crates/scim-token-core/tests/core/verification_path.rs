//! The verify path: garbage is refused before any store access, the cache never outlives the record,
//! and `last_used_at` is written at most once a minute.

use std::sync::atomic::Ordering;
use std::time::Duration;

use scim_token_core::{Error, ManualClock, Timestamp};
use scim_token_test_support::{CountingStore, admin, fast, first_token, forge, scope};

#[tokio::test]
async fn malformed_and_mistyped_tokens_never_reach_the_store() {
    let store = CountingStore::default();
    let service = fast(store.clone()).build().unwrap();
    let token = first_token(&service).await;
    let secret = token.expose_secret();
    let mut typo = secret.as_bytes().to_vec();
    let last = typo.len() - 10;
    typo[last] = if typo[last] == b'x' { b'y' } else { b'x' };
    let typo = String::from_utf8(typo).unwrap();
    let garbage = [
        "",
        "Bearer",
        "scim_",
        &secret[..secret.len() - 1],
        &typo,
        &secret.replacen("scim_", "ghp_", 1),
        &format!("{secret} "),
        &"a".repeat(100_000),
        "scim_ééééééééééééééééééééééééééééééééé",
    ];
    let before = store.calls();
    for presented in garbage {
        assert!(matches!(service.verify(presented).await, Err(Error::InvalidToken)));
    }
    assert_eq!(store.calls(), before, "no malformed token may cause a store access");
}

#[tokio::test]
async fn a_wrong_secret_with_a_real_selector_is_refused() {
    let service = fast(CountingStore::default()).build().unwrap();
    let real = first_token(&service).await;
    let other = service.generate(&scope("other"), &admin()).await.unwrap();
    // Splice the real selector onto another token's secret, with a valid checksum: only Argon2 can tell.
    let forged = forge(real.expose_secret(), other.expose_secret());
    assert_eq!(service.format().parse(&forged).unwrap(), *real.id(), "the forgery passes the checksum");
    assert!(matches!(service.verify(&forged).await, Err(Error::InvalidToken)));
    service.verify(real.expose_secret()).await.unwrap();
    assert!(service.verify(&forged).await.is_err(), "a cached real token must not admit the forgery");
}

#[tokio::test]
async fn last_used_is_written_at_most_once_a_minute() {
    let store = CountingStore::default();
    let clock = ManualClock::new(Timestamp::from_unix_millis(1_700_000_000_000));
    let service = fast(store.clone()).clock(clock.clone()).build().unwrap();
    let token = first_token(&service).await;
    for _ in 0..20 {
        service.verify(token.expose_secret()).await.unwrap();
        clock.advance(Duration::from_secs(2));
    }
    service.wait_for_use_records().await;
    assert_eq!(store.uses_recorded.load(Ordering::SeqCst), 1, "40 s of traffic: one write");
    let status = service.status(&scope("default")).await.unwrap();
    assert_eq!(status.current.unwrap().last_used_at, Some(Timestamp::from_unix_millis(1_700_000_000_000)));
    clock.advance(Duration::from_secs(21));
    service.verify(token.expose_secret()).await.unwrap();
    service.wait_for_use_records().await;
    assert_eq!(store.uses_recorded.load(Ordering::SeqCst), 2, "a minute later: a second write");
}

#[tokio::test]
async fn a_failing_use_record_does_not_refuse_a_valid_token() {
    let store = CountingStore::default();
    let service = fast(store.clone()).build().unwrap();
    let token = first_token(&service).await;
    store.fail_writes.store(true, Ordering::SeqCst);
    let before = store.calls();
    service.verify(token.expose_secret()).await.unwrap();
    service.wait_for_use_records().await;
    assert_eq!(store.calls() - before, 2, "the look-up, then the use record that failed");
}

#[tokio::test]
async fn store_failures_on_verify_are_reported_as_such() {
    let store = CountingStore::default();
    let service = fast(store.clone()).build().unwrap();
    let token = first_token(&service).await;
    store.fail_reads.store(true, Ordering::SeqCst);
    let err = service.verify(token.expose_secret()).await.unwrap_err();
    assert!(matches!(err, Error::Store(_)), "{err:?}");
    assert!(err.to_string().contains("retry"), "{err}");
    store.fail_reads.store(false, Ordering::SeqCst);
    service.verify(token.expose_secret()).await.unwrap();
}
