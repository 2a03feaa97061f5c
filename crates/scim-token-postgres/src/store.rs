//! [`PostgresStore`] and its [`TokenStore`] implementation: one statement, or one transaction holding
//! the scope's row lock, per operation, each on a pooled connection and under a deadline.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool_postgres::{Client, Object, Pool, PoolError, TimeoutType};
use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord, FederationTrust,
    OAuthState, SecretAdded,
};
use scim_token_core::store::{PreviousToken, ScopeState, StoreError, TokenLookup, TokenRecord};
use scim_token_core::{ClientId, Scope, Timestamp, TokenId, TokenRole, TokenStore, async_trait};
use tokio_postgres::types::ToSql;

use crate::error::PostgresStoreError;
use crate::oauth_ops;
use crate::oauth_rows::read_auth_mode;
use crate::open::PostgresStoreBuilder;
use crate::rows::{RowError, TOKEN_COLUMN_COUNT, has_token, read_token};
use crate::schema::{self, Found, Migration, SCHEMA_VERSION, SchemaName};
use crate::sql::Sql;
use crate::target::Target;

/// How long after the statement timeout the store gives up on a connection that has not answered: long
/// enough for the server's own timeout (a clearer error) to arrive first.
const ANSWER_GRACE: Duration = Duration::from_secs(1);

/// A [`TokenStore`] in a PostgreSQL schema, shared by every instance of a host that points at it: a
/// rotation on one instance is seen by the next verification on every other.
///
/// A cheap handle: clones share one connection pool (deadpool). See the crate documentation for how
/// rotations are serialized and what each call costs.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use scim_token_core::{Actor, Scope, ScimTokenService};
/// use scim_token_postgres::PostgresStore;
///
/// let store = PostgresStore::open("postgres://myapp@db.internal/myapp").await?;
/// let service = ScimTokenService::builder(store).build()?;
///
/// let (scope, admin) = (Scope::default_scope(), Actor::new("admin@example.com")?);
/// service.set_enabled(&scope, true, &admin).await?;
/// let token = service.generate(&scope, &admin).await?; // valid at once on every instance
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    sql: Sql,
    settings: Settings,
}

/// What the builder decided, kept for deadlines and error messages.
pub(crate) struct Settings {
    pub(crate) schema: SchemaName,
    pub(crate) target: Target,
    pub(crate) connect_timeout: Duration,
    pub(crate) statement_timeout: Duration,
    pub(crate) acquire_timeout: Duration,
}

/// A failure inside one operation, before it is told where it happened.
pub(crate) enum OpError {
    Pg(tokio_postgres::Error),
    Invalid { what: &'static str, reason: String },
}

impl From<tokio_postgres::Error> for OpError {
    fn from(error: tokio_postgres::Error) -> Self {
        Self::Pg(error)
    }
}

impl From<RowError> for OpError {
    fn from(error: RowError) -> Self {
        match error {
            RowError::Pg(error) => Self::Pg(error),
            RowError::Invalid { what, reason } => Self::Invalid { what, reason },
        }
    }
}

/// The future of one operation on a borrowed connection.
type OpFuture<'c, T> = Pin<Box<dyn Future<Output = Result<T, OpError>> + Send + 'c>>;

impl PostgresStore {
    /// Connects to `url` with the default options and creates or migrates the schema; see
    /// [`PostgresStoreBuilder::open`].
    pub async fn open(url: &str) -> Result<Self, PostgresStoreError> {
        PostgresStoreBuilder::new().open(url).await
    }

    /// Uses a pool the host already has, with the default schema; see
    /// [`PostgresStoreBuilder::open_with_pool`].
    pub async fn from_pool(pool: Pool) -> Result<Self, PostgresStoreError> {
        PostgresStoreBuilder::new().open_with_pool(pool).await
    }

    /// Options: schema, pool size, timeouts, TLS.
    pub fn builder() -> PostgresStoreBuilder {
        PostgresStoreBuilder::new()
    }

    /// The connection pool, e.g. for a health check or its metrics (`pool().status()`).
    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// The schema the tables live in.
    pub fn schema(&self) -> &str {
        self.inner.settings.schema.as_str()
    }

