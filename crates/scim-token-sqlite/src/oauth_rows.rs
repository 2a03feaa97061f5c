//! OAuth rows ↔ records: the columns each OAuth query selects, read raw and then validated into core
//! types (split for the reason given in `rows.rs`: a row callback can only fail with a `rusqlite::Error`).

use rusqlite::Row;
use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientSecretRecord, FederationTrust, MintedBy,
};
use scim_token_core::{Actor, ClientId, Scope, Timestamp, TokenId};

use crate::error::DbError;

/// The columns a secret query selects, in [`RawSecret::read`]'s order.
pub(crate) const SECRET_COLUMNS: &str = "id, hash, created_at, created_by, expires_at, last_used_at";

/// The columns a trust query selects, in [`RawTrust::read`]'s order.
pub(crate) const TRUST_COLUMNS: &str =
    "id, issuer, jwks_url, subject, audience, tenant_id, created_at, created_by";

/// A macro, not a const, so the hot look-up can be built with `concat!` (see `token_columns!`).
macro_rules! access_token_columns {
    () => {
        "t.id, t.scope, t.client_id, t.secret_id, t.trust_id, t.hash, t.issued_at, t.expires_at"
    };
}
pub(crate) use access_token_columns;

/// How many columns [`access_token_columns!`] names.
pub(crate) const ACCESS_TOKEN_COLUMN_COUNT: usize = 8;

/// The core's messages name the rule, never the value, so they are safe to pass on.
fn invalid(what: &'static str) -> impl Fn(scim_token_core::Error) -> DbError {
    move |error| DbError::InvalidRow { what, reason: error.to_string() }
}

pub(crate) fn token_id(what: &'static str, id: String) -> Result<TokenId, DbError> {
    TokenId::new(id).map_err(invalid(what))
}

pub(crate) fn client_id(id: String) -> Result<ClientId, DbError> {
    ClientId::new(id).map_err(invalid("client id"))
}

pub(crate) fn auth_mode(name: &str) -> Result<AuthMode, DbError> {
    AuthMode::from_name(name).ok_or_else(|| DbError::InvalidRow {
        what: "auth_mode",
        reason: "not one of any, static, oauth".to_owned(),
    })
}

/// A `oauth_secrets` row, not yet validated.
pub(crate) struct RawSecret {
    id: String,
    hash: String,
    created_at: i64,
    created_by: String,
    expires_at: i64,
    last_used_at: Option<i64>,
}

impl RawSecret {
    /// Reads [`SECRET_COLUMNS`].
    pub(crate) fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            hash: row.get(1)?,
            created_at: row.get(2)?,
            created_by: row.get(3)?,
            expires_at: row.get(4)?,
            last_used_at: row.get(5)?,
        })
    }

    pub(crate) fn into_record(self) -> Result<ClientSecretRecord, DbError> {
        Ok(ClientSecretRecord {
            id: token_id("client secret id", self.id)?,
            hash: self.hash.into(),
            created_at: Timestamp::from_unix_millis(self.created_at),
            created_by: Actor::new(self.created_by).map_err(invalid("created_by"))?,
            expires_at: Timestamp::from_unix_millis(self.expires_at),
            last_used_at: self.last_used_at.map(Timestamp::from_unix_millis),
        })
    }
}

/// A `oauth_trusts` row, not yet validated.
pub(crate) struct RawTrust {
    id: String,
    issuer: String,
    jwks_url: String,
    subject: String,
    audience: String,
    tenant_id: Option<String>,
    created_at: i64,
    created_by: String,
}

impl RawTrust {
    /// Reads [`TRUST_COLUMNS`].
    pub(crate) fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            issuer: row.get(1)?,
            jwks_url: row.get(2)?,
            subject: row.get(3)?,
            audience: row.get(4)?,
            tenant_id: row.get(5)?,
            created_at: row.get(6)?,
            created_by: row.get(7)?,
        })
    }

    pub(crate) fn into_record(self) -> Result<FederationTrust, DbError> {
        Ok(FederationTrust {
            id: token_id("federation trust id", self.id)?,
            issuer: self.issuer,
            jwks_url: self.jwks_url,
            subject: self.subject,
            audience: self.audience,
            tenant_id: self.tenant_id,
            created_at: Timestamp::from_unix_millis(self.created_at),
            created_by: Actor::new(self.created_by).map_err(invalid("created_by"))?,
        })
    }
}

/// An `oauth_access_tokens` row with its scope's flag and mode, not yet validated.
pub(crate) struct RawAccessToken {
    id: String,
    scope: String,
    client_id: String,
    secret_id: Option<String>,
    trust_id: Option<String>,
    hash: String,
    issued_at: i64,
    expires_at: i64,
    scope_enabled: bool,
    auth_mode: String,
}

impl RawAccessToken {
    /// Reads [`access_token_columns!`], then the scope's enabled flag and auth mode.
    pub(crate) fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            scope: row.get(1)?,
            client_id: row.get(2)?,
            secret_id: row.get(3)?,
            trust_id: row.get(4)?,
            hash: row.get(5)?,
            issued_at: row.get(6)?,
            expires_at: row.get(7)?,
            scope_enabled: row.get(ACCESS_TOKEN_COLUMN_COUNT)?,
            auth_mode: row.get(ACCESS_TOKEN_COLUMN_COUNT + 1)?,
        })
    }

    pub(crate) fn into_lookup(self) -> Result<AccessTokenLookup, DbError> {
        let minted_by = match (self.secret_id, self.trust_id) {
            (Some(secret), None) => MintedBy::Secret(token_id("client secret id", secret)?),
            (None, Some(trust)) => MintedBy::Trust(token_id("federation trust id", trust)?),
            _ => {
                return Err(DbError::InvalidRow {
                    what: "access token credential",
                    reason: "exactly one of secret_id and trust_id must be set".to_owned(),
                });
            }
        };
        Ok(AccessTokenLookup {
            record: AccessTokenRecord {
                id: token_id("access token id", self.id)?,
                scope: Scope::new(self.scope).map_err(invalid("scope"))?,
                minted_by,
                hash: self.hash.into(),
                issued_at: Timestamp::from_unix_millis(self.issued_at),
                expires_at: Timestamp::from_unix_millis(self.expires_at),
            },
            client_id: client_id(self.client_id)?,
            scope_enabled: self.scope_enabled,
            auth_mode: auth_mode(&self.auth_mode)?,
        })
    }
}
