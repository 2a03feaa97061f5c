//! The OAuth half of the store: clients, their secrets and federation trust, and the access tokens they
//! mint. Each write is one `BEGIN IMMEDIATE` transaction, like `replace_current`, so it is atomic across
//! handles and processes; a write that deletes a credential deletes its access tokens in the same
//! transaction, explicitly, to return their ids (the foreign keys' cascade is the backstop).

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, named_params};
use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientSecretRecord, FederationTrust, MintedBy,
    OAuthState, SecretAdded,
};
use scim_token_core::{ClientId, Timestamp, TokenId};

use crate::error::DbError;
use crate::oauth_rows::{
    RawAccessToken, RawSecret, RawTrust, SECRET_COLUMNS, TRUST_COLUMNS, access_token_columns, auth_mode,
    client_id, token_id,
};

/// The hot read, run on every SCIM request that presents an access token: the token by primary key and
/// its scope's row by primary key. A token's scope always exists (foreign key), so an inner join.
pub(crate) const FIND_ACCESS_TOKEN: &str = concat!(
    "SELECT ",
    access_token_columns!(),
    ", s.enabled, s.auth_mode FROM oauth_access_tokens t JOIN scopes s ON s.scope = t.scope WHERE t.id = ?1"
);

/// The scope's flag, mode and client in one row; no row for a scope never written.
const SCOPE_CLIENT: &str = "SELECT s.enabled, s.auth_mode, c.client_id \
    FROM scopes s LEFT JOIN oauth_clients c ON c.scope = s.scope WHERE s.scope = ?1";
const CLIENT_SCOPE: &str = "SELECT scope FROM oauth_clients WHERE client_id = ?1";
const CLIENT_OF_SCOPE: &str = "SELECT client_id FROM oauth_clients WHERE scope = ?1";
const CREATE_SCOPE: &str =
    "INSERT INTO scopes (scope, enabled) VALUES (?1, 0) ON CONFLICT (scope) DO NOTHING";
const CREATE_CLIENT: &str = "INSERT INTO oauth_clients (client_id, scope, created_at, created_by) \
    VALUES (?1, ?2, ?3, ?4)";
const SET_AUTH_MODE: &str = "INSERT INTO scopes (scope, enabled, auth_mode) VALUES (?1, 0, ?2) \
    ON CONFLICT (scope) DO UPDATE SET auth_mode = excluded.auth_mode";

const COUNT_UNEXPIRED_SECRETS: &str =
    "SELECT count(*) FROM oauth_secrets WHERE client_id = ?1 AND expires_at > ?2";
const INSERT_SECRET: &str = "INSERT INTO oauth_secrets \
    (id, client_id, hash, created_at, created_by, expires_at, last_used_at) \
    VALUES (:id, :client_id, :hash, :created_at, :created_by, :expires_at, :last_used_at)";
/// The client of secret `?1`, if it belongs to scope `?2`.
const SECRET_CLIENT_IN_SCOPE: &str = "SELECT c.client_id FROM oauth_secrets x \
    JOIN oauth_clients c ON c.client_id = x.client_id WHERE x.id = ?1 AND c.scope = ?2";
const DELETE_SECRET_TOKENS: &str = "DELETE FROM oauth_access_tokens WHERE secret_id = ?1 RETURNING id";
const DELETE_SECRET: &str = "DELETE FROM oauth_secrets WHERE id = ?1";
/// Takes no lock beyond SQLite's write lock, which every write takes; see `record_use`.
const RECORD_SECRET_USE: &str = "UPDATE oauth_secrets SET last_used_at = ?2 WHERE id = ?1";

const INSERT_TRUST: &str = "INSERT INTO oauth_trusts \
    (id, client_id, issuer, jwks_url, subject, audience, tenant_id, created_at, created_by) \
    VALUES (:id, :client_id, :issuer, :jwks_url, :subject, :audience, :tenant_id, :created_at, :created_by)";
/// The trust of scope `?1`'s client.
const TRUST_OF_SCOPE: &str = "SELECT x.id FROM oauth_trusts x \
    JOIN oauth_clients c ON c.client_id = x.client_id WHERE c.scope = ?1";
/// The client of trust `?1`, if it belongs to scope `?2`.
const TRUST_CLIENT_IN_SCOPE: &str = "SELECT c.client_id FROM oauth_trusts x \
    JOIN oauth_clients c ON c.client_id = x.client_id WHERE x.id = ?1 AND c.scope = ?2";
const DELETE_TRUST_TOKENS: &str = "DELETE FROM oauth_access_tokens WHERE trust_id = ?1 RETURNING id";
const DELETE_TRUST: &str = "DELETE FROM oauth_trusts WHERE id = ?1";

const INSERT_ACCESS_TOKEN: &str = "INSERT INTO oauth_access_tokens \
    (id, scope, client_id, secret_id, trust_id, hash, issued_at, expires_at) \
    VALUES (:id, :scope, :client_id, :secret_id, :trust_id, :hash, :issued_at, :expires_at)";