    /// The server, without the password: safe to log.
    pub fn target(&self) -> &Target {
        &self.inner.settings.target
    }

    pub(crate) fn new(pool: Pool, settings: Settings) -> Self {
        Self { inner: Arc::new(Inner { sql: Sql::new(&settings.schema), pool, settings }) }
    }

    /// Creates or migrates the schema, or refuses it. The common case (already current) only reads.
    pub(crate) async fn prepare_schema(&self) -> Result<(), PostgresStoreError> {
        let settings = &self.inner.settings;
        let schema = &settings.schema;
        let newer = |found| PostgresStoreError::NewerSchema {
            target: settings.target.clone(),
            schema: schema.as_str().to_owned(),
            found,
            supported: SCHEMA_VERSION,
        };
        let foreign = || PostgresStoreError::ForeignSchema {
            target: settings.target.clone(),
            schema: schema.as_str().to_owned(),
        };
        let owned = schema.clone();
        let found = self.run(self.answer_deadline(), |client, _| Box::pin(inspect(client, owned))).await?;
        match found {
            Found::Version(found) if found == SCHEMA_VERSION => return Ok(()),
            Found::Version(found) if found > SCHEMA_VERSION => return Err(newer(found)),
            Found::Foreign => return Err(foreign()),
            Found::Version(_) | Found::Empty { .. } => {}
        }
        // Waiting for another instance's migration is a lock wait, bounded by the statement timeout.
        let deadline = self.answer_deadline() * 3;
        let owned = schema.clone();
        let outcome = self
            .run(deadline, |client, _| Box::pin(async move { Ok(schema::migrate(client, &owned).await?) }))
            .await?;
        match outcome {
            Migration::Current { from } => {
                if from < SCHEMA_VERSION {
                    tracing::info!(
                        target = %settings.target, schema = schema.as_str(), from, to = SCHEMA_VERSION,
                        "scim-token: migrated the PostgreSQL schema"
                    );
                }
                Ok(())
            }
            Migration::Newer(found) => Err(newer(found)),
            Migration::Foreign => Err(foreign()),
        }
    }

    /// The longest a call waits for a statement's answer before dropping its connection.
    fn answer_deadline(&self) -> Duration {
        self.inner.settings.statement_timeout + ANSWER_GRACE
    }

    /// Runs `op` on a pooled connection. A connection that does not answer within `deadline` is taken
    /// out of the pool and closed: it may sit on a dead network, and must not serve the next call.
    async fn run<T>(
        &self,
        deadline: Duration,
        op: impl for<'c> FnOnce(&'c mut Client, &'c Sql) -> OpFuture<'c, T>,
    ) -> Result<T, PostgresStoreError> {
        let mut client = self.client().await?;
        let answer = tokio::time::timeout(deadline, op(&mut client, &self.inner.sql)).await;
        match answer {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(OpError::Pg(error))) => {
                let error = PostgresStoreError::from_pg(error, self.target(), self.schema());
                if matches!(error, PostgresStoreError::ConnectionLost { .. }) {
                    // Broken (killed, server restarted): make sure no later call is handed it.
                    drop(Object::take(client));
                }
                Err(error)
            }
            Ok(Err(OpError::Invalid { what, reason })) => {
                Err(PostgresStoreError::InvalidRow { schema: self.schema().to_owned(), what, reason })
            }
            Err(_elapsed) => {
                drop(Object::take(client));
                Err(PostgresStoreError::Timeout { target: self.target().clone(), timeout: deadline })
            }
        }
    }

    /// A pooled connection, waiting at most the acquire timeout for a free one (or the connect timeout
    /// for a new one).
    async fn client(&self) -> Result<Client, PostgresStoreError> {
        let settings = &self.inner.settings;
        let started = Instant::now();
        // The pool's own timeouts fire first with a precise error; this one bounds a host's pool too.
        let limit = settings.acquire_timeout + settings.connect_timeout + ANSWER_GRACE;
        match tokio::time::timeout(limit, self.inner.pool.get()).await {
            Ok(Ok(client)) => Ok(client),
            Ok(Err(error)) => Err(self.pool_error(error, started.elapsed())),
            Err(_elapsed) => {
                Err(PostgresStoreError::Timeout { target: self.target().clone(), timeout: limit })
            }
        }
    }

