//! The OAuth operations on one pooled connection. Every write is one transaction that takes the scope's
//! row lock first (created if missing, as for rotations), then the credential it deletes, then that
//! credential's access tokens: one lock order for every write, so writes never deadlock one another.

use deadpool_postgres::{Client, Transaction};
use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord, FederationTrust,
    MintedBy, OAuthState, SecretAdded,
};
use scim_token_core::{ClientId, Scope, Timestamp, TokenId};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use crate::oauth_rows::{read_access_token, read_ids, read_state};
use crate::sql::Sql;
use crate::store::OpError;

pub(crate) async fn load_oauth(client: &Client, sql: &Sql, scope: &Scope) -> Result<OAuthState, OpError> {
    let statement = client.prepare_cached(&sql.oauth.load_state).await?;
    let rows = client.query(&statement, &[&scope.as_str()]).await?;
    Ok(read_state(&rows)?.map(|(_, state)| state).unwrap_or_default())
}

pub(crate) async fn find_client(
    client: &Client,
    sql: &Sql,
    client_id: &ClientId,
) -> Result<Option<ClientLookup>, OpError> {
    let statement = client.prepare_cached(&sql.oauth.find_client).await?;
    let rows = client.query(&statement, &[&client_id.as_str()]).await?;
    Ok(read_state(&rows)?.map(|(scope, state)| ClientLookup { scope, state }))
}

pub(crate) async fn find_access_token(
    client: &Client,
    sql: &Sql,
    id: TokenId,
) -> Result<Option<AccessTokenLookup>, OpError> {
    let statement = client.prepare_cached(&sql.oauth.find_access_token).await?;
    let Some(row) = client.query_opt(&statement, &[&id.as_str()]).await? else { return Ok(None) };
    Ok(Some(read_access_token(&row)?))
}

/// Creates the scope if needed and takes its row lock, for the rest of the transaction.
async fn lock_scope(tx: &Transaction<'_>, sql: &Sql, scope: &str) -> Result<(), OpError> {
    tx.execute(&tx.prepare_cached(&sql.create_scope).await?, &[&scope]).await?;
    tx.execute(&tx.prepare_cached(&sql.lock_scope).await?, &[&scope]).await?;
    Ok(())
}

/// The scope's client id and how many of its secrets have not expired at `now`; `None` without a client.
async fn client_of(
    tx: &Transaction<'_>,
    sql: &Sql,
    scope: &str,
    now: Timestamp,
) -> Result<Option<(ClientId, i64)>, OpError> {
    let statement = tx.prepare_cached(&sql.oauth.client_and_unexpired).await?;
    let Some(row) = tx.query_opt(&statement, &[&scope, &now.unix_millis()]).await? else { return Ok(None) };
    let id = ClientId::new(row.try_get::<_, &str>(0)?)
        .map_err(|error| OpError::Invalid { what: "client id", reason: error.to_string() })?;
    Ok(Some((id, row.try_get(1)?)))
}

/// The scope's client id, created as `new_client_id` (by `created`) if the scope has none.
async fn ensure_client(
    tx: &Transaction<'_>,
    sql: &Sql,
    scope: &str,
    found: Option<ClientId>,
    new_client_id: &ClientId,
    created: (Timestamp, &str),
) -> Result<ClientId, OpError> {
    if let Some(id) = found {
        return Ok(id);
    }
    let statement = tx.prepare_cached(&sql.oauth.insert_client).await?;
    let (at, by) = (created.0.unix_millis(), created.1);
    tx.execute(&statement, &[&new_client_id.as_str(), &scope, &at, &by]).await?;
    Ok(new_client_id.clone())
}

