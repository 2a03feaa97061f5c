//! For backend authors: the storage contract ([`TokenStore`]) and the types it exchanges with the
//! service. A host that only uses a store never names anything here but [`TokenStore`] (also at the
//! crate root, for `Arc<dyn TokenStore>`) and, to match on the cause of an
//! [`Error::Store`](crate::Error::Store), [`StoreError`].
//!
//! [`TokenIdMap`] and [`TokenIdHasher`] are speed helpers for a store that keeps records in memory:
//! token ids are already uniformly random, so hashing them again is wasted work.

use std::sync::Arc;

use async_trait::async_trait;

use crate::ids::{Scope, TokenId};
use crate::time::Timestamp;

pub use crate::error::{StoreError, StoreErrorKind};
pub use crate::ids::{TokenIdHasher, TokenIdMap};
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
}