    fn pool_error(&self, error: PoolError, waited: Duration) -> PostgresStoreError {
        let settings = &self.inner.settings;
        let target = settings.target.clone();
        match error {
            PoolError::Timeout(TimeoutType::Wait) => PostgresStoreError::PoolExhausted {
                target,
                pool_size: self.inner.pool.status().max_size,
                waited,
            },
            PoolError::Timeout(TimeoutType::Create | TimeoutType::Recycle) => {
                PostgresStoreError::ConnectTimeout { target, timeout: settings.connect_timeout }
            }
            PoolError::Backend(error) => match PostgresStoreError::from_pg(error, &target, self.schema()) {
                // A connection that closes while it is being opened never was reachable.
                PostgresStoreError::ConnectionLost { target, source } => {
                    PostgresStoreError::Unreachable { target, source }
                }
                other => other,
            },
            PoolError::Closed => {
                PostgresStoreError::Pool { reason: "it has been closed".to_owned(), closed: true }
            }
            PoolError::NoRuntimeSpecified => PostgresStoreError::Pool {
                reason: "it has timeouts but no runtime: build it with Runtime::Tokio1".to_owned(),
                closed: false,
            },
            PoolError::PostCreateHook(error) => PostgresStoreError::Pool {
                reason: format!("its post_create hook failed: {error}"),
                closed: false,
            },
        }
    }

    async fn call<T>(
        &self,
        op: impl for<'c> FnOnce(&'c mut Client, &'c Sql) -> OpFuture<'c, T>,
    ) -> Result<T, StoreError> {
        Ok(self.run(self.answer_deadline(), op).await?)
    }

    /// Like [`call`](Self::call), for an operation that is safe to repeat: if the pooled connection
    /// turns out to be broken (killed while idle, server restarted or failed over), it runs once more on
    /// a new connection, so verifications ride through a restart instead of failing once per pooled
    /// connection. Rotations and revocations are never repeated: their caller decides.
    async fn call_idempotent<T>(
        &self,
        op: impl for<'c> Fn(&'c mut Client, &'c Sql) -> OpFuture<'c, T>,
    ) -> Result<T, StoreError> {
        match self.run(self.answer_deadline(), &op).await {
            Err(PostgresStoreError::ConnectionLost { .. }) => {
                Ok(self.run(self.answer_deadline(), op).await?)
            }
            result => Ok(result?),
        }
    }
}

async fn inspect(client: &Client, schema: SchemaName) -> Result<Found, OpError> {
    Ok(schema::inspect(&***client, &schema).await?)
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &self.inner.settings;
        f.debug_struct("PostgresStore")
            .field("target", &settings.target)
            .field("schema", &settings.schema.as_str())
            .field("pool", &self.inner.pool.status())
            .field("statement_timeout", &settings.statement_timeout)
            .finish_non_exhaustive()
    }
}

async fn find_token(client: &Client, sql: &Sql, id: TokenId) -> Result<Option<TokenLookup>, OpError> {
    let statement = client.prepare_cached(&sql.find_token).await?;
    let Some(row) = client.query_opt(&statement, &[&id.as_str()]).await? else { return Ok(None) };
    let (record, role) = read_token(&row, 0)?;
    let scope_enabled = row.try_get(TOKEN_COLUMN_COUNT)?;
    let auth_mode = read_auth_mode(&row, TOKEN_COLUMN_COUNT + 1)?;
    Ok(Some(TokenLookup { record, role, scope_enabled, auth_mode }))
}

async fn load_scope(client: &Client, sql: &Sql, scope: &str) -> Result<ScopeState, OpError> {
    let statement = client.prepare_cached(&sql.load_scope).await?;
    let mut state = ScopeState::default();
    for row in client.query(&statement, &[&scope]).await? {
        state.enabled = row.try_get(0)?;
        if !has_token(&row, 1)? {
            continue;
        }
        match read_token(&row, 1)? {
            (record, TokenRole::Current) => state.current = Some(record),
            (record, TokenRole::Previous { valid_until }) => {
                state.previous = Some(PreviousToken { record, valid_until });
            }
        }
    }
    Ok(state)
}

