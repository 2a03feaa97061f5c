//! An in-memory [`TokenStore`] for scim-token: for tests, demos and single-process hosts.
//!
//! Nothing survives a restart, and two processes never share it: use `scim-token-sqlite` (or another
//! durable backend) in production.
//!
//! ```
//! use scim_token_memory::MemoryStore;
//! use scim_token_core::ScimTokenService;
//!
//! let store = MemoryStore::new(); // cheap to clone: clones share the same tokens
//! let service = ScimTokenService::builder(store.clone()).build()?;
//! # Ok::<(), scim_token_core::Error>(())
//! ```
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use scim_token_core::{
    PreviousToken, Scope, ScopeState, StoreError, Timestamp, TokenId, TokenIdMap, TokenLookup, TokenRecord,
    TokenRole, TokenStore, async_trait,
};

/// An in-memory token store: a cheap clonable handle on shared state.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    scopes: HashMap<Scope, ScopeState>,
    /// Which scope holds each token id, for look-ups by selector.
    owners: TokenIdMap<Scope>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    // A panic while the lock was held cannot leave a half-applied rotation (each operation mutates
    // after all fallible work), so a poisoned lock is safe to keep using.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl TokenStore for MemoryStore {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        Ok(self.lock().scopes.get(scope).cloned().unwrap_or_default())
    }

    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        let state = self.lock();
        let Some(scope) = state.owners.get(id).and_then(|owner| state.scopes.get(owner)) else {
            return Ok(None);
        };
        let lookup = |record: &TokenRecord, role| TokenLookup {
            record: record.clone(),
            role,
            scope_enabled: scope.enabled,
        };
        if let Some(current) = scope.current.as_ref().filter(|r| &r.id == id) {
            return Ok(Some(lookup(current, TokenRole::Current)));
        }
        Ok(scope
            .previous
            .as_ref()
            .filter(|p| &p.record.id == id)
            .map(|p| lookup(&p.record, TokenRole::Previous { valid_until: p.valid_until })))
    }

    async fn replace_current(
        &self,
        record: TokenRecord,
        keep_previous_until: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let State { scopes, owners } = &mut *state;
        owners.insert(record.id, record.scope.clone());
        let entry = scopes.entry(record.scope.clone()).or_default();
        let replaced = entry.current.replace(record);
        let dropped_previous = match (replaced, keep_previous_until) {
            (Some(old), Some(valid_until)) => {
                entry.previous.replace(PreviousToken { record: old, valid_until }).map(|p| p.record)
            }
            (replaced, _) => {
                let previous = entry.previous.take().map(|p| p.record);
                if let Some(old) = replaced {
                    owners.remove(&old.id);
                }
                previous
            }
        };
        if let Some(old) = dropped_previous {
            owners.remove(&old.id);
        }
        Ok(())
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        let mut state = self.lock();
        let State { scopes, owners } = &mut *state;
        let Some(entry) = scopes.get_mut(scope) else { return Ok(Vec::new()) };
        let current = entry.current.take();
        let previous = entry.previous.take().map(|p| p.record);
        let removed: Vec<TokenId> = current.into_iter().chain(previous).map(|r| r.id).collect();
        for id in &removed {
            owners.remove(id);
        }
        Ok(removed)
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        self.lock().scopes.entry(scope.clone()).or_default().enabled = enabled;
        Ok(())
    }

    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        let mut state = self.lock();
        let State { scopes, owners } = &mut *state;
        let Some(entry) = owners.get(id).and_then(|owner| scopes.get_mut(owner)) else { return Ok(()) };
        let current = entry.current.as_mut();
        let previous = entry.previous.as_mut().map(|p| &mut p.record);
        if let Some(record) = current.into_iter().chain(previous).find(|r| &r.id == id) {
            record.last_used_at = Some(at);
        }
        Ok(())
    }
}
