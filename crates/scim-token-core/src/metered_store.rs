//! A [`TokenStore`] wrapper that counts failed calls under `scim_token_store_errors_total{operation}`
//! (feature `metrics`). The service wraps its store in it at build time.
//!
//! `find_token`, on every verification, is passed through untouched (no extra boxed future): its failures
//! are counted from the verification's `store_error` outcome instead.
//!
//! Every `TokenStore` method must be forwarded here by hand: a new trait method with a default body
//! would otherwise silently run the default instead of the wrapped store's own.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;

use crate::error::StoreError;
use crate::ids::{ClientId, Scope, TokenId};
use crate::metrics::StoreErrorCounter;
use crate::oauth::{AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord};
use crate::oauth::{FederationTrust, OAuthState, SecretAdded};
use crate::record::{ScopeState, TokenLookup, TokenRecord};
use crate::store::TokenStore;
use crate::time::Timestamp;

/// Wraps `store` so that its failures are counted, by operation.
pub(crate) fn observed_store(store: Box<dyn TokenStore>) -> Box<dyn TokenStore> {
    Box::new(MeteredStore {
        store,
        load_scope: StoreErrorCounter::register("load_scope"),
        replace_current: StoreErrorCounter::register("replace_current"),
        remove_tokens: StoreErrorCounter::register("remove_tokens"),
        remove_token: StoreErrorCounter::register("remove_token"),
        set_enabled: StoreErrorCounter::register("set_enabled"),
        record_use: StoreErrorCounter::register("record_use"),
        load_oauth: StoreErrorCounter::register("load_oauth"),
        find_client: StoreErrorCounter::register("find_client"),
        add_client_secret: StoreErrorCounter::register("add_client_secret"),
        remove_client_secret: StoreErrorCounter::register("remove_client_secret"),
        set_federation_trust: StoreErrorCounter::register("set_federation_trust"),
        remove_federation_trust: StoreErrorCounter::register("remove_federation_trust"),
        set_auth_mode: StoreErrorCounter::register("set_auth_mode"),
        insert_access_token: StoreErrorCounter::register("insert_access_token"),
        record_secret_use: StoreErrorCounter::register("record_secret_use"),
    })
}

struct MeteredStore {
    store: Box<dyn TokenStore>,
    load_scope: StoreErrorCounter,
    replace_current: StoreErrorCounter,
    remove_tokens: StoreErrorCounter,
    remove_token: StoreErrorCounter,
    set_enabled: StoreErrorCounter,
    record_use: StoreErrorCounter,
    load_oauth: StoreErrorCounter,
    find_client: StoreErrorCounter,
    add_client_secret: StoreErrorCounter,
    remove_client_secret: StoreErrorCounter,
    set_federation_trust: StoreErrorCounter,
    remove_federation_trust: StoreErrorCounter,
    set_auth_mode: StoreErrorCounter,
    insert_access_token: StoreErrorCounter,
    record_secret_use: StoreErrorCounter,
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[async_trait]
impl TokenStore for MeteredStore {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.load_scope.count(self.store.load_scope(scope).await)
    }

    // Written out rather than `async fn`: it returns the wrapped store's future itself.
    fn find_token<'life0, 'life1, 'async_trait>(
        &'life0 self,
        id: &'life1 TokenId,
    ) -> BoxFuture<'async_trait, Result<Option<TokenLookup>, StoreError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        self.store.find_token(id)
    }

    async fn replace_current(
        &self,
        record: TokenRecord,
        keep_previous_until: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.replace_current.count(self.store.replace_current(record, keep_previous_until).await)
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        self.remove_tokens.count(self.store.remove_tokens(scope).await)
    }

    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        self.remove_token.count(self.store.remove_token(scope, id).await)
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        self.set_enabled.count(self.store.set_enabled(scope, enabled).await)
    }

    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.record_use.count(self.store.record_use(id, at).await)
    }

    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        self.load_oauth.count(self.store.load_oauth(scope).await)
    }

    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        self.find_client.count(self.store.find_client(client_id).await)
    }

    async fn add_client_secret(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        secret: ClientSecretRecord,
        max_unexpired: usize,
        now: Timestamp,
    ) -> Result<SecretAdded, StoreError> {
        let added = self.store.add_client_secret(scope, new_client_id, secret, max_unexpired, now).await;
        self.add_client_secret.count(added)
    }

    async fn remove_client_secret(
        &self,
        scope: &Scope,
        id: &TokenId,
    ) -> Result<Option<Vec<TokenId>>, StoreError> {
        self.remove_client_secret.count(self.store.remove_client_secret(scope, id).await)
    }

    async fn set_federation_trust(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        self.set_federation_trust.count(self.store.set_federation_trust(scope, new_client_id, trust).await)
    }

    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        self.remove_federation_trust.count(self.store.remove_federation_trust(scope).await)
    }

    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        self.set_auth_mode.count(self.store.set_auth_mode(scope, mode).await)
    }

    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.insert_access_token.count(self.store.insert_access_token(record, now).await)
    }

    // Like `find_token`: on every SCIM request with an access token, passed through untouched.
    fn find_access_token<'life0, 'life1, 'async_trait>(
        &'life0 self,
        id: &'life1 TokenId,
    ) -> BoxFuture<'async_trait, Result<Option<AccessTokenLookup>, StoreError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        self.store.find_access_token(id)
    }

    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.record_secret_use.count(self.store.record_secret_use(id, at).await)
    }
}