async fn replace_current(
    client: &Client,
    sql: &Sql,
    record: TokenRecord,
    keep_previous_until: Option<Timestamp>,
) -> Result<(), OpError> {
    // Every statement is prepared once per connection (then cached), so the whole transaction below is
    // sent at once and costs one round trip, not seven: the server runs the statements in order.
    let prepare = |text: &'static str| client.prepare_cached(text);
    let (begin, commit) = (prepare("BEGIN").await?, prepare("COMMIT").await?);
    let create = client.prepare_cached(&sql.create_scope).await?;
    let lock = client.prepare_cached(&sql.lock_scope).await?;
    let insert = client.prepare_cached(&sql.insert_current).await?;
    let scope = record.scope.as_str();
    let (id, hash, created_by) = (record.id.as_str(), &*record.hash, record.created_by.as_str());
    let (created_at, expires_at, last_used_at, first_used_at) = (
        record.created_at.unix_millis(),
        record.expires_at.map(Timestamp::unix_millis),
        record.last_used_at.map(Timestamp::unix_millis),
        record.first_used_at.map(Timestamp::unix_millis),
    );
    let by_scope: [&(dyn ToSql + Sync); 1] = [&scope];
    let inserted: [&(dyn ToSql + Sync); 8] =
        [&id, &scope, &hash, &created_at, &created_by, &expires_at, &last_used_at, &first_used_at];
    // Every write to a scope's tokens holds its row lock first, so concurrent rotations (any pool, any
    // host) run one after the other, and each statement after the lock, in read committed, sees the
    // previous rotation's commit: no unique-index violation, no retry. If any statement fails, the
    // server turns the COMMIT into a rollback, and the first failure (in statement order) is returned.
    let results = match keep_previous_until {
        None => {
            let delete = client.prepare_cached(&sql.delete_all).await?;
            let (a, b, c, d, e, f) = tokio::join!(
                client.execute(&begin, &[]),
                client.execute(&create, &by_scope),
                client.execute(&lock, &by_scope),
                client.execute(&delete, &by_scope),
                client.execute(&insert, &inserted),
                client.execute(&commit, &[]),
            );
            vec![a, b, c, d, e, f]
        }
        Some(until) => {
            let delete = client.prepare_cached(&sql.delete_previous).await?;
            let demote = client.prepare_cached(&sql.demote_current).await?;
            let until = until.unix_millis();
            let demoted: [&(dyn ToSql + Sync); 2] = [&scope, &until];
            let (a, b, c, d, e, f, g) = tokio::join!(
                client.execute(&begin, &[]),
                client.execute(&create, &by_scope),
                client.execute(&lock, &by_scope),
                client.execute(&delete, &by_scope),
                client.execute(&demote, &demoted),
                client.execute(&insert, &inserted),
                client.execute(&commit, &[]),
            );
            vec![a, b, c, d, e, f, g]
        }
    };
    for result in results {
        result?;
    }
    Ok(())
}

async fn remove_tokens(client: &mut Client, sql: &Sql, scope: &str) -> Result<Vec<TokenId>, OpError> {
    let tx = client.transaction().await?;
    tx.execute(&tx.prepare_cached(&sql.lock_scope).await?, &[&scope]).await?;
    let rows = tx.query(&tx.prepare_cached(&sql.delete_all_returning).await?, &[&scope]).await?;
    tx.commit().await?;
    rows.iter()
        .map(|row| {
            TokenId::new(row.try_get::<_, &str>(0)?)
                .map_err(|error| OpError::Invalid { what: "token id", reason: error.to_string() })
        })
        .collect()
}

