//! Opening a store: [`PostgresStoreBuilder`], the pool, the connection options and the migrations.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::Config;
use tokio_postgres::config::SslMode;

use crate::error::PostgresStoreError;
use crate::schema::SchemaName;
use crate::store::{PostgresStore, Settings};
use crate::target::{Target, redact_url};

/// Options for opening a [`PostgresStore`]. [`PostgresStore::open`] uses the defaults.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), scim_token_postgres::PostgresStoreError> {
/// use std::time::Duration;
/// use scim_token_postgres::PostgresStore;
///
/// let store = PostgresStore::builder()
///     .schema("myapp_scim")                         // the tables live in this schema
///     .pool_size(8)
///     .connect_timeout(Duration::from_secs(3))
///     .statement_timeout(Duration::from_secs(2))
///     .open("postgres://myapp@db.internal:5432/myapp")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "call open(), open_with_config() or open_with_pool() to get the store"]
pub struct PostgresStoreBuilder {
    schema: String,
    pool_size: usize,
    connect_timeout: Duration,
    statement_timeout: Duration,
    acquire_timeout: Duration,
    #[cfg(feature = "tls")]
    tls: Option<rustls::ClientConfig>,
}

impl Default for PostgresStoreBuilder {
    fn default() -> Self {
        Self {
            schema: Self::DEFAULT_SCHEMA.to_owned(),
            pool_size: Self::DEFAULT_POOL_SIZE,
            connect_timeout: Self::DEFAULT_TIMEOUT,
            statement_timeout: Self::DEFAULT_TIMEOUT,
            acquire_timeout: Self::DEFAULT_TIMEOUT,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

impl PostgresStoreBuilder {
    /// The schema the tables live in unless told otherwise: `scim_token`.
    pub const DEFAULT_SCHEMA: &'static str = "scim_token";
    /// The default number of pooled connections: 10.
    pub const DEFAULT_POOL_SIZE: usize = 10;
    /// The default connect, statement and acquire timeouts: 5 seconds each.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// Options with their defaults: schema `scim_token`, 10 connections, 5 s timeouts.
    pub fn new() -> Self {
        Self::default()
    }

    /// The schema scim-token's tables live in (default `scim_token`), created on first open if missing,
    /// so that several applications, or several scim-token hosts, can share one database. 1 to 63 bytes
    /// of `a-z`, `0-9` and `_`, not starting with a digit or `pg_`; checked at open.
    pub fn schema(mut self, name: impl Into<String>) -> Self {
        self.schema = name.into();
        self
    }

    /// How many connections the pool keeps at most (default 10, at least 1).
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = size.max(1);
        self
    }

    /// How long opening one connection (TCP, TLS, login) may take (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = clamp(timeout);
        self
    }

    /// How long one statement may run, waiting for a lock included (default 5 s). The server enforces
    /// it (`statement_timeout`, a [`Busy`](scim_token_core::store::StoreErrorKind::Busy) error); the store also
    /// gives up on a connection that has not answered one second after it, and closes that connection
    /// ([`Unavailable`](scim_token_core::store::StoreErrorKind::Unavailable)), so a dead network never hangs a
    /// call. Overrides a `statement_timeout` set in the URL's `options`.
    pub fn statement_timeout(mut self, timeout: Duration) -> Self {
        self.statement_timeout = clamp(timeout);
        self
    }

    /// How long a call waits for a free pooled connection before failing as
    /// [`Busy`](scim_token_core::store::StoreErrorKind::Busy) (default 5 s).
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = clamp(timeout);
        self
    }

