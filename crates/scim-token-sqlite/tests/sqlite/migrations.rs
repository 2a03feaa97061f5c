//! Upgrading: a database written by an earlier schema version migrates on open and keeps its tokens.

use scim_token_core::oauth::{AuthMode, MintedBy, SecretAdded};
use scim_token_core::testkit::{access_token, client_secret};
use scim_token_core::{ClientId, Scope, Timestamp, TokenId, TokenStore};
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

/// Schema version 2 as released: version 1 plus `first_used_at`, with an enabled scope holding a used
/// current token and a previous one, and a disabled scope with a current token.
const VERSION_2: &str = "
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

    ALTER TABLE tokens ADD COLUMN first_used_at INTEGER;

    INSERT INTO scopes VALUES ('acme', 1), ('globex', 0);
    INSERT INTO tokens VALUES
        ('CCCCCCCCCCCCCCCC', 'acme', 'current', NULL, '$argon2id$current', 2000, 'alice', NULL, 2500, 2100),
        ('PPPPPPPPPPPPPPPP', 'acme', 'previous', 9000, '$argon2id$previous', 1000, 'bob', 50000, NULL, NULL),
        ('GGGGGGGGGGGGGGGG', 'globex', 'current', NULL, '$argon2id$globex', 3000, 'carol', NULL, NULL, NULL);

    PRAGMA user_version = 2;";

#[tokio::test]
async fn a_version_2_database_migrates_keeps_its_tokens_and_takes_oauth_clients() {
    let db = TempDb::new("v2");
    rusqlite::Connection::open(db.path()).unwrap().execute_batch(VERSION_2).unwrap();

    let store = SqliteStore::open(db.path()).await.expect("a version 2 database opens");
    let (acme, globex) = (Scope::new("acme").unwrap(), Scope::new("globex").unwrap());
    let current = store.find_token(&TokenId::new("CCCCCCCCCCCCCCCC").unwrap()).await.unwrap().unwrap();
    assert!(current.scope_enabled);
    assert_eq!(current.auth_mode, AuthMode::Any, "a scope from before OAuth accepts static tokens");
    assert_eq!((&*current.record.hash, current.record.created_by.as_str()), ("$argon2id$current", "alice"));
    assert_eq!(current.record.last_used_at, Some(Timestamp::from_unix_millis(2500)));
    assert_eq!(current.record.first_used_at, Some(Timestamp::from_unix_millis(2100)));
    let state = store.load_scope(&acme).await.unwrap();
    assert_eq!(
        state.previous.expect("the previous token is kept").valid_until,
        Timestamp::from_unix_millis(9000)
    );
    let other = store.find_token(&TokenId::new("GGGGGGGGGGGGGGGG").unwrap()).await.unwrap().unwrap();
    assert_eq!((other.scope_enabled, other.auth_mode), (false, AuthMode::Any));
    for scope in [&acme, &globex] {
        let oauth = store.load_oauth(scope).await.unwrap();
        assert_eq!((oauth.client_id, oauth.auth_mode), (None, AuthMode::Any), "no client before OAuth");
        assert!(oauth.secrets.is_empty() && oauth.trust.is_none());
    }

    // The new tables work beside the migrated rows: a client, a secret, an access token, a mode.
    let now = Timestamp::from_unix_millis(10_000);
    let secret = client_secret(Timestamp::from_unix_millis(1_000_000));
    let client = ClientId::new("scimcl_0000000000000001").unwrap();
    let added = store.add_client_secret(&acme, &client, secret.clone(), 5, now).await.unwrap();
    assert_eq!(added, SecretAdded::Added { client_id: client.clone() });
    let token = access_token(&acme, MintedBy::Secret(secret.id), Timestamp::from_unix_millis(20_000));
    assert!(store.insert_access_token(token.clone(), now).await.unwrap());
    store.set_auth_mode(&acme, AuthMode::OAuthOnly).await.unwrap();
    let found = store.find_access_token(&token.id).await.unwrap().expect("the access token is stored");
    assert_eq!((found.record, found.client_id, found.scope_enabled), (token.clone(), client, true));
    assert_eq!(store.find_token(&current.record.id).await.unwrap().unwrap().auth_mode, AuthMode::OAuthOnly);
    drop(store);

    let version: i64 = rusqlite::Connection::open(db.path())
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 3, "the file records the migration");
    // Opening again finds the current version and changes nothing.
    let store = SqliteStore::open(db.path()).await.unwrap();
    assert!(store.find_access_token(&token.id).await.unwrap().is_some());
    assert_eq!(store.find_token(&current.record.id).await.unwrap().unwrap().record, current.record);
}
