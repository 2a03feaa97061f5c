//! Upgrading: a database written by the previous schema version migrates on open and keeps its tokens.

use scim_token_core::{Scope, Timestamp, TokenId, TokenStore};
use scim_token_sqlite::SqliteStore;
use scim_token_test_support::TempDb;

/// Schema version 1 as released, with one enabled scope holding a used current token and an unused
/// previous one: what an earlier scim-token left on disk.
const VERSION_1: &str = "
    CREATE TABLE scopes (
        scope   TEXT    NOT NULL PRIMARY KEY,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1))
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE tokens (
        id           TEXT    NOT NULL PRIMARY KEY,
        scope        TEXT    NOT NULL REFERENCES scopes (scope),
        role         TEXT    NOT NULL CHECK (role IN ('current', 'previous')),
        valid_until  INTEGER CHECK ((role = 'previous') = (valid_until IS NOT NULL)),
        hash         TEXT    NOT NULL,
        created_at   INTEGER NOT NULL,
        created_by   TEXT    NOT NULL,
        expires_at   INTEGER,
        last_used_at INTEGER
    ) STRICT, WITHOUT ROWID;

    CREATE UNIQUE INDEX tokens_scope_role ON tokens (scope, role);

    INSERT INTO scopes VALUES ('acme', 1);
    INSERT INTO tokens VALUES
        ('CCCCCCCCCCCCCCCC', 'acme', 'current', NULL, '$argon2id$current', 2000, 'alice', NULL, 2500),
        ('PPPPPPPPPPPPPPPP', 'acme', 'previous', 9000, '$argon2id$previous', 1000, 'bob', 50000, NULL);

    PRAGMA user_version = 1;";

#[tokio::test]
async fn a_version_1_database_migrates_and_keeps_its_tokens() {
    let db = TempDb::new("v1");
    rusqlite::Connection::open(db.path()).unwrap().execute_batch(VERSION_1).unwrap();

    let store = SqliteStore::open(db.path()).await.expect("a version 1 database opens");
    let state = store.load_scope(&Scope::new("acme").unwrap()).await.unwrap();
    assert!(state.enabled);
    let current = state.current.expect("the current token is kept");
    assert_eq!(current.id, TokenId::new("CCCCCCCCCCCCCCCC").unwrap());
    assert_eq!((&*current.hash, current.created_by.as_str()), ("$argon2id$current", "alice"));
    assert_eq!(current.last_used_at, Some(Timestamp::from_unix_millis(2500)));
    assert_eq!(current.first_used_at, None, "a use before the upgrade has no known first use");
    let previous = state.previous.expect("the previous token is kept");
    assert_eq!(previous.valid_until, Timestamp::from_unix_millis(9000));
    assert_eq!(previous.record.expires_at, Some(Timestamp::from_unix_millis(50000)));

    // The new column works on migrated rows: set by a first use only.
    let (at, previous_id) = (Timestamp::from_unix_millis(3000), previous.record.id);
    store.record_use(&current.id, at).await.unwrap();
    store.record_use(&previous_id, at).await.unwrap();
    let current = store.find_token(&current.id).await.unwrap().unwrap().record;
    assert_eq!((current.last_used_at, current.first_used_at), (Some(at), None));
    let previous = store.find_token(&previous_id).await.unwrap().unwrap().record;
    assert_eq!((previous.last_used_at, previous.first_used_at), (Some(at), Some(at)));
    drop(store);

    let version: i64 = rusqlite::Connection::open(db.path())
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 3, "the file records every migration, up to the current version");
    // Opening again finds the current version and changes nothing.
    let store = SqliteStore::open(db.path()).await.unwrap();
    assert_eq!(store.find_token(&current.id).await.unwrap().unwrap().record, current);
}
