//! Opening a database: [`SqliteStoreBuilder`], the pragmas, the schema checks and migrations.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::connections::Connections;
use crate::error::{DbError, SqliteStoreError};
use crate::schema::{self, Migration, SCHEMA_VERSION};
use crate::store::SqliteStore;

/// The longest pause between two attempts at opening a file that another process holds locked.
const MAX_OPEN_BACKOFF: Duration = Duration::from_millis(50);

/// Options for opening a [`SqliteStore`]. [`SqliteStore::open`] uses the defaults.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), scim_token_sqlite::SqliteStoreError> {
/// use std::time::Duration;
/// use scim_token_sqlite::SqliteStore;
///
/// let store = SqliteStore::builder()
///     .busy_timeout(Duration::from_secs(2))
///     .read_connections(2)
///     .open_in_memory()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "call open() or open_in_memory() to get the store"]
pub struct SqliteStoreBuilder {
    busy_timeout: Duration,
    read_connections: usize,
    exclusive: bool,
}

impl Default for SqliteStoreBuilder {
    fn default() -> Self {
        Self { busy_timeout: Self::DEFAULT_BUSY_TIMEOUT, read_connections: 4, exclusive: false }
    }
}

impl SqliteStoreBuilder {
    /// The default busy timeout: 5 seconds.
    pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

