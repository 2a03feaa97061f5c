//! [`PostgresStoreError`]: every failure of the PostgreSQL store, each message saying what to do next,
//! with the [`StoreErrorKind`] a caller can act on. The client's or server's error is the `source()`,
//! not part of the message, so an error reporter walking the chain prints it once.
//!
//! No message holds a password (servers are named by [`Target`]) or a stored value: PostgreSQL's
//! `DETAIL` lines can quote a whole row, token hash included, so a server error is shown by its
//! severity, SQLSTATE and message only ([`PgError`]).

use std::fmt;
use std::time::Duration;

use scim_token_core::store::{StoreError, StoreErrorKind};
use tokio_postgres::error::SqlState;

use crate::classify::Class;
use crate::target::Target;

/// What went wrong opening or using a [`PostgresStore`](crate::PostgresStore).
///
/// Store operations report it inside a [`StoreError`] with its [`kind`](Self::kind); get it back with
/// `store_error.inner().downcast_ref::<PostgresStoreError>()`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostgresStoreError {
    /// The connection URL could not be parsed. The URL is shown with its password replaced by `***`.
    #[error(
        "invalid PostgreSQL connection URL {url}: {reason}; write it as \
         postgres://user:password@host:port/database?option=value"
    )]
    InvalidUrl {
        /// The URL, password redacted.
        url: String,
        /// What the parser objected to.
        reason: String,
    },
    /// The schema name breaks the rules that keep it a plain, unambiguous identifier.
    #[error(
        "invalid schema name {name:?}: {reason}; use 1 to 63 lowercase ASCII letters, digits and underscores, \
         starting with a letter or underscore and not with pg_"
    )]
    InvalidSchemaName {
        /// The name given.
        name: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// The URL requires TLS but the crate was built without its `tls` feature.
    #[error(
        "the connection to {target} requires TLS (sslmode=require), but scim-token-postgres was built without \
         its `tls` feature; enable that feature, or set sslmode=disable on a trusted network"
    )]
    TlsNotEnabled {
        /// The server.
        target: Target,
    },
    /// The TLS set-up could not be built (e.g. no root certificate in the operating system's store).
    #[error("cannot set up TLS for PostgreSQL: {reason}; pass your own rustls ClientConfig to tls_config")]
    TlsSetup {
        /// What failed.
        reason: String,
    },
    /// No connection could be made: refused, unknown host, network down, the server shutting down.
    #[error(
        "cannot reach PostgreSQL at {target}; check that the server is running and the host and \
         port are right, then retry"
    )]
    Unreachable {
        /// The server.
        target: Target,
        /// The client's or the server's error.
        #[source]
        source: PgError,
    },
    /// The TLS handshake failed: most often a certificate the client does not trust, or a host name
    /// the certificate does not cover.
    #[error(
        "the TLS handshake with PostgreSQL at {target} failed; check the server's certificate and \
         the host name in the URL, or give its CA with PostgresStoreBuilder::tls_config"
    )]
    TlsHandshake {
        /// The server.
        target: Target,
        /// The client's error.
        #[source]
        source: PgError,
    },
    /// Connecting took longer than the connect timeout.
    #[error(
        "PostgreSQL at {target} did not accept a connection within {timeout:?}; check the network and the \
         server, or raise PostgresStoreBuilder::connect_timeout"
    )]
    ConnectTimeout {
        /// The server.
        target: Target,
        /// The connect timeout in force.
        timeout: Duration,
    },
    /// The server refused the user or its password (or the role does not exist).
    #[error("PostgreSQL at {target} refused the login; check the user name and password in the URL")]
    Authentication {
        /// The server, with the user name.
        target: Target,
        /// The server's error.
        #[source]
        source: PgError,
    },
    /// The database named in the URL does not exist.
    #[error(
        "the database named in {target} does not exist; create it (CREATE DATABASE) or fix the \
         database name in the URL"
    )]
    MissingDatabase {
        /// The server and database.
        target: Target,
        /// The server's error.
        #[source]
        source: PgError,
    },
    /// The user may not create or use scim-token's schema or tables.
    #[error(
        "the PostgreSQL user of {target} lacks a privilege on schema {schema}; grant it CREATE on \
         the database, or create the schema for it (CREATE SCHEMA {schema} AUTHORIZATION <user>)"
    )]
    PermissionDenied {
        /// The server.
        target: Target,
        /// The schema.
        schema: String,
        /// The server's error.
        #[source]
        source: PgError,
    },
    /// The schema was written by a newer scim-token. It was left untouched.
    #[error(
        "schema {schema} at {target} was written by a newer scim-token (schema version {found}, this build \
         supports {supported}); upgrade scim-token or use another schema"
    )]
    NewerSchema {
        /// The server.
        target: Target,
        /// The schema.
        schema: String,
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The schema holds tables, but no scim-token version table: it belongs to another application.
    #[error(
        "schema {schema} at {target} already holds tables of another application; give scim-token its own \
         schema with PostgresStoreBuilder::schema"
    )]
    ForeignSchema {
        /// The server.
        target: Target,
        /// The schema.
        schema: String,
    },
    /// Every pooled connection stayed in use for longer than the acquire timeout.
    #[error(
        "all {pool_size} connections to PostgreSQL at {target} stayed in use for {waited:?}; retry, or raise \
         PostgresStoreBuilder::pool_size or acquire_timeout"
    )]
    PoolExhausted {
        /// The server.
        target: Target,
        /// The pool's size.
        pool_size: usize,
        /// How long the call waited.
        waited: Duration,
    },
    /// The server did not answer in time; the connection was closed, since it may be broken.
    #[error(
        "PostgreSQL at {target} did not answer within {timeout:?}; the connection was dropped: check the \
         network and the server's load, then retry"
    )]
    Timeout {
        /// The server.
        target: Target,
        /// The deadline that passed.
        timeout: Duration,
    },
    /// An established connection broke (server restart, `pg_terminate_backend`, network failure).
    #[error(
        "lost the connection to PostgreSQL at {target}; retry: the pool opens a new connection by \
         itself"
    )]
    ConnectionLost {
        /// The server.
        target: Target,
        /// The client's or the server's error.
        #[source]
        source: PgError,
    },
    /// The server is reachable but contended: a lock or statement timeout, a serialization failure or
    /// deadlock, too many connections.
    #[error(
        "PostgreSQL at {target} is busy; retry in a moment, or raise \
         PostgresStoreBuilder::statement_timeout"
    )]
    Busy {
        /// The server.
        target: Target,
        /// The server's error.
        #[source]
        source: PgError,
    },
    /// A stored value breaks scim-token's rules: the tables were changed outside scim-token.
    #[error(
        "schema {schema} holds an invalid {what} ({reason}); it was changed outside scim-token: restore it from \
         a backup or generate a new token for the scope"
    )]
    InvalidRow {
        /// The schema.
        schema: String,
        /// Which column.
        what: &'static str,
        /// The rule it breaks (never the value).
        reason: String,
    },
    /// The pool was closed by the host, or could not be built.
    #[error("the PostgreSQL connection pool is unusable ({reason}); build the store with an open pool")]
    Pool {
        /// What the pool reported.
        reason: String,
        /// Whether the pool was closed (worth retrying against a new one) rather than misconfigured.
        closed: bool,
    },
    /// Any other PostgreSQL failure.
    #[error("PostgreSQL at {target} failed; see the server's log, then retry")]
    Database {
        /// The server.
        target: Target,
        /// The server's error.
        #[source]
        source: PgError,
    },
}

