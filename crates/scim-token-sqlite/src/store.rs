//! [`SqliteStore`] and its [`TokenStore`] implementation: one SQL statement or one `BEGIN IMMEDIATE`
//! transaction per operation, run on tokio's blocking pool.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, named_params};
use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord, FederationTrust,
    OAuthState, SecretAdded,
};
use scim_token_core::store::{PreviousToken, ScopeState, StoreError, TokenLookup, TokenRecord};
use scim_token_core::{ClientId, Scope, Timestamp, TokenId, TokenRole, TokenStore, async_trait};

use crate::connections::Connections;
use crate::error::{DbError, SqliteStoreError};
use crate::oauth;
use crate::oauth_rows::auth_mode;
use crate::open::SqliteStoreBuilder;
use crate::rows::{RawToken, TOKEN_COLUMN_COUNT, token_columns};

/// A durable [`TokenStore`] in one SQLite file, safe to share between threads, handles and processes.
///
/// A cheap handle: clones share the same connections. Every call that may wait (writes, which take the
/// write lock and fsync, and reads that find SQLite busy or every reader in use) runs on tokio's blocking
/// pool, so the async workers never wait. `find_token`, run on every SCIM request, first tries an idle
/// reader on the calling task: a WAL read by primary key that cannot wait for a lock or sleep.
///
/// A rotation is one `BEGIN IMMEDIATE` transaction and commits with `synchronous = FULL`, so once
/// [`ScimTokenService::generate`](scim_token_core::ScimTokenService::generate) returns, the token survives
/// a crash or power loss, and every other handle and process sees it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use scim_token_core::{Actor, Argon2Params, Scope, ScimTokenService};
/// use scim_token_sqlite::SqliteStore;
///
/// // In production: SqliteStore::open("/var/lib/myapp/scim-token.db").await?
/// let store = SqliteStore::open_in_memory().await?;
/// let service = ScimTokenService::builder(store.clone())
/// #   .argon2_params(Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 })
/// #   .danger_accept_weak_argon2_for_tests(true)
///     .build()?;
///
/// let (scope, admin) = (Scope::default_scope(), Actor::new("admin@example.com")?);
/// service.set_enabled(&scope, true, &admin).await?;
/// let token = service.generate(&scope, &admin).await?; // show token.expose_secret() once
/// assert_eq!(service.verify(token.expose_secret()).await?.scope, scope);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) connections: Arc<Connections>,
}

impl SqliteStore {
    /// Opens (or creates) the database file at `path` with the default options; see
    /// [`SqliteStoreBuilder::open`].
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, SqliteStoreError> {
        SqliteStoreBuilder::new().open(path).await
    }

    /// Opens a new, private in-memory database (for tests and demos); see
    /// [`SqliteStoreBuilder::open_in_memory`].
    pub async fn open_in_memory() -> Result<Self, SqliteStoreError> {
        SqliteStoreBuilder::new().open_in_memory().await
    }

    /// Options for opening a store: busy timeout, read connections.
    pub fn builder() -> SqliteStoreBuilder {
        SqliteStoreBuilder::new()
    }

    /// The database path (`:memory:` for an in-memory database).
    pub fn path(&self) -> &Path {
        &self.connections.path
    }

    pub(crate) fn from_connections(connections: Arc<Connections>) -> Self {
        Self { connections }
    }

    /// Runs `op` on the blocking pool and turns its failure into a [`StoreError`].
    async fn blocking<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Connections) -> Result<T, SqliteStoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connections = self.connections.clone();
        tokio::task::spawn_blocking(move || op(&connections))
            .await
            .map_err(|error| StoreError::from(SqliteStoreError::Worker(error.to_string())))?
            .map_err(StoreError::from)
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.connections.path)
            .field("busy_timeout", &self.connections.busy_timeout)
            .finish_non_exhaustive()
    }
}

/// One indexed read: the token by primary key, with its scope's flag and auth mode. Runs on every SCIM
/// request. A correlated subquery, not a JOIN: SQLite runs this shape several times faster here (both
/// are two primary-key searches). The subquery yields one value, so flag and mode come packed as text
/// (`1any`, `0oauth`, …): a second subquery would search the scope a second time.
pub(crate) const FIND_TOKEN: &str = concat!(
    "SELECT ",
    token_columns!(),
    ", coalesce((SELECT s.enabled || s.auth_mode FROM scopes s WHERE s.scope = t.scope), '0any') \
     FROM tokens t WHERE t.id = ?1"
);

