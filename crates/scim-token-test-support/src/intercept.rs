//! One store wrapper for every test that needs a store to count, fail, stall or own a resource: the
//! wrapper delegates each call to the inner store, after the test's [`Intercept`] has seen it.

use std::ops::Deref;

use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord, FederationTrust,
    OAuthState, SecretAdded,
};
use scim_token_core::store::{ScopeState, StoreError, TokenLookup, TokenRecord};
use scim_token_core::{ClientId, Scope, Timestamp, TokenId, TokenStore, async_trait};

/// A call on the [`TokenStore`], with its arguments, as an [`Intercept`] sees it.
#[derive(Debug, Clone, Copy)]
pub enum Call<'a> {
    /// `load_scope(scope)`.
    LoadScope(&'a Scope),
    /// `find_token(id)`.
    FindToken(&'a TokenId),
    /// `replace_current(record, keep)`.
    ReplaceCurrent(&'a TokenRecord, Option<Timestamp>),
    /// `remove_tokens(scope)`.
    RemoveTokens(&'a Scope),
    /// `remove_token(scope, id)`.
    RemoveToken(&'a Scope, &'a TokenId),
    /// `set_enabled(scope, enabled)`.
    SetEnabled(&'a Scope, bool),
    /// `record_use(id, at)`.
    RecordUse(&'a TokenId, Timestamp),
    /// `load_oauth(scope)`.
    LoadOAuth(&'a Scope),
    /// `find_client(client_id)`.
    FindClient(&'a ClientId),
    /// `add_client_secret(scope, new_client_id, secret, …)`.
    AddClientSecret(&'a Scope, &'a ClientSecretRecord),
    /// `remove_client_secret(scope, id)`.
    RemoveClientSecret(&'a Scope, &'a TokenId),
    /// `set_federation_trust(scope, new_client_id, trust)`.
    SetFederationTrust(&'a Scope, &'a FederationTrust),
    /// `remove_federation_trust(scope)`.
    RemoveFederationTrust(&'a Scope),
    /// `set_auth_mode(scope, mode)`.
    SetAuthMode(&'a Scope, AuthMode),
    /// `insert_access_token(record, now)`.
    InsertAccessToken(&'a AccessTokenRecord),
    /// `find_access_token(id)`.
    FindAccessToken(&'a TokenId),
    /// `record_secret_use(id, at)`.
    RecordSecretUse(&'a TokenId, Timestamp),
}

impl Call<'_> {
    /// Whether the call writes: everything but the reads (`load_scope`, `find_token`, `load_oauth`,
    /// `find_client`, `find_access_token`).
    pub fn is_write(&self) -> bool {
        !matches!(
            self,
            Call::LoadScope(_)
                | Call::FindToken(_)
                | Call::LoadOAuth(_)
                | Call::FindClient(_)
                | Call::FindAccessToken(_)
        )
    }
}

/// What a test's wrapper does before a call reaches the inner store `S`.
#[async_trait]
pub trait Intercept<S>: Send + Sync + 'static {
    /// Held while the inner store runs the call (a lock guard, say); `()` for nothing.
    type Held: Send;

    /// Runs before `call` reaches `inner`; an error is returned to the caller instead of calling it.
    async fn before(&self, inner: &S, call: Call<'_>) -> Result<Self::Held, StoreError>;
}

/// `inner`, with `intercept` seeing every call first. Dereferences to the intercept, so a test reads its
/// counters and switches as `store.calls()`.
///
/// The inner store is dropped before the intercept: an intercept that owns the store's file or schema
/// ([`Keep`]) removes it only once the store's connections are closed.
#[derive(Clone, Default)]
pub struct Intercepted<S, I> {
    /// The store every call goes to.
    pub inner: S,
    /// What sees each call first.
    pub intercept: I,
}

impl<S, I> Intercepted<S, I> {
    /// `inner`, with `intercept` seeing every call first.
    pub fn new(inner: S, intercept: I) -> Self {
        Self { inner, intercept }
    }
}

impl<S, I> Deref for Intercepted<S, I> {
    type Target = I;

    fn deref(&self) -> &I {
        &self.intercept
    }
}

#[async_trait]
impl<S: TokenStore, I: Intercept<S>> TokenStore for Intercepted<S, I> {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::LoadScope(scope)).await?;
        self.inner.load_scope(scope).await
    }

    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::FindToken(id)).await?;
        self.inner.find_token(id).await
    }

    async fn replace_current(&self, record: TokenRecord, keep: Option<Timestamp>) -> Result<(), StoreError> {
        let _held = self.intercept.before(&self.inner, Call::ReplaceCurrent(&record, keep)).await?;
        self.inner.replace_current(record, keep).await
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::RemoveTokens(scope)).await?;
        self.inner.remove_tokens(scope).await
    }

    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::RemoveToken(scope, id)).await?;
        self.inner.remove_token(scope, id).await
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        let _held = self.intercept.before(&self.inner, Call::SetEnabled(scope, enabled)).await?;
        self.inner.set_enabled(scope, enabled).await
    }

    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        let _held = self.intercept.before(&self.inner, Call::RecordUse(id, at)).await?;
        self.inner.record_use(id, at).await
    }

    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::LoadOAuth(scope)).await?;
        self.inner.load_oauth(scope).await
    }

    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::FindClient(client_id)).await?;
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
        let _held = self.intercept.before(&self.inner, Call::AddClientSecret(scope, &secret)).await?;
        self.inner.add_client_secret(scope, new_client_id, secret, max_unexpired, now).await
    }

    async fn remove_client_secret(
        &self,
        scope: &Scope,
        id: &TokenId,
    ) -> Result<Option<Vec<TokenId>>, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::RemoveClientSecret(scope, id)).await?;
        self.inner.remove_client_secret(scope, id).await
    }

    async fn set_federation_trust(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        let _held = self.intercept.before(&self.inner, Call::SetFederationTrust(scope, &trust)).await?;
        self.inner.set_federation_trust(scope, new_client_id, trust).await
    }

    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::RemoveFederationTrust(scope)).await?;
        self.inner.remove_federation_trust(scope).await
    }

    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        let _held = self.intercept.before(&self.inner, Call::SetAuthMode(scope, mode)).await?;
        self.inner.set_auth_mode(scope, mode).await
    }

    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::InsertAccessToken(&record)).await?;
        self.inner.insert_access_token(record, now).await
    }

    async fn find_access_token(&self, id: &TokenId) -> Result<Option<AccessTokenLookup>, StoreError> {
        let _held = self.intercept.before(&self.inner, Call::FindAccessToken(id)).await?;
        self.inner.find_access_token(id).await
    }

    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        let _held = self.intercept.before(&self.inner, Call::RecordSecretUse(id, at)).await?;
        self.inner.record_secret_use(id, at).await
    }
}

/// An intercept that lets every call through and owns `G` (a temporary file or schema), dropped after
/// the store: what a conformance run on a fresh file or schema per test wraps its store in.
#[derive(Default)]
pub struct Keep<G>(pub G);

#[async_trait]
impl<S: Sync, G: Send + Sync + 'static> Intercept<S> for Keep<G> {
    type Held = ();

    async fn before(&self, _: &S, _: Call<'_>) -> Result<(), StoreError> {
        Ok(())
    }
}
