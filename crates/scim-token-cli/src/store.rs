//! Which database to act on (`--database`), and opening it as a `TokenStore`.
//!
//! The only place that knows about backends: adding one is a new [`Database`] variant, a parse rule and
//! an arm in [`open`].

mod postgres_url;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use scim_token_core::TokenStore;
use scim_token_sqlite::SqliteStore;

pub(crate) use postgres_url::PostgresUrl;

use crate::error::CliError;

/// What `--database` names. `Display` never shows a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Database {
    /// A SQLite file: `sqlite:PATH`, `sqlite://PATH` or a plain path.
    Sqlite(PathBuf),
    /// A PostgreSQL server: `postgres://…` or `postgresql://…` (libpq's URI form).
    Postgres(PostgresUrl),
}

/// Why a `--database` value was refused. Messages never repeat the value: it may hold a password.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DatabaseUrlError {
    /// Nothing was given.
    #[error("it is empty; give sqlite:PATH, a file path, or postgres://…")]
    Empty,
    /// `sqlite:` with no path after it.
    #[error("sqlite: needs a file path after it, e.g. sqlite:/var/lib/myapp/scim-token.db")]
    SqliteWithoutPath,
    /// An in-memory SQLite database would hold nothing the servers use.
    #[error("an in-memory SQLite database is not the servers' database; give the path of their file")]
    SqliteInMemory,
    /// `sqlite:PATH?option=…`: options are not supported, and a path with `?` would be ambiguous.
    #[error("SQLite URL options (after ?) are not supported; give the file path alone")]
    SqliteOptions,
    /// A scheme this build does not know (`mysql://`, `file://`, …).
    #[error("unsupported scheme {0:?}; use sqlite:PATH, a file path, or postgres://…")]
    UnsupportedScheme(String),
    /// A PostgreSQL URL that libpq would not accept.
    #[error(
        "not a valid PostgreSQL URL: {0}; the form is postgres://USER:PASSWORD@HOST:PORT/DATABASE?OPTIONS"
    )]
    Postgres(&'static str),
}

impl Database {
    /// Parses a `--database` value: `sqlite:PATH`, `sqlite://PATH` (so `sqlite:///abs/path` is
    /// absolute), `postgres://…`, `postgresql://…`, or else a plain file path.
    pub(crate) fn parse(value: &str) -> Result<Self, DatabaseUrlError> {
        if value.is_empty() {
            return Err(DatabaseUrlError::Empty);
        }
        match scheme(value) {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("sqlite") => sqlite_path(rest),
            Some((scheme, _)) if is_postgres(scheme) => Ok(Self::Postgres(PostgresUrl::parse(value)?)),
            Some((scheme, rest)) if rest.starts_with("//") => {
                Err(DatabaseUrlError::UnsupportedScheme(scheme.to_ascii_lowercase()))
            }
            _ if value == ":memory:" => Err(DatabaseUrlError::SqliteInMemory),
            _ => Ok(Self::Sqlite(PathBuf::from(value))),
        }
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "the SQLite database {}", path.display()),
            Self::Postgres(url) => write!(f, "the PostgreSQL database {url}"),
        }
    }
}

/// Splits `scheme:rest` when the text before the first `:` is a URL scheme of two characters or more
/// (so that `C:\…` stays a path).
fn scheme(value: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = value.split_once(':')?;
    let valid = scheme.len() >= 2
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then_some((scheme, rest))
}

fn is_postgres(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql")
}

/// The path of `sqlite:PATH`, or of `sqlite://PATH` as sqlx reads it.
fn sqlite_path(rest: &str) -> Result<Database, DatabaseUrlError> {
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.is_empty() {
        return Err(DatabaseUrlError::SqliteWithoutPath);
    }
    if path == ":memory:" {
        return Err(DatabaseUrlError::SqliteInMemory);
    }
    if path.contains('?') {
        return Err(DatabaseUrlError::SqliteOptions);
    }
    Ok(Database::Sqlite(PathBuf::from(path)))
}

/// Opens the store. A SQLite file must already exist: the servers create it, and a mistyped path must
/// not quietly become an empty database that reports "disabled, no token".
/// `pg_schema` is the PostgreSQL schema the servers' tables live in.
pub(crate) async fn open(database: &Database, pg_schema: &str) -> Result<Arc<dyn TokenStore>, CliError> {
    match database {
        Database::Sqlite(path) => open_sqlite(path).await,
        Database::Postgres(url) => open_postgres(url, pg_schema).await,
    }
}

