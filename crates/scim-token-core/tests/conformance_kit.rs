//! The conformance kit catches what it claims to: a store whose writers are serialized but whose
//! rotation readers can see half done (delete, then insert) fails `readers_never_see_a_rotation_half_done`,
//! while the real memory store passes it.

use std::sync::Arc;

use scim_token_core::store::{ScopeState, StoreError, TokenLookup, TokenRecord};
use scim_token_core::testkit::readers_never_see_a_rotation_half_done;
use scim_token_core::{Scope, Timestamp, TokenId, TokenStore, async_trait};
use scim_token_memory::MemoryStore;
use tokio::sync::Mutex;

/// Rotates by deleting the scope's tokens, yielding, then inserting the new one. Rotations are
/// serialized (so every write-only check passes), but a reader can run between the two steps.
#[derive(Default)]
struct TornRotations {
    inner: MemoryStore,
    writer: Mutex<()>,
}

#[async_trait]
impl TokenStore for TornRotations {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.inner.load_scope(scope).await
    }

    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        self.inner.find_token(id).await
    }

    async fn replace_current(&self, record: TokenRecord, keep: Option<Timestamp>) -> Result<(), StoreError> {
        let _serialized = self.writer.lock().await;
        if keep.is_none() {
            self.inner.remove_tokens(&record.scope).await?;
            tokio::task::yield_now().await;
        }
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
        self.inner.record_use(id, at).await
    }
}

fn message(panic: Box<dyn std::any::Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(text) => *text,
        Err(panic) => panic.downcast_ref::<&str>().map_or_else(String::new, |text| (*text).to_owned()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rotation_visible_half_done_fails_the_check() {
    let torn: Arc<dyn TokenStore> = Arc::new(TornRotations::default());
    let outcome = tokio::spawn(readers_never_see_a_rotation_half_done(torn)).await;
    let error = outcome.expect_err("the torn store must fail the check");
    assert!(error.is_panic(), "{error}");
    let message = message(error.into_panic());
    assert!(
        message.contains("without a current token") || message.contains("visible half done"),
        "the failure names the broken guarantee: {message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_atomic_store_passes_the_check() {
    readers_never_see_a_rotation_half_done(Arc::new(MemoryStore::new())).await;
}
