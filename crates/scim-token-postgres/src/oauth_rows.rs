//! Row ↔ record conversion for the OAuth tables: PostgreSQL values in, validated core types out.

use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientSecretRecord, FederationTrust, MintedBy, OAuthState,
};
use scim_token_core::{Actor, ClientId, Scope, Timestamp, TokenId};
use tokio_postgres::Row;

use crate::rows::RowError;

/// The columns [`read_state`] takes, in this order: the scope's, its client's, its trust's (all NULL
/// without one), then one secret's (NULL without any). One row per secret, oldest first.
macro_rules! state_columns {
    () => {
        "s.scope, s.enabled, s.auth_mode, c.client_id, \
         tr.id, tr.issuer, tr.jwks_url, tr.subject, tr.audience, tr.tenant_id, tr.created_at, tr.created_by, \
         x.id, x.hash, x.created_at, x.created_by, x.expires_at, x.last_used_at"
    };
}
pub(crate) use state_columns;

/// The joins [`state_columns!`] reads from, after `FROM`.
macro_rules! state_joins {
    () => {
        "LEFT JOIN {s}.oauth_trusts tr ON tr.client_id = c.client_id \
         LEFT JOIN {s}.oauth_secrets x ON x.client_id = c.client_id"
    };
}
pub(crate) use state_joins;

/// The columns [`read_access_token`] takes, in this order.
macro_rules! access_token_columns {
    () => {
        "a.id, a.scope, a.secret_id, a.trust_id, a.hash, a.issued_at, a.expires_at, a.client_id, s.enabled, \
         s.auth_mode"
    };
}
pub(crate) use access_token_columns;

/// Where the trust's columns start in [`state_columns!`].
const TRUST_AT: usize = 4;
/// Where the secret's columns start in [`state_columns!`].
const SECRET_AT: usize = 12;

/// A core validation failure, named: the core's messages name the rule, never the value.
fn invalid(what: &'static str) -> impl Fn(scim_token_core::Error) -> RowError {
    move |error| RowError::Invalid { what, reason: error.to_string() }
}

/// Reads an `auth_mode` column.
pub(crate) fn read_auth_mode(row: &Row, at: usize) -> Result<AuthMode, RowError> {
    let name: &str = row.try_get(at)?;
    AuthMode::from_name(name)
        .ok_or_else(|| RowError::Invalid { what: "auth mode", reason: "not any, static or oauth".to_owned() })
}

fn read_id(row: &Row, at: usize, what: &'static str) -> Result<TokenId, RowError> {
    TokenId::new(row.try_get::<_, &str>(at)?).map_err(invalid(what))
}

fn read_millis(row: &Row, at: usize) -> Result<Option<Timestamp>, RowError> {
    Ok(row.try_get::<_, Option<i64>>(at)?.map(Timestamp::from_unix_millis))
}

/// Reads the rows of one scope's [`state_columns!`] (none: a scope never written to) into its state,
/// with the scope's name.
pub(crate) fn read_state(rows: &[Row]) -> Result<Option<(Scope, OAuthState)>, RowError> {
    let Some(first) = rows.first() else { return Ok(None) };
    let scope = Scope::new(first.try_get::<_, &str>(0)?).map_err(invalid("scope"))?;
    let mut state = OAuthState {
        scope_enabled: first.try_get(1)?,
        auth_mode: read_auth_mode(first, 2)?,
        client_id: first
            .try_get::<_, Option<&str>>(3)?
            .map(|id| ClientId::new(id).map_err(invalid("client id")))
            .transpose()?,
        ..OAuthState::default()
    };
    if first.try_get::<_, Option<&str>>(TRUST_AT)?.is_some() {
        state.trust = Some(read_trust(first, TRUST_AT)?);
    }
    for row in rows {
        if row.try_get::<_, Option<&str>>(SECRET_AT)?.is_some() {
            state.secrets.push(read_secret(row, SECRET_AT)?);
        }
    }
    Ok(Some((scope, state)))
}

fn read_trust(row: &Row, at: usize) -> Result<FederationTrust, RowError> {
    Ok(FederationTrust {
        id: read_id(row, at, "trust id")?,
        issuer: row.try_get(at + 1)?,
        jwks_url: row.try_get(at + 2)?,
        subject: row.try_get(at + 3)?,
        audience: row.try_get(at + 4)?,
        tenant_id: row.try_get(at + 5)?,
        created_at: Timestamp::from_unix_millis(row.try_get(at + 6)?),
        created_by: Actor::new(row.try_get::<_, &str>(at + 7)?).map_err(invalid("created_by"))?,
    })
}

fn read_secret(row: &Row, at: usize) -> Result<ClientSecretRecord, RowError> {
    Ok(ClientSecretRecord {
        id: read_id(row, at, "secret id")?,
        hash: row.try_get::<_, &str>(at + 1)?.into(),
        created_at: Timestamp::from_unix_millis(row.try_get(at + 2)?),
        created_by: Actor::new(row.try_get::<_, &str>(at + 3)?).map_err(invalid("created_by"))?,
        expires_at: Timestamp::from_unix_millis(row.try_get(at + 4)?),
        last_used_at: read_millis(row, at + 5)?,
    })
}

/// Reads [`access_token_columns!`].
pub(crate) fn read_access_token(row: &Row) -> Result<AccessTokenLookup, RowError> {
    let minted_by = match (row.try_get::<_, Option<&str>>(2)?, row.try_get::<_, Option<&str>>(3)?) {
        (Some(_), None) => MintedBy::Secret(read_id(row, 2, "secret id")?),
        (None, Some(_)) => MintedBy::Trust(read_id(row, 3, "trust id")?),
        _ => {
            return Err(RowError::Invalid {
                what: "access token",
                reason: "it names not exactly one credential".to_owned(),
            });
        }
    };
    let record = AccessTokenRecord {
        id: read_id(row, 0, "access token id")?,
        scope: Scope::new(row.try_get::<_, &str>(1)?).map_err(invalid("scope"))?,
        minted_by,
        hash: row.try_get::<_, &str>(4)?.into(),
        issued_at: Timestamp::from_unix_millis(row.try_get(5)?),
        expires_at: Timestamp::from_unix_millis(row.try_get(6)?),
    };
    Ok(AccessTokenLookup {
        record,
        client_id: ClientId::new(row.try_get::<_, &str>(7)?).map_err(invalid("client id"))?,
        scope_enabled: row.try_get(8)?,
        auth_mode: read_auth_mode(row, 9)?,
    })
}

/// Reads a column of token ids (`RETURNING id`).
pub(crate) fn read_ids(rows: &[Row]) -> Result<Vec<TokenId>, RowError> {
    rows.iter().map(|row| read_id(row, 0, "access token id")).collect()
}
