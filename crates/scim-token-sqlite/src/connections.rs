//! The connections a store reuses: one writer and a few read-only readers, each behind a mutex.
//!
//! In WAL mode readers never wait for the writer, so `find_token` (run on every SCIM request) keeps
//! answering while a rotation commits or another process holds the write lock. An in-memory database
//! exists only inside its one connection, so there the writer serves reads too.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{DbError, SqliteStoreError};

pub(crate) struct Connections {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    /// The database path (`:memory:` for an in-memory database), for error messages.
    pub(crate) path: PathBuf,
    /// The busy timeout every connection uses, for error messages.
    pub(crate) busy_timeout: Duration,
}

impl Connections {
    pub(crate) fn new(
        writer: Connection,
        readers: Vec<Connection>,
        path: PathBuf,
        busy_timeout: Duration,
    ) -> Self {
        Self {
            writer: Mutex::new(writer),
            readers: readers.into_iter().map(Mutex::new).collect(),
            next_reader: AtomicUsize::new(0),
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
        f(&mut conn).map_err(|error| self.error(error))
    }

    /// Runs `f` on an idle reader (or waits for one). Blocks: call it from `spawn_blocking`.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, SqliteStoreError> {
        let conn = self.reader();
        f(&conn).map_err(|error| self.error(error))
    }

    pub(crate) fn error(&self, error: DbError) -> SqliteStoreError {
        error.at(&self.path, self.busy_timeout)
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let count = self.readers.len();
        if count == 0 {
            return lock(&self.writer);
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed) % count;
        for offset in 0..count {
            match self.readers[(start + offset) % count].try_lock() {
                Ok(conn) => return conn,
                Err(TryLockError::Poisoned(poisoned)) => return recover(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        lock(&self.readers[start])
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|poisoned| recover(poisoned.into_inner()))
}

/// A panic while a connection was held unwound through rusqlite's `Transaction`, whose drop rolls back,
/// so the connection is sound; roll back anyway in case a transaction was still open.
fn recover(conn: MutexGuard<'_, Connection>) -> MutexGuard<'_, Connection> {
    if !conn.is_autocommit() {
        // If this fails the next BEGIN fails too, with an error the caller sees.
        let _ = conn.execute_batch("ROLLBACK");
    }
    conn
}