/// Expired at `?2` under the core's rule (`now >= expires_at`).
const TRIM_SECRET_TOKENS: &str = "DELETE FROM oauth_access_tokens WHERE secret_id = ?1 AND expires_at <= ?2";
const TRIM_TRUST_TOKENS: &str = "DELETE FROM oauth_access_tokens WHERE trust_id = ?1 AND expires_at <= ?2";

pub(crate) fn find_access_token(conn: &Connection, id: &str) -> Result<Option<AccessTokenLookup>, DbError> {
    let raw = conn.prepare_cached(FIND_ACCESS_TOKEN)?.query_row([id], RawAccessToken::read).optional()?;
    raw.map(RawAccessToken::into_lookup).transpose()
}

/// Everything stored for `scope`'s client. Runs several statements: call it inside a transaction, so
/// they read one snapshot.
pub(crate) fn load_oauth(conn: &Connection, scope: &str) -> Result<OAuthState, DbError> {
    let row = conn
        .prepare_cached(SCOPE_CLIENT)?
        .query_row([scope], |row| {
            Ok((row.get::<_, bool>(0)?, row.get::<_, String>(1)?, row.get::<_, Option<String>>(2)?))
        })
        .optional()?;
    let Some((scope_enabled, mode, client)) = row else { return Ok(OAuthState::default()) };
    let mut state = OAuthState { scope_enabled, auth_mode: auth_mode(&mode)?, ..OAuthState::default() };
    let Some(client) = client else { return Ok(state) };
    state.secrets = conn
        .prepare_cached(&format!(
            "SELECT {SECRET_COLUMNS} FROM oauth_secrets WHERE client_id = ?1 ORDER BY created_at, id"
        ))?
        .query_map([&client], RawSecret::read)?
        .map(|raw| raw.map_err(DbError::from).and_then(RawSecret::into_record))
        .collect::<Result<_, _>>()?;
    state.trust = conn
        .prepare_cached(&format!("SELECT {TRUST_COLUMNS} FROM oauth_trusts WHERE client_id = ?1"))?
        .query_row([&client], RawTrust::read)
        .optional()?
        .map(RawTrust::into_record)
        .transpose()?;
    state.client_id = Some(client_id(client)?);
    Ok(state)
}

/// The scope of `client_id`, if any. Call it, then [`load_oauth`], inside one transaction.
pub(crate) fn client_scope(conn: &Connection, client_id: &str) -> Result<Option<String>, DbError> {
    Ok(conn.prepare_cached(CLIENT_SCOPE)?.query_row([client_id], |row| row.get(0)).optional()?)
}

/// IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so no other writer can slip
/// in between our reads and writes: the scope's lock of the storage contract.
fn immediate(conn: &mut Connection) -> Result<Transaction<'_>, DbError> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

fn client_of_scope(tx: &Transaction<'_>, scope: &str) -> Result<Option<String>, DbError> {
    Ok(tx.prepare_cached(CLIENT_OF_SCOPE)?.query_row([scope], |row| row.get(0)).optional()?)
}

/// `scope`'s client id, creating the scope (disabled) and the client as `new_client_id` if needed. A
/// `new_client_id` another scope holds fails on the primary key.
fn ensure_client(
    tx: &Transaction<'_>,
    scope: &str,
    new_client_id: &ClientId,
    created_at: Timestamp,
    created_by: &str,
) -> Result<String, DbError> {
    tx.prepare_cached(CREATE_SCOPE)?.execute([scope])?;
    if let Some(existing) = client_of_scope(tx, scope)? {
        return Ok(existing);
    }
    tx.prepare_cached(CREATE_CLIENT)?.execute((
        new_client_id.as_str(),
        scope,
        created_at.unix_millis(),
        created_by,
    ))?;
    Ok(new_client_id.as_str().to_owned())
}

