//! What a store keeps per token and per scope. No plaintext token is ever part of it.

use std::fmt;
use std::sync::Arc;

use crate::ids::{Actor, Scope, TokenId};
use crate::time::Timestamp;

/// One issued token as stored: its public id, its Argon2id hash and its metadata.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The public id (selector) that finds this record.
    pub id: TokenId,
    /// The scope the token belongs to.
    pub scope: Scope,
    /// The Argon2id PHC string of the whole token, e.g. `$argon2id$v=19$m=19456,t=2,p=1$…`. Shared, so
    /// a store can hand out copies of a record without copying it.
    pub hash: Arc<str>,
    /// When it was generated.
    pub created_at: Timestamp,
    /// Who generated it.
    pub created_by: Actor,
    /// When it stops being accepted, if ever.
    pub expires_at: Option<Timestamp>,
    /// When it was last accepted, written at most about once a minute.
    pub last_used_at: Option<Timestamp>,
    /// When it was first accepted: set once, by the [`record_use`](crate::TokenStore::record_use) that
    /// finds no `last_used_at` yet, then kept. Empty for a token never used, and for one last used before
    /// its store kept this (a database upgraded from an earlier schema): that first use is unknown.
    pub first_used_at: Option<Timestamp>,
}

impl TokenRecord {
    /// The record's metadata, without the hash.
    pub fn info(&self) -> TokenInfo {
        TokenInfo {
            id: self.id,
            created_at: self.created_at,
            created_by: self.created_by.clone(),
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
            first_used_at: self.first_used_at,
        }
    }
}

// The hash is not the token, but there is no reason to spread it through logs either.
impl fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRecord")
            .field("id", &self.id)
            .field("scope", &self.scope)
            .field("hash", &"[redacted]")
            .field("created_at", &self.created_at)
            .field("created_by", &self.created_by)
            .field("expires_at", &self.expires_at)
            .field("last_used_at", &self.last_used_at)
            .field("first_used_at", &self.first_used_at)
            .finish()
    }
}

/// A token's metadata, safe to show to an administrator. Fields may be added in a minor release: build
/// one with [`new`](Self::new), then set the optional fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The public id.
    pub id: TokenId,
    /// When it was generated.
    pub created_at: Timestamp,
    /// Who generated it.
    pub created_by: Actor,
    /// When it stops being accepted, if ever.
    pub expires_at: Option<Timestamp>,
    /// When it was last accepted (updated at most about once a minute).
    pub last_used_at: Option<Timestamp>,
    /// When it was first accepted, if the store knows (see [`TokenRecord::first_used_at`]).
    pub first_used_at: Option<Timestamp>,
}

impl TokenInfo {
    /// The metadata of token `id`, generated at `created_at` by `created_by`, with no expiry and never
    /// used.
    pub fn new(id: TokenId, created_at: Timestamp, created_by: Actor) -> Self {
        Self { id, created_at, created_by, expires_at: None, last_used_at: None, first_used_at: None }
    }
}

/// The token a rotation replaced, kept only during an opt-in overlap window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousToken {
    /// The replaced record.
    pub record: TokenRecord,
    /// The moment it stops being accepted.
    pub valid_until: Timestamp,
}

/// Everything a store holds for one scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeState {
    /// Whether SCIM provisioning is enabled. A scope never written to is disabled.
    pub enabled: bool,
    /// The current token, if one was generated and not revoked.
    pub current: Option<TokenRecord>,
    /// The previous token, only while an overlap window keeps it.
    pub previous: Option<PreviousToken>,
}

/// Whether a looked-up record is its scope's current token or the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRole {
    /// The scope's current token.
    Current,
    /// The token the last rotation replaced, kept for an overlap window.
    Previous {
        /// The moment it stops being accepted.
        valid_until: Timestamp,
    },
}

/// What [`TokenStore::find_token`](crate::TokenStore::find_token) returns: all verify needs, in one read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenLookup {
    /// The record.
    pub record: TokenRecord,
    /// Current or previous.
    pub role: TokenRole,
    /// Whether the record's scope has SCIM provisioning enabled.
    pub scope_enabled: bool,
    /// Which credentials the record's scope accepts: a static token is refused under
    /// [`AuthMode::OAuthOnly`](crate::oauth::AuthMode::OAuthOnly).
    pub auth_mode: crate::oauth::AuthMode,
}
