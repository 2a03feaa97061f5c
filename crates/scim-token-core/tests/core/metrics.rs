//! The metrics (feature `metrics`), read back from a local debugging recorder: each outcome counts once,
//! each duration lands in its path's histogram, and no label holds a token, a token id or a scope.
//!
//! `cargo test --workspace` runs these: the facade's dev-dependency on itself turns `metrics` on, and
//! features unify. Every test sets its own thread-local recorder, so tests never share one; the service
//! registers its handles at build time, so calls on other threads (the hashing pool) still land in it.
#![cfg(feature = "metrics")]

use std::sync::atomic::Ordering;
use std::time::Duration;

use metrics_util::MetricKind;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use scim_token_core::metrics::{
    EXPIRING_SOON_TOTAL, HASH_WAIT_SECONDS, HASHES_IN_FLIGHT, OVERLAPS_ENDED_TOTAL, REVOCATIONS_TOTAL,
    ROTATIONS_TOTAL, STORE_ERRORS_TOTAL, VERIFICATIONS_TOTAL, VERIFY_DURATION_SECONDS,
};
use scim_token_core::store::TokenRecord;
use scim_token_core::{Error, ManualClock, Timestamp, TokenStore};
use scim_token_test_support::{
    CountingStore, HeldBlockingThread, admin, fast, first_token, pending_after_one_poll,
    runtime_with_one_blocking_thread, scope,
};

/// One recorded series: a metric name with one set of labels.
struct Series {
    kind: MetricKind,
    name: String,
    labels: Vec<(String, String)>,
    value: DebugValue,
}

impl Series {
    fn labels(&self) -> String {
        self.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
    }
}

/// What was recorded since the previous reading: the debugging recorder resets counters and gauges to
/// zero and drains histograms each time it is read.
struct Reading(Vec<Series>);

impl Reading {
    fn take(snapshotter: &Snapshotter) -> Self {
        let series = snapshotter.snapshot().into_vec().into_iter().map(|(key, _, _, value)| {
            let (kind, key) = key.into_parts();
            let labels = key.labels().map(|l| (l.key().to_owned(), l.value().to_owned())).collect();
            Series { kind, name: key.name().to_owned(), labels, value }
        });
        Self(series.collect())
    }

    /// The non-zero series of `name`, as `label=value,…` and the count (of increments or samples).
    fn nonzero(&self, name: &str) -> Vec<(String, u64)> {
        let mut found: Vec<_> = self
            .0
            .iter()
            .filter(|s| s.name == name)
            .filter_map(|s| {
                let count = match &s.value {
                    DebugValue::Counter(n) => *n,
                    DebugValue::Histogram(samples) => samples.len() as u64,
                    DebugValue::Gauge(_) => unreachable!("{name} is not a gauge"),
                };
                (count > 0).then(|| (s.labels(), count))
            })
            .collect();
        found.sort();
        found
    }

