//! Writing `last_used_at` never delays a verification: with a store whose `record_use` hangs until the
//! test releases it, verify still answers, and the writes stay bounded (one per token, 64 in all).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{admin, fast, scope};
use scim_token_core::store::{ScopeState, StoreError, TokenLookup, TokenRecord};
use scim_token_core::{ManualClock, Scope, Timestamp, TokenId, TokenStore, async_trait};
use scim_token_memory::MemoryStore;
use tokio::sync::{Semaphore, mpsc};

/// A memory store whose `record_use` announces itself, then waits until the test adds permits.
#[derive(Clone)]
struct StalledUses {
    inner: MemoryStore,
    entered: mpsc::UnboundedSender<TokenId>,
    release: Arc<Semaphore>,
    calls: Arc<AtomicUsize>,
}

#[async_trait]
impl TokenStore for StalledUses {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.inner.load_scope(scope).await
    }

    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        self.inner.find_token(id).await
    }

    async fn replace_current(&self, record: TokenRecord, keep: Option<Timestamp>) -> Result<(), StoreError> {
        self.inner.replace_current(record, keep).await
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        self.inner.remove_tokens(scope).await
    }

    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        self.inner.remove_token(scope, id).await
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        self.inner.set_enabled(scope, enabled).await
    }

    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let _ = self.entered.send(*id);
        self.release.acquire().await.expect("never closed").forget();
        self.inner.record_use(id, at).await
    }
}

fn stalled() -> (StalledUses, mpsc::UnboundedReceiver<TokenId>) {
    let (entered, entries) = mpsc::unbounded_channel();
    let store = StalledUses {
        inner: MemoryStore::new(),
        entered,
        release: Arc::new(Semaphore::new(0)),
        calls: Arc::default(),
    };
    (store, entries)
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
