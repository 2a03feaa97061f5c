//! Expiry and the overlap window, driven by an injected clock: no sleeping.

use std::time::Duration;

use scim_token_core::{Error, ManualClock, Timestamp};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{admin, fast, first_token, scope};

const START: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

#[tokio::test]
async fn tokens_expire_exactly_at_their_expiry() {
    let clock = ManualClock::new(START);
    let service =
        fast(MemoryStore::new()).clock(clock.clone()).expiry(Duration::from_secs(3600)).build().unwrap();
    let token = first_token(&service).await;
    assert_eq!(token.info().expires_at, Some(START.saturating_add(Duration::from_secs(3600))));
    clock.advance(Duration::from_millis(3_599_999));
    service.verify(token.expose_secret()).await.unwrap();
    assert!(service.status(&scope("default")).await.unwrap().has_token);
    clock.advance(Duration::from_millis(1));
    assert!(matches!(service.verify(token.expose_secret()).await, Err(Error::InvalidToken)));
    assert!(!service.status(&scope("default")).await.unwrap().has_token, "an expired token is no token");
}

#[tokio::test]
async fn without_overlap_the_old_token_dies_at_once() {
    let clock = ManualClock::new(START);
    let service = fast(MemoryStore::new()).clock(clock.clone()).build().unwrap();
    let old = first_token(&service).await;
    service.generate(&scope("default"), &admin()).await.unwrap();
    assert!(service.verify(old.expose_secret()).await.is_err());
    assert_eq!(service.status(&scope("default")).await.unwrap().previous, None);
}

#[tokio::test]
async fn with_overlap_the_old_token_works_until_the_window_ends() {
    let clock = ManualClock::new(START);
    let window = Duration::from_secs(300);
    let service = fast(MemoryStore::new()).clock(clock.clone()).overlap(window).build().unwrap();
    let old = first_token(&service).await;
    service.verify(old.expose_secret()).await.unwrap(); // cached from here on
    clock.advance(Duration::from_secs(10));
    let new = service.generate(&scope("default"), &admin()).await.unwrap();
    let until = START.saturating_add(Duration::from_secs(10)).saturating_add(window);

    clock.advance(window - Duration::from_millis(1));
    service.verify(old.expose_secret()).await.unwrap();
    service.verify(new.expose_secret()).await.unwrap();
    let status = service.status(&scope("default")).await.unwrap();
    assert_eq!(status.previous.map(|p| (p.token.id, p.overlap_ends_at)), Some((*old.id(), until)));

    clock.advance(Duration::from_millis(1));
    assert!(service.verify(old.expose_secret()).await.is_err(), "the cache must not extend the window");
    service.verify(new.expose_secret()).await.unwrap();
    assert_eq!(service.status(&scope("default")).await.unwrap().previous, None);

    // A third generate drops the first token for good and keeps only the second.
    let third = service.generate(&scope("default"), &admin()).await.unwrap();
    service.verify(new.expose_secret()).await.unwrap();
    service.verify(third.expose_secret()).await.unwrap();
}
