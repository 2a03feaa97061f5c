//! [`FederationVerifierBuilder`]: the settings of a [`FederationVerifier`].

use std::sync::Arc;
use std::time::Duration;

use crate::cache::{KeySource, RefetchRules};
use crate::claims::ClaimRules;
use crate::error::BuildError;
use crate::fetch::{FetchLimits, JwksFetcher};
use crate::{FederationVerifier, MAX_JWKS_BYTES, MAX_JWKS_KEYS};

/// Settings of a [`FederationVerifier`]; every one has a sound default.
#[derive(Debug)]
#[must_use]
pub struct FederationVerifierBuilder {
    leeway: Duration,
    max_assertion_lifetime: Duration,
    refetch_interval: Duration,
    key_set_max_age: Duration,
    fetch_timeout: Duration,
    allow_loopback_http: bool,
    tls_config: Option<rustls::ClientConfig>,
}

impl Default for FederationVerifierBuilder {
    fn default() -> Self {
        Self {
            leeway: Duration::from_secs(60),
            max_assertion_lifetime: Duration::from_secs(2 * 3600),
            refetch_interval: Duration::from_secs(30),
            key_set_max_age: Duration::from_secs(24 * 3600),
            fetch_timeout: Duration::from_secs(5),
            allow_loopback_http: false,
            tls_config: None,
        }
    }
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl FederationVerifierBuilder {
    /// Clock skew allowed on `exp`, `nbf` and `iat` (default 60 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The longest assertion accepted: `exp - iat`, and `exp - now` (default 2 h; Entra's last an hour
    /// and five minutes).
    pub fn max_assertion_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_assertion_lifetime = lifetime;
        self
    }

    /// How long after a fetch of a JWKS URL an unknown `kid` may fetch it again (default 30 s). Within
    /// it an unknown `kid` is refused without a request (or found unavailable if the last fetch
    /// failed), which is what stops forged `kid`s from causing a fetch storm. Keep it short: a key the
    /// issuer has just rotated in is refused until it has passed.
    pub fn refetch_interval(mut self, interval: Duration) -> Self {
        self.refetch_interval = interval;
        self
    }

    /// The age past which a key set is refreshed in the background when one of its keys is used
    /// (default 24 h), so that a key the issuer has withdrawn stops being trusted.
    pub fn key_set_max_age(mut self, age: Duration) -> Self {
        self.key_set_max_age = age;
        self
    }

    /// The limit on one JWKS fetch, connection to last byte (default 5 s).
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// Allows `http://` JWKS URLs whose host is a loopback IP literal (`127.0.0.0/8`, `[::1]`): for
    /// tests against a local JWKS server only. Off by default: otherwise only `https://` is fetched.
    pub fn allow_loopback_http(mut self, allow: bool) -> Self {
        self.allow_loopback_http = allow;
        self
    }

    /// The TLS client settings for fetching JWKS, for your own root certificates (a proxy's, a private
    /// issuer's). By default: the operating system's roots, with rustls' ring provider.
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls_config = Some(config);
        self
    }

    /// The verifier. Also installs jsonwebtoken's RustCrypto provider as its process default when no
    /// provider is installed yet, so that verification cannot panic for want of one (jsonwebtoken
    /// picks none by itself when a build enables both of its providers).
    pub fn build(self) -> Result<FederationVerifier, BuildError> {
        // Err means a provider is installed already (the host's choice, or this call's in an earlier
        // build); either way jsonwebtoken has one.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
        let tls = match self.tls_config {
            Some(config) => config,
            None => default_tls_config()?,
        };
        let limits = FetchLimits {
            timeout: self.fetch_timeout,
            max_bytes: MAX_JWKS_BYTES,
            max_keys: MAX_JWKS_KEYS,
            allow_loopback_http: self.allow_loopback_http,
        };
        let rules = RefetchRules {
            refetch_interval_ms: millis(self.refetch_interval),
            max_age_ms: millis(self.key_set_max_age),
        };
        Ok(FederationVerifier {
            keys: Arc::new(KeySource::new(JwksFetcher::new(tls, limits), rules)),
            claim_rules: ClaimRules {
                leeway_secs: secs(self.leeway),
                max_lifetime_secs: secs(self.max_assertion_lifetime),
            },
            allow_loopback_http: self.allow_loopback_http,
        })
    }
}

/// rustls with the ring provider, named here rather than taken from a process default, and the
/// operating system's root certificates.
fn default_tls_config() -> Result<rustls::ClientConfig, BuildError> {
    let mut roots = rustls::RootCertStore::empty();
    // Certificates the platform store holds but rustls cannot parse are skipped, as browsers do.
    let _ = roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if roots.is_empty() {
        return Err(BuildError::NoRootCertificates);
    }
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(BuildError::Tls)?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
