//! The OAuth half of the store: each scope's client (secrets, trust, auth mode, the access tokens each
//! credential minted) and the store-wide indexes that find a client, a secret or an access token by id.
//! Every operation runs under the store's one lock and mutates only after its checks, so each is atomic.

use std::collections::HashMap;

use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord,
};
use scim_token_core::oauth::{FederationTrust, MintedBy, OAuthState, SecretAdded};
use scim_token_core::store::{StoreError, TokenIdMap};
use scim_token_core::{ClientId, Scope, Timestamp, TokenId};

use crate::State;

/// One scope's OAuth client.
#[derive(Debug, Default)]
pub(crate) struct OAuthSlot {
    client_id: Option<ClientId>,
    /// Oldest first: in the order they were added.
    secrets: Vec<ClientSecretRecord>,
    trust: Option<FederationTrust>,
    pub(crate) auth_mode: AuthMode,
    /// The access tokens each credential minted, so deleting the credential deletes them.
    minted: HashMap<MintedBy, Vec<TokenId>>,
}

impl OAuthSlot {
    fn holds(&self, credential: MintedBy) -> bool {
        match credential {
            MintedBy::Secret(id) => self.secrets.iter().any(|s| s.id == id),
            MintedBy::Trust(id) => self.trust.as_ref().is_some_and(|t| t.id == id),
        }
    }
}

/// Store-wide look-ups, each to the position of the scope that holds the item.
#[derive(Debug, Default)]
pub(crate) struct OAuthIndex {
    clients: HashMap<ClientId, usize>,
    secrets: TokenIdMap<usize>,
    access_tokens: TokenIdMap<(usize, AccessTokenRecord)>,
}

/// Refusal of a `new_client_id` that names another scope's client.
#[derive(Debug, thiserror::Error)]
#[error("the client id {0} already belongs to another scope")]
struct ClientIdTaken(ClientId);

impl State {
    fn oauth_state(&self, at: usize) -> OAuthState {
        let slot = &self.slots[at];
        OAuthState {
            client_id: slot.oauth.client_id.clone(),
            secrets: slot.oauth.secrets.clone(),
            trust: slot.oauth.trust.clone(),
            auth_mode: slot.oauth.auth_mode,
            scope_enabled: slot.tokens.enabled,
        }
    }

    pub(crate) fn load_oauth(&self, scope: &Scope) -> OAuthState {
        self.positions.get(scope).map(|&at| self.oauth_state(at)).unwrap_or_default()
    }

    pub(crate) fn find_client(&self, client_id: &ClientId) -> Option<ClientLookup> {
        let &at = self.oauth.clients.get(client_id)?;
        Some(ClientLookup { scope: self.slots[at].scope.clone(), state: self.oauth_state(at) })
    }

    /// The client id `scope` has, or the one it would get: `new_client_id`, unless another scope holds it.
    fn client_for(&self, scope: &Scope, new_client_id: &ClientId) -> Result<ClientId, StoreError> {
        let existing = self.slot(scope).and_then(|slot| slot.oauth.client_id.clone());
        match existing {
            Some(client_id) => Ok(client_id),
            None if self.oauth.clients.contains_key(new_client_id) => {
                Err(StoreError::new(ClientIdTaken(new_client_id.clone())))
            }
            None => Ok(new_client_id.clone()),
        }
    }

    /// Creates the scope if needed and gives it `client_id` (from [`client_for`](Self::client_for)).
    fn ensure_client(&mut self, scope: &Scope, client_id: &ClientId) -> usize {
        let at = self.position(scope);
        if self.slots[at].oauth.client_id.is_none() {
            self.slots[at].oauth.client_id = Some(client_id.clone());
            self.oauth.clients.insert(client_id.clone(), at);
        }
        at
    }

    /// Deletes every access token `credential` minted in the scope at `at`, returning their ids.
    fn end_tokens(&mut self, at: usize, credential: MintedBy) -> Vec<TokenId> {
        let ended = self.slots[at].oauth.minted.remove(&credential).unwrap_or_default();
        for id in &ended {
            self.oauth.access_tokens.remove(id);
        }
        ended
    }

    pub(crate) fn add_client_secret(
        &mut self,
        scope: &Scope,
        new_client_id: &ClientId,
        secret: ClientSecretRecord,
        max_unexpired: usize,
        now: Timestamp,
    ) -> Result<SecretAdded, StoreError> {
        let client_id = self.client_for(scope, new_client_id)?;
        let unexpired = self
            .slot(scope)
            .map_or(0, |slot| slot.oauth.secrets.iter().filter(|s| now < s.expires_at).count());
        if unexpired >= max_unexpired {
            return Ok(SecretAdded::LimitReached);
        }
        let at = self.ensure_client(scope, &client_id);
        self.oauth.secrets.insert(secret.id, at);
        self.slots[at].oauth.secrets.push(secret);
        Ok(SecretAdded::Added { client_id })
    }

    pub(crate) fn remove_client_secret(&mut self, scope: &Scope, id: &TokenId) -> Option<Vec<TokenId>> {
        let &at = self.positions.get(scope)?;
        let secrets = &mut self.slots[at].oauth.secrets;
        let index = secrets.iter().position(|s| &s.id == id)?;
        secrets.remove(index);
        self.oauth.secrets.remove(id);
        Some(self.end_tokens(at, MintedBy::Secret(*id)))
    }

    pub(crate) fn set_federation_trust(
        &mut self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        let client_id = self.client_for(scope, new_client_id)?;
        let at = self.ensure_client(scope, &client_id);
        let replaced = self.slots[at].oauth.trust.replace(trust);
        let ended = replaced.map(|old| self.end_tokens(at, MintedBy::Trust(old.id))).unwrap_or_default();
        Ok((client_id, ended))
    }

    pub(crate) fn remove_federation_trust(&mut self, scope: &Scope) -> Option<Vec<TokenId>> {
        let &at = self.positions.get(scope)?;
        let removed = self.slots[at].oauth.trust.take()?;
        Some(self.end_tokens(at, MintedBy::Trust(removed.id)))
    }

    pub(crate) fn insert_access_token(&mut self, record: AccessTokenRecord, now: Timestamp) -> bool {
        let Some(&at) = self.positions.get(&record.scope) else { return false };
        if !self.slots[at].oauth.holds(record.minted_by) {
            return false;
        }
        let Self { slots, oauth, .. } = self;
        let minted = slots[at].oauth.minted.entry(record.minted_by).or_default();
        minted.retain(|id| {
            let expired = oauth.access_tokens.get(id).is_none_or(|(_, token)| token.expires_at < now);
            if expired {
                oauth.access_tokens.remove(id);
            }
            !expired
        });
        minted.push(record.id);
        oauth.access_tokens.insert(record.id, (at, record));
        true
    }

    pub(crate) fn find_access_token(&self, id: &TokenId) -> Option<AccessTokenLookup> {
        let (at, record) = self.oauth.access_tokens.get(id)?;
        let slot = &self.slots[*at];
        Some(AccessTokenLookup {
            record: record.clone(),
            // A token is stored only for a credential, which exists only with the client.
            client_id: slot.oauth.client_id.clone()?,
            scope_enabled: slot.tokens.enabled,
            auth_mode: slot.oauth.auth_mode,
        })
    }

    pub(crate) fn record_secret_use(&mut self, id: &TokenId, at: Timestamp) {
        let Some(&position) = self.oauth.secrets.get(id) else { return };
        let secrets = &mut self.slots[position].oauth.secrets;
        if let Some(secret) = secrets.iter_mut().find(|s| &s.id == id) {
            secret.last_used_at = Some(at);
        }
    }
}