    /// The rustls configuration for TLS connections (feature `tls`), e.g. with your database's CA. Without
    /// it, the operating system's root certificates are trusted. Used unless the URL says `sslmode=disable`.
    #[cfg(feature = "tls")]
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls = Some(config);
        self
    }

    /// Connects to the database at `url` (`postgres://user:password@host:port/database?option=value`, or
    /// a `key=value` connection string; a Unix socket is a host that is a path, e.g.
    /// `postgres://app@%2Fvar%2Frun%2Fpostgresql/app`), then creates or migrates the schema. Refuses, and
    /// leaves untouched, a schema written by a newer scim-token or holding another application's tables.
    ///
    /// Errors name the server as `postgres://user@host:port/database`, never with the password.
    pub async fn open(self, url: &str) -> Result<PostgresStore, PostgresStoreError> {
        let config: Config =
            url.parse().map_err(|error: tokio_postgres::Error| PostgresStoreError::InvalidUrl {
                url: redact_url(url),
                reason: crate::error::PgError::describe(&error),
            })?;
        self.open_with_config(config).await
    }

    /// Like [`open`](Self::open), from a parsed `tokio_postgres` configuration.
    pub async fn open_with_config(self, mut config: Config) -> Result<PostgresStore, PostgresStoreError> {
        let schema = SchemaName::new(&self.schema)?;
        let target = Target::of(&config);
        config.connect_timeout(self.connect_timeout);
        if config.get_application_name().is_none() {
            config.application_name("scim-token");
        }
        // `-c` options the server applies to each of our sessions; a later `-c` wins over the URL's own.
        // A session whose client vanished mid-transaction would hold its scope's lock: end it.
        let idle = (self.statement_timeout * 2).max(Duration::from_secs(10));
        let options = format!(
            "{} -c statement_timeout={} -c idle_in_transaction_session_timeout={}",
            config.get_options().unwrap_or_default(),
            self.statement_timeout.as_millis(),
            idle.as_millis(),
        );
        config.options(options.trim_start());

        let manager = self.manager(config, &target)?;
        let pool = Pool::builder(manager)
            .max_size(self.pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(self.acquire_timeout))
            .create_timeout(Some(self.connect_timeout))
            .recycle_timeout(Some(self.connect_timeout))
            .build()
            .map_err(|error| PostgresStoreError::Pool { reason: error.to_string(), closed: false })?;
        self.finish(pool, schema, target).await
    }

    /// Uses a pool the host already has, then creates or migrates the schema. The pool's own settings
    /// stay in force (size, its timeouts, TLS, no server-side statement timeout unless it sets one); this
    /// builder's schema and acquire timeout apply, and the store still closes a connection that has not
    /// answered within the statement timeout plus one second.
    pub async fn open_with_pool(self, pool: Pool) -> Result<PostgresStore, PostgresStoreError> {
        let schema = SchemaName::new(&self.schema)?;
        self.finish(pool, schema, Target::host_pool()).await
    }

    async fn finish(
        self,
        pool: Pool,
        schema: SchemaName,
        target: Target,
    ) -> Result<PostgresStore, PostgresStoreError> {
        let settings = Settings {
            schema,
            target,
            connect_timeout: self.connect_timeout,
            statement_timeout: self.statement_timeout,
            acquire_timeout: self.acquire_timeout,
        };
        let store = PostgresStore::new(pool, settings);
        store.prepare_schema().await?;
        Ok(store)
    }

    #[cfg(not(feature = "tls"))]
    #[allow(
        clippy::unused_self,
        reason = "the same signature as the `tls` build's, which reads the TLS settings"
    )]
    fn manager(&self, config: Config, target: &Target) -> Result<Manager, PostgresStoreError> {
        if matches!(config.get_ssl_mode(), SslMode::Require) {
            return Err(PostgresStoreError::TlsNotEnabled { target: target.clone() });
        }
        Ok(Manager::from_config(config, tokio_postgres::NoTls, manager_config()))
    }

    #[cfg(feature = "tls")]
    fn manager(&self, config: Config, _target: &Target) -> Result<Manager, PostgresStoreError> {
        if matches!(config.get_ssl_mode(), SslMode::Disable) {
            return Ok(Manager::from_config(config, tokio_postgres::NoTls, manager_config()));
        }
        let tls = crate::tls::connector(self.tls.clone())?;
        Ok(Manager::from_config(config, tls, manager_config()))
    }
}

/// `Fast` recycling: a pooled connection is handed out without a health-check query, so `find_token`
/// stays one round trip; a connection found closed is dropped, and one that breaks fails its call.
fn manager_config() -> ManagerConfig {
    ManagerConfig { recycling_method: RecyclingMethod::Fast }
}

/// At least a millisecond (PostgreSQL reads `statement_timeout = 0` as "none"), at most a day.
fn clamp(timeout: Duration) -> Duration {
    timeout.clamp(Duration::from_millis(1), Duration::from_secs(86_400))
}
