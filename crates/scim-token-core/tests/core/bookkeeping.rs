//! Writing `last_used_at` never delays a verification: with a store whose `record_use` hangs until the
//! test releases it, verify still answers, and the writes stay bounded (one per token, 64 in all).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use scim_token_core::store::StoreError;
use scim_token_core::{ManualClock, Timestamp, TokenId, async_trait};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{Call, Intercept, Intercepted, admin, fast, scope};
use tokio::sync::{Semaphore, mpsc};

/// A memory store whose `record_use` announces itself, then waits until the test adds permits.
type StalledUses = Intercepted<MemoryStore, Stall>;

#[derive(Clone)]
struct Stall {
    entered: mpsc::UnboundedSender<TokenId>,
    release: Arc<Semaphore>,
    calls: Arc<AtomicUsize>,
}

#[async_trait]
impl Intercept<MemoryStore> for Stall {
    type Held = ();

    async fn before(&self, _: &MemoryStore, call: Call<'_>) -> Result<(), StoreError> {
        if let Call::RecordUse(id, _) = call {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let _ = self.entered.send(*id);
            self.release.acquire().await.expect("never closed").forget();
        }
        Ok(())
    }
}

fn stalled() -> (StalledUses, mpsc::UnboundedReceiver<TokenId>) {
    let (entered, entries) = mpsc::unbounded_channel();
    let stall = Stall { entered, release: Arc::new(Semaphore::new(0)), calls: Arc::default() };
    (Intercepted::new(MemoryStore::new(), stall), entries)
}

/// Fails the test instead of hanging it if `verify` waited for the stalled write.
const HANG_GUARD: Duration = Duration::from_secs(10);

#[tokio::test]
async fn verify_answers_while_the_use_record_hangs_and_one_write_per_token_is_pending() {
    let (store, mut entered) = stalled();
    let clock = ManualClock::new(Timestamp::from_unix_millis(1_700_000_000_000));
    let service = fast(store.clone()).clock(clock.clone()).build().unwrap();
    let s = scope("default");
    service.set_enabled(&s, true, &admin()).await.unwrap();
    let token = service.generate(&s, &admin()).await.unwrap();

    let verified = tokio::time::timeout(HANG_GUARD, service.verify(token.expose_secret())).await;
    assert!(verified.expect("verify must not wait for last_used_at").is_ok());
    assert_eq!(entered.recv().await, Some(*token.id()), "the write started, in the background");

    // A minute later the write is still hanging: verify answers, and no second write piles up.
    clock.advance(Duration::from_secs(61));
    let verified = tokio::time::timeout(HANG_GUARD, service.verify(token.expose_secret())).await;
    assert!(verified.expect("verify must not wait for last_used_at").is_ok());

    store.release.add_permits(1_000);
    service.wait_for_use_records().await;
    assert_eq!(store.calls.load(Ordering::SeqCst), 1, "at most one write in flight per token");
    let status = service.status(&s).await.unwrap();
    assert_eq!(status.current.unwrap().last_used_at, Some(Timestamp::from_unix_millis(1_700_000_000_000)));

    // Once it ended, the next minute's use is written again.
    clock.advance(Duration::from_secs(61));
    service.verify(token.expose_secret()).await.unwrap();
    service.wait_for_use_records().await;
    assert_eq!(store.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn hanging_writes_are_bounded_over_all_tokens() {
    /// `scim_token_core`'s bound on pending `last_used_at` writes.
    const MAX_PENDING: usize = 64;
    let (store, _entered) = stalled();
    let service = fast(store.clone()).build().unwrap();
    let mut tokens = Vec::new();
    for n in 0..MAX_PENDING + 10 {
        let s = scope(&format!("tenant-{n}"));
        service.set_enabled(&s, true, &admin()).await.unwrap();
        tokens.push(service.generate(&s, &admin()).await.unwrap());
    }
    for token in &tokens {
        let verified = tokio::time::timeout(HANG_GUARD, service.verify(token.expose_secret())).await;
        assert!(verified.expect("verify must not wait for last_used_at").is_ok());
    }
    store.release.add_permits(1_000);
    service.wait_for_use_records().await;
    assert_eq!(store.calls.load(Ordering::SeqCst), MAX_PENDING, "writes past the bound are skipped");
}
