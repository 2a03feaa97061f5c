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
#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod oauth;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord,
};
use scim_token_core::oauth::{FederationTrust, OAuthState, SecretAdded};
use scim_token_core::store::{PreviousToken, ScopeState, StoreError, TokenIdMap, TokenLookup, TokenRecord};
use scim_token_core::{ClientId, Scope, Timestamp, TokenId, TokenRole, TokenStore, async_trait};

use crate::oauth::{OAuthIndex, OAuthSlot};

/// An in-memory token store: a cheap clonable handle on shared state.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    /// Every scope ever written, by position; scopes are never removed, so positions are stable.
    slots: Vec<Slot>,
    /// Each scope's position in `slots`.
    positions: HashMap<Scope, usize>,
    /// The position of the scope that holds each token id: `find_token` is one cheap look-up.
    owners: TokenIdMap<usize>,
    /// The OAuth indexes (client ids, secret ids, access tokens), each to a position in `slots`.
    oauth: OAuthIndex,
}

/// One scope: its static tokens and flag, and its OAuth client.
#[derive(Debug)]
struct Slot {
    scope: Scope,
    tokens: ScopeState,
    oauth: OAuthSlot,
}

impl State {
    fn slot(&self, scope: &Scope) -> Option<&Slot> {
        self.positions.get(scope).map(|&at| &self.slots[at])
    }

    /// The scope's position, creating it (disabled, empty) if needed.
    fn position(&mut self, scope: &Scope) -> usize {
        let next = self.slots.len();
        let at = *self.positions.entry(scope.clone()).or_insert(next);
        if at == next {
            self.slots.push(Slot {
                scope: scope.clone(),
                tokens: ScopeState::default(),
                oauth: OAuthSlot::default(),
            });
        }
        at
    }
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
        Ok(self.lock().slot(scope).map(|slot| slot.tokens.clone()).unwrap_or_default())
    }

    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        let state = self.lock();
        let Some(&at) = state.owners.get(id) else { return Ok(None) };
        let Slot { tokens: scope, oauth, .. } = &state.slots[at];
        let lookup = |record: &TokenRecord, role| TokenLookup {
            record: record.clone(),
            role,
            scope_enabled: scope.enabled,
            auth_mode: oauth.auth_mode,
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
        let at = state.position(&record.scope);
        let State { slots, owners, .. } = &mut *state;
        owners.insert(record.id, at);
        let slot = &mut slots[at].tokens;
        let replaced = slot.current.replace(record);
        let mut dropped = [slot.previous.take().map(|p| p.record.id), None];
        match (replaced, keep_previous_until) {
            (Some(old), Some(valid_until)) => {
                slot.previous = Some(PreviousToken { record: old, valid_until })
            }
            (old, _) => dropped[1] = old.map(|r| r.id),
        }
        for id in dropped.into_iter().flatten() {
            owners.remove(&id);
        }
        Ok(())
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        let mut state = self.lock();
        let Some(&at) = state.positions.get(scope) else { return Ok(Vec::new()) };
        let State { slots, owners, .. } = &mut *state;
        let slot = &mut slots[at].tokens;
        let current = slot.current.take();
        let previous = slot.previous.take().map(|p| p.record);
        let removed: Vec<TokenId> = current.into_iter().chain(previous).map(|r| r.id).collect();
        for id in &removed {
            owners.remove(id);
        }
        Ok(removed)
    }

    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        let mut state = self.lock();
        let Some(&at) = state.positions.get(scope) else { return Ok(false) };
        let State { slots, owners, .. } = &mut *state;
        let slot = &mut slots[at].tokens;
        if slot.current.as_ref().is_some_and(|r| &r.id == id) {
            slot.current = None;
        } else if slot.previous.as_ref().is_some_and(|p| &p.record.id == id) {
            slot.previous = None;
        } else {
            return Ok(false);
        }
        owners.remove(id);
        Ok(true)
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        let mut state = self.lock();
        let at = state.position(scope);
        state.slots[at].tokens.enabled = enabled;
        Ok(())
    }

    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        let mut state = self.lock();
        let Some(&position) = state.owners.get(id) else { return Ok(()) };
        let slot = &mut state.slots[position].tokens;
        let current = slot.current.as_mut();
        let previous = slot.previous.as_mut().map(|p| &mut p.record);
        if let Some(record) = current.into_iter().chain(previous).find(|r| &r.id == id) {
            if record.last_used_at.is_none() {
                record.first_used_at = Some(at);
            }
            record.last_used_at = Some(at);
        }
        Ok(())
    }

    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        Ok(self.lock().load_oauth(scope))
    }

    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        Ok(self.lock().find_client(client_id))
    }

    async fn add_client_secret(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        secret: ClientSecretRecord,
        max_unexpired: usize,
        now: Timestamp,
    ) -> Result<SecretAdded, StoreError> {
        self.lock().add_client_secret(scope, new_client_id, secret, max_unexpired, now)
    }

    async fn remove_client_secret(
        &self,
        scope: &Scope,
        id: &TokenId,
    ) -> Result<Option<Vec<TokenId>>, StoreError> {
        Ok(self.lock().remove_client_secret(scope, id))
    }

    async fn set_federation_trust(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        self.lock().set_federation_trust(scope, new_client_id, trust)
    }

    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        Ok(self.lock().remove_federation_trust(scope))
    }

    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        let mut state = self.lock();
        let at = state.position(scope);
        state.slots[at].oauth.auth_mode = mode;
        Ok(())
    }

    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(self.lock().insert_access_token(record, now))
    }

    async fn find_access_token(&self, id: &TokenId) -> Result<Option<AccessTokenLookup>, StoreError> {
        Ok(self.lock().find_access_token(id))
    }

    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.lock().record_secret_use(id, at);
        Ok(())
    }
}
