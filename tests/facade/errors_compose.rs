//! `?` on a store's error inside a function returning `scim_token::Result`, as the README shows.

use scim_token::sqlite::{SqliteStore, SqliteStoreError};
use scim_token::{Error, ScimTokenService};
use scim_token_test_support::TempDb;

async fn start(path: &std::path::Path) -> scim_token::Result<ScimTokenService> {
    let store = SqliteStore::open(path).await?;
    ScimTokenService::builder(store).build()
}

#[tokio::test]
async fn a_sqlite_open_error_becomes_a_store_error_that_keeps_its_cause() {
    let db = TempDb::new("errors-compose");
    let missing = db.path().join("no-such-dir").join("tokens.db");
    let Err(error) = start(&missing).await else {
        panic!("a database in a missing directory cannot be opened")
    };
    let Error::Store(store_error) = &error else { panic!("expected Error::Store, got {error}") };
    assert!(store_error.inner().downcast_ref::<SqliteStoreError>().is_some());
}

#[tokio::test]
async fn a_postgres_url_error_becomes_a_store_error_that_keeps_its_cause() {
    async fn open(url: &str) -> scim_token::Result<scim_token::postgres::PostgresStore> {
        Ok(scim_token::postgres::PostgresStore::open(url).await?)
    }
    let Err(error) = open("postgres://app@localhost:not-a-port/app").await else { panic!("an invalid URL") };
    let Error::Store(store_error) = &error else { panic!("expected Error::Store, got {error}") };
    let cause = store_error.inner().downcast_ref::<scim_token::postgres::PostgresStoreError>();
    assert!(matches!(cause, Some(scim_token::postgres::PostgresStoreError::InvalidUrl { .. })));
}
