//! Bad input at open gives a clear error naming what to fix, never a panic, never a password.

use std::time::Duration;

use scim_token_core::store::StoreErrorKind;
use scim_token_postgres::{PostgresStore, PostgresStoreError};

use crate::common::{TestSchema, server_config, server_url};

const PASSWORD: &str = "s3cr3t-Pa55word";

/// Neither the message, nor the debug form, nor any source in the chain holds the password.
fn assert_no_password(error: &PostgresStoreError) {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        texts.push(cause.to_string());
        source = cause.source();
    }
    for text in texts {
        assert!(!text.contains(PASSWORD), "the password leaked: {text}");
    }
}

#[tokio::test]
async fn an_invalid_url_is_refused_without_its_password() {
    for url in [
        format!("postgres://app:{PASSWORD}@db.internal:notaport/app"),
        format!("postgres://app@db.internal/app?password={PASSWORD}&no_such_option=1"),
        format!("host=db user=app password={PASSWORD} sslmode=sometimes"),
    ] {
        let error = PostgresStore::open(&url).await.unwrap_err();
        assert!(matches!(error, PostgresStoreError::InvalidUrl { .. }), "{error:?}");
        assert_no_password(&error);
        let message = error.to_string();
        assert!(message.contains("***"), "the URL is shown, redacted: {message}");
        assert!(message.contains("postgres://user:password@host:port/database"), "{message}");
    }
    let error = PostgresStore::open(&format!("postgres://app:{PASSWORD}@db:notaport/app")).await.unwrap_err();
    assert!(error.to_string().contains("invalid value for option `port`"), "{error}");
}

#[tokio::test]
async fn a_bad_schema_name_is_refused_before_connecting() {
    for name in ["", "Tokens", "scim-token", "a;drop", "pg_tokens", "1st", "x\"y"] {
        // The URL points nowhere: the name is checked first.
        let error =
            PostgresStore::builder().schema(name).open("postgres://app@127.0.0.1:9/app").await.unwrap_err();
        assert!(matches!(error, PostgresStoreError::InvalidSchemaName { .. }), "{name:?}: {error:?}");
        assert!(error.to_string().contains("lowercase ASCII letters"), "{error}");
    }
}

#[tokio::test]
async fn nothing_listening_is_unavailable_within_the_connect_timeout() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("postgres://app:{PASSWORD}@127.0.0.1:{port}/app");
    let error =
        PostgresStore::builder().connect_timeout(Duration::from_secs(2)).open(&url).await.unwrap_err();
    assert!(matches!(error, PostgresStoreError::Unreachable { .. }), "{error:?}");
    assert_eq!(error.kind(), StoreErrorKind::Unavailable);
    assert_no_password(&error);
    let message = error.to_string();
    assert!(message.contains(&format!("postgres://app@127.0.0.1:{port}/app")), "{message}");
    assert!(message.contains("check that the server is running"), "{message}");
}

#[cfg(not(feature = "tls"))]
#[tokio::test]
async fn requiring_tls_without_the_tls_feature_is_refused() {
    let url = format!("postgres://app:{PASSWORD}@127.0.0.1:9/app?sslmode=require");
    let error = PostgresStore::open(&url).await.unwrap_err();
    assert!(matches!(error, PostgresStoreError::TlsNotEnabled { .. }), "{error:?}");
    assert!(error.to_string().contains("`tls` feature"), "{error}");
    assert_no_password(&error);
}

#[tokio::test]
async fn an_unknown_user_is_refused_as_a_login_error_without_the_password() {
    let Some(config) = server_config() else { return };
    let mut config = config;
    config.user("scim_token_no_such_role").password(PASSWORD);
    let error = PostgresStore::builder().open_with_config(config).await.unwrap_err();
    assert!(matches!(error, PostgresStoreError::Authentication { .. }), "{error:?}");
    assert_eq!(error.kind(), StoreErrorKind::Other, "a wrong login is not worth retrying");
    assert_no_password(&error);
    let message = error.to_string();
    assert!(message.contains("scim_token_no_such_role"), "{message}");
    assert!(message.contains("check the user name and password"), "{message}");
}

#[tokio::test]
async fn a_missing_database_is_named() {
    let Some(config) = server_config() else { return };
    let mut config = config;
    config.dbname("scim_token_no_such_database").password(PASSWORD);
    let error = PostgresStore::builder().open_with_config(config).await.unwrap_err();
    assert!(matches!(error, PostgresStoreError::MissingDatabase { .. }), "{error:?}");
    assert_no_password(&error);
    let message = error.to_string();
    assert!(message.contains("scim_token_no_such_database"), "{message}");
    assert!(message.contains("CREATE DATABASE"), "{message}");
}

