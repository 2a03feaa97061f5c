//! The classes, by SQLSTATE and by errors tokio-postgres really returns: a refused connection here, and,
//! when `SCIM_TOKEN_TEST_POSTGRES_URL` names a server, a closed connection, a deadlock and a
//! serialization failure provoked on it. The store-level classes (lock and statement timeouts, a
//! terminated session, too many connections) are in the integration tests (`tests/postgres/classes.rs`).

use scim_token_core::store::StoreErrorKind;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use super::Class;
use crate::PostgresStoreError;
use crate::target::Target;

/// What a caller sees: the error's kind once the store has wrapped it.
fn kind_of(error: tokio_postgres::Error) -> StoreErrorKind {
    let config: tokio_postgres::Config = "postgres://app@db.internal/app".parse().unwrap();
    PostgresStoreError::from_pg(error, &Target::of(&config), "scim_token").kind()
}

#[test]
fn sqlstates_map_to_the_kind_a_caller_can_act_on() {
    let kind = |code: SqlState| match Class::of_code(&code) {
        Class::Unreachable | Class::Lost => StoreErrorKind::Unavailable,
        Class::Busy => StoreErrorKind::Busy,
        _ => StoreErrorKind::Other,
    };
    for busy in [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::LOCK_NOT_AVAILABLE,
        SqlState::QUERY_CANCELED,
        SqlState::TOO_MANY_CONNECTIONS,
        SqlState::OUT_OF_MEMORY,
    ] {
        assert_eq!(kind(busy.clone()), StoreErrorKind::Busy, "{busy:?}");
    }
    for unavailable in [
        SqlState::ADMIN_SHUTDOWN,
        SqlState::CRASH_SHUTDOWN,
        SqlState::IDLE_SESSION_TIMEOUT,
        SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
        SqlState::CANNOT_CONNECT_NOW,
        SqlState::CONNECTION_EXCEPTION,
        SqlState::CONNECTION_FAILURE,
        SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
        SqlState::PROTOCOL_VIOLATION,
    ] {
        assert_eq!(kind(unavailable.clone()), StoreErrorKind::Unavailable, "{unavailable:?}");
    }
    for other in [
        SqlState::INVALID_PASSWORD,
        SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
        SqlState::INVALID_CATALOG_NAME,
        SqlState::INSUFFICIENT_PRIVILEGE,
        SqlState::UNIQUE_VIOLATION,
        SqlState::DISK_FULL,
        SqlState::DATABASE_DROPPED,
    ] {
        assert_eq!(kind(other.clone()), StoreErrorKind::Other, "{other:?}");
    }
}

#[test]
fn the_login_database_and_privilege_errors_keep_their_own_class() {
    assert_eq!(Class::of_code(&SqlState::INVALID_PASSWORD), Class::Authentication);
    assert_eq!(Class::of_code(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION), Class::Authentication);
    assert_eq!(Class::of_code(&SqlState::INVALID_CATALOG_NAME), Class::MissingDatabase);
    assert_eq!(Class::of_code(&SqlState::INSUFFICIENT_PRIVILEGE), Class::PermissionDenied);
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_failure() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("postgres://app@127.0.0.1:{port}/app");
    let Err(error) = tokio_postgres::connect(&url, NoTls).await else { panic!("nothing listens at {url}") };
    assert!(error.code().is_none() && !error.is_closed(), "{error:?}");
    assert_eq!(Class::of(&error), Class::Lost, "{error:?}");
    assert_eq!(kind_of(error), StoreErrorKind::Unavailable);
}

/// The test server, or `None` (with one line saying so) when `SCIM_TOKEN_TEST_POSTGRES_URL` is unset.
fn server() -> Option<String> {
    let url = std::env::var("SCIM_TOKEN_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty());
    if url.is_none() {
        eprintln!("classification against a real server not run: SCIM_TOKEN_TEST_POSTGRES_URL is unset");
    }
    url
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

#[tokio::test]
async fn a_closed_connection_is_lost() {
    let Some(url) = server() else { return };
    let (client, connection) = tokio_postgres::connect(&url, NoTls).await.unwrap();
    drop(connection);
    let error = client.simple_query("SELECT 1").await.unwrap_err();
    assert!(error.is_closed(), "{error:?}");
    assert_eq!(Class::of(&error), Class::Lost);
    assert_eq!(kind_of(error), StoreErrorKind::Unavailable);
}

/// A table of two rows in a temporary schema of this test's own, dropped afterwards.
struct Rows {
    client: tokio_postgres::Client,
    table: String,
}

impl Rows {
    async fn new(url: &str, name: &str) -> Self {
        let client = connect(url).await;
        let table = format!("scim_classify_{name}_{}", std::process::id());
        client
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id INT PRIMARY KEY, n INT NOT NULL); \
                 INSERT INTO {table} VALUES (1, 0), (2, 0)"
            ))
            .await
            .unwrap();
        Self { client, table }
    }

    async fn drop_table(self) {
        self.client.batch_execute(&format!("DROP TABLE {}", self.table)).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlock_is_busy() {
    let Some(url) = server() else { return };
    let rows = Rows::new(&url, "deadlock").await;
    let (first, second) = (connect(&url).await, connect(&url).await);
    let update = |id: i32| format!("UPDATE {} SET n = n + 1 WHERE id = {id}", rows.table);
    first.batch_execute(&format!("BEGIN; {}", update(1))).await.unwrap();
    second.batch_execute(&format!("BEGIN; {}", update(2))).await.unwrap();
    // Each now waits for the other's row: the server's deadlock detector cancels one of them.
    let (cross_first, cross_second) = (update(2), update(1));
    let (a, b) = tokio::join!(first.batch_execute(&cross_first), second.batch_execute(&cross_second));
    let error = match (a, b) {
        (Err(error), Ok(())) | (Ok(()), Err(error)) => error,
        other => panic!("exactly one side fails: {other:?}"),
    };
    assert_eq!(error.code(), Some(&SqlState::T_R_DEADLOCK_DETECTED), "{error:?}");
    assert_eq!(Class::of(&error), Class::Busy);
    assert_eq!(kind_of(error), StoreErrorKind::Busy);
    first.batch_execute("ROLLBACK").await.unwrap();
    second.batch_execute("ROLLBACK").await.unwrap();
    rows.drop_table().await;
}

#[tokio::test]
async fn a_serialization_failure_is_busy() {
    let Some(url) = server() else { return };
    let rows = Rows::new(&url, "serialization").await;
    let (first, second) = (connect(&url).await, connect(&url).await);
    let table = &rows.table;
    for client in [&first, &second] {
        client
            .batch_execute(&format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT n FROM {table} WHERE id = 1"
            ))
            .await
            .unwrap();
    }
    first.batch_execute(&format!("UPDATE {table} SET n = 1 WHERE id = 1; COMMIT")).await.unwrap();
    // The second snapshot predates that commit: updating the same row cannot be serialized.
    let error = second.batch_execute(&format!("UPDATE {table} SET n = 2 WHERE id = 1")).await.unwrap_err();
    assert_eq!(error.code(), Some(&SqlState::T_R_SERIALIZATION_FAILURE), "{error:?}");
    assert_eq!(Class::of(&error), Class::Busy);
    assert_eq!(kind_of(error), StoreErrorKind::Busy);
    second.batch_execute("ROLLBACK").await.unwrap();
    rows.drop_table().await;
}
