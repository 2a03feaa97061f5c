//! The two wrapper stores tests share: one that counts calls and fails reads or writes on demand, one
//! that fails chosen operations with an error text a response must never show.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use scim_token_core::async_trait;
use scim_token_core::store::StoreError;
use scim_token_memory::MemoryStore;

use crate::intercept::{Call, Intercept, Intercepted};

/// A memory store that counts every call and can be told to fail every write, or every read.
pub type CountingStore = Intercepted<MemoryStore, Counts>;

/// The counters and switches of a [`CountingStore`], shared by its clones.
#[derive(Clone, Default)]
pub struct Counts {
    /// Every call, failed or not.
    pub calls: Arc<AtomicUsize>,
    /// `record_use` calls that reached the store.
    pub uses_recorded: Arc<AtomicUsize>,
    /// Set: every write fails with "disk full (injected)".
    pub fail_writes: Arc<AtomicBool>,
    /// Set: every read fails with "connection lost (injected)".
    pub fail_reads: Arc<AtomicBool>,
    /// Set: `record_use` alone fails, so a token's `last_used_at` stays empty.
    pub fail_use_records: Arc<AtomicBool>,
}

impl Counts {
    /// How many calls the store has had.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl<S: Sync> Intercept<S> for Counts {
    type Held = ();

    async fn before(&self, _: &S, call: Call<'_>) -> Result<(), StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let write = call.is_write();
        if write && self.fail_writes.load(Ordering::SeqCst) {
            return Err(StoreError::new("disk full (injected)"));
        }
        if !write && self.fail_reads.load(Ordering::SeqCst) {
            return Err(StoreError::new("connection lost (injected)"));
        }
        if let Call::RecordUse(..) = call {
            if self.fail_use_records.load(Ordering::SeqCst) {
                return Err(StoreError::new("disk full (injected)"));
            }
            self.uses_recorded.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

/// A memory store that fails chosen operations on demand, with an error naming a secret path: a
/// response that shows it leaked a store error's detail.
pub type FlakyStore = Intercepted<MemoryStore, Flaws>;

/// The switches of a [`FlakyStore`], shared by its clones. `record_use` never fails.
#[derive(Clone, Default)]
pub struct Flaws {
    /// `replace_current` fails.
    pub fail_replace: Arc<AtomicBool>,
    /// `find_token` fails.
    pub fail_find: Arc<AtomicBool>,
    /// `load_scope` fails.
    pub fail_load: Arc<AtomicBool>,
    /// `set_enabled` fails.
    pub fail_set_enabled: Arc<AtomicBool>,
    /// `remove_tokens` and `remove_token` fail.
    pub fail_remove: Arc<AtomicBool>,
}

impl Flaws {
    /// The error every failing call returns: a detail no response may repeat.
    pub const LEAKED_DETAIL: &str = "LEAKED-DETAIL: database at /var/lib/secret.db is locked";
}

#[async_trait]
impl<S: Sync> Intercept<S> for Flaws {
    type Held = ();

    async fn before(&self, _: &S, call: Call<'_>) -> Result<(), StoreError> {
        let flag = match call {
            Call::LoadScope(_) => &self.fail_load,
            Call::FindToken(_) => &self.fail_find,
            Call::ReplaceCurrent(..) => &self.fail_replace,
            Call::RemoveTokens(_) | Call::RemoveToken(..) => &self.fail_remove,
            Call::SetEnabled(..) => &self.fail_set_enabled,
            // No switch for these: a use record's failure is only logged, and the OAuth calls' tests
            // intercept them with faults of their own.
            _ => return Ok(()),
        };
        if flag.load(Ordering::SeqCst) { Err(StoreError::new(Self::LEAKED_DETAIL)) } else { Ok(()) }
    }
}
