//! Faults against the real server: the connection serving rotations is killed at random points, and the
//! server becomes unreachable (a proxy the test cuts) and comes back.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use scim_token_core::store::{StoreError, StoreErrorKind};
use scim_token_core::testkit::{record, scope};
use scim_token_core::{Actor, Error, Scope, Timestamp, TokenStore};
use scim_token_postgres::PostgresStore;

use crate::common::{TestSchema, connect, ids_with_role, proxied_config, server_addr, server_config};
use crate::proxy::{Mode, Proxy};
use scim_token_test_support::{XorShift, fast_service};

/// An application name no other test uses, to find this store's server sessions.
fn unique_application_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("scim-token-kill-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_rotating_connection_at_random_points_leaves_exactly_one_current_token() {
    let Some(schema) = TestSchema::new() else { return };
    let application = unique_application_name();
    let mut config = server_config().unwrap();
    config.application_name(&application);
    // One connection: the one serving the rotations is the one killed.
    let store = schema.builder().pool_size(1).open_with_config(config).await.unwrap();
    let observer = connect().await;
    let s = scope("killed");
    let mut acked = record(&s);
    store.replace_current(acked.clone(), None).await.unwrap();

    // How long a rotation takes here, to spread the kills over it.
    let mut durations: Vec<Duration> = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let r = record(&s);
        store.replace_current(r.clone(), None).await.unwrap();
        durations.push(started.elapsed());
        acked = r;
    }
    durations.sort();
    let span = (durations[2] * 3).as_micros() as u64;

    const ROUNDS: usize = 60;
    let mut rng = XorShift::seeded();
    let (mut interrupted, mut completed) = (0, 0);
    for round in 0..ROUNDS {
        let next = record(&s);
        let keep = (round % 2 == 1).then_some(Timestamp::from_unix_millis(i64::MAX));
        let rotation = {
            let (store, next) = (store.clone(), next.clone());
            tokio::spawn(async move { store.replace_current(next, keep).await })
        };
        // Kill at a random moment: before, during or after the rotation's transaction.
        let at = Instant::now() + Duration::from_micros(rng.below(span));
        tokio::task::spawn_blocking(move || {
            while Instant::now() < at {
                std::hint::spin_loop()
            }
        })
        .await
        .unwrap();
        observer
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&application],
            )
            .await
            .unwrap();
        let result = rotation.await.unwrap();

        let current = ids_with_role(&observer, &schema, "current").await;
        let previous = ids_with_role(&observer, &schema, "previous").await;
        assert_eq!(
            current.len(),
            1,
            "round {round}: exactly one current token, found {current:?} ({result:?})"
        );
        assert!(previous.len() <= 1 && !previous.contains(&current[0]), "round {round}: {previous:?}");
        let current = &current[0];
        match result {
            Ok(()) => {
                assert_eq!(current, next.id.as_str(), "round {round}: an acknowledged rotation must stick");
                completed += 1;
            }
            Err(error) => {
                assert_eq!(error.kind(), StoreErrorKind::Unavailable, "round {round}: {error}");
                // Killed before its commit arrived: the old token, or the new one if the commit was
                // done and only its answer was lost.
                assert!(
                    current == acked.id.as_str() || current == next.id.as_str(),
                    "round {round}: {current} is neither the old token nor the new one"
                );
                interrupted += 1;
            }
        }
        if current == next.id.as_str() {
            acked = next;
        }
    }
    eprintln!("{interrupted} of {ROUNDS} rotations were cut by a kill, {completed} completed");
    assert!(interrupted > 0, "no kill landed on a rotation: the test proved nothing ({completed} completed)");
    // The pool recovers by itself: the last kill may have hit the idle connection, which then fails the
    // one rotation that finds it (rotations are not retried); the next one gets a new connection.
    let last = record(&s);
    if store.replace_current(last.clone(), None).await.is_err() {
        store.replace_current(last.clone(), None).await.expect("a new connection serves the next rotation");
    }
    assert_eq!(store.load_scope(&s).await.unwrap().current, Some(last));
}

/// The bound on one failing call: a pooled connection that stopped answering is given the statement
/// timeout plus one second; a new connection gets the connect timeout. Generous slack for a loaded
/// machine: what is checked is that nothing hangs.
const TIMEOUT: Duration = Duration::from_millis(300);
const BOUND: Duration = Duration::from_secs(6);

async fn fails_unavailable<T: std::fmt::Debug>(
    what: &str,
    mode: Mode,
    call: impl Future<Output = Result<T, StoreError>>,
) {
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(60), call).await.expect("the call hung");
    let error = result.expect_err(what);
    let took = started.elapsed();
    assert_eq!(error.kind(), StoreErrorKind::Unavailable, "{what} in {mode:?}: {error}");
    assert!(took < BOUND, "{what} in {mode:?} took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_fails_every_call_in_time_as_unavailable_and_the_pool_recovers() {
    let Some(schema) = TestSchema::new() else { return };
    let proxy = Proxy::start(server_addr().await).await;
    let config = proxied_config(proxy.addr());
    let store: PostgresStore = schema
        .builder()
        .pool_size(2)
        .connect_timeout(TIMEOUT)
        .statement_timeout(TIMEOUT)
        .acquire_timeout(TIMEOUT)
        .open_with_config(config)
        .await
        .unwrap();
    let service = fast_service(store.clone());
    let (default, admin) = (Scope::default_scope(), Actor::new("admin").unwrap());
    service.set_enabled(&default, true, &admin).await.unwrap();
    let token = service.generate(&default, &admin).await.unwrap();
    service.verify(token.expose_secret()).await.unwrap();
    let s = scope("outage");
    let kept = record(&s);
    store.replace_current(kept.clone(), None).await.unwrap();

    for mode in [Mode::Refuse, Mode::Blackhole] {
        proxy.set(mode);
        fails_unavailable("find_token", mode, store.find_token(&kept.id)).await;
        fails_unavailable("load_scope", mode, store.load_scope(&s)).await;
        fails_unavailable("replace_current", mode, store.replace_current(record(&s), None)).await;
        fails_unavailable("remove_tokens", mode, store.remove_tokens(&s)).await;
        fails_unavailable("remove_token", mode, store.remove_token(&s, &kept.id)).await;
        fails_unavailable("set_enabled", mode, store.set_enabled(&s, true)).await;
        fails_unavailable("record_use", mode, store.record_use(&kept.id, Timestamp::from_unix_millis(1)))
            .await;
        // Through the service: transient, so 503 with Retry-After over HTTP, never a 500.
        for failed in [
            service.verify(token.expose_secret()).await.map(|_| ()).unwrap_err(),
            service.generate(&default, &admin).await.map(|_| ()).unwrap_err(),
        ] {
            assert!(matches!(failed, Error::Store(_)) && failed.is_transient(), "{mode:?}: {failed}");
        }

        proxy.set(Mode::Up);
        // Recovery without a restart: poll, with a bound, until the pool has a working connection.
        let deadline = Instant::now() + Duration::from_secs(30);
        while store.find_token(&kept.id).await.is_err() {
            assert!(Instant::now() < deadline, "the pool did not recover after {mode:?}");
        }
        // Nothing was lost, and the failed generate left the token working.
        assert_eq!(store.load_scope(&s).await.unwrap().current, Some(kept.clone()));
        service.verify(token.expose_secret()).await.unwrap();
    }
}