fn deleted_ids(tx: &Transaction<'_>, sql: &str, credential: &str) -> Result<Vec<TokenId>, DbError> {
    let ids = tx
        .prepare_cached(sql)?
        .query_map([credential], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    ids.into_iter().map(|id| token_id("access token id", id)).collect()
}

pub(crate) fn add_client_secret(
    conn: &mut Connection,
    scope: &str,
    new_client_id: &ClientId,
    secret: &ClientSecretRecord,
    max_unexpired: usize,
    now: Timestamp,
) -> Result<SecretAdded, DbError> {
    let tx = immediate(conn)?;
    let unexpired = match client_of_scope(&tx, scope)? {
        Some(client) => tx
            .prepare_cached(COUNT_UNEXPIRED_SECRETS)?
            .query_row((client, now.unix_millis()), |row| row.get::<_, i64>(0))?,
        None => 0,
    };
    if usize::try_from(unexpired).map_or(true, |count| count >= max_unexpired) {
        // Dropping the transaction rolls it back: nothing was written anyway.
        return Ok(SecretAdded::LimitReached);
    }
    let client = ensure_client(&tx, scope, new_client_id, secret.created_at, secret.created_by.as_str())?;
    tx.prepare_cached(INSERT_SECRET)?.execute(named_params! {
        ":id": secret.id.as_str(),
        ":client_id": client,
        ":hash": &*secret.hash,
        ":created_at": secret.created_at.unix_millis(),
        ":created_by": secret.created_by.as_str(),
        ":expires_at": secret.expires_at.unix_millis(),
        ":last_used_at": secret.last_used_at.map(Timestamp::unix_millis),
    })?;
    tx.commit()?;
    Ok(SecretAdded::Added { client_id: client_id(client)? })
}

pub(crate) fn remove_client_secret(
    conn: &mut Connection,
    scope: &str,
    id: &str,
) -> Result<Option<Vec<TokenId>>, DbError> {
    let tx = immediate(conn)?;
    let held = tx
        .prepare_cached(SECRET_CLIENT_IN_SCOPE)?
        .query_row((id, scope), |row| row.get::<_, String>(0))
        .optional()?;
    if held.is_none() {
        return Ok(None);
    }
    let tokens = deleted_ids(&tx, DELETE_SECRET_TOKENS, id)?;
    tx.prepare_cached(DELETE_SECRET)?.execute([id])?;
    tx.commit()?;
    Ok(Some(tokens))
}

pub(crate) fn set_federation_trust(
    conn: &mut Connection,
    scope: &str,
    new_client_id: &ClientId,
    trust: &FederationTrust,
) -> Result<(ClientId, Vec<TokenId>), DbError> {
    let tx = immediate(conn)?;
    let client = ensure_client(&tx, scope, new_client_id, trust.created_at, trust.created_by.as_str())?;
    let replaced =
        tx.prepare_cached(TRUST_OF_SCOPE)?.query_row([scope], |row| row.get::<_, String>(0)).optional()?;
    let mut tokens = Vec::new();
    if let Some(replaced) = replaced {
        tokens = deleted_ids(&tx, DELETE_TRUST_TOKENS, &replaced)?;
        tx.prepare_cached(DELETE_TRUST)?.execute([&replaced])?;
    }
    tx.prepare_cached(INSERT_TRUST)?.execute(named_params! {
        ":id": trust.id.as_str(),
        ":client_id": client,
        ":issuer": trust.issuer,
        ":jwks_url": trust.jwks_url,
        ":subject": trust.subject,
        ":audience": trust.audience,
        ":tenant_id": trust.tenant_id,
        ":created_at": trust.created_at.unix_millis(),
        ":created_by": trust.created_by.as_str(),
    })?;
    tx.commit()?;
    Ok((client_id(client)?, tokens))
}

pub(crate) fn remove_federation_trust(
    conn: &mut Connection,
    scope: &str,
) -> Result<Option<Vec<TokenId>>, DbError> {
    let tx = immediate(conn)?;
    let trust =
        tx.prepare_cached(TRUST_OF_SCOPE)?.query_row([scope], |row| row.get::<_, String>(0)).optional()?;
    let Some(trust) = trust else { return Ok(None) };
    let tokens = deleted_ids(&tx, DELETE_TRUST_TOKENS, &trust)?;
    tx.prepare_cached(DELETE_TRUST)?.execute([&trust])?;
    tx.commit()?;
    Ok(Some(tokens))
}

/// One statement: atomic on its own.
pub(crate) fn set_auth_mode(conn: &Connection, scope: &str, mode: AuthMode) -> Result<(), DbError> {
    conn.prepare_cached(SET_AUTH_MODE)?.execute((scope, mode.as_str()))?;
    Ok(())
}

pub(crate) fn insert_access_token(
    conn: &mut Connection,
    record: &AccessTokenRecord,
    now: Timestamp,
) -> Result<bool, DbError> {
    let tx = immediate(conn)?;
    let scope = record.scope.as_str();
    let (credential, credential_client, trim) = match &record.minted_by {
        MintedBy::Secret(id) => (id.as_str(), SECRET_CLIENT_IN_SCOPE, TRIM_SECRET_TOKENS),
        MintedBy::Trust(id) => (id.as_str(), TRUST_CLIENT_IN_SCOPE, TRIM_TRUST_TOKENS),
    };
    let by_secret = matches!(record.minted_by, MintedBy::Secret(_));
    let client = tx
        .prepare_cached(credential_client)?
        .query_row((credential, scope), |row| row.get::<_, String>(0))
        .optional()?;
    let Some(client) = client else { return Ok(false) };
    tx.prepare_cached(trim)?.execute((credential, now.unix_millis()))?;
    tx.prepare_cached(INSERT_ACCESS_TOKEN)?.execute(named_params! {
        ":id": record.id.as_str(),
        ":scope": scope,
        ":client_id": client,
        ":secret_id": by_secret.then_some(credential),
        ":trust_id": (!by_secret).then_some(credential),
        ":hash": &*record.hash,
        ":issued_at": record.issued_at.unix_millis(),
        ":expires_at": record.expires_at.unix_millis(),
    })?;
    tx.commit()?;
    Ok(true)
}

pub(crate) fn record_secret_use(conn: &Connection, id: &str, at: Timestamp) -> Result<(), DbError> {
    conn.prepare_cached(RECORD_SECRET_USE)?.execute((id, at.unix_millis()))?;
    Ok(())
}
