//! TLS to the server with rustls (feature `tls`): the host's `ClientConfig`, or by default the operating
//! system's root certificates with the `ring` provider. rustls always verifies the server's certificate
//! and host name, like libpq's `sslmode=verify-full`.

use std::sync::Arc;

use rustls::ClientConfig;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::PostgresStoreError;

/// The connector for `config`, or for the default configuration.
pub(crate) fn connector(config: Option<ClientConfig>) -> Result<MakeRustlsConnect, PostgresStoreError> {
    let config = match config {
        Some(config) => config,
        None => default_config()?,
    };
    Ok(MakeRustlsConnect::new(config))
}

fn default_config() -> Result<ClientConfig, PostgresStoreError> {
    let setup = |reason: String| PostgresStoreError::TlsSetup { reason };
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        return Err(setup(format!(
            "no usable root certificate in the operating system's store ({} errors while loading it)",
            native.errors.len()
        )));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| setup(error.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
