//! TLS (feature `tls`), against the test server's own certificate: Debian's snakeoil certificate, for
//! `localhost`, which PostgreSQL serves when `ssl = on`.

use std::sync::Arc;

use scim_token_core::store::StoreErrorKind;
use scim_token_postgres::PostgresStoreError;
use scim_token_postgres::rustls::pki_types::CertificateDer;
use scim_token_postgres::rustls::pki_types::pem::PemObject;
use scim_token_postgres::rustls::{self, ClientConfig, RootCertStore};
use scim_token_postgres::tokio_postgres::Config;
use scim_token_postgres::tokio_postgres::config::SslMode;

use crate::common::{TestSchema, server_config};

const SERVER_CERTIFICATE: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

/// The test server's configuration, by the name its certificate covers, with TLS required.
fn tls_config() -> Option<Config> {
    let mut config = Config::new();
    let server = server_config()?;
    if !std::path::Path::new(SERVER_CERTIFICATE).exists() {
        eprintln!("TLS tests not run: {SERVER_CERTIFICATE} is missing");
        return None;
    }
    config
        .host("localhost")
        .port(server.get_ports().first().copied().unwrap_or(5432))
        .ssl_mode(SslMode::Require);
    if let Some(user) = server.get_user() {
        config.user(user);
    }
    if let Some(database) = server.get_dbname() {
        config.dbname(database);
    }
    Some(config)
}

fn trusting_the_server() -> ClientConfig {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(SERVER_CERTIFICATE).unwrap()).unwrap();
    ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

#[tokio::test]
async fn a_verified_tls_connection_serves_the_store() {
    let (Some(schema), Some(config)) = (TestSchema::new(), tls_config()) else { return };
    let store = schema.builder().tls_config(trusting_the_server()).open_with_config(config).await.unwrap();
    let client = store.pool().get().await.unwrap();
    let row =
        client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await.unwrap();
    assert!(row.get::<_, bool>(0), "the session is encrypted");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_with_a_clear_error() {
    let (Some(schema), Some(mut config)) = (TestSchema::new(), tls_config()) else { return };
    // The same server and a trusted certificate, but reached by an address the certificate does not name.
    let mut by_address = Config::new();
    by_address.host("127.0.0.1").port(config.get_ports()[0]).ssl_mode(SslMode::Require);
    if let Some(user) = config.get_user() {
        by_address.user(user);
    }
    if let Some(database) = config.get_dbname() {
        by_address.dbname(database);
    }
    config = by_address;
    let error =
        schema.builder().tls_config(trusting_the_server()).open_with_config(config).await.unwrap_err();
    assert!(matches!(error, PostgresStoreError::TlsHandshake { .. }), "{error:?}");
    assert_eq!(error.kind(), StoreErrorKind::Other, "a certificate problem is not worth retrying");
    assert!(error.to_string().contains("tls_config"), "{error}");
}