async fn remove_token(client: &mut Client, sql: &Sql, scope: &str, id: TokenId) -> Result<bool, OpError> {
    let tx = client.transaction().await?;
    tx.execute(&tx.prepare_cached(&sql.lock_scope).await?, &[&scope]).await?;
    let deleted = tx.execute(&tx.prepare_cached(&sql.delete_one).await?, &[&scope, &id.as_str()]).await?;
    tx.commit().await?;
    Ok(deleted == 1)
}

#[async_trait]
impl TokenStore for PostgresStore {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.call_idempotent(|client, sql| {
            let scope = scope.clone();
            Box::pin(async move { load_scope(client, sql, scope.as_str()).await })
        })
        .await
    }

    /// One round trip on a pooled connection: a prepared (per connection, cached) primary-key read.
    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        let id = *id;
        self.call_idempotent(|client, sql| Box::pin(find_token(client, sql, id))).await
    }

    async fn replace_current(
        &self,
        record: TokenRecord,
        keep_previous_until: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.call(|client, sql| Box::pin(replace_current(client, sql, record, keep_previous_until))).await
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        let scope = scope.clone();
        self.call(|client, sql| Box::pin(async move { remove_tokens(client, sql, scope.as_str()).await }))
            .await
    }

    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        let (scope, id) = (scope.clone(), *id);
        self.call(|client, sql| Box::pin(async move { remove_token(client, sql, scope.as_str(), id).await }))
            .await
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        self.call_idempotent(|client, sql| {
            let scope = scope.clone();
            Box::pin(async move {
                let statement = client.prepare_cached(&sql.set_enabled).await?;
                client.execute(&statement, &[&scope.as_str(), &enabled]).await?;
                Ok(())
            })
        })
        .await
    }

    /// One `UPDATE` of the token's row, outside any scope lock, skipping the row if a rotation holds it:
    /// it never waits for a rotation nor makes one wait for more than its own write.
    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        let id = *id;
        self.call_idempotent(|client, sql| {
            Box::pin(async move {
                let statement = client.prepare_cached(&sql.record_use).await?;
                client.execute(&statement, &[&id.as_str(), &at.unix_millis()]).await?;
                Ok(())
            })
        })
        .await
    }

    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        self.call_idempotent(|client, sql| {
            let scope = scope.clone();
            Box::pin(async move { oauth_ops::load_oauth(client, sql, &scope).await })
        })
        .await
    }

    /// One statement: the client's row joined with its scope's, its trust and its secrets.
    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        self.call_idempotent(|client, sql| {
            let client_id = client_id.clone();
            Box::pin(async move { oauth_ops::find_client(client, sql, &client_id).await })
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
        self.call(|client, sql| {
            Box::pin(async move {
                oauth_ops::add_client_secret(client, sql, &scope, &new_client_id, secret, max_unexpired, now)
                    .await
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
        self.call(|client, sql| {
            Box::pin(async move { oauth_ops::remove_client_secret(client, sql, &scope, id).await })
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
        self.call(|client, sql| {
            Box::pin(async move {
                oauth_ops::set_federation_trust(client, sql, &scope, &new_client_id, trust).await
            })
        })
        .await
    }

    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        let scope = scope.clone();
        self.call(|client, sql| {
            Box::pin(async move { oauth_ops::remove_federation_trust(client, sql, &scope).await })
        })
        .await
    }

    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        self.call_idempotent(|client, sql| {
            let scope = scope.clone();
            Box::pin(async move { oauth_ops::set_auth_mode(client, sql, &scope, mode).await })
        })
        .await
    }

    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.call(|client, sql| Box::pin(oauth_ops::insert_access_token(client, sql, record, now))).await
    }

    /// One round trip, like [`find_token`](Self::find_token): a prepared primary-key read joined with
    /// the scope's row, no lock.
    async fn find_access_token(&self, id: &TokenId) -> Result<Option<AccessTokenLookup>, StoreError> {
        let id = *id;
        self.call_idempotent(|client, sql| Box::pin(oauth_ops::find_access_token(client, sql, id))).await
    }

    /// One `UPDATE` outside any scope lock, skipping the row if a deletion holds it.
    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        let id = *id;
        self.call_idempotent(|client, sql| Box::pin(oauth_ops::record_secret_use(client, sql, id, at))).await
    }
}