/// The scope's flag and its (at most two) tokens in one statement, so both come from one snapshot.
const LOAD_SCOPE: &str = concat!(
    "SELECT s.enabled, ",
    token_columns!(),
    " FROM scopes s LEFT JOIN tokens t ON t.scope = s.scope WHERE s.scope = ?1"
);

const CREATE_SCOPE: &str =
    "INSERT INTO scopes (scope, enabled) VALUES (?1, 0) ON CONFLICT (scope) DO NOTHING";
const DELETE_ALL: &str = "DELETE FROM tokens WHERE scope = ?1";
const DELETE_ALL_RETURNING: &str = "DELETE FROM tokens WHERE scope = ?1 RETURNING id";
const DELETE_ONE: &str = "DELETE FROM tokens WHERE scope = ?1 AND id = ?2";
const DELETE_PREVIOUS: &str = "DELETE FROM tokens WHERE scope = ?1 AND role = 'previous'";
const DEMOTE_CURRENT: &str =
    "UPDATE tokens SET role = 'previous', valid_until = ?2 WHERE scope = ?1 AND role = 'current'";
const INSERT_CURRENT: &str = "INSERT INTO tokens \
    (id, scope, role, valid_until, hash, created_at, created_by, expires_at, last_used_at, first_used_at) \
    VALUES (:id, :scope, 'current', NULL, :hash, :created_at, :created_by, :expires_at, :last_used_at, \
    :first_used_at)";
const SET_ENABLED: &str = "INSERT INTO scopes (scope, enabled) VALUES (?1, ?2) \
    ON CONFLICT (scope) DO UPDATE SET enabled = excluded.enabled";
/// The right-hand sides read the row as it was: `first_used_at` is set by the write that finds no use.
const RECORD_USE: &str = "UPDATE tokens \
    SET first_used_at = CASE WHEN last_used_at IS NULL THEN ?2 ELSE first_used_at END, last_used_at = ?2 \
    WHERE id = ?1";

fn find_token(conn: &Connection, id: &str) -> Result<Option<TokenLookup>, DbError> {
    let row = conn
        .prepare_cached(FIND_TOKEN)?
        .query_row([id], |row| Ok((RawToken::read(row, 0)?, row.get::<_, String>(TOKEN_COLUMN_COUNT)?)))
        .optional()?;
    let Some((raw, scope)) = row else { return Ok(None) };
    let (record, role) = raw.into_record()?;
    let (scope_enabled, auth_mode) = match scope.split_at_checked(1) {
        Some(("1", mode)) => (true, auth_mode(mode)?),
        Some(("0", mode)) => (false, auth_mode(mode)?),
        _ => return Err(DbError::InvalidRow { what: "enabled", reason: "not 0 or 1".to_owned() }),
    };
    Ok(Some(TokenLookup { record, role, scope_enabled, auth_mode }))
}

fn load_scope(conn: &Connection, scope: &str) -> Result<ScopeState, DbError> {
    let mut statement = conn.prepare_cached(LOAD_SCOPE)?;
    let mut rows = statement.query([scope])?;
    let mut state = ScopeState::default();
    while let Some(row) = rows.next()? {
        state.enabled = row.get(0)?;
        let Some(raw) = RawToken::read_optional(row, 1)? else { continue };
        match raw.into_record()? {
            (record, TokenRole::Current) => state.current = Some(record),
            (record, TokenRole::Previous { valid_until }) => {
                state.previous = Some(PreviousToken { record, valid_until });
            }
        }
    }
    Ok(state)
}

fn replace_current(
    conn: &mut Connection,
    record: &TokenRecord,
    keep_previous_until: Option<Timestamp>,
) -> Result<(), DbError> {
    // IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so no other writer can
    // slip in between our reads and writes, and commit never fails with a stale snapshot.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let scope = record.scope.as_str();
    tx.prepare_cached(CREATE_SCOPE)?.execute([scope])?;
    match keep_previous_until {
        None => {
            tx.prepare_cached(DELETE_ALL)?.execute([scope])?;
        }
        Some(until) => {
            tx.prepare_cached(DELETE_PREVIOUS)?.execute([scope])?;
            tx.prepare_cached(DEMOTE_CURRENT)?.execute((scope, until.unix_millis()))?;
        }
    }
    tx.prepare_cached(INSERT_CURRENT)?.execute(named_params! {
        ":id": record.id.as_str(),
        ":scope": scope,
        ":hash": &*record.hash,
        ":created_at": record.created_at.unix_millis(),
        ":created_by": record.created_by.as_str(),
        ":expires_at": record.expires_at.map(Timestamp::unix_millis),
        ":last_used_at": record.last_used_at.map(Timestamp::unix_millis),
        ":first_used_at": record.first_used_at.map(Timestamp::unix_millis),
    })?;
    tx.commit()?;
    Ok(())
}