async fn open_sqlite(path: &Path) -> Result<Arc<dyn TokenStore>, CliError> {
    if let Err(error) = std::fs::metadata(path)
        && error.kind() == std::io::ErrorKind::NotFound
    {
        return Err(CliError::NoDatabaseFile { path: path.to_path_buf() });
    }
    // One reader is plenty for a command that makes a handful of calls.
    let store = SqliteStore::builder().read_connections(1).open(path).await?;
    Ok(Arc::new(store))
}

/// A small pool: a command makes a handful of calls, one at a time.
#[cfg(feature = "postgres")]
async fn open_postgres(url: &PostgresUrl, schema: &str) -> Result<Arc<dyn TokenStore>, CliError> {
    let store =
        scim_token_postgres::PostgresStore::builder().schema(schema).pool_size(2).open(url.as_str()).await?;
    Ok(Arc::new(store))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(_url: &PostgresUrl, _schema: &str) -> Result<Arc<dyn TokenStore>, CliError> {
    Err(CliError::NoPostgresSupport)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(value: &str) -> PathBuf {
        match Database::parse(value) {
            Ok(Database::Sqlite(path)) => path,
            other => panic!("{value:?} should be a SQLite path, got {other:?}"),
        }
    }

    #[test]
    fn sqlite_forms() {
        assert_eq!(sqlite("scim-token.db"), Path::new("scim-token.db"));
        assert_eq!(sqlite("/var/lib/app/scim.db"), Path::new("/var/lib/app/scim.db"));
        assert_eq!(sqlite("./dir:with:colons/x.db"), Path::new("./dir:with:colons/x.db"));
        assert_eq!(sqlite("sqlite:scim.db"), Path::new("scim.db"));
        assert_eq!(sqlite("sqlite:/abs/scim.db"), Path::new("/abs/scim.db"));
        assert_eq!(sqlite("SQLite:rel/scim.db"), Path::new("rel/scim.db"));
        assert_eq!(sqlite("sqlite://rel/scim.db"), Path::new("rel/scim.db"));
        assert_eq!(sqlite("sqlite:///abs/scim.db"), Path::new("/abs/scim.db"));
        assert_eq!(sqlite(r"C:\data\scim.db"), Path::new(r"C:\data\scim.db"));
        assert_eq!(sqlite("plain?name.db"), Path::new("plain?name.db"), "a plain path is taken as it is");
    }

    #[test]
    fn sqlite_refusals() {
        use DatabaseUrlError::*;
        for (value, expected) in [
            ("", Empty),
            ("sqlite:", SqliteWithoutPath),
            ("sqlite://", SqliteWithoutPath),
            (":memory:", SqliteInMemory),
            ("sqlite::memory:", SqliteInMemory),
            ("sqlite://:memory:", SqliteInMemory),
            ("sqlite:scim.db?mode=rwc", SqliteOptions),
            ("mysql://root@localhost/db", UnsupportedScheme("mysql".into())),
            ("FILE:///tmp/x.db", UnsupportedScheme("file".into())),
            ("https://example.com/db", UnsupportedScheme("https".into())),
        ] {
            assert_eq!(Database::parse(value), Err(expected), "{value:?}");
        }
    }

    #[test]
    fn postgres_forms_are_recognised() {
        for value in ["postgres://localhost/db", "postgresql://u@h:5432/db", "POSTGRES://h", "postgres://"] {
            assert!(matches!(Database::parse(value), Ok(Database::Postgres(_))), "{value:?}");
        }
        assert!(matches!(Database::parse("postgres:localhost"), Err(DatabaseUrlError::Postgres(_))));
    }

    #[test]
    fn display_never_shows_a_password() {
        let db = Database::parse("postgres://alice:hunter2@db.internal:5432/app?password=hunter3").unwrap();
        for shown in [db.to_string(), format!("{db:?}")] {
            assert!(!shown.contains("hunter"), "{shown}");
            assert!(shown.contains("alice") && shown.contains("db.internal:5432/app"), "{shown}");
        }
        assert_eq!(Database::parse("x.db").unwrap().to_string(), "the SQLite database x.db");
    }

    #[test]
    fn errors_never_repeat_the_value() {
        for value in ["postgres://alice:hunter2@host:99999/db", "postgres://alice:hunter2@ho st/db"] {
            let message = Database::parse(value).unwrap_err().to_string();
            assert!(!message.contains("hunter2"), "{message}");
        }
    }
}
