//! The SQLite store passes the whole conformance suite, in memory, on a shared file and on an exclusive one.

use scim_token_sqlite::SqliteStore;
use scim_token_test_support::{Intercepted, Keep, TempDb};

scim_token_core::token_store_conformance!(async { SqliteStore::open_in_memory().await.unwrap() });

/// A store on a fresh temporary file, removed once the store's connections are closed.
async fn on_a_fresh_file() -> Intercepted<SqliteStore, Keep<TempDb>> {
    let db = TempDb::new("conformance");
    let store = SqliteStore::open(db.path()).await.unwrap();
    Intercepted::new(store, Keep(db))
}

/// The same, opened `exclusive(true)`: one connection, look-ups cached until its own next write.
async fn on_a_fresh_exclusive_file() -> Intercepted<SqliteStore, Keep<TempDb>> {
    let db = TempDb::new("conformance-exclusive");
    let store = SqliteStore::builder().exclusive(true).open(db.path()).await.unwrap();
    Intercepted::new(store, Keep(db))
}

/// The same suite on a fresh temporary file per test.
mod file {
    use super::on_a_fresh_file;

    scim_token_core::token_store_conformance!(async { on_a_fresh_file().await });
}

/// The same suite on a fresh temporary file per test, opened exclusive.
mod exclusive_file {
    use super::on_a_fresh_exclusive_file;

    scim_token_core::token_store_conformance!(async { on_a_fresh_exclusive_file().await });
}
