//! `overlap_until_first_use`: the replaced token works until the new one is first verified, by any
//! instance sharing the store, or until the maximum passes; then only the new one works, everywhere.

use std::sync::Arc;
use std::time::Duration;

use scim_token_core::{
    AuditAction, Clock, Error, FirstUseSwitch, ManualClock, ScimTokenService, Timestamp, TokenId,
};
use scim_token_test_support::{AuditLog, CountingStore, admin, fast, first_token, scope};
use tokio::sync::Barrier;

const START: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);
const MAX: Duration = Duration::from_secs(3600);

/// The overlap events `log` holds, as (action, token ids).
fn overlap_events(log: &AuditLog) -> Vec<(AuditAction, Vec<TokenId>)> {
    let ended = log.of(&[AuditAction::OverlapEndedByFirstUse, AuditAction::OverlapExpired]);
    ended.into_iter().map(|e| (e.action, e.token_ids)).collect()
}

/// Two instances (services) over one shared store, with one clock and one audit sink.
fn two_instances(store: &CountingStore, clock: &ManualClock, events: &AuditLog) -> [ScimTokenService; 2] {
    let instance = || {
        fast(store.clone())
            .clock(clock.clone())
            .audit_sink(events.clone())
            .overlap_until_first_use(MAX)
            .build()
            .unwrap()
    };
    [instance(), instance()]
}

fn refused<T>(result: &Result<T, Error>) -> bool {
    matches!(result, Err(Error::InvalidToken))
}

#[tokio::test]
async fn the_old_token_works_until_the_new_one_is_first_used_on_any_instance() {
    let (store, clock, events) = (CountingStore::default(), ManualClock::new(START), AuditLog::default());
    let [a, b] = two_instances(&store, &clock, &events);
    let old = first_token(&a).await;
    a.verify(old.expose_secret()).await.unwrap();
    a.wait_for_use_records().await;

    let new = a.generate(&scope("default"), &admin()).await.unwrap();
    let status = a.status(&scope("default")).await.unwrap();
    assert!(status.overlap_ends_on_first_use);
    assert_eq!(
        status.previous.map(|p| (p.token.id, p.overlap_ends_at)),
        Some((*old.id(), START.saturating_add(MAX)))
    );
    assert_eq!(
        status.switch,
        Some(FirstUseSwitch::Waiting { previous_valid_until: START.saturating_add(MAX) })
    );
    // The identity provider still sends the old token, to either instance, for as long as it takes.
    for _ in 0..5 {
        clock.advance(Duration::from_secs(60));
        a.verify(old.expose_secret()).await.unwrap();
        b.verify(old.expose_secret()).await.unwrap();
    }
    assert!(overlap_events(&events).is_empty());

    // It switches: the first call with the new token reaches instance b.
    let switched_at = clock.now();
    b.verify(new.expose_secret()).await.unwrap();
    assert!(refused(&a.verify(old.expose_secret()).await), "the very next request with the old token fails");
    assert!(refused(&b.verify(old.expose_secret()).await));
    a.verify(new.expose_secret()).await.unwrap();
    assert_eq!(overlap_events(&events), [(AuditAction::OverlapEndedByFirstUse, vec![*old.id(), *new.id()])]);
    let status = b.status(&scope("default")).await.unwrap();
    assert_eq!(status.previous, None, "the overlap is over");

    // The switch time is stored: the other instance reports it, and later uses leave it alone.
    b.wait_for_use_records().await;
    clock.advance(Duration::from_secs(120));
    a.verify(new.expose_secret()).await.unwrap();
    a.wait_for_use_records().await;
    let status = a.status(&scope("default")).await.unwrap();
    assert_eq!(status.switch, Some(FirstUseSwitch::Switched { at: switched_at }));
    let current = status.current.unwrap();
    assert_eq!((current.first_used_at, current.last_used_at), (Some(switched_at), Some(clock.now())));
}

#[tokio::test]
async fn the_overlap_ends_at_its_maximum_when_the_new_token_is_never_used() {
    let (store, clock, events) = (CountingStore::default(), ManualClock::new(START), AuditLog::default());
    let [a, _] = two_instances(&store, &clock, &events);
    let old = first_token(&a).await;
    let new = a.generate(&scope("default"), &admin()).await.unwrap();
    clock.advance(MAX - Duration::from_millis(1));
    a.verify(old.expose_secret()).await.unwrap();
    clock.advance(Duration::from_millis(1));
    assert!(refused(&a.verify(old.expose_secret()).await), "the maximum bounds the overlap");

    // The late first use cleans the expired token up and says so.
    a.verify(new.expose_secret()).await.unwrap();
    assert_eq!(overlap_events(&events), [(AuditAction::OverlapExpired, vec![*old.id(), *new.id()])]);
}

