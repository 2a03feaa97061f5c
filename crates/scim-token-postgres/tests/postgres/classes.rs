//! Server errors provoked through the store reach the caller with the right class, told apart by their
//! SQLSTATE: a lock timeout and a statement timeout are busy, a terminated session and too many
//! connections each as what they are. (The classes without a store call to provoke them are checked in
//! the crate's unit tests, `src/classify/tests.rs`.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use scim_token_core::TokenStore;
use scim_token_core::store::{StoreError, StoreErrorKind};
use scim_token_core::testkit::{record, scope};
use scim_token_postgres::tokio_postgres::error::SqlState;
use scim_token_postgres::{PgError, PostgresStore, PostgresStoreError};

use crate::common::{TestSchema, connect, server_config, server_url};

/// The store's error and the SQLSTATE of the server error it carries.
fn unwrap_pg(error: &StoreError) -> (&PostgresStoreError, Option<&SqlState>) {
    let inner = error.inner().downcast_ref::<PostgresStoreError>().expect("a PostgresStoreError");
    let source = std::error::Error::source(inner).and_then(|source| source.downcast_ref::<PgError>());
    (inner, source.and_then(PgError::code))
}

/// A session of its own holding an exclusive lock on both of the schema's tables until [`release`]. The
/// server ends it after ten idle seconds anyway, so a failed test cannot leave the lock behind and hang
/// the schema's drop.
async fn lock_tables(schema: &TestSchema) -> scim_token_postgres::tokio_postgres::Client {
    let holder = connect().await;
    let tables = format!("{}, {}", schema.table("scopes"), schema.table("tokens"));
    let lock = format!(
        "SET idle_in_transaction_session_timeout = '10s'; BEGIN; LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"
    );
    holder.batch_execute(&lock).await.unwrap();
    holder
}

/// Ends the holder's transaction, while the test's runtime still drives its connection.
async fn release(holder: scim_token_postgres::tokio_postgres::Client) {
    holder.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn a_lock_timeout_is_busy() {
    let Some(schema) = TestSchema::new() else { return };
    let mut config = server_config().unwrap();
    config.options("-c lock_timeout=100");
    let store = schema.builder().open_with_config(config).await.unwrap();
    let s = scope("locked");
    let holder = lock_tables(&schema).await;
    let error = store.replace_current(record(&s), None).await.unwrap_err();
    release(holder).await;
    let (inner, code) = unwrap_pg(&error);
    assert_eq!(code, Some(&SqlState::LOCK_NOT_AVAILABLE), "{inner:?}");
    assert!(matches!(inner, PostgresStoreError::Busy { .. }), "{inner:?}");
    assert_eq!(error.kind(), StoreErrorKind::Busy);
}

#[tokio::test]
async fn a_statement_timeout_is_busy() {
    let Some(schema) = TestSchema::new() else { return };
    let store =
        schema.builder().statement_timeout(Duration::from_millis(200)).open(server_url().unwrap()).await;
    let store = store.unwrap();
    let s = scope("slow");
    let holder = lock_tables(&schema).await;
    let error = store.load_scope(&s).await.unwrap_err();
    release(holder).await;
    let (inner, code) = unwrap_pg(&error);
    assert_eq!(code, Some(&SqlState::QUERY_CANCELED), "{inner:?}");
    assert!(matches!(inner, PostgresStoreError::Busy { .. }), "{inner:?}");
    assert_eq!(error.kind(), StoreErrorKind::Busy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_session_is_a_lost_connection() {
    let Some(schema) = TestSchema::new() else { return };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let application =
        format!("scim-token-class-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let mut config = server_config().unwrap();
    config.application_name(&application);
    let store: PostgresStore = schema.builder().open_with_config(config).await.unwrap();
    let s = scope("terminated");
    let holder = lock_tables(&schema).await;
    // A rotation (never retried by the store) that waits on the lock until its session is terminated.
    let rotation = {
        let store = store.clone();
        let next = record(&s);
        tokio::spawn(async move { store.replace_current(next, None).await })
    };
    let observer = connect().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let waiting = observer
            .query(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
                &[&application],
            )
            .await
            .unwrap();
        if !waiting.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "the rotation never waited on the lock");
        tokio::task::yield_now().await;
    }
    observer
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            &[&application],
        )
        .await
        .unwrap();
    let error = rotation.await.unwrap().unwrap_err();
    release(holder).await;
    let (inner, code) = unwrap_pg(&error);
    assert_eq!(code, Some(&SqlState::ADMIN_SHUTDOWN), "{inner:?}");
    assert!(matches!(inner, PostgresStoreError::ConnectionLost { .. }), "{inner:?}");
    assert_eq!(error.kind(), StoreErrorKind::Unavailable);
    // The broken connection left the pool: the next call gets a new one.
    store.load_scope(&s).await.unwrap();
}

#[tokio::test]
async fn too_many_connections_is_busy() {
    let Some(schema) = TestSchema::new() else { return };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let role = format!("scim_token_no_slot_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let admin = connect().await;
    admin.batch_execute(&format!("CREATE ROLE {role} LOGIN CONNECTION LIMIT 0")).await.unwrap();
    let mut config = server_config().unwrap();
    config.user(&role);
    let result = schema.builder().open_with_config(config).await;
    admin.batch_execute(&format!("DROP ROLE {role}")).await.unwrap();
    let error = result.unwrap_err();
    let code = std::error::Error::source(&error).and_then(|source| source.downcast_ref::<PgError>());
    assert_eq!(code.and_then(PgError::code), Some(&SqlState::TOO_MANY_CONNECTIONS), "{error:?}");
    assert!(matches!(error, PostgresStoreError::Busy { .. }), "{error:?}");
    assert_eq!(error.kind(), StoreErrorKind::Busy);
}
