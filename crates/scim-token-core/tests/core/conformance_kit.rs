//! The conformance kit catches what it claims to: a store whose writers are serialized but whose
//! rotation readers can see half done (delete, then insert) fails `readers_never_see_a_rotation_half_done`,
//! while the real memory store passes it.

use std::sync::Arc;

use scim_token_core::store::StoreError;
use scim_token_core::testkit::readers_never_see_a_rotation_half_done;
use scim_token_core::{TokenStore, async_trait};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{Call, Intercept, Intercepted};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Rotates by deleting the scope's tokens, yielding, then inserting the new one. Rotations are
/// serialized (so every write-only check passes), but a reader can run between the two steps.
type TornRotations = Intercepted<MemoryStore, DeleteThenInsert>;

#[derive(Default)]
struct DeleteThenInsert {
    writer: Arc<Mutex<()>>,
}

#[async_trait]
impl Intercept<MemoryStore> for DeleteThenInsert {
    /// The writer lock, held until the inner store has inserted the new token.
    type Held = Option<OwnedMutexGuard<()>>;

    async fn before(&self, inner: &MemoryStore, call: Call<'_>) -> Result<Self::Held, StoreError> {
        let Call::ReplaceCurrent(record, keep) = call else { return Ok(None) };
        let serialized = self.writer.clone().lock_owned().await;
        if keep.is_none() {
            inner.remove_tokens(&record.scope).await?;
            tokio::task::yield_now().await;
        }
        Ok(Some(serialized))
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
