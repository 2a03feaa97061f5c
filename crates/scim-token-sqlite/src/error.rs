//! [`SqliteStoreError`]: every failure of the SQLite store, each message saying what to do next.
//! SQLite's own error is the `source()`, not part of the message, so an error reporter walking the chain
//! prints it once.
//!
//! No message ever holds a token hash: SQLite's own messages name tables and columns, never values, and
//! invalid rows are reported by column and rule only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::ErrorCode;
use scim_token_core::store::{StoreError, StoreErrorKind};

/// What went wrong opening or using a [`SqliteStore`](crate::SqliteStore).
///
/// Store operations report it inside a [`scim_token_core::store::StoreError`]; get it back with
/// `store_error.inner().downcast_ref::<SqliteStoreError>()`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqliteStoreError {
    /// The file could not be opened or created.
    #[error("cannot open {}; check the directory exists and is writable", path.display())]
    CannotOpen {
        /// The database path.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The file exists but is not a SQLite database (or is encrypted, or its header is destroyed).
    #[error(
        "{} is not a SQLite database; point scim-token at another file, or move this one away",
        path.display()
    )]
    NotADatabase {
        /// The database path.
        path: PathBuf,
    },
    /// The file is a SQLite database of another application (tables but no scim-token schema version).
    #[error(
        "{} already holds tables of another application; give scim-token its own database file",
        path.display()
    )]
    ForeignDatabase {
        /// The database path.
        path: PathBuf,
    },
    /// The database was written by a newer scim-token. It was left untouched.
    #[error(
        "the database at {} was written by a newer scim-token (schema version {found}, this build supports \
         {supported}); upgrade scim-token or use another file",
        path.display()
    )]
    NewerSchema {
        /// The database path.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// SQLite could not switch the file to write-ahead logging, which the store relies on.
    #[error(
        "cannot switch {} to write-ahead logging (journal mode stays {mode:?}); put the database on a \
         local filesystem",
        path.display()
    )]
    WalUnavailable {
        /// The database path.
        path: PathBuf,
        /// The journal mode SQLite kept.
        mode: String,
    },
    /// Another connection or process held the database lock for longer than the busy timeout.
    #[error(
        "the database at {} stayed locked by another connection for more than {timeout:?}; retry, find the \
         process holding it, or raise SqliteStoreBuilder::busy_timeout",
        path.display()
    )]
    Busy {
        /// The database path.
        path: PathBuf,
        /// The busy timeout in force.
        timeout: Duration,
    },
    /// The file or its directory is read-only for this process.
    #[error(
        "the database at {} is read-only for this process; check the permissions and owner of the file, \
         its -wal and -shm files and its directory",
        path.display()
    )]
    ReadOnly {
        /// The database path.
        path: PathBuf,
    },
    /// SQLite reports the file as damaged.
    #[error(
        "the database at {} is corrupt; restore it from a backup, or start a new file and \
         generate new tokens",
        path.display()
    )]
    Corrupt {
        /// The database path.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// A stored value breaks scim-token's rules: the file was changed outside scim-token.
    #[error(
        "the database at {} holds an invalid {what} ({reason}); it was changed outside scim-token: restore \
         it from a backup or generate a new token for the scope",
        path.display()
    )]
    InvalidRow {
        /// The database path.
        path: PathBuf,
        /// Which column.
        what: &'static str,
        /// The rule it breaks (never the value).
        reason: String,
    },
    /// Any other SQLite failure (disk full, I/O error, …).
    #[error("SQLite failed on {}; check free disk space and the file's health, then retry", path.display())]
    Sqlite {
        /// The database path.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The blocking thread running the SQLite call panicked or was cancelled by a runtime shutdown.
    #[error("the SQLite worker thread failed ({0}); retry, and report a bug if it happens again")]
    Worker(String),
}

impl SqliteStoreError {
    /// Whether retrying can help: a busy database is [`StoreErrorKind::Busy`], a worker cancelled by a
    /// runtime shutdown [`StoreErrorKind::Unavailable`], everything else [`StoreErrorKind::Other`].
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            Self::Busy { .. } => StoreErrorKind::Busy,
            Self::Worker(_) => StoreErrorKind::Unavailable,
            _ => StoreErrorKind::Other,
        }
    }
}

/// Store operations hand the error to the core with its [`kind`](SqliteStoreError::kind).
impl From<SqliteStoreError> for StoreError {
    fn from(error: SqliteStoreError) -> Self {
        Self::with_kind(error.kind(), error)
    }
}

/// `?` on [`SqliteStore::open`](crate::SqliteStore::open) works in a function returning
/// `scim_token_core::Result` (or `scim_token::Result`): the error becomes [`scim_token_core::Error::Store`]
/// with its [`kind`](SqliteStoreError::kind), and stays reachable by downcasting.
///
/// ```
/// use scim_token_core::{Error, ScimTokenService};
/// use scim_token_sqlite::{SqliteStore, SqliteStoreError};
///
/// async fn start(path: &str) -> scim_token_core::Result<ScimTokenService> {
///     let store = SqliteStore::open(path).await?; // SqliteStoreError -> scim_token_core::Error
///     ScimTokenService::builder(store).build()
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let dir = std::env::temp_dir().join("scim-token-doc-no-such-directory/deeper");
/// let error = start(dir.join("tokens.db").to_str().unwrap()).await.unwrap_err();
/// let Error::Store(store_error) = &error else { panic!("expected a store error, got {error}") };
/// assert!(store_error.inner().downcast_ref::<SqliteStoreError>().is_some());
/// assert!(!error.is_transient());
/// # }
/// ```
impl From<SqliteStoreError> for scim_token_core::Error {
    fn from(error: SqliteStoreError) -> Self {
        Self::Store(error.into())
    }
}

/// A failure inside a blocking SQLite call, before it is given its path and timeout.
#[derive(Debug)]
pub(crate) enum DbError {
    Sqlite(rusqlite::Error),
    InvalidRow { what: &'static str, reason: String },
}

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

impl DbError {
    /// The public error, told which database and which busy timeout were in force.
    pub(crate) fn into_store_error(self, path: &Path, timeout: Duration) -> SqliteStoreError {
        let path = path.to_path_buf();
        let source = match self {
            Self::InvalidRow { what, reason } => return SqliteStoreError::InvalidRow { path, what, reason },
            Self::Sqlite(source) => source,
        };
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                SqliteStoreError::Busy { path, timeout }
            }
            Some(ErrorCode::NotADatabase) => SqliteStoreError::NotADatabase { path },
            Some(ErrorCode::CannotOpen) => SqliteStoreError::CannotOpen { path, source },
            Some(ErrorCode::ReadOnly) => SqliteStoreError::ReadOnly { path },
            Some(ErrorCode::DatabaseCorrupt) => SqliteStoreError::Corrupt { path, source },
            _ => SqliteStoreError::Sqlite { path, source },
        }
    }
}
