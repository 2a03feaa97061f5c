//! For backend authors: the storage contract ([`TokenStore`]) and the types it exchanges with the
//! service. A host that only uses a store never names anything here but [`TokenStore`] (also at the
//! crate root, for `Arc<dyn TokenStore>`) and, to match on the cause of an
//! [`Error::Store`](crate::Error::Store), [`StoreError`].
//!
//! [`TokenIdMap`] and [`TokenIdHasher`] are speed helpers for a store that keeps records in memory:
//! token ids are already uniformly random, so hashing them again is wasted work.

use std::sync::Arc;

use async_trait::async_trait;

use crate::ids::{ClientId, Scope, TokenId};
use crate::oauth::{AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord};
use crate::oauth::{FederationTrust, OAuthState, SecretAdded};
use crate::time::Timestamp;

pub use crate::error::{StoreError, StoreErrorKind};
pub use crate::ids::{TokenIdHasher, TokenIdMap};
pub use crate::oauth::UnsupportedByStore;
pub use crate::record::{PreviousToken, ScopeState, TokenLookup, TokenRecord};

/// Where tokens and settings live. Small and object-safe: use it as `Arc<dyn TokenStore>`.
///
/// A store holds storage code only; every rule (expiry, overlap, enabled, hashing) lives in
/// [`ScimTokenService`](crate::ScimTokenService). What a store must guarantee:
///
/// - [`replace_current`](Self::replace_current) is **one atomic operation**: readers, other handles and
///   other processes see either the old state or the new one, never a mix, and a crash leaves one of the two.
/// - A scope never written to reads as [`ScopeState::default()`] (disabled, no token).
/// - Token ids are unique across scopes; the service generates them at random.
///
/// Run the conformance suite (`testkit` feature, [`token_store_conformance!`](crate::token_store_conformance))
/// against your backend to check these.
///
/// # Concurrent rotations, from one process or many
///
/// Several service instances (threads, processes, machines behind a load balancer) may call
/// [`replace_current`](Self::replace_current) for one scope at the same moment. Every such call must
/// succeed and leave exactly one current token. A backend shared between processes gets this by
/// **serializing every write to a scope's tokens**:
///
/// - Take a lock that belongs to the scope first, in the same transaction as the writes, and hold it to
///   the commit: e.g. `SELECT … FOR UPDATE` on the scope's row (created if missing with
///   `INSERT … ON CONFLICT DO NOTHING`, which itself waits for a concurrent creator), SQLite's
///   `BEGIN IMMEDIATE`, a mutex in memory. `remove_tokens` and `remove_token` take the same lock.
/// - Read and write the scope's tokens only once the lock is held, seeing the previous holder's commit
///   (read committed, or a fresh snapshot): a rotation that worked from a snapshot taken before the lock
///   would delete nothing and add a second current token.
/// - Make the caller wait for the lock (bounded by a timeout that fails as
///   [`StoreErrorKind::Busy`]), rather than failing on a unique-index
///   violation or a serialization error and leaving a retry to it. Keep a unique index on
///   `(scope, role)` anyway, as a backstop that refuses a second current token.
/// - Keep the lock order one-way (scope, then its tokens). [`record_use`](Self::record_use) runs on the
///   verify path: it must not take the scope's lock, nor wait for a rotation (skip a row a rotation
///   holds; a lost `last_used_at` write is harmless). [`find_token`](Self::find_token) takes no lock.
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// Everything stored for `scope`.
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError>;

    /// The record with this id, current or previous, in any scope, with its role and its scope's flag.
    /// Called on every verification: make it one indexed read.
    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError>;

    /// Atomically makes `record` the current token of `record.scope`.
    ///
    /// With `keep_previous_until: None` every earlier token of the scope is deleted. With `Some(t)` the
    /// replaced current token becomes the previous one, valid until `t`, and any older previous is deleted.
    /// The scope's enabled flag is unchanged (a new scope is created disabled).
    async fn replace_current(
        &self,
        record: TokenRecord,
        keep_previous_until: Option<Timestamp>,
    ) -> Result<(), StoreError>;

    /// Atomically deletes the current and previous tokens of `scope`, returning the ids deleted.
    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError>;

    /// Atomically deletes the one token `id` of `scope`, current or previous, returning whether `scope`
    /// held it. A token of another scope is left alone (`false`). Deleting the current token leaves the
    /// scope without one; a previous token, if any, keeps its role and its window.
    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError>;

    /// Sets `scope`'s enabled flag, creating the scope if needed. Tokens are untouched.
    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError>;

    /// Sets the token's `last_used_at` to `at` and, if it had none yet (its first recorded use), its
    /// `first_used_at` too, in one write; a `first_used_at` once set is never changed. An unknown id is
    /// not an error: it may have just been rotated away.
    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError>;

    // ---- OAuth 2.0 clients (client credentials and federation). A store that does not implement these
    // keeps working for static tokens: reads find nothing, writes fail with `UnsupportedByStore`. The
    // same rules hold as above: every write is one atomic operation under the scope's lock, and a write
    // that removes a credential removes every access token it minted in that same operation.

    /// Everything stored for `scope`'s OAuth client, with the scope's enabled flag and [`AuthMode`].
    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        let state = self.load_scope(scope).await?;
        Ok(OAuthState { scope_enabled: state.enabled, ..OAuthState::default() })
    }

    /// The client named `client_id` and its scope's OAuth state, in one read (the token endpoint's).
    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        let _ = client_id;
        Ok(None)
    }

    /// Atomically adds `secret` to `scope`'s client, creating the client as `new_client_id` if the scope
    /// has none (an existing client keeps its id; `new_client_id` is then ignored), unless the scope
    /// already holds `max_unexpired` secrets that have not expired at `now`: then nothing is stored.
    /// Creates the scope (disabled) if needed. A `new_client_id` taken by another scope is an error
    /// ([`StoreErrorKind::Other`]): the service draws ids at random, so this does not happen in practice.
    async fn add_client_secret(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        secret: ClientSecretRecord,
        max_unexpired: usize,
        now: Timestamp,
    ) -> Result<SecretAdded, StoreError> {
        let _ = (scope, new_client_id, secret, max_unexpired, now);
        Err(StoreError::new(UnsupportedByStore))
    }

    /// Atomically deletes `scope`'s client secret `id` and every access token it minted, returning the
    /// ids of those tokens; `None`, and nothing changed, if `scope` has no such secret.
    async fn remove_client_secret(
        &self,
        scope: &Scope,
        id: &TokenId,
    ) -> Result<Option<Vec<TokenId>>, StoreError> {
        let _ = (scope, id);
        Ok(None)
    }

    /// Atomically makes `trust` `scope`'s federation trust, creating the client as `new_client_id` if the
    /// scope has none, and deletes the replaced trust with every access token it minted. Returns the
    /// scope's client id and the ids of the deleted tokens. Creates the scope (disabled) if needed.
    async fn set_federation_trust(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        let _ = (scope, new_client_id, trust);
        Err(StoreError::new(UnsupportedByStore))
    }

    /// Atomically deletes `scope`'s federation trust and every access token it minted, returning the ids
    /// of those tokens; `None`, and nothing changed, if `scope` has no trust.
    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        let _ = scope;
        Ok(None)
    }

    /// Sets which credentials `scope` accepts, creating the scope (disabled) if needed.
    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        let _ = (scope, mode);
        Err(StoreError::new(UnsupportedByStore))
    }

    /// Stores a minted access token if the credential that minted it (`record.minted_by`) still exists in
    /// `record.scope`, returning `false` and storing nothing otherwise (it was deleted meanwhile). In the
    /// same write, deletes the access tokens of that credential that expired before `now`, so the table
    /// does not grow with every mint.
    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let _ = (record, now);
        Err(StoreError::new(UnsupportedByStore))
    }

    /// The access token with this id, with its scope's client id, enabled flag and [`AuthMode`]. Called
    /// on every SCIM request that presents an access token: make it one indexed read, like
    /// [`find_token`](Self::find_token), and take no lock.
    async fn find_access_token(&self, id: &TokenId) -> Result<Option<AccessTokenLookup>, StoreError> {
        let _ = id;
        Ok(None)
    }

    /// Sets client secret `id`'s `last_used_at` to `at` (the token endpoint accepted it). An unknown id is
    /// not an error; like [`record_use`](Self::record_use), take no scope lock and skip a row a write holds.
    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        let _ = (id, at);
        Ok(())
    }
}

