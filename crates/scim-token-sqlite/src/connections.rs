//! The connections a store reuses: one writer and a few read-only readers, each behind a mutex.
//!
//! In WAL mode readers never wait for the writer, so `find_token` (run on every SCIM request) keeps
//! answering while a rotation commits or another process holds the write lock. An in-memory database
//! exists only inside its one connection, so there the writer serves reads too.
//!
//! Readers have no busy handler: [`Connections::try_read_now`] runs a read on the calling thread only
//! when it cannot wait for anything, and the blocking [`Connections::read`] lends the reader the busy
//! timeout for the length of its call. The writer of a file keeps its busy handler, so it never reads
//! inline: with `read_connections(0)` every read goes to the blocking pool. Only an in-memory database,
//! which no other connection can lock, lets its one connection (set up without a busy handler) read
//! inline.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode};

use crate::error::{DbError, SqliteStoreError};
use crate::reader::Reader;

pub(crate) struct Connections {
    pub(crate) writer: Mutex<Reader>,
    pub(crate) readers: Vec<Mutex<Reader>>,
    next_reader: AtomicUsize,
    /// Whether the writer may serve reads inline: only if it has no busy handler, so cannot wait.
    writer_never_waits: bool,
    /// The database path (`:memory:` for an in-memory database), for error messages.
    pub(crate) path: PathBuf,
    /// The busy timeout every connection uses, for error messages.
    pub(crate) busy_timeout: Duration,
}

impl Connections {
    /// Connections to a file: the writer has a busy handler, so only `readers` read inline.
    pub(crate) fn new(
        writer: Connection,
        readers: Vec<Connection>,
        path: PathBuf,
        busy_timeout: Duration,
    ) -> Self {
        Self {
            writer: Mutex::new(Reader::uncached(writer)),
            readers: readers.into_iter().map(|conn| Mutex::new(Reader::caching(conn))).collect(),
            next_reader: AtomicUsize::new(0),
            writer_never_waits: false,
            path,
            busy_timeout,
        }
    }

    /// The one connection of a database no other connection can open (in memory, or a file this
    /// connection holds an exclusive lock on), without a busy handler: it serves reads inline, and
    /// caches look-ups until its own next write.
    pub(crate) fn sole(conn: Connection, path: PathBuf, busy_timeout: Duration) -> Self {
        Self {
            writer: Mutex::new(Reader::sole(conn)),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
            writer_never_waits: true,
            path,
            busy_timeout,
        }
    }

    /// Runs `f` on the writer connection. Blocks: call it from `spawn_blocking`.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, DbError>,
    ) -> Result<T, SqliteStoreError> {
        let mut conn = lock(&self.writer);
        let result = f(conn.conn_mut());
        // Whatever the write did, or undid: a sole connection's cache must not outlive it.
        conn.forget_lookups();
        result.map_err(|error| self.error(error))
    }

    /// Runs `f` on an idle reader (or waits for one), waiting up to the busy timeout if SQLite is busy.
    /// Blocks: call it from `spawn_blocking`.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut Reader) -> Result<T, DbError>,
    ) -> Result<T, SqliteStoreError> {
        let conn = self.reader();
        let mut conn = WithBusyTimeout::new(conn, self.busy_timeout, !self.readers.is_empty())
            .map_err(|error| self.error(error.into()))?;
        f(&mut conn.conn).map_err(|error| self.error(error))
    }

    /// Runs `f` on an idle reader on the calling thread, or returns `None` where that would mean waiting:
    /// every reader is in use, or SQLite reports the database busy. Never sleeps or blocks on a lock, so
    /// an async task may call it: a WAL read by primary key costs microseconds, like a mutex-held map.
    pub(crate) fn try_read_now<T>(
        &self,
        f: impl FnOnce(&mut Reader) -> Result<T, DbError>,
    ) -> Option<Result<T, SqliteStoreError>> {
        let mut conn = self.inline_reader()?;
        match f(&mut conn) {
            Err(DbError::Sqlite(error)) if is_busy(&error) => None,
            result => Some(result.map_err(|error| self.error(error))),
        }
    }

    pub(crate) fn error(&self, error: DbError) -> SqliteStoreError {
        error.into_store_error(&self.path, self.busy_timeout)
    }

    /// For a blocking read: an idle reader, else any reader, else the writer.
    fn reader(&self) -> MutexGuard<'_, Reader> {
        if let Some(conn) = self.idle_reader() {
            return conn;
        }
        match self.readers.len() {
            0 => lock(&self.writer),
            count => lock(&self.readers[self.next_reader.fetch_add(1, Ordering::Relaxed) % count]),
        }
    }

    /// For an inline read: a connection nobody holds and that cannot wait, if there is one.
    fn inline_reader(&self) -> Option<MutexGuard<'_, Reader>> {
        if self.readers.is_empty() && !self.writer_never_waits {
            return None;
        }
        self.idle_reader()
    }

    /// A reader nobody holds (the writer, if there are no readers), without waiting.
    fn idle_reader(&self) -> Option<MutexGuard<'_, Reader>> {
        let count = self.readers.len();
        if count == 0 {
            return try_lock(&self.writer);
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed) % count;
        (0..count).find_map(|offset| try_lock(&self.readers[(start + offset) % count]))
    }
}

