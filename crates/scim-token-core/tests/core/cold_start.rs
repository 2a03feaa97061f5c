//! A burst of first uses of one token, as an identity provider sends right after a token is pasted or a
//! server restarts: one Argon2 run serves them all, so none is turned away as busy (before single flight,
//! 176 of 300 such requests were answered 503).

use std::sync::Arc;
use std::time::Duration;

use scim_token_core::{Error, ScimTokenService, VerifiedToken};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{
    HeldBlockingThread, admin, fast, forge, pending_after_one_poll, runtime_with_one_blocking_thread, scope,
};
use tokio::sync::Barrier;

const BURST: usize = 300;

/// Presents `token` `BURST` times at once; returns every answer.
async fn burst(service: &ScimTokenService, token: &str) -> Vec<Result<VerifiedToken, Error>> {
    let barrier = Arc::new(Barrier::new(BURST));
    let tasks: Vec<_> = (0..BURST)
        .map(|_| {
            let (service, barrier, token) = (service.clone(), barrier.clone(), token.to_owned());
            tokio::spawn(async move {
                barrier.wait().await;
                service.verify(&token).await
            })
        })
        .collect();
    let mut answers = Vec::with_capacity(BURST);
    for task in tasks {
        answers.push(task.await.expect("a verify panicked"));
    }
    answers
}

fn busy(answers: &[Result<VerifiedToken, Error>]) -> usize {
    answers.iter().filter(|a| matches!(a, Err(Error::Busy))).count()
}

// Default (OWASP) Argon2 parameters and the default 1 s busy wait, with two hashing slots as on a
// two-core server: separate checks would queue for far longer than the wait.
fn service(store: &MemoryStore) -> ScimTokenService {
    ScimTokenService::builder(store.clone()).max_concurrent_hashes(2).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_first_uses_of_one_token_share_one_argon2_run() {
    let store = MemoryStore::new();
    let issuer = service(&store);
    issuer.set_enabled(&scope("default"), true, &admin()).await.unwrap();
    let token = issuer.generate(&scope("default"), &admin()).await.unwrap();
    assert_eq!(issuer.argon2_runs(), 1, "hashing the new token");

    // The instance that generated the token verifies it without Argon2.
    let answers = burst(&issuer, token.expose_secret()).await;
    assert!(answers.iter().all(|a| a.as_ref().is_ok_and(|v| v.token_id == *token.id())), "{answers:?}");
    assert_eq!(issuer.argon2_runs(), 1, "the issuer knows its own token");

    // Another instance (or this one after a restart) has a cold cache: one run serves the burst.
    let restarted = service(&store);
    let answers = burst(&restarted, token.expose_secret()).await;
    assert_eq!(busy(&answers), 0, "no first use may be turned away as busy");
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(restarted.argon2_runs(), 1, "one Argon2 run for the whole burst");
    restarted.verify(token.expose_secret()).await.unwrap();
    assert_eq!(restarted.argon2_runs(), 1, "and the cache answers afterwards");
}

/// A wrong token is never cached, so only checks that overlap share a run: the test makes them overlap
/// for sure by holding the one hashing slot until every check has joined.
#[test]
fn a_burst_of_one_wrong_token_shares_one_run_and_is_refused() {
    let runtime = runtime_with_one_blocking_thread();
    runtime.block_on(async {
        let store = MemoryStore::new();
        let issuer = fast(store.clone()).build().unwrap();
        issuer.set_enabled(&scope("default"), true, &admin()).await.unwrap();
        let token = issuer.generate(&scope("default"), &admin()).await.unwrap();
        let forged =
            forge(token.expose_secret(), &format!("scim_{}{}000000", "0".repeat(16), "7".repeat(43)));
        let service =
            fast(store).max_concurrent_hashes(1).busy_wait(Duration::from_secs(3600)).build().unwrap();

        let blocker = HeldBlockingThread::take().await;
        let (other, actor) = (scope("other"), admin());
        let mut holder = Box::pin(service.generate(&other, &actor));
        assert!(pending_after_one_poll(holder.as_mut()).await, "the generate holds the slot, queued");

        let mut checks: Vec<_> = (0..BURST).map(|_| Box::pin(service.verify(&forged))).collect();
        for check in &mut checks {
            assert!(pending_after_one_poll(check.as_mut()).await, "every check waits");
        }
        blocker.release().await;
        holder.await.unwrap();
        for check in checks {
            assert!(matches!(check.await, Err(Error::InvalidToken)));
        }
        assert_eq!(service.argon2_runs(), 2, "the generate's hash, then one check for the whole burst");
        // Never cached: presented again later, it is checked again.
        assert!(matches!(service.verify(&forged).await, Err(Error::InvalidToken)));
        assert_eq!(service.argon2_runs(), 3);
        service.verify(token.expose_secret()).await.unwrap();
    });
}

/// A request that gives up while waiting for a hashing slot costs no Argon2 run, and a request waiting
/// on its check takes over instead of failing.
#[test]
fn a_check_dropped_while_waiting_for_a_slot_costs_no_run_and_a_waiter_takes_over() {
    // One blocking thread, which the test occupies, and one hashing slot, which a generate then takes
    // while it queues for that thread: every check waits for a slot until the test lets go.
    let runtime = runtime_with_one_blocking_thread();
    runtime.block_on(async {
        let store = MemoryStore::new();
        let issuer = fast(store.clone()).build().unwrap();
        let scopes = [scope("first"), scope("second"), scope("spare")];
        let mut tokens = Vec::new();
        for s in &scopes {
            issuer.set_enabled(s, true, &admin()).await.unwrap();
            tokens.push(issuer.generate(s, &admin()).await.unwrap());
        }
        let [token, other, spare] = &tokens[..] else { unreachable!() };
        let service =
            fast(store).max_concurrent_hashes(1).busy_wait(Duration::from_secs(3600)).build().unwrap();

        let blocker = HeldBlockingThread::take().await;
        let (third, actor) = (scope("third"), admin());
        let mut holder = Box::pin(service.generate(&third, &actor));
        assert!(pending_after_one_poll(holder.as_mut()).await, "the generate holds the slot, queued");

        // A leader and a waiter for one token; a lone leader for another. Then the leaders give up.
        let mut leader = Box::pin(service.verify(token.expose_secret()));
        let mut waiter = Box::pin(service.verify(token.expose_secret()));
        let mut lone = Box::pin(service.verify(other.expose_secret()));
        for check in [&mut leader, &mut waiter, &mut lone] {
            assert!(pending_after_one_poll(check.as_mut()).await, "every check waits for the slot");
        }
        drop((leader, lone));

        blocker.release().await;
        holder.await.unwrap();
        assert_eq!(waiter.await.unwrap().token_id, *token.id(), "the waiter took over the check");
        // A check queued after any abandoned one: had it kept its place, it would have run by now.
        service.verify(spare.expose_secret()).await.unwrap();
        // The generate, the waiter's check and the last one: nothing for the checks that gave up.
        assert_eq!(service.argon2_runs(), 3);
    });
}
