//! A memory store, OAuth methods included, whose reads can be made to fail as if the database were
//! unreachable: the token endpoint and the guard must then answer 503, never 500.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use scim_token_core::async_trait;
use scim_token_core::store::StoreError;
use scim_token_memory::MemoryStore;
use scim_token_test_support::{Call, Intercept, Intercepted};

/// [`MemoryStore`], with every read failing (`unavailable`) while `store.down` is set.
pub type DownStore = Intercepted<MemoryStore, Down>;

/// Fails every read while `down` is set.
#[derive(Clone, Default)]
pub struct Down {
    pub down: Arc<AtomicBool>,
}

#[async_trait]
impl Intercept<MemoryStore> for Down {
    type Held = ();

    async fn before(&self, _: &MemoryStore, call: Call<'_>) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) && !call.is_write() {
            return Err(StoreError::unavailable("connection refused"));
        }
        Ok(())
    }
}
