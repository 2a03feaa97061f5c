//! A store that owns its test schema: what the conformance suite runs on. Every call, the OAuth ones
//! included, goes straight to the PostgreSQL store; the schema is dropped after the store's pool.

use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord, FederationTrust,
    OAuthState, SecretAdded,
};
use scim_token_core::store::{ScopeState, StoreError, TokenLookup, TokenRecord};
use scim_token_core::{ClientId, Scope, Timestamp, TokenId, TokenStore, async_trait};
use scim_token_postgres::PostgresStore;

use crate::common::TestSchema;

/// `store`, on `schema`. Fields drop in order: the pool closes before the schema is dropped.
pub struct SchemaStore {
    store: PostgresStore,
    _schema: TestSchema,
}

impl SchemaStore {
    pub fn new(store: PostgresStore, schema: TestSchema) -> Self {
        Self { store, _schema: schema }
    }
}

#[async_trait]
impl TokenStore for SchemaStore {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.store.load_scope(scope).await
    }

    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        self.store.find_token(id).await
    }

    async fn replace_current(&self, record: TokenRecord, keep: Option<Timestamp>) -> Result<(), StoreError> {
        self.store.replace_current(record, keep).await
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        self.store.remove_tokens(scope).await
    }

    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        self.store.remove_token(scope, id).await
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        self.store.set_enabled(scope, enabled).await
    }

    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.store.record_use(id, at).await
    }

    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        self.store.load_oauth(scope).await
    }

    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        self.store.find_client(client_id).await
    }

    async fn add_client_secret(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        secret: ClientSecretRecord,
        max_unexpired: usize,
        now: Timestamp,
    ) -> Result<SecretAdded, StoreError> {
        self.store.add_client_secret(scope, new_client_id, secret, max_unexpired, now).await
    }

    async fn remove_client_secret(
        &self,
        scope: &Scope,
        id: &TokenId,
    ) -> Result<Option<Vec<TokenId>>, StoreError> {
        self.store.remove_client_secret(scope, id).await
    }

    async fn set_federation_trust(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        self.store.set_federation_trust(scope, new_client_id, trust).await
    }

    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        self.store.remove_federation_trust(scope).await
    }

    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        self.store.set_auth_mode(scope, mode).await
    }

    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.store.insert_access_token(record, now).await
    }

    async fn find_access_token(&self, id: &TokenId) -> Result<Option<AccessTokenLookup>, StoreError> {
        self.store.find_access_token(id).await
    }

    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.store.record_secret_use(id, at).await
    }
}
