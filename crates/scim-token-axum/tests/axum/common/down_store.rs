//! A memory store, OAuth methods included, whose reads can be made to fail as if the database were
//! unreachable: the token endpoint and the guard must then answer 503, never 500.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord, FederationTrust,
    OAuthState, SecretAdded,
};
use scim_token_core::store::{ScopeState, StoreError, TokenLookup, TokenRecord};
use scim_token_core::{ClientId, Scope, Timestamp, TokenId, TokenStore, async_trait};
use scim_token_memory::MemoryStore;

/// [`MemoryStore`], with every read failing (`unavailable`) while `down` is set.
#[derive(Clone, Default)]
pub struct DownStore {
    inner: MemoryStore,
    pub down: Arc<AtomicBool>,
}

impl DownStore {
    fn check(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::unavailable("connection refused"))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl TokenStore for DownStore {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.check()?;
        self.inner.load_scope(scope).await
    }
    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        self.check()?;
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
        self.inner.record_use(id, at).await
    }
    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        self.check()?;
        self.inner.load_oauth(scope).await
    }
    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        self.check()?;
        self.inner.find_client(client_id).await
    }
    async fn add_client_secret(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        secret: ClientSecretRecord,
        max_unexpired: usize,
        now: Timestamp,
    ) -> Result<SecretAdded, StoreError> {
        self.inner.add_client_secret(scope, new_client_id, secret, max_unexpired, now).await
    }
    async fn remove_client_secret(
        &self,
        scope: &Scope,
        id: &TokenId,
    ) -> Result<Option<Vec<TokenId>>, StoreError> {
        self.inner.remove_client_secret(scope, id).await
    }
    async fn set_federation_trust(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        self.inner.set_federation_trust(scope, new_client_id, trust).await
    }
    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        self.inner.remove_federation_trust(scope).await
    }
    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        self.inner.set_auth_mode(scope, mode).await
    }
    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner.insert_access_token(record, now).await
    }
    async fn find_access_token(&self, id: &TokenId) -> Result<Option<AccessTokenLookup>, StoreError> {
        self.check()?;
        self.inner.find_access_token(id).await
    }
    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.inner.record_secret_use(id, at).await
    }
}
