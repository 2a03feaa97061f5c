//! Generate, rotate, revoke and enable: the rotation contract, including under real concurrency.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use scim_token_core::{Error, ScimTokenService};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{CountingStore, admin, fast, first_token, scope};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

async fn enabled_service(store: impl scim_token_core::TokenStore) -> ScimTokenService {
    let service = fast(store).build().unwrap();
    service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
    service
}

#[tokio::test]
async fn generate_then_verify() {
    let service = enabled_service(MemoryStore::new()).await;
    let token = service.generate(&scope("default"), &admin()).await.unwrap();
    let verified = service.verify(token.expose_secret()).await.unwrap();
    assert_eq!(verified.scope, scope("default"));
    assert_eq!(&verified.token_id, token.id());
    // Again, now from the cache: same answer.
    assert_eq!(service.verify(token.expose_secret()).await.unwrap(), verified);
}

#[tokio::test]
async fn generating_again_invalidates_the_previous_token_at_once() {
    let service = enabled_service(MemoryStore::new()).await;
    let old = service.generate(&scope("default"), &admin()).await.unwrap();
    service.verify(old.expose_secret()).await.unwrap(); // now cached
    let new = service.generate(&scope("default"), &admin()).await.unwrap();
    assert!(matches!(service.verify(old.expose_secret()).await, Err(Error::InvalidToken)));
    service.verify(new.expose_secret()).await.unwrap();
}

#[tokio::test]
async fn another_instance_sees_the_rotation_immediately() {
    let store = MemoryStore::new();
    let (a, b) = (enabled_service(store.clone()).await, enabled_service(store).await);
    let old = a.generate(&scope("default"), &admin()).await.unwrap();
    b.verify(old.expose_secret()).await.unwrap(); // b caches the old token
    let new = a.generate(&scope("default"), &admin()).await.unwrap();
    assert!(b.verify(old.expose_secret()).await.is_err(), "b's cache must not outlive the rotation");
    b.verify(new.expose_secret()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_generates_leave_exactly_one_valid_token() {
    const RACERS: usize = 48;
    let service = enabled_service(MemoryStore::new()).await;
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = JoinSet::new();
    for _ in 0..RACERS {
        let (service, barrier) = (service.clone(), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            service.generate(&scope("default"), &admin()).await.unwrap()
        });
    }
    let tokens = tasks.join_all().await;
    let ids: HashSet<_> = tokens.iter().map(|t| *t.id()).collect();
    assert_eq!(ids.len(), RACERS, "every generate returns its own token");
    let mut valid = 0;
    for token in &tokens {
        match service.verify(token.expose_secret()).await {
            Ok(_) => valid += 1,
            Err(Error::InvalidToken) => {}
            Err(other) => panic!("unexpected error {other}"),
        }
    }
    assert_eq!(valid, 1, "exactly one of the concurrently generated tokens may verify");
}

#[tokio::test]
async fn revoke_leaves_no_valid_token() {
    let service = ScimTokenService::builder(MemoryStore::new()); // default params: real cost, once
    let service = service.overlap(std::time::Duration::from_secs(600)).build().unwrap();
    let first = first_token(&service).await;
    let second = service.generate(&scope("default"), &admin()).await.unwrap();
    service.verify(first.expose_secret()).await.unwrap(); // kept by the overlap window
    service.verify(second.expose_secret()).await.unwrap();
    service.revoke(&scope("default"), &admin()).await.unwrap();
    assert!(service.verify(first.expose_secret()).await.is_err());
    assert!(service.verify(second.expose_secret()).await.is_err());
    let status = service.status(&scope("default")).await.unwrap();
    assert!(!status.has_token && status.current.is_none() && status.previous.is_none());
}

#[tokio::test]
async fn a_disabled_scope_rejects_its_tokens_and_reenabling_restores_them() {
    let service = enabled_service(MemoryStore::new()).await;
    let token = service.generate(&scope("default"), &admin()).await.unwrap();
    service.verify(token.expose_secret()).await.unwrap();
    service.set_enabled(&scope("default"), false, &admin()).await.unwrap();
    assert!(matches!(service.verify(token.expose_secret()).await, Err(Error::InvalidToken)));
    service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
    service.verify(token.expose_secret()).await.unwrap();
}

#[tokio::test]
async fn a_new_scope_starts_disabled() {
    let service = fast(MemoryStore::new()).build().unwrap();
    let token = service.generate(&scope("fresh"), &admin()).await.unwrap();
    assert!(service.verify(token.expose_secret()).await.is_err());
    let status = service.status(&scope("fresh")).await.unwrap();
    assert!(!status.enabled && status.has_token);
}

#[tokio::test]
async fn tokens_of_other_scopes_are_refused_by_verify_for() {
    let service = fast(MemoryStore::new()).build().unwrap();
    for name in ["acme", "globex"] {
        service.set_enabled(&scope(name), true, &admin()).await.unwrap();
    }
    let acme = service.generate(&scope("acme"), &admin()).await.unwrap();
    let globex = service.generate(&scope("globex"), &admin()).await.unwrap();
    assert_eq!(service.verify(acme.expose_secret()).await.unwrap().scope, scope("acme"));
    assert_eq!(service.verify(globex.expose_secret()).await.unwrap().scope, scope("globex"));
    service.verify_for(&scope("acme"), acme.expose_secret()).await.unwrap();
    assert!(service.verify_for(&scope("acme"), globex.expose_secret()).await.is_err());
    // Rotating one tenant leaves the other alone.
    service.generate(&scope("acme"), &admin()).await.unwrap();
    service.verify(globex.expose_secret()).await.unwrap();
}

#[tokio::test]
async fn a_failed_generate_leaves_the_old_token_working() {
    let store = CountingStore::default();
    let service = enabled_service(store.clone()).await;
    let old = service.generate(&scope("default"), &admin()).await.unwrap();
    store.fail_writes.store(true, Ordering::SeqCst);
    let failed = service.generate(&scope("default"), &admin()).await;
    assert!(matches!(failed, Err(Error::Store(_))), "{failed:?}");
    store.fail_writes.store(false, Ordering::SeqCst);
    service.verify(old.expose_secret()).await.unwrap();
}

#[tokio::test]
async fn status_reports_metadata_without_secrets() {
    let service = enabled_service(MemoryStore::new()).await;
    let before = service.status(&scope("default")).await.unwrap();
    assert!(before.enabled && !before.has_token && before.current.is_none());
    let token = service.generate(&scope("default"), &admin()).await.unwrap();
    let status = service.status(&scope("default")).await.unwrap();
    assert!(status.has_token);
    let info = status.current.unwrap();
    assert_eq!(&info, token.info());
    assert_eq!(info.created_by, admin());
    assert!(!format!("{info:?}").contains(token.expose_secret()));
}