    /// Options with their defaults: a 5 s busy timeout and 4 read connections.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long a call waits for a lock held by another connection or process before failing with
    /// [`SqliteStoreError::Busy`] (default 5 s; at most about 24 days).
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        // SQLite takes a C int of milliseconds.
        self.busy_timeout = timeout.min(Duration::from_millis(i32::MAX as u64));
        self
    }

    /// How many read-only connections serve `find_token` and `load_scope` besides the one writer
    /// (default 4). With 0 the writer serves reads too, always on the blocking pool: it waits out the
    /// busy timeout when the file is locked, so it never reads on the async path. An in-memory database
    /// always uses one connection.
    pub fn read_connections(mut self, count: usize) -> Self {
        self.read_connections = count;
        self
    }

    /// Whether this store is the file's only user (default `false`): one connection holds an exclusive
    /// lock on it for as long as the store lives, so no other process (another instance, the
    /// `scim-token` CLI, the `sqlite3` shell) can open the file meanwhile; theirs fails as busy, and so
    /// does this open while another holds the file.
    ///
    /// In exchange a SCIM request needs no read transaction: the store answers look-ups from memory
    /// until its own next write, which it knows of. A shared file must ask SQLite on every request
    /// whether another process committed, which costs two lock system calls (see `benches/README.md`).
    /// For a host that runs one process on the file and rotates through it (the admin API); not for
    /// several instances, nor for rotating with the CLI while the server runs. `read_connections` is
    /// ignored: the one connection serves reads too.
    pub fn exclusive(mut self, exclusive: bool) -> Self {
        self.exclusive = exclusive;
        self
    }

    /// Opens the database file at `path`, creating it (readable by its owner only, on Unix) if it does not
    /// exist, and brings its schema up to date. Refuses, without writing to it, a file that is not a
    /// SQLite database, belongs to another application, or was written by a newer scim-token.
    pub async fn open(self, path: impl AsRef<Path>) -> Result<SqliteStore, SqliteStoreError> {
        let path = path.as_ref().to_path_buf();
        blocking(move || self.open_file(&path)).await
    }

    /// Opens a new, private in-memory database: for tests and demos. Clones of the store share it;
    /// it is gone when the last clone is dropped.
    pub async fn open_in_memory(self) -> Result<SqliteStore, SqliteStoreError> {
        blocking(move || self.open_memory()).await
    }

    /// Opens the file, waiting up to the busy timeout in all, like every other call, while other
    /// processes open, migrate or write it.
    ///
    /// SQLite answers some lock conflicts at open at once, without calling the busy handler: switching
    /// a fresh file to WAL needs an exclusive lock, and two connections that both read the file first
    /// would deadlock, so one is told "busy" straight away. Such attempts are retried, with a short
    /// backoff, until the timeout; each one waits at most what remains of it.
    fn open_file(self, path: &Path) -> Result<Connections, SqliteStoreError> {
        let deadline = Instant::now() + self.busy_timeout;
        let mut backoff = Duration::from_millis(1);
        create_owner_only(path);
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match self.try_open_file(path, remaining) {
                Err(SqliteStoreError::Busy { .. }) if remaining > backoff => {
                    // The blocking pool's thread, not an async worker: sleeping here is the wait.
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(MAX_OPEN_BACKOFF);
                }
                Err(SqliteStoreError::Busy { path, .. }) => {
                    return Err(SqliteStoreError::Busy { path, timeout: self.busy_timeout });
                }
                result => return result,
            }
        }
    }

    /// One attempt at opening the file, whose lock waits last at most `wait`.
    fn try_open_file(&self, path: &Path, wait: Duration) -> Result<Connections, SqliteStoreError> {
        let fail = |error: rusqlite::Error| DbError::from(error).into_store_error(path, self.busy_timeout);
        // No URI flag: the path is a path, even if it starts with `file:`.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut writer = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_CREATE)
            .map_err(|source| SqliteStoreError::CannotOpen { path: path.to_path_buf(), source })?;
        writer.busy_timeout(wait).map_err(fail)?;
        if self.exclusive {
            // Before the first read: then WAL keeps its index in this process's memory, not in a
            // shared `-shm` file, and the locks, once taken, are never released.
            writer.execute_batch("PRAGMA locking_mode = EXCLUSIVE").map_err(fail)?;
        }

        // Everything up to the journal mode switch only reads, so a file we refuse is left as it was. One
        // statement, so both answers come from one snapshot: read apart, another process could migrate
        // the file between them, and its tables would look like another application's.
        let (found, foreign_tables) = schema::inspect(&writer).map_err(fail)?;
        if found > SCHEMA_VERSION {
            return Err(SqliteStoreError::NewerSchema {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found == 0 && foreign_tables {
            return Err(SqliteStoreError::ForeignDatabase { path: path.to_path_buf() });
        }

        // WAL lets readers run beside the writer and other processes; it is persistent in the file.
        let mode: String =
            writer.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(SqliteStoreError::WalUnavailable { path: path.to_path_buf(), mode });
        }
        // FULL: a token that generate() returned survives a power loss, not only a crash.
        writer.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;").map_err(fail)?;
        self.migrate(&mut writer, path)?;
        if self.exclusive {
            // Takes the exclusive lock now, and keeps it: no other connection can read or write.
            writer.execute_batch("BEGIN EXCLUSIVE; COMMIT;").map_err(fail)?;
            // Nothing can make it wait any more, so it may serve reads inline (see connections.rs).
            writer.busy_timeout(Duration::ZERO).map_err(fail)?;
            return Ok(Connections::sole(writer, path.to_path_buf(), self.busy_timeout));
        }
        writer.busy_timeout(self.busy_timeout).map_err(fail)?;

        let readers = (0..self.read_connections)
            .map(|_| {
                let reader = Connection::open_with_flags(path, flags)
                    .map_err(|source| SqliteStoreError::CannotOpen { path: path.to_path_buf(), source })?;
                // No busy handler: reads on the async path must never sleep (see connections.rs).
                reader.busy_timeout(Duration::ZERO).map_err(fail)?;
                reader.execute_batch("PRAGMA query_only = ON").map_err(fail)?;
                Ok(reader)
            })
            .collect::<Result<Vec<_>, SqliteStoreError>>()?;
        Ok(Connections::new(writer, readers, path.to_path_buf(), self.busy_timeout))
    }

    fn open_memory(self) -> Result<Connections, SqliteStoreError> {
        let path = PathBuf::from(":memory:");
        let fail = |error: rusqlite::Error| DbError::from(error).into_store_error(&path, self.busy_timeout);
        let mut conn = Connection::open_in_memory().map_err(fail)?;
        // Nothing else can lock a private in-memory database, so it needs no busy handler, and without
        // one it may serve reads inline on the async path (see connections.rs).
        conn.busy_timeout(Duration::ZERO).map_err(fail)?;
        conn.execute_batch("PRAGMA foreign_keys = ON").map_err(fail)?;
        self.migrate(&mut conn, &path)?;
        Ok(Connections::sole(conn, path, self.busy_timeout))
    }

    fn migrate(&self, conn: &mut Connection, path: &Path) -> Result<(), SqliteStoreError> {
        match schema::migrate(conn).map_err(|error| error.into_store_error(path, self.busy_timeout))? {
            Migration::Current => Ok(()),
            Migration::Newer(found) => Err(SqliteStoreError::NewerSchema {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            }),
        }
    }
}

/// Runs an open on the blocking pool: opening, recovering a WAL and migrating all do file I/O.
async fn blocking(
    open: impl FnOnce() -> Result<Connections, SqliteStoreError> + Send + 'static,
) -> Result<SqliteStore, SqliteStoreError> {
    let connections = tokio::task::spawn_blocking(open)
        .await
        .map_err(|error| SqliteStoreError::Worker(error.to_string()))??;
    Ok(SqliteStore::from_connections(Arc::new(connections)))
}

/// Creates a missing database file readable by its owner only: it holds token hashes, and SQLite gives
/// the `-wal` and `-shm` files the same permissions. Best effort: SQLite reports any problem with the
/// path itself, in its own words.
#[cfg(unix)]
fn create_owner_only(path: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path);
}

#[cfg(not(unix))]
fn create_owner_only(_path: &Path) {}
