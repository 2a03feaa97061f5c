//! Bad input at open gives a clear error naming what to fix, never a panic, never a password.

use std::time::Duration;

use scim_token_core::StoreErrorKind;
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