fn remove_tokens(conn: &mut Connection, scope: &str) -> Result<Vec<TokenId>, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ids = tx
        .prepare_cached(DELETE_ALL_RETURNING)?
        .query_map([scope], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    tx.commit()?;
    ids.into_iter()
        .map(|id| {
            TokenId::new(id)
                .map_err(|error| DbError::InvalidRow { what: "token id", reason: error.to_string() })
        })
        .collect()
}

#[async_trait]
impl TokenStore for SqliteStore {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        let scope = scope.clone();
        self.blocking(move |db| db.read(|conn| load_scope(conn, scope.as_str()))).await
    }

    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        // The hot path: one primary-key read on an idle reader, right here. A hop to the blocking pool
        // would cost several times the read itself; the read cannot wait for locks or sleep.
        if let Some(found) = self.connections.try_read_now(|reader| reader.find_token(id, find_token)) {
            return found.map_err(StoreError::from);
        }
        let id = *id;
        self.blocking(move |db| db.read(|reader| reader.find_token(&id, find_token))).await
    }

    async fn replace_current(
        &self,
        record: TokenRecord,
        keep_previous_until: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.blocking(move |db| db.write(|conn| replace_current(conn, &record, keep_previous_until))).await
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        let scope = scope.clone();
        self.blocking(move |db| db.write(|conn| remove_tokens(conn, scope.as_str()))).await
    }

    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        let (scope, id) = (scope.clone(), *id);
        let deleted = self
            .blocking(move |db| {
                db.write(|conn| {
                    Ok(conn.prepare_cached(DELETE_ONE)?.execute((scope.as_str(), id.as_str()))?)
                })
            })
            .await?;
        Ok(deleted == 1)
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        let scope = scope.clone();
        self.blocking(move |db| {
            db.write(|conn| Ok(conn.prepare_cached(SET_ENABLED)?.execute((scope.as_str(), enabled))?))
        })
        .await?;
        Ok(())
    }

    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        let id = *id;
        self.blocking(move |db| {
            db.write(|conn| Ok(conn.prepare_cached(RECORD_USE)?.execute((id.as_str(), at.unix_millis()))?))
        })
        .await?;
        Ok(())
    }

    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        let scope = scope.clone();
        self.blocking(move |db| {
            db.read(|reader| reader.snapshot(|conn| oauth::load_oauth(conn, scope.as_str())))
        })
        .await
    }

    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        let client_id = client_id.clone();
        self.blocking(move |db| {
            db.read(|reader| {
                reader.snapshot(|conn| {
                    let Some(scope) = oauth::client_scope(conn, client_id.as_str())? else {
                        return Ok(None);
                    };
                    let state = oauth::load_oauth(conn, &scope)?;
                    let scope = Scope::new(scope)
                        .map_err(|error| DbError::InvalidRow { what: "scope", reason: error.to_string() })?;
                    Ok(Some(ClientLookup { scope, state }))
                })
            })
        })
        .await
    }

    async fn add_client_secret(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        secret: ClientSecretRecord,
        max_unexpired: usize,
        now: Timestamp,
    ) -> Result<SecretAdded, StoreError> {
        let (scope, new_client_id) = (scope.clone(), new_client_id.clone());
        self.blocking(move |db| {
            db.write(|conn| {
                oauth::add_client_secret(conn, scope.as_str(), &new_client_id, &secret, max_unexpired, now)
            })
        })
        .await
    }

    async fn remove_client_secret(
        &self,
        scope: &Scope,
        id: &TokenId,
    ) -> Result<Option<Vec<TokenId>>, StoreError> {
        let (scope, id) = (scope.clone(), *id);
        self.blocking(move |db| {
            db.write(|conn| oauth::remove_client_secret(conn, scope.as_str(), id.as_str()))
        })
        .await
    }

    async fn set_federation_trust(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        let (scope, new_client_id) = (scope.clone(), new_client_id.clone());
        self.blocking(move |db| {
            db.write(|conn| oauth::set_federation_trust(conn, scope.as_str(), &new_client_id, &trust))
        })
        .await
    }

    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        let scope = scope.clone();
        self.blocking(move |db| db.write(|conn| oauth::remove_federation_trust(conn, scope.as_str()))).await
    }

    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        let scope = scope.clone();
        self.blocking(move |db| db.write(|conn| oauth::set_auth_mode(conn, scope.as_str(), mode))).await
    }

    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.blocking(move |db| db.write(|conn| oauth::insert_access_token(conn, &record, now))).await
    }

    async fn find_access_token(&self, id: &TokenId) -> Result<Option<AccessTokenLookup>, StoreError> {
        // The hot path of OAuth, shaped like find_token's: an idle reader on the calling task, answering
        // from its cache while nothing was committed.
        if let Some(found) =
            self.connections.try_read_now(|reader| reader.find_access_token(id, oauth::find_access_token))
        {
            return found.map_err(StoreError::from);
        }
        let id = *id;
        self.blocking(move |db| db.read(|reader| reader.find_access_token(&id, oauth::find_access_token)))
            .await
    }

    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        // Like record_use: one UPDATE on the writer, which waits for SQLite's write lock and nothing else.
        let id = *id;
        self.blocking(move |db| db.write(|conn| oauth::record_secret_use(conn, id.as_str(), at))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `find_token` must stay one primary-key search plus one primary-key search of its scope.
    #[tokio::test]
    async fn find_token_is_one_indexed_read() {
        let store = SqliteStore::open_in_memory().await.unwrap();
        let plan = store
            .connections
            .read(|conn| {
                let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {FIND_TOKEN}"))?;
                let details = statement.query_map([""], |row| row.get::<_, String>(3))?;
                Ok(details.collect::<Result<Vec<_>, _>>()?)
            })
            .unwrap();
        let searches: Vec<_> = plan.iter().filter(|step| !step.contains("SUBQUERY")).collect();
        assert_eq!(searches.len(), 2, "{plan:?}");
        assert!(
            searches.iter().all(|step| step.starts_with("SEARCH") && step.contains("PRIMARY KEY")),
            "{plan:?}"
        );
    }

    /// `find_access_token` too: the token by primary key, then its scope by primary key.
    #[tokio::test]
    async fn find_access_token_is_one_indexed_read() {
        let store = SqliteStore::open_in_memory().await.unwrap();
        let plan = store
            .connections
            .read(|conn| {
                let mut statement =
                    conn.prepare(&format!("EXPLAIN QUERY PLAN {}", oauth::FIND_ACCESS_TOKEN))?;
                let details = statement.query_map([""], |row| row.get::<_, String>(3))?;
                Ok(details.collect::<Result<Vec<_>, _>>()?)
            })
            .unwrap();
        assert_eq!(plan.len(), 2, "{plan:?}");
        assert!(
            plan.iter().all(|step| step.starts_with("SEARCH") && step.contains("PRIMARY KEY")),
            "{plan:?}"
        );
    }

    /// SQLite enforces foreign keys only where the connection turned them on: the writer of every kind of
    /// store must have, or a credential's deletion would not cascade to its access tokens.
    #[tokio::test]
    async fn the_writer_enforces_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let stores = [
            SqliteStore::open_in_memory().await.unwrap(),
            SqliteStore::open(dir.path().join("shared.db")).await.unwrap(),
            SqliteStore::builder().exclusive(true).open(dir.path().join("exclusive.db")).await.unwrap(),
        ];
        for store in stores {
            let on = store
                .connections
                .write(|conn| Ok(conn.query_row("PRAGMA foreign_keys", [], |row| row.get::<_, bool>(0))?))
                .unwrap();
            assert!(on, "foreign keys are on for {:?}", store.path());
            // A token naming a secret that does not exist is refused by the database itself.
            let orphan = store.connections.write(|conn| {
                conn.execute_batch(
                    "INSERT INTO scopes (scope, enabled) VALUES ('s', 1);
                     INSERT INTO oauth_clients VALUES ('scimcl_1', 's', 0, 'a');
                     INSERT INTO oauth_access_tokens VALUES ('at', 's', 'scimcl_1', 'nosuch', NULL, 'h', 0, 1);",
                )?;
                Ok(())
            });
            assert!(orphan.is_err(), "an orphan access token must be refused");
        }
    }
}