#[tokio::test]
async fn a_store_from_the_hosts_own_pool_works() {
    let Some(schema) = TestSchema::new() else { return };
    let config = server_config().unwrap();
    let manager = scim_token_postgres::deadpool_postgres::Manager::new(
        config,
        scim_token_postgres::tokio_postgres::NoTls,
    );
    let pool = scim_token_postgres::deadpool_postgres::Pool::builder(manager).max_size(2).build().unwrap();
    let store = PostgresStore::builder().schema(schema.name()).open_with_pool(pool.clone()).await.unwrap();
    let s = scim_token_core::testkit::scope("host-pool");
    let r = scim_token_core::testkit::record(&s);
    scim_token_core::TokenStore::replace_current(&store, r.clone(), None).await.unwrap();
    assert_eq!(scim_token_core::TokenStore::load_scope(&store, &s).await.unwrap().current, Some(r));
    assert_eq!(store.target().as_str(), "the host's connection pool");
    pool.close();
    let error = scim_token_core::TokenStore::load_scope(&store, &s).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Unavailable, "{error}");
    let _ = server_url();
}

/// Everything written to `tracing` while `work` runs on this thread (a current-thread runtime keeps the
/// pool's tasks on it too).
fn captured_logs(work: impl FnOnce()) -> String {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, work);
    let logs = buffer.0.lock().unwrap().clone();
    String::from_utf8(logs).unwrap()
}

/// Set only in the child process of [`no_log_line_holds_the_password`].
const LOG_CHILD_ENV: &str = "SCIM_TOKEN_POSTGRES_LOG_CHILD";

/// Runs the check below alone in a process of its own: `tracing` decides once per call site whether
/// anyone listens, and a test on another thread may hit the call site first, without a subscriber.
#[test]
fn no_log_line_holds_the_password() {
    if server_url().is_none() {
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "errors::log_check_child_entry_point", "--test-threads=1"])
        .env(LOG_CHILD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && stdout.contains("1 passed"), "{stdout}");
}

/// **Not a test on its own: the child process of [`no_log_line_holds_the_password`].** Without
/// [`LOG_CHILD_ENV`] it returns at once.
#[test]
fn log_check_child_entry_point() {
    if std::env::var_os(LOG_CHILD_ENV).is_none() {
        return;
    }
    let schema = TestSchema::new().expect("the parent checked the server");
    let logs = captured_logs(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            // A first open that migrates (and logs it), with a password in the URL: the test server
            // trusts local connections, so any password is accepted.
            let mut config = server_config().unwrap();
            config.password(PASSWORD);
            let store = schema.builder().open_with_config(config.clone()).await.unwrap();
            let _ = format!("{store:?}");
            // Failures: an unknown user, a closed port.
            config.user("scim_token_no_such_role");
            let _ = PostgresStore::builder().open_with_config(config).await.unwrap_err();
            let url = format!("postgres://app:{PASSWORD}@127.0.0.1:9/app");
            let _ = PostgresStore::open(&url).await.unwrap_err();
        });
    });
    assert!(logs.contains("migrated the PostgreSQL schema"), "the capture works: {logs}");
    assert!(!logs.contains(PASSWORD), "a log line holds the password: {logs}");
}

#[tokio::test]
async fn a_unix_socket_url_works() {
    const SOCKET_DIR: &str = "/var/run/postgresql";
    let Some(schema) = TestSchema::new() else { return };
    let server = server_config().unwrap();
    let port = server.get_ports().first().copied().unwrap_or(5432);
    if !std::path::Path::new(&format!("{SOCKET_DIR}/.s.PGSQL.{port}")).exists() {
        eprintln!("Unix socket test not run: no socket in {SOCKET_DIR}");
        return;
    }
    let url = format!(
        "postgres://{}@%2Fvar%2Frun%2Fpostgresql:{port}/{}",
        server.get_user().unwrap_or("postgres"),
        server.get_dbname().unwrap_or("postgres")
    );
    let store = schema.builder().open(&url).await.unwrap();
    assert!(store.target().as_str().contains("[/var/run/postgresql]"), "{}", store.target());
    let s = scim_token_core::testkit::scope("socket");
    let r = scim_token_core::testkit::record(&s);
    scim_token_core::TokenStore::replace_current(&store, r.clone(), None).await.unwrap();
    assert_eq!(scim_token_core::TokenStore::load_scope(&store, &s).await.unwrap().current, Some(r));
}