#[tokio::test]
async fn a_failed_store_write_at_first_use_keeps_the_old_token_until_the_maximum() {
    // As if the process died between the first use and the store write: nothing is lost.
    let (store, clock, events) = (CountingStore::default(), ManualClock::new(START), AuditLog::default());
    let [a, b] = two_instances(&store, &clock, &events);
    let old = first_token(&a).await;
    let new = a.generate(&scope("default"), &admin()).await.unwrap();

    store.fail_writes.store(true, std::sync::atomic::Ordering::SeqCst);
    b.verify(new.expose_secret()).await.expect("the new token works even if the overlap cannot end");
    store.fail_writes.store(false, std::sync::atomic::Ordering::SeqCst);
    a.verify(old.expose_secret()).await.expect("the old token keeps working: the overlap did not end");
    assert!(overlap_events(&events).is_empty());
    b.wait_for_use_records().await;
    let status = a.status(&scope("default")).await.unwrap();
    assert!(matches!(status.switch, Some(FirstUseSwitch::Waiting { .. })), "no switch was stored");

    clock.advance(MAX);
    assert!(refused(&a.verify(old.expose_secret()).await), "the maximum still ends it");
    b.verify(new.expose_secret()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_first_uses_end_the_overlap_once() {
    let (store, clock, events) = (CountingStore::default(), ManualClock::new(START), AuditLog::default());
    let [a, b] = two_instances(&store, &clock, &events);
    let old = first_token(&a).await;
    let new = a.generate(&scope("default"), &admin()).await.unwrap();
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let (service, barrier) = (if i % 2 == 0 { a.clone() } else { b.clone() }, barrier.clone());
        let token = new.expose_secret().to_owned();
        tasks.spawn(async move {
            barrier.wait().await;
            service.verify(&token).await.map(|_| ())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    assert!(refused(&b.verify(old.expose_secret()).await));
    assert_eq!(overlap_events(&events), [(AuditAction::OverlapEndedByFirstUse, vec![*old.id(), *new.id()])]);
}

#[tokio::test]
async fn a_fixed_overlap_is_not_ended_by_first_use() {
    let clock = ManualClock::new(START);
    let service = fast(CountingStore::default())
        .clock(clock.clone())
        .overlap_until_first_use(MAX)
        .overlap(MAX) // the later option wins
        .build()
        .unwrap();
    let old = first_token(&service).await;
    let new = service.generate(&scope("default"), &admin()).await.unwrap();
    service.verify(new.expose_secret()).await.unwrap();
    service.verify(old.expose_secret()).await.expect("a fixed window keeps the old token");
    service.wait_for_use_records().await;
    let status = service.status(&scope("default")).await.unwrap();
    assert!(!status.overlap_ends_on_first_use);
    assert_eq!(status.switch, None, "only an overlap until first use reports a switch");
    assert!(status.current.unwrap().first_used_at.is_some(), "the first use is stored all the same");
}

#[tokio::test]
async fn once_an_instance_saw_the_overlap_end_its_verifications_skip_the_scope() {
    // The first use is not in the store yet (its write fails here; normally it lands a moment later),
    // so the stored record still looks never used: each instance looks at the scope once, not per call.
    let (store, clock, events) = (CountingStore::default(), ManualClock::new(START), AuditLog::default());
    let [a, b] = two_instances(&store, &clock, &events);
    let old = first_token(&a).await;
    let new = a.generate(&scope("default"), &admin()).await.unwrap();
    store.fail_use_records.store(true, std::sync::atomic::Ordering::SeqCst);

    for instance in [&b, &a] {
        instance.verify(new.expose_secret()).await.unwrap();
        instance.wait_for_use_records().await;
        let before = store.calls();
        for _ in 0..5 {
            instance.verify(new.expose_secret()).await.unwrap();
        }
        assert_eq!(store.calls() - before, 5, "one look-up per verification, no scope read");
    }
    assert!(refused(&a.verify(old.expose_secret()).await));
    assert_eq!(overlap_events(&events), [(AuditAction::OverlapEndedByFirstUse, vec![*old.id(), *new.id()])]);
}
