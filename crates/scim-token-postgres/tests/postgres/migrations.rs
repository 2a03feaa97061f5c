//! Opening: ten instances at once on an empty schema, refusing a newer or foreign schema untouched.

use std::sync::Arc;

use scim_token_core::TokenStore;
use scim_token_core::testkit::{record, scope};
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
    assert_eq!(versions, vec![1], "each migration is recorded exactly once");
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
