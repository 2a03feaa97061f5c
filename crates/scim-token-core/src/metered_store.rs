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
use crate::ids::{Scope, TokenId};
use crate::metrics::StoreErrorCounter;
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
}