/// Shared handles are stores too, so a service can be built from an `Arc<dyn TokenStore>`.
#[async_trait]
impl<S: TokenStore + ?Sized> TokenStore for Arc<S> {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        (**self).load_scope(scope).await
    }

    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        (**self).find_token(id).await
    }

    async fn replace_current(
        &self,
        record: TokenRecord,
        keep_previous_until: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        (**self).replace_current(record, keep_previous_until).await
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        (**self).remove_tokens(scope).await
    }

    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        (**self).remove_token(scope, id).await
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        (**self).set_enabled(scope, enabled).await
    }

    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        (**self).record_use(id, at).await
    }

    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        (**self).load_oauth(scope).await
    }

    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        (**self).find_client(client_id).await
    }

    async fn add_client_secret(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        secret: ClientSecretRecord,
        max_unexpired: usize,
        now: Timestamp,
    ) -> Result<SecretAdded, StoreError> {
        (**self).add_client_secret(scope, new_client_id, secret, max_unexpired, now).await
    }

    async fn remove_client_secret(
        &self,
        scope: &Scope,
        id: &TokenId,
    ) -> Result<Option<Vec<TokenId>>, StoreError> {
        (**self).remove_client_secret(scope, id).await
    }

    async fn set_federation_trust(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        (**self).set_federation_trust(scope, new_client_id, trust).await
    }

    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        (**self).remove_federation_trust(scope).await
    }

    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        (**self).set_auth_mode(scope, mode).await
    }

    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        (**self).insert_access_token(record, now).await
    }

    async fn find_access_token(&self, id: &TokenId) -> Result<Option<AccessTokenLookup>, StoreError> {
        (**self).find_access_token(id).await
    }

    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        (**self).record_secret_use(id, at).await
    }
}
