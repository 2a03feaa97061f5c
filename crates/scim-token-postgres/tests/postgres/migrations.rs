//! Opening: ten instances at once on an empty schema, upgrading a version 1 or 2 schema with its tokens,
//! refusing a newer or foreign schema untouched.

use std::sync::Arc;

use scim_token_core::oauth::{AuthMode, SecretAdded};
use scim_token_core::testkit::{NOW, client_id, client_secret, record, scope};
use scim_token_core::{Scope, Timestamp, TokenId, TokenStore};
use scim_token_postgres::{PostgresStore, PostgresStoreError};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::common::{TestSchema, connect, server_url};

/// Every row of every table of `schema`, as text, and the schema's tables and columns: what "untouched"
/// compares.
async fn snapshot(client: &scim_token_postgres::tokio_postgres::Client, schema: &TestSchema) -> Vec<String> {
    let mut lines = Vec::new();
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = $1 ORDER BY 1, 2",
            &[&schema.name()],
        )
        .await
        .unwrap();
    let mut tables: Vec<String> = columns.iter().map(|row| row.get(0)).collect();
    tables.dedup();
    lines.extend(columns.iter().map(|row| {
        format!("{}.{} {}", row.get::<_, String>(0), row.get::<_, String>(1), row.get::<_, String>(2))
    }));
    for table in tables {
        let sql = format!("SELECT t::text FROM {} t ORDER BY 1", schema.table(&table));
        lines.extend(client.query(&sql, &[]).await.unwrap().iter().map(|row| row.get::<_, String>(0)));
    }
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_instances_opening_an_empty_schema_at_once_all_start_and_migrate_it_once() {
    let Some(schema) = TestSchema::new() else { return };
    let schema = Arc::new(schema);
    const INSTANCES: usize = 10;
    let barrier = Arc::new(Barrier::new(INSTANCES));
    let mut opens = JoinSet::new();
    for _ in 0..INSTANCES {
        let (schema, barrier) = (schema.clone(), barrier.clone());
        opens.spawn(async move {
            let builder = schema.builder().pool_size(2);
            barrier.wait().await;
            builder.open(server_url().unwrap()).await
        });
    }
    let mut stores = Vec::new();
    while let Some(opened) = opens.join_next().await {
        stores.push(opened.unwrap().expect("every instance opens"));
    }
    let client = connect().await;
    let versions: Vec<i32> = client
        .query(
            &format!("SELECT version FROM {} ORDER BY version", schema.table("scim_token_schema_version")),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, vec![1, 2, 3], "each migration is recorded exactly once");
    // Every instance works on the one schema.
    let s = scope("ten");
    let r = record(&s);
    stores[0].replace_current(r.clone(), None).await.unwrap();
    for store in &stores {
        assert_eq!(store.find_token(&r.id).await.unwrap().map(|found| found.record), Some(r.clone()));
    }
    drop(stores);
}

#[tokio::test]
async fn reopening_a_current_schema_writes_nothing() {
    let Some(schema) = TestSchema::new() else { return };
    let store = schema.open().await;
    let s = scope("reopen");
    store.replace_current(record(&s), None).await.unwrap();
    let client = connect().await;
    let before = snapshot(&client, &schema).await;
    drop(schema.open().await);
    assert_eq!(snapshot(&client, &schema).await, before);
}