impl PostgresStoreError {
    /// Whether retrying can help: [`StoreErrorKind::Unavailable`] when the server cannot be reached or
    /// stopped answering, [`StoreErrorKind::Busy`] when it is contended (pool exhausted, lock or statement
    /// timeout, serialization failure, too many connections), [`StoreErrorKind::Other`] otherwise.
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            Self::Unreachable { .. }
            | Self::ConnectTimeout { .. }
            | Self::Timeout { .. }
            | Self::ConnectionLost { .. }
            | Self::Pool { closed: true, .. } => StoreErrorKind::Unavailable,
            Self::PoolExhausted { .. } | Self::Busy { .. } => StoreErrorKind::Busy,
            _ => StoreErrorKind::Other,
        }
    }

    /// Classifies a client or server error met while talking to `target` about `schema`.
    pub(crate) fn from_pg(error: tokio_postgres::Error, target: &Target, schema: &str) -> Self {
        let target = target.clone();
        let class = Class::of(&error);
        let source = PgError(error);
        match class {
            Class::Unreachable => Self::Unreachable { target, source },
            Class::Lost => Self::ConnectionLost { target, source },
            Class::Busy => Self::Busy { target, source },
            Class::Authentication => Self::Authentication { target, source },
            Class::Tls => Self::TlsHandshake { target, source },
            Class::MissingDatabase => Self::MissingDatabase { target, source },
            Class::PermissionDenied => Self::PermissionDenied { target, schema: schema.to_owned(), source },
            Class::Other => Self::Database { target, source },
        }
    }
}