    fn samples(&self, name: &str, labels: &str) -> Vec<f64> {
        self.0
            .iter()
            .filter(|s| s.name == name && s.labels() == labels)
            .flat_map(|s| match &s.value {
                DebugValue::Histogram(samples) => samples.iter().map(|v| v.into_inner()).collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    fn gauge(&self, name: &str) -> f64 {
        self.0
            .iter()
            .find_map(|s| match (&s.kind, &s.value) {
                (MetricKind::Gauge, DebugValue::Gauge(v)) if s.name == name => Some(v.into_inner()),
                _ => None,
            })
            .unwrap_or(0.0)
    }
}

fn one(labels: &str) -> Vec<(String, u64)> {
    vec![(labels.to_owned(), 1)]
}

#[tokio::test]
async fn each_outcome_counts_once_and_its_duration_lands_in_its_path() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let store = CountingStore::default();
    let service = fast(store.clone()).build().unwrap();
    // Issued by another instance: the instance that generated a token verifies it without Argon2.
    let token = first_token(&fast(store.clone()).build().unwrap()).await;
    let secret = token.expose_secret();
    let read = || Reading::take(&snapshotter);
    read();

    let cases: [(&str, &str, &str); 3] = [
        // Issued, never verified: the first check runs Argon2, the second is answered by the cache.
        (secret, "outcome=valid", "path=argon2"),
        (secret, "outcome=valid", "path=cache_hit"),
        ("scim_not-a-token", "outcome=invalid", "path=rejected_early"),
    ];
    for (presented, outcome, path) in cases {
        let _ = service.verify(presented).await;
        let reading = read();
        assert_eq!(reading.nonzero(VERIFICATIONS_TOTAL), one(outcome), "{outcome} {path}");
        assert_eq!(reading.nonzero(VERIFY_DURATION_SECONDS), one(path), "{outcome} {path}");
        assert!(reading.samples(VERIFY_DURATION_SECONDS, path)[0] > 0.0);
    }

    // A real selector with the wrong secret: only Argon2 can tell, so it is refused on the argon2 path.
    let other = service.generate(&scope("other"), &admin()).await.unwrap();
    let other_hash = store.load_scope(&scope("other")).await.unwrap().current.unwrap().hash;
    let stored = store.load_scope(&scope("default")).await.unwrap().current.unwrap();
    assert!(store.remove_token(&scope("default"), &stored.id).await.unwrap());
    store.replace_current(TokenRecord { hash: other_hash, ..stored }, None).await.unwrap();
    read();
    assert!(matches!(service.verify(secret).await, Err(Error::InvalidToken)));
    let reading = read();
    assert_eq!(reading.nonzero(VERIFICATIONS_TOTAL), one("outcome=invalid"));
    assert_eq!(reading.nonzero(VERIFY_DURATION_SECONDS), one("path=argon2"));

    // The store fails the look-up: a store error, refused before Argon2, and counted by operation.
    store.fail_reads.store(true, Ordering::SeqCst);
    assert!(matches!(service.verify(other.expose_secret()).await, Err(Error::Store(_))));
    store.fail_reads.store(false, Ordering::SeqCst);
    let reading = read();
    assert_eq!(reading.nonzero(VERIFICATIONS_TOTAL), one("outcome=store_error"));
    assert_eq!(reading.nonzero(VERIFY_DURATION_SECONDS), one("path=rejected_early"));
    assert_eq!(reading.nonzero(STORE_ERRORS_TOTAL), one("operation=find_token"));
}

#[tokio::test]
async fn rotations_revocations_and_store_errors_are_counted() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let store = CountingStore::default();
    let clock = ManualClock::new(Timestamp::from_unix_millis(1_700_000_000_000));
    let service = fast(store.clone()).clock(clock.clone()).overlap(Duration::from_secs(60)).build().unwrap();
    let read = || Reading::take(&snapshotter);

    let first = first_token(&service).await;
    service.generate(&scope("default"), &admin()).await.unwrap();
    let reading = read();
    assert_eq!(reading.nonzero(ROTATIONS_TOTAL), vec![(String::new(), 2)]);
    assert_eq!(reading.nonzero(REVOCATIONS_TOTAL), vec![]);

    // Revoking the scope removes both the current token and the one kept for the overlap.
    service.revoke(&scope("default"), &admin()).await.unwrap();
    assert_eq!(read().nonzero(REVOCATIONS_TOTAL), vec![(String::new(), 2)]);
    let third = service.generate(&scope("default"), &admin()).await.unwrap();
    assert!(service.revoke_token(&scope("default"), third.id(), &admin()).await.unwrap());
    assert!(!service.revoke_token(&scope("default"), first.id(), &admin()).await.unwrap(), "gone already");
    let reading = read();
    assert_eq!(reading.nonzero(ROTATIONS_TOTAL), one(""));
    assert_eq!(reading.nonzero(REVOCATIONS_TOTAL), one(""));

    // Failed writes: counted by operation, and a failed generate is no rotation.
    let fourth = service.generate(&scope("default"), &admin()).await.unwrap();
    read();
    store.fail_writes.store(true, Ordering::SeqCst);
    assert!(service.generate(&scope("default"), &admin()).await.is_err());
    assert!(service.revoke(&scope("default"), &admin()).await.is_err());
    assert!(service.set_enabled(&scope("default"), false, &admin()).await.is_err());
    // The use record fails too, and the token is still accepted.
    service.verify(fourth.expose_secret()).await.unwrap();
    service.wait_for_use_records().await; // written off the request path
    store.fail_writes.store(false, Ordering::SeqCst);
    store.fail_reads.store(true, Ordering::SeqCst);
    assert!(service.status(&scope("default")).await.is_err());
    store.fail_reads.store(false, Ordering::SeqCst);
    let reading = read();
    assert_eq!(reading.nonzero(ROTATIONS_TOTAL), vec![]);
    assert_eq!(reading.nonzero(REVOCATIONS_TOTAL), vec![]);
    assert_eq!(reading.nonzero(VERIFICATIONS_TOTAL), one("outcome=valid"));
    assert_eq!(
        reading.nonzero(STORE_ERRORS_TOTAL),
        [
            ("operation=load_scope".to_owned(), 1),
            ("operation=record_use".to_owned(), 1),
            ("operation=remove_tokens".to_owned(), 1),
            ("operation=replace_current".to_owned(), 1),
            ("operation=set_enabled".to_owned(), 1),
        ]
    );
}

/// Saturation for real, as in the axum guard's test: the blocking pool's one thread is occupied, a
/// generate takes the only hashing slot and queues behind it, so a verify that needs Argon2 is `busy`.
#[test]
fn busy_is_counted_and_slots_and_waits_are_measured() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let read = || Reading::take(&snapshotter);
    let runtime = runtime_with_one_blocking_thread();
    runtime.block_on(async {
        let store = CountingStore::default();
        let service = fast(store.clone()).max_concurrent_hashes(1).busy_wait(Duration::ZERO).build().unwrap();
        // Issued by another instance, so this one's verify needs Argon2.
        let token = first_token(&fast(store).build().unwrap()).await;
        let reading = read();
        assert_eq!(reading.nonzero(HASH_WAIT_SECONDS), one(""), "the generate's wait for its slot");
        assert_eq!(reading.gauge(HASHES_IN_FLIGHT), 0.0, "taken and given back");

        let blocker = HeldBlockingThread::take().await;
        let (default, admin) = (scope("default"), admin());
        let holder = service.generate(&default, &admin);
        let mut holder = std::pin::pin!(holder);
        let pending = pending_after_one_poll(holder.as_mut()).await;
        assert!(pending, "the generate should hold the slot, queued on the blocked pool");
        let reading = read();
        assert_eq!(reading.gauge(HASHES_IN_FLIGHT), 1.0);
        assert_eq!(reading.nonzero(HASH_WAIT_SECONDS), one(""));

        assert!(matches!(service.verify(token.expose_secret()).await, Err(Error::Busy)));
        let reading = read();
        assert_eq!(reading.nonzero(VERIFICATIONS_TOTAL), one("outcome=busy"));
        assert_eq!(reading.nonzero(VERIFY_DURATION_SECONDS), one("path=argon2"));
        assert_eq!(reading.nonzero(HASH_WAIT_SECONDS), one(""), "the refused wait is measured too");

        blocker.release().await;
        holder.await.unwrap();
        // The reading above reset the gauge to zero; the hash finishing since then takes one off.
        assert_eq!(read().gauge(HASHES_IN_FLIGHT), -1.0);
    });
}