/// A reader lent the busy timeout until dropped, so a later [`Connections::try_read_now`] never sleeps.
struct WithBusyTimeout<'a> {
    conn: MutexGuard<'a, Reader>,
    /// Whether the timeout was lent, and must be taken back (readers only; the writer keeps its own).
    lent: bool,
}

impl<'a> WithBusyTimeout<'a> {
    fn new(conn: MutexGuard<'a, Reader>, timeout: Duration, lend: bool) -> rusqlite::Result<Self> {
        if lend {
            conn.busy_timeout(timeout)?;
        }
        Ok(Self { conn, lent: lend })
    }
}

impl Drop for WithBusyTimeout<'_> {
    fn drop(&mut self) {
        if self.lent {
            // Cannot fail for a zero timeout: it only removes the handler.
            let _ = self.conn.busy_timeout(Duration::ZERO);
        }
    }
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(error.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

fn try_lock(conn: &Mutex<Reader>) -> Option<MutexGuard<'_, Reader>> {
    match conn.try_lock() {
        Ok(conn) => Some(conn),
        Err(TryLockError::Poisoned(poisoned)) => Some(recover(poisoned.into_inner())),
        Err(TryLockError::WouldBlock) => None,
    }
}

fn lock(conn: &Mutex<Reader>) -> MutexGuard<'_, Reader> {
    conn.lock().unwrap_or_else(|poisoned| recover(poisoned.into_inner()))
}

/// A panic while a connection was held unwound through rusqlite's `Transaction`, whose drop rolls back,
/// so the connection is sound; roll back anyway in case a transaction was still open.
fn recover(conn: MutexGuard<'_, Reader>) -> MutexGuard<'_, Reader> {
    if !conn.is_autocommit() {
        // If this fails the next BEGIN fails too, with an error the caller sees.
        let _ = conn.execute_batch("ROLLBACK");
    }
    conn
}

#[cfg(test)]
mod tests {
    use crate::SqliteStore;

    /// A fresh database path in a temporary directory, removed (with the WAL files) when dropped.
    fn temp_db(label: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{label}.db"));
        (dir, path)
    }

    #[tokio::test]
    async fn try_read_now_declines_when_every_reader_is_held_and_read_still_answers() {
        let (_dir, path) = temp_db("held");
        let store = SqliteStore::builder().read_connections(2).open(&path).await.unwrap();
        let db = store.connections;
        let read_one =
            |conn: &mut crate::reader::Reader| Ok(conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?);
        assert_eq!(db.try_read_now(read_one).unwrap().unwrap(), 1, "an idle reader answers inline");
        let held: Vec<_> = db.readers.iter().map(|r| r.lock().unwrap()).collect();
        assert!(db.try_read_now(read_one).is_none(), "with every reader held it must not wait");
        drop(held);
        assert_eq!(db.read(read_one).unwrap(), 1);
    }

    #[test]
    fn try_read_now_declines_a_busy_database_instead_of_waiting() {
        let busy =
            rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let store = runtime.block_on(SqliteStore::open_in_memory()).unwrap();
        let declined = store.connections.try_read_now(|_| -> Result<(), _> { Err(busy.into()) });
        assert!(declined.is_none());
        let other =
            rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR), None);
        let failed = store.connections.try_read_now(|_| -> Result<(), _> { Err(other.into()) });
        assert!(matches!(failed, Some(Err(_))), "other errors are answers, not reasons to retry");
    }

    #[tokio::test]
    async fn readers_wait_only_on_the_blocking_path() {
        let (_dir, path) = temp_db("timeouts");
        let timeout = std::time::Duration::from_millis(1234);
        let store = SqliteStore::builder().busy_timeout(timeout).open(&path).await.unwrap();
        let db = store.connections;
        let busy_timeout = |conn: &mut crate::reader::Reader| {
            Ok(conn.query_row("PRAGMA busy_timeout", [], |r| r.get::<_, i64>(0))?)
        };
        assert_eq!(db.try_read_now(busy_timeout).unwrap().unwrap(), 0, "inline reads never sleep");
        assert_eq!(db.read(busy_timeout).unwrap(), 1234, "blocking reads wait up to the busy timeout");
        for _ in 0..db.readers.len() {
            assert_eq!(db.try_read_now(busy_timeout).unwrap().unwrap(), 0, "the timeout was taken back");
        }
    }

    #[tokio::test]
    async fn without_readers_nothing_reads_inline_on_the_waiting_writer() {
        let (_dir, path) = temp_db("no-readers");
        let timeout = std::time::Duration::from_millis(1234);
        let store =
            SqliteStore::builder().busy_timeout(timeout).read_connections(0).open(&path).await.unwrap();
        let db = store.connections.clone();
        let busy_timeout = |conn: &mut crate::reader::Reader| {
            Ok(conn.query_row("PRAGMA busy_timeout", [], |r| r.get::<_, i64>(0))?)
        };
        assert!(db.try_read_now(busy_timeout).is_none(), "the writer can wait: no inline read on it");
        assert_eq!(db.read(busy_timeout).unwrap(), 1234, "blocking reads use the writer and its timeout");

        // An in-memory database's one connection cannot be made to wait, and has no busy handler.
        let store = SqliteStore::builder().read_connections(0).open_in_memory().await.unwrap();
        let db = store.connections;
        assert_eq!(db.try_read_now(busy_timeout).unwrap().unwrap(), 0, "in memory, reads stay inline");
        assert_eq!(db.read(busy_timeout).unwrap(), 0);
    }
}