pub(crate) async fn add_client_secret(
    client: &mut Client,
    sql: &Sql,
    scope: &Scope,
    new_client_id: &ClientId,
    secret: ClientSecretRecord,
    max_unexpired: usize,
    now: Timestamp,
) -> Result<SecretAdded, OpError> {
    let scope = scope.as_str();
    let tx = client.transaction().await?;
    lock_scope(&tx, sql, scope).await?;
    // Counted under the lock, in read committed: the last writer's secret is seen, so concurrent adds
    // from any pool never pass the limit.
    let found = client_of(&tx, sql, scope, now).await?;
    let unexpired = found.as_ref().map_or(0, |(_, count)| *count);
    if usize::try_from(unexpired).unwrap_or(usize::MAX) >= max_unexpired {
        return Ok(SecretAdded::LimitReached);
    }
    let created = (secret.created_at, secret.created_by.as_str());
    let client_id = ensure_client(&tx, sql, scope, found.map(|(id, _)| id), new_client_id, created).await?;
    let (id, hash, by) = (secret.id.as_str(), &*secret.hash, secret.created_by.as_str());
    let (created_at, expires_at) = (secret.created_at.unix_millis(), secret.expires_at.unix_millis());
    let last_used_at = secret.last_used_at.map(Timestamp::unix_millis);
    let params: [&(dyn ToSql + Sync); 7] =
        [&id, &client_id.as_str(), &hash, &created_at, &by, &expires_at, &last_used_at];
    tx.execute(&tx.prepare_cached(&sql.oauth.insert_secret).await?, &params).await?;
    tx.commit().await?;
    Ok(SecretAdded::Added { client_id })
}

/// Deletes credential `id`'s access tokens, then the credential, returning the tokens' ids. The
/// credential's row must be locked already, so no mint adds a token between the two deletions.
async fn delete_credential(
    tx: &Transaction<'_>,
    delete_tokens: &str,
    delete_credential: &str,
    id: &str,
) -> Result<Vec<TokenId>, OpError> {
    let rows = tx.query(&tx.prepare_cached(delete_tokens).await?, &[&id]).await?;
    tx.execute(&tx.prepare_cached(delete_credential).await?, &[&id]).await?;
    Ok(read_ids(&rows)?)
}

pub(crate) async fn remove_client_secret(
    client: &mut Client,
    sql: &Sql,
    scope: &Scope,
    id: TokenId,
) -> Result<Option<Vec<TokenId>>, OpError> {
    let tx = client.transaction().await?;
    tx.execute(&tx.prepare_cached(&sql.lock_scope).await?, &[&scope.as_str()]).await?;
    let lock = tx.prepare_cached(&sql.oauth.lock_secret).await?;
    if tx.query_opt(&lock, &[&scope.as_str(), &id.as_str()]).await?.is_none() {
        return Ok(None);
    }
    let oauth = &sql.oauth;
    let tokens =
        delete_credential(&tx, &oauth.delete_secret_tokens, &oauth.delete_secret, id.as_str()).await?;
    tx.commit().await?;
    Ok(Some(tokens))
}

/// Locks the scope's trust and deletes it with its access tokens; `None` if it has none.
async fn remove_trust_locked(
    tx: &Transaction<'_>,
    sql: &Sql,
    scope: &str,
) -> Result<Option<Vec<TokenId>>, OpError> {
    let lock = tx.prepare_cached(&sql.oauth.lock_trust).await?;
    let Some(row) = tx.query_opt(&lock, &[&scope]).await? else { return Ok(None) };
    let id: &str = row.try_get(0)?;
    let oauth = &sql.oauth;
    Ok(Some(delete_credential(tx, &oauth.delete_trust_tokens, &oauth.delete_trust, id).await?))
}

pub(crate) async fn set_federation_trust(
    client: &mut Client,
    sql: &Sql,
    scope: &Scope,
    new_client_id: &ClientId,
    trust: FederationTrust,
) -> Result<(ClientId, Vec<TokenId>), OpError> {
    let scope = scope.as_str();
    let tx = client.transaction().await?;
    lock_scope(&tx, sql, scope).await?;
    let found = client_of(&tx, sql, scope, trust.created_at).await?.map(|(id, _)| id);
    let created = (trust.created_at, trust.created_by.as_str());
    let client_id = ensure_client(&tx, sql, scope, found, new_client_id, created).await?;
    let removed = remove_trust_locked(&tx, sql, scope).await?.unwrap_or_default();
    let created_at = trust.created_at.unix_millis();
    let params: [&(dyn ToSql + Sync); 9] = [
        &trust.id.as_str(),
        &client_id.as_str(),
        &trust.issuer,
        &trust.jwks_url,
        &trust.subject,
        &trust.audience,
        &trust.tenant_id,
        &created_at,
        &trust.created_by.as_str(),
    ];
    tx.execute(&tx.prepare_cached(&sql.oauth.insert_trust).await?, &params).await?;
    tx.commit().await?;
    Ok((client_id, removed))
}