#[tokio::test]
async fn no_label_holds_a_token_a_token_id_or_a_scope() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let store = CountingStore::default();
    let clock = ManualClock::new(Timestamp::from_unix_millis(1_700_000_000_000));
    let service = fast(store.clone()).clock(clock.clone()).expiry(Duration::from_secs(3600)).build().unwrap();
    let tenant = scope("tenant-7");
    service.set_enabled(&tenant, true, &admin()).await.unwrap();
    let token = service.generate(&tenant, &admin()).await.unwrap();
    service.verify(token.expose_secret()).await.unwrap(); // argon2, and an expiry warning
    service.verify(token.expose_secret()).await.unwrap(); // cache hit
    let mut wrong = token.expose_secret().to_owned();
    wrong.pop();
    assert!(service.verify(&wrong).await.is_err());
    store.fail_reads.store(true, Ordering::SeqCst);
    assert!(service.verify(token.expose_secret()).await.is_err());
    store.fail_reads.store(false, Ordering::SeqCst);
    service.revoke(&tenant, &admin()).await.unwrap();
    assert!(service.verify(token.expose_secret()).await.is_err());

    let reading = Reading::take(&snapshotter);
    let names: std::collections::BTreeSet<_> = reading.0.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(EXPIRING_SOON_TOTAL) && names.len() >= 8, "everything was recorded: {names:?}");
    let secret = token.expose_secret();
    for Series { name, labels, .. } in &reading.0 {
        for (key, value) in labels {
            assert!(
                ["outcome", "path", "operation", "reason"].contains(&key.as_str()),
                "{name}: label {key}"
            );
            for forbidden in [secret, &secret[21..60], token.id().as_str(), tenant.as_str()] {
                assert!(!value.contains(forbidden) && !name.contains(forbidden), "{name}{{{key}={value}}}");
            }
        }
    }
}

