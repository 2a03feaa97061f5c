//! The SQLite store passes the whole conformance suite, in memory and on a file.

use scim_token_sqlite::SqliteStore;
use scim_token_test_support::{Intercepted, Keep, TempDb};

scim_token_core::token_store_conformance!(async { SqliteStore::open_in_memory().await.unwrap() });

/// A store on a fresh temporary file, removed once the store's connections are closed.
async fn on_a_fresh_file() -> Intercepted<SqliteStore, Keep<TempDb>> {
    let db = TempDb::new("conformance");
    let store = SqliteStore::open(db.path()).await.unwrap();
    Intercepted::new(store, Keep(db))
}

/// The same suite on a fresh temporary file per test.
mod file {
    use super::on_a_fresh_file;

    scim_token_core::token_store_conformance!(async { on_a_fresh_file().await });
}