pub(crate) async fn remove_federation_trust(
    client: &mut Client,
    sql: &Sql,
    scope: &Scope,
) -> Result<Option<Vec<TokenId>>, OpError> {
    let tx = client.transaction().await?;
    tx.execute(&tx.prepare_cached(&sql.lock_scope).await?, &[&scope.as_str()]).await?;
    let removed = remove_trust_locked(&tx, sql, scope.as_str()).await?;
    if removed.is_some() {
        tx.commit().await?;
    }
    Ok(removed)
}

pub(crate) async fn set_auth_mode(
    client: &Client,
    sql: &Sql,
    scope: &Scope,
    mode: AuthMode,
) -> Result<(), OpError> {
    let statement = client.prepare_cached(&sql.oauth.set_auth_mode).await?;
    client.execute(&statement, &[&scope.as_str(), &mode.as_str()]).await?;
    Ok(())
}

/// One round trip: the statements are prepared once per connection, then sent together. No scope lock:
/// the insert's foreign-key check takes `FOR KEY SHARE` on the credential's row, so a concurrent deletion
/// either waits for this mint to commit (and then deletes its token too) or has already locked or deleted
/// the row, and the insert finds no row or fails with 23503: `false`, nothing stored.
pub(crate) async fn insert_access_token(
    client: &Client,
    sql: &Sql,
    record: AccessTokenRecord,
    now: Timestamp,
) -> Result<bool, OpError> {
    let oauth = &sql.oauth;
    let (insert, trim, credential) = match &record.minted_by {
        MintedBy::Secret(id) => (&oauth.insert_token_by_secret, &oauth.trim_secret_tokens, id),
        MintedBy::Trust(id) => (&oauth.insert_token_by_trust, &oauth.trim_trust_tokens, id),
    };
    let (begin, commit) = (client.prepare_cached("BEGIN").await?, client.prepare_cached("COMMIT").await?);
    let (insert, trim) = (client.prepare_cached(insert).await?, client.prepare_cached(trim).await?);
    let (id, scope, credential, hash) =
        (record.id.as_str(), record.scope.as_str(), credential.as_str(), &*record.hash);
    let (issued_at, expires_at, now) =
        (record.issued_at.unix_millis(), record.expires_at.unix_millis(), now.unix_millis());
    let inserted: [&(dyn ToSql + Sync); 6] = [&id, &scope, &credential, &hash, &issued_at, &expires_at];
    let trimmed: [&(dyn ToSql + Sync); 3] = [&credential, &scope, &now];
    // If the insert fails, the server skips the rest and turns the COMMIT into a rollback.
    let (began, inserted, trimmed, committed) = tokio::join!(
        client.execute(&begin, &[]),
        client.execute(&insert, &inserted),
        client.execute(&trim, &trimmed),
        client.execute(&commit, &[]),
    );
    began?;
    let inserted = match inserted {
        Err(error) if error.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            // The COMMIT was a rollback; it answered, so the connection is clean.
            committed?;
            return Ok(false);
        }
        inserted => inserted?,
    };
    trimmed?;
    committed?;
    Ok(inserted == 1)
}

pub(crate) async fn record_secret_use(
    client: &Client,
    sql: &Sql,
    id: TokenId,
    at: Timestamp,
) -> Result<(), OpError> {
    let statement = client.prepare_cached(&sql.oauth.record_secret_use).await?;
    client.execute(&statement, &[&id.as_str(), &at.unix_millis()]).await?;
    Ok(())
}