#[tokio::test]
async fn a_host_may_opt_in_to_a_scope_label() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let service = fast(CountingStore::default()).metrics_scope_label(true).build().unwrap();
    let tenant = scope("tenant-7");
    service.set_enabled(&tenant, true, &admin()).await.unwrap();
    let token = service.generate(&tenant, &admin()).await.unwrap();
    service.verify(token.expose_secret()).await.unwrap();
    assert!(service.verify("scim_not-a-token").await.is_err());
    service.revoke(&tenant, &admin()).await.unwrap();
    assert!(service.verify(token.expose_secret()).await.is_err());

    let reading = Reading::take(&snapshotter);
    assert_eq!(
        reading.nonzero(VERIFICATIONS_TOTAL),
        [
            ("outcome=invalid,scope=".to_owned(), 2), // malformed, then revoked (no record found)
            ("outcome=valid,scope=tenant-7".to_owned(), 1),
        ]
    );
    assert_eq!(reading.nonzero(ROTATIONS_TOTAL), one("scope=tenant-7"));
    assert_eq!(reading.nonzero(REVOCATIONS_TOTAL), one("scope=tenant-7"));
    // Histograms never get it: a series per scope and per bucket would be too many.
    assert_eq!(
        reading.nonzero(VERIFY_DURATION_SECONDS),
        // The generating instance knows its token: a cache hit, no Argon2.
        [("path=cache_hit".into(), 1), ("path=rejected_early".into(), 2)]
    );
}

#[tokio::test]
async fn an_expiring_token_is_counted_once_a_day_not_per_request() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let clock = ManualClock::new(Timestamp::from_unix_millis(1_700_000_000_000));
    let day = Duration::from_secs(24 * 3600);
    let service = fast(CountingStore::default()).clock(clock.clone()).expiry(day * 30).build().unwrap();
    let token = first_token(&service).await;
    let read = || Reading::take(&snapshotter);

    clock.advance(day * 15); // 15 days left: outside the default 14-day window
    service.verify(token.expose_secret()).await.unwrap();
    assert_eq!(read().nonzero(EXPIRING_SOON_TOTAL), vec![]);
    clock.advance(day); // 14 days left
    for _ in 0..50 {
        service.verify(token.expose_secret()).await.unwrap();
        clock.advance(Duration::from_secs(60));
    }
    assert_eq!(read().nonzero(EXPIRING_SOON_TOTAL), one(""));
    clock.advance(day);
    service.verify(token.expose_secret()).await.unwrap();
    service.verify(token.expose_secret()).await.unwrap();
    assert_eq!(read().nonzero(EXPIRING_SOON_TOTAL), one(""));
}

#[tokio::test]
async fn ended_overlaps_are_counted_by_reason_once_over_all_instances() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let (store, clock) =
        (CountingStore::default(), ManualClock::new(Timestamp::from_unix_millis(1_700_000_000_000)));
    let max = Duration::from_secs(3600);
    let instance = || {
        fast(store.clone())
            .clock(clock.clone())
            .metrics_scope_label(true)
            .overlap_until_first_use(max)
            .build()
    };
    let (a, b) = (instance().unwrap(), instance().unwrap());
    let read = || Reading::take(&snapshotter);
    let default = scope("default");

    // The identity provider switches within the window: `first_use`, counted by the instance it reached.
    first_token(&a).await;
    let second = a.generate(&default, &admin()).await.unwrap();
    read();
    b.verify(second.expose_secret()).await.unwrap();
    a.verify(second.expose_secret()).await.unwrap();
    assert_eq!(
        read().nonzero(OVERLAPS_ENDED_TOTAL),
        one("reason=first_use"),
        "no scope label, even opted in"
    );

    // It switches after the maximum: `expired`.
    let third = a.generate(&default, &admin()).await.unwrap();
    clock.advance(max);
    read();
    b.verify(third.expose_secret()).await.unwrap();
    b.verify(third.expose_secret()).await.unwrap();
    assert_eq!(read().nonzero(OVERLAPS_ENDED_TOTAL), one("reason=expired"));

    // A rotation with no token to replace has no overlap to end.
    a.revoke(&default, &admin()).await.unwrap();
    let fourth = a.generate(&default, &admin()).await.unwrap();
    b.verify(fourth.expose_secret()).await.unwrap();
    assert_eq!(read().nonzero(OVERLAPS_ENDED_TOTAL), vec![]);
}