/// Store operations hand the error to the core with its [`kind`](PostgresStoreError::kind).
impl From<PostgresStoreError> for StoreError {
    fn from(error: PostgresStoreError) -> Self {
        Self::with_kind(error.kind(), error)
    }
}

/// `?` on [`PostgresStore::open`](crate::PostgresStore::open) works in a function returning
/// `scim_token_core::Result` (or `scim_token::Result`): the error becomes [`scim_token_core::Error::Store`]
/// with its [`kind`](PostgresStoreError::kind) (an unreachable server stays transient), and stays
/// reachable by downcasting.
///
/// ```
/// use scim_token_core::{Error, ScimTokenService};
/// use scim_token_postgres::{PostgresStore, PostgresStoreError};
///
/// async fn start(url: &str) -> scim_token_core::Result<ScimTokenService> {
///     let store = PostgresStore::open(url).await?; // PostgresStoreError -> scim_token_core::Error
///     ScimTokenService::builder(store).build()
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let error = start("postgres://myapp@db.internal:not-a-port/myapp").await.unwrap_err();
/// let Error::Store(store_error) = &error else { panic!("expected a store error, got {error}") };
/// let cause = store_error.inner().downcast_ref::<PostgresStoreError>();
/// assert!(matches!(cause, Some(PostgresStoreError::InvalidUrl { .. })));
/// assert!(!error.is_transient());
/// # }
/// ```
impl From<PostgresStoreError> for scim_token_core::Error {
    fn from(error: PostgresStoreError) -> Self {
        Self::Store(error.into())
    }
}

/// A `tokio_postgres` error, shown without what could leak a stored value: a server error appears as
/// `SEVERITY SQLSTATE: message` (no `DETAIL`, which can quote a whole row), a client error with its cause.
pub struct PgError(tokio_postgres::Error);

impl PgError {
    /// The SQLSTATE, for a server error.
    pub fn code(&self) -> Option<&SqlState> {
        self.0.code()
    }

    /// The client's error. Careful: its `source()` chain includes the server's `DETAIL`, which may quote
    /// stored values (token hashes): do not log it.
    pub fn get_ref(&self) -> &tokio_postgres::Error {
        &self.0
    }
}

impl PgError {
    /// `error` in one line, as [`PgError`] shows it.
    pub(crate) fn describe(error: &tokio_postgres::Error) -> String {
        if let Some(db) = error.as_db_error() {
            return format!("{} {}: {}", db.severity(), db.code().code(), db.message());
        }
        let mut text = error.to_string();
        let mut cause = std::error::Error::source(error);
        while let Some(error) = cause {
            text.push_str(": ");
            text.push_str(&error.to_string());
            cause = error.source();
        }
        text
    }
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Self::describe(&self.0))
    }
}

impl fmt::Debug for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PgError({self})")
    }
}

/// The cause is part of the message, so there is no further source.
impl std::error::Error for PgError {}
