//! Bad paths, foreign files, newer schemas and held locks give clear errors, never panics or hangs.

use std::time::{Duration, Instant};

use crate::common::process_record;
use scim_token_core::store::StoreErrorKind;
use scim_token_core::testkit::{NOW, client_id, client_secret, scope};
use scim_token_core::{Timestamp, TokenStore};
use scim_token_sqlite::{SqliteStore, SqliteStoreError};
use scim_token_test_support::TempDb;

#[tokio::test]
async fn a_path_under_a_missing_directory_cannot_be_opened() {
    let db = TempDb::new("missing-dir");
    let path = db.path().join("no-such-dir").join("tokens.db");
    let error = SqliteStore::open(&path).await.unwrap_err();
    assert!(matches!(error, SqliteStoreError::CannotOpen { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("check the directory exists and is writable"), "{message}");
}

#[tokio::test]
async fn a_directory_cannot_be_opened() {
    let db = TempDb::new("is-a-dir");
    std::fs::create_dir(db.path()).unwrap();
    let error = SqliteStore::open(db.path()).await.unwrap_err();
    std::fs::remove_dir(db.path()).unwrap();
    assert!(matches!(error, SqliteStoreError::CannotOpen { .. }), "{error:?}");
    assert!(error.to_string().contains("check the directory exists and is writable"), "{error}");
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_refused_and_kept() {
    let db = TempDb::new("garbage");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(db.path(), &garbage).unwrap();
    let error = SqliteStore::open(db.path()).await.unwrap_err();
    assert!(matches!(error, SqliteStoreError::NotADatabase { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("is not a SQLite database"), "{message}");
    assert!(message.contains("another file"), "{message}");
    assert!(std::fs::read(db.path()).unwrap() == garbage, "the file must be left as it was");
}

#[tokio::test]
async fn a_database_of_another_application_is_refused() {
    let db = TempDb::new("foreign");
    rusqlite::Connection::open(db.path()).unwrap().execute_batch("CREATE TABLE users (id INTEGER)").unwrap();
    let before = std::fs::read(db.path()).unwrap();
    let error = SqliteStore::open(db.path()).await.unwrap_err();
    assert!(matches!(error, SqliteStoreError::ForeignDatabase { .. }), "{error:?}");
    assert!(error.to_string().contains("give scim-token its own database file"), "{error}");
    assert!(std::fs::read(db.path()).unwrap() == before, "the file must be left as it was");
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_left_untouched() {
    let db = TempDb::new("newer");
    drop(SqliteStore::open(db.path()).await.unwrap());
    // Back to a rollback journal, so that even switching it to WAL would change the file's header.
    rusqlite::Connection::open(db.path())
        .unwrap()
        .execute_batch("PRAGMA journal_mode = DELETE; PRAGMA user_version = 999;")
        .unwrap();
    let before: Vec<Vec<u8>> = db.files().iter().map(|f| std::fs::read(f).unwrap_or_default()).collect();

    let error = SqliteStore::open(db.path()).await.unwrap_err();
    match &error {
        SqliteStoreError::NewerSchema { found, supported, .. } => {
            assert_eq!(*found, 999);
            assert!(*supported < 999);
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("newer scim-token (schema version 999"), "{message}");
    assert!(message.contains("upgrade scim-token or use another file"), "{message}");

    let after: Vec<Vec<u8>> = db.files().iter().map(|f| std::fs::read(f).unwrap_or_default()).collect();
    assert!(before == after, "the database and its side files must be byte-for-byte unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_beyond_the_busy_timeout_fails_then_recovers() {
    let db = TempDb::new("locked");
    let timeout = Duration::from_millis(200);
    let store = SqliteStore::builder().busy_timeout(timeout).open(db.path()).await.unwrap();
    let s = scope("locked");
    let first = process_record(&s, 1);
    store.replace_current(first.clone(), None).await.unwrap();

    let holder = rusqlite::Connection::open(db.path()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let started = Instant::now();
    let error = store.replace_current(process_record(&s, 2), None).await.unwrap_err();
    let waited = started.elapsed();
    let inner = error.inner().downcast_ref::<SqliteStoreError>().expect("a SqliteStoreError inside");
    assert!(matches!(inner, SqliteStoreError::Busy { timeout: t, .. } if *t == timeout), "{inner:?}");
    assert_eq!(error.kind(), StoreErrorKind::Busy, "a busy database is worth retrying (503 over HTTP)");
    assert!(error.to_string().contains("stayed locked by another connection"), "{error}");
    assert!(error.to_string().contains("busy_timeout"), "{error}");
    assert!(waited >= timeout, "the store must wait for the lock first ({waited:?})");
    // Well under SQLite's and rusqlite's default of 5 s: the configured timeout is the one in force.
    assert!(waited < Duration::from_secs(3), "the store must give up after its busy timeout ({waited:?})");

    // Reads are not blocked by the writer lock (WAL), and the failed write changed nothing.
    assert_eq!(store.load_scope(&s).await.unwrap().current, Some(first));
    assert!(store.set_enabled(&s, true).await.is_err(), "every write waits for the lock");

    holder.execute_batch("COMMIT").unwrap();
    let second = process_record(&s, 3);
    store.replace_current(second.clone(), None).await.unwrap();
    assert_eq!(store.load_scope(&s).await.unwrap().current, Some(second));
}

#[tokio::test]
async fn a_row_changed_outside_scim_token_is_reported_without_its_hash() {
    let db = TempDb::new("tampered");
    let store = SqliteStore::open(db.path()).await.unwrap();
    let s = scope("tampered");
    let record = process_record(&s, 1);
    store.replace_current(record.clone(), None).await.unwrap();
    rusqlite::Connection::open(db.path())
        .unwrap()
        .execute("UPDATE tokens SET created_by = 'evil' || char(10) || 'line'", [])
        .unwrap();

    for error in [store.find_token(&record.id).await.unwrap_err(), store.load_scope(&s).await.unwrap_err()] {
        let inner = error.inner().downcast_ref::<SqliteStoreError>().expect("a SqliteStoreError inside");
        assert!(matches!(inner, SqliteStoreError::InvalidRow { what: "created_by", .. }), "{inner:?}");
        let message = error.to_string();
        assert!(message.contains("changed outside scim-token"), "{message}");
        assert!(!message.contains(&*record.hash) && !message.contains("evil"), "no stored value: {message}");
    }
}

/// `record_secret_use` runs on the token endpoint's path: like `record_use`, it waits for a held write
/// lock no longer than the busy timeout, fails as Busy, and works again once the lock is released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_use_waits_for_a_held_lock_no_longer_than_a_token_use() {
    let db = TempDb::new("locked-use");
    let timeout = Duration::from_millis(200);
    let store = SqliteStore::builder().busy_timeout(timeout).open(db.path()).await.unwrap();
    let s = scope("locked-use");
    let token = process_record(&s, 1);
    store.replace_current(token.clone(), None).await.unwrap();
    let secret = client_secret(Timestamp::from_unix_millis(i64::MAX));
    store.add_client_secret(&s, &client_id(), secret.clone(), 5, NOW).await.unwrap();

    let holder = rusqlite::Connection::open(db.path()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let at = Timestamp::from_unix_millis(1_750_000_000_000);
    let started = Instant::now();
    let token_use = store.record_use(&token.id, at).await.expect_err("record_use under a held lock");
    let token_waited = started.elapsed();
    let started = Instant::now();
    let secret_use = store.record_secret_use(&secret.id, at).await.expect_err("record_secret_use, likewise");
    let secret_waited = started.elapsed();
    assert_eq!((token_use.kind(), secret_use.kind()), (StoreErrorKind::Busy, StoreErrorKind::Busy));
    // Both wait out the same busy timeout, then give up: well under SQLite's default of 5 s.
    for waited in [token_waited, secret_waited] {
        assert!(waited >= timeout && waited < Duration::from_secs(3), "waited {waited:?}");
    }
    holder.execute_batch("COMMIT").unwrap();
    store.record_secret_use(&secret.id, at).await.unwrap();
    assert_eq!(store.load_oauth(&s).await.unwrap().secrets[0].last_used_at, Some(at));
}