#[tokio::test]
async fn a_schema_the_administrator_created_empty_is_used() {
    let Some(schema) = TestSchema::new() else { return };
    connect().await.batch_execute(&format!("CREATE SCHEMA \"{}\"", schema.name())).await.unwrap();
    let store = schema.open().await;
    let s = scope("precreated");
    let r = record(&s);
    store.replace_current(r.clone(), None).await.unwrap();
    assert_eq!(store.load_scope(&s).await.unwrap().current, Some(r));
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_left_untouched() {
    let Some(schema) = TestSchema::new() else { return };
    let store = schema.open().await;
    store.replace_current(record(&scope("newer")), None).await.unwrap();
    drop(store);
    let client = connect().await;
    client
        .execute(
            &format!("INSERT INTO {} (version) VALUES (999)", schema.table("scim_token_schema_version")),
            &[],
        )
        .await
        .unwrap();
    let before = snapshot(&client, &schema).await;

    let error = schema.builder().open(server_url().unwrap()).await.unwrap_err();
    match &error {
        PostgresStoreError::NewerSchema { found, supported, schema: name, .. } => {
            assert_eq!((*found, name.as_str()), (999, schema.name()));
            assert!(*supported < 999);
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("newer scim-token (schema version 999"), "{message}");
    assert!(message.contains("upgrade scim-token or use another schema"), "{message}");
    assert_eq!(snapshot(&client, &schema).await, before, "the schema must be left exactly as it was");
}

#[tokio::test]
async fn another_applications_schema_is_refused_and_left_untouched() {
    let Some(schema) = TestSchema::new() else { return };
    let client = connect().await;
    client
        .batch_execute(&format!(
            "CREATE SCHEMA \"{0}\"; CREATE TABLE \"{0}\".users (id INTEGER); INSERT INTO \"{0}\".users VALUES (7);",
            schema.name()
        ))
        .await
        .unwrap();
    let before = snapshot(&client, &schema).await;
    let error = schema.builder().open(server_url().unwrap()).await.unwrap_err();
    assert!(matches!(error, PostgresStoreError::ForeignSchema { .. }), "{error:?}");
    assert!(error.to_string().contains("give scim-token its own schema"), "{error}");
    assert_eq!(snapshot(&client, &schema).await, before);
}

#[tokio::test]
async fn two_schemas_in_one_database_are_independent() {
    let (Some(a), Some(b)) = (TestSchema::new(), TestSchema::new()) else { return };
    let (store_a, store_b): (PostgresStore, PostgresStore) = (a.open().await, b.open().await);
    let s = scope("shared-name");
    let (ra, rb) = (record(&s), record(&s));
    store_a.replace_current(ra.clone(), None).await.unwrap();
    store_b.replace_current(rb.clone(), None).await.unwrap();
    assert_eq!(store_a.load_scope(&s).await.unwrap().current, Some(ra.clone()));
    assert_eq!(store_b.load_scope(&s).await.unwrap().current, Some(rb.clone()));
    assert_eq!(store_a.find_token(&rb.id).await.unwrap(), None);
    assert_eq!(store_b.find_token(&ra.id).await.unwrap(), None);
}

/// Schema version 1 as released (`{s}` is the quoted schema), with one enabled scope holding a used
/// current token and an unused previous one: what an earlier scim-token left behind.
const VERSION_1: &str = "
    CREATE SCHEMA {s};
    CREATE TABLE {s}.scim_token_schema_version (
        version    INTEGER     NOT NULL PRIMARY KEY,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    INSERT INTO {s}.scim_token_schema_version (version) VALUES (1);

    CREATE TABLE {s}.scopes (
        scope   TEXT    NOT NULL PRIMARY KEY,
        enabled BOOLEAN NOT NULL
    );

    CREATE TABLE {s}.tokens (
        id           TEXT    NOT NULL PRIMARY KEY,
        scope        TEXT    NOT NULL REFERENCES {s}.scopes (scope),
        role         TEXT    NOT NULL CHECK (role IN ('current', 'previous')),
        valid_until  BIGINT  CHECK ((role = 'previous') = (valid_until IS NOT NULL)),
        hash         TEXT    NOT NULL,
        created_at   BIGINT  NOT NULL,
        created_by   TEXT    NOT NULL,
        expires_at   BIGINT,
        last_used_at BIGINT
    );

    CREATE UNIQUE INDEX tokens_scope_role ON {s}.tokens (scope, role);

    INSERT INTO {s}.scopes VALUES ('acme', true);
    INSERT INTO {s}.tokens VALUES
        ('CCCCCCCCCCCCCCCC', 'acme', 'current', NULL, '$argon2id$current', 2000, 'alice', NULL, 2500),
        ('PPPPPPPPPPPPPPPP', 'acme', 'previous', 9000, '$argon2id$previous', 1000, 'bob', 50000, NULL);";

#[tokio::test]
async fn a_version_1_schema_migrates_and_keeps_its_tokens() {
    let Some(schema) = TestSchema::new() else { return };
    let client = connect().await;
    client.batch_execute(&VERSION_1.replace("{s}", &format!("\"{}\"", schema.name()))).await.unwrap();

    let store = schema.open().await;
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

    let versions: Vec<i32> = client
        .query(
            &format!("SELECT version FROM {} ORDER BY version", schema.table("scim_token_schema_version")),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, vec![1, 2, 3], "the upgrade is recorded");
    let before = snapshot(&client, &schema).await;
    drop(schema.open().await);
    assert_eq!(snapshot(&client, &schema).await, before, "opening again changes nothing");
}

/// Schema version 2 as released: version 1 with `first_used_at`, holding one enabled scope with a used
/// current token and an unused previous one, and one disabled scope with a current token.
const VERSION_2: &str = "
    CREATE SCHEMA {s};
    CREATE TABLE {s}.scim_token_schema_version (
        version    INTEGER     NOT NULL PRIMARY KEY,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    INSERT INTO {s}.scim_token_schema_version (version) VALUES (1), (2);

    CREATE TABLE {s}.scopes (
        scope   TEXT    NOT NULL PRIMARY KEY,
        enabled BOOLEAN NOT NULL
    );

    CREATE TABLE {s}.tokens (
        id           TEXT    NOT NULL PRIMARY KEY,
        scope        TEXT    NOT NULL REFERENCES {s}.scopes (scope),
        role         TEXT    NOT NULL CHECK (role IN ('current', 'previous')),
        valid_until  BIGINT  CHECK ((role = 'previous') = (valid_until IS NOT NULL)),
        hash         TEXT    NOT NULL,
        created_at   BIGINT  NOT NULL,
        created_by   TEXT    NOT NULL,
        expires_at   BIGINT,
        last_used_at BIGINT
    );

    CREATE UNIQUE INDEX tokens_scope_role ON {s}.tokens (scope, role);

    ALTER TABLE {s}.tokens ADD COLUMN first_used_at BIGINT;

    INSERT INTO {s}.scopes VALUES ('acme', true), ('idle', false);
    INSERT INTO {s}.tokens VALUES
        ('CCCCCCCCCCCCCCCC', 'acme', 'current', NULL, '$argon2id$current', 2000, 'alice', NULL, 2500, 2100),
        ('PPPPPPPPPPPPPPPP', 'acme', 'previous', 9000, '$argon2id$previous', 1000, 'bob', 50000, NULL, NULL),
        ('IIIIIIIIIIIIIIII', 'idle', 'current', NULL, '$argon2id$idle', 3000, 'carol', NULL, NULL, NULL);";

#[tokio::test]
async fn a_version_2_schema_migrates_keeps_its_tokens_and_accepts_any_credential() {
    let Some(schema) = TestSchema::new() else { return };
    let client = connect().await;
    client.batch_execute(&VERSION_2.replace("{s}", &format!("\"{}\"", schema.name()))).await.unwrap();

    let store = schema.open().await;
    let acme = Scope::new("acme").unwrap();
    let state = store.load_scope(&acme).await.unwrap();
    assert!(state.enabled);
    let current = state.current.expect("the current token is kept");
    assert_eq!((&*current.hash, current.created_by.as_str()), ("$argon2id$current", "alice"));
    assert_eq!(
        (current.last_used_at, current.first_used_at),
        (Some(Timestamp::from_unix_millis(2500)), Some(Timestamp::from_unix_millis(2100)))
    );
    let previous = state.previous.expect("the previous token is kept");
    assert_eq!(previous.valid_until, Timestamp::from_unix_millis(9000));

    // Every migrated scope accepts both kinds of credential, and has no OAuth client yet.
    for (id, enabled) in [("CCCCCCCCCCCCCCCC", true), ("PPPPPPPPPPPPPPPP", true), ("IIIIIIIIIIIIIIII", false)]
    {
        let found = store.find_token(&TokenId::new(id).unwrap()).await.unwrap().expect("kept");
        assert_eq!((found.scope_enabled, found.auth_mode), (enabled, AuthMode::Any), "{id}");
    }
    let oauth = store.load_oauth(&acme).await.unwrap();
    assert_eq!((oauth.client_id, oauth.auth_mode, oauth.scope_enabled), (None, AuthMode::Any, true));
    assert!(oauth.secrets.is_empty() && oauth.trust.is_none());

    // The new tables and column work on a migrated scope.
    let (new_client, secret) =
        (client_id(), client_secret(Timestamp::from_unix_millis(NOW.unix_millis() + 1)));
    let added = store.add_client_secret(&acme, &new_client, secret.clone(), 5, NOW).await.unwrap();
    assert_eq!(added, SecretAdded::Added { client_id: new_client.clone() });
    store.set_auth_mode(&acme, AuthMode::OAuthOnly).await.unwrap();
    let oauth = store.load_oauth(&acme).await.unwrap();
    assert_eq!(
        (oauth.client_id, oauth.auth_mode, oauth.secrets),
        (Some(new_client), AuthMode::OAuthOnly, vec![secret])
    );
    let found = store.find_token(&current.id).await.unwrap().unwrap();
    assert_eq!(found.auth_mode, AuthMode::OAuthOnly, "a static token's look-up reports the scope's mode");

    let versions: Vec<i32> = client
        .query(
            &format!("SELECT version FROM {} ORDER BY version", schema.table("scim_token_schema_version")),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, vec![1, 2, 3], "only version 3 is applied");
    let before = snapshot(&client, &schema).await;
    drop(schema.open().await);
    assert_eq!(snapshot(&client, &schema).await, before, "opening again changes nothing");
}
