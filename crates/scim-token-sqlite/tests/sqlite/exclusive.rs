//! `SqliteStoreBuilder::exclusive`: the file is this store's alone for as long as it lives, and a
//! rotation through it is seen on the very next look-up although look-ups come from memory.

use std::time::Duration;

use crate::common::process_record;
use scim_token_core::TokenStore;
use scim_token_core::testkit::scope;
use scim_token_sqlite::{SqliteStore, SqliteStoreError};
use scim_token_test_support::TempDb;

#[tokio::test]
async fn no_other_connection_can_open_the_file_while_the_store_lives() {
    let db = TempDb::new("exclusive-held");
    let store = SqliteStore::builder().exclusive(true).open(db.path()).await.unwrap();
    let short = Duration::from_millis(200);
    for exclusive in [false, true] {
        let other = SqliteStore::builder().busy_timeout(short).exclusive(exclusive).open(db.path()).await;
        assert!(matches!(other, Err(SqliteStoreError::Busy { .. })), "{other:?}");
    }
    drop(store);
    let shared = SqliteStore::builder().busy_timeout(short).open(db.path()).await;
    assert!(shared.is_ok(), "released with the store: {shared:?}");
}

#[tokio::test]
async fn an_exclusive_store_cannot_open_a_file_another_store_holds() {
    let db = TempDb::new("exclusive-busy");
    let shared = SqliteStore::open(db.path()).await.unwrap();
    let short = Duration::from_millis(200);
    // An open shared store's connections keep the WAL index in use, even between calls.
    let exclusive = SqliteStore::builder().busy_timeout(short).exclusive(true).open(db.path()).await;
    assert!(matches!(exclusive, Err(SqliteStoreError::Busy { .. })), "{exclusive:?}");
    drop(shared);
    let exclusive = SqliteStore::builder().busy_timeout(short).exclusive(true).open(db.path()).await;
    assert!(exclusive.is_ok(), "free once the shared store is closed: {exclusive:?}");
}

#[tokio::test]
async fn each_write_is_seen_by_the_next_look_up_and_survives_reopening() {
    let db = TempDb::new("exclusive-writes");
    let store = SqliteStore::builder().exclusive(true).open(db.path()).await.unwrap();
    let s = scope("tenant");
    let first = process_record(&s, 1);
    store.replace_current(first.clone(), None).await.unwrap();
    store.set_enabled(&s, true).await.unwrap();
    for _ in 0..3 {
        assert!(store.find_token(&first.id).await.unwrap().unwrap().scope_enabled);
    }
    let second = process_record(&s, 2);
    store.replace_current(second.clone(), None).await.unwrap();
    assert_eq!(store.find_token(&first.id).await.unwrap(), None, "replaced: refused at once");
    assert!(store.find_token(&second.id).await.unwrap().is_some());
    store.set_enabled(&s, false).await.unwrap();
    assert!(!store.find_token(&second.id).await.unwrap().unwrap().scope_enabled);
    drop(store);

    let reopened = SqliteStore::open(db.path()).await.unwrap();
    let found = reopened.find_token(&second.id).await.unwrap().expect("durable");
    assert!(!found.scope_enabled);
}
