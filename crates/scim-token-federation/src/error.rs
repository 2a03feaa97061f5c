//! The crate's errors: building the verifier, and fetching a JWKS (the source of
//! [`AssertionError::Unavailable`](scim_token_core::oauth::AssertionError::Unavailable)).

/// Why [`FederationVerifierBuilder::build`](crate::FederationVerifierBuilder::build) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// rustls refused the TLS settings (for instance, its ring provider offers no safe protocol version).
    #[error("the TLS client configuration for fetching JWKS could not be built")]
    Tls(#[source] rustls::Error),
    /// The operating system's root certificates could not be loaded, so no HTTPS server could be
    /// trusted. Give the roots yourself with
    /// [`FederationVerifierBuilder::tls_config`](crate::FederationVerifierBuilder::tls_config).
    #[error(
        "no root certificate could be loaded from the operating system; pass a TLS config with your roots"
    )]
    NoRootCertificates,
}

/// Why a JWKS could not be fetched or read. It is the source of
/// [`AssertionError::Unavailable`](scim_token_core::oauth::AssertionError::Unavailable) when the key an
/// assertion names is not cached; the host may log it (it never holds a secret).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The JWKS URL cannot be fetched with the client built: not a valid URL, or an `http` one the
    /// verifier does not allow.
    #[error("the JWKS URL is not a valid absolute URL")]
    InvalidUrl,
    /// The connection or the request failed (DNS, TCP, TLS, HTTP).
    #[error("the JWKS request failed")]
    Request(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// No complete answer within the fetch timeout.
    #[error("the JWKS request timed out")]
    Timeout,
    /// The server answered something other than 200 (a redirect is not followed).
    #[error("the JWKS endpoint answered HTTP {0}")]
    Status(u16),
    /// The answer was larger than the size cap.
    #[error("the JWKS document is larger than {limit} bytes")]
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The answer was not a JWKS (`{"keys": [...]}`).
    #[error("the JWKS document is not valid")]
    Malformed(#[source] serde_json::Error),
    /// The JWKS held more keys than the cap.
    #[error("the JWKS document holds more than {limit} keys")]
    TooManyKeys {
        /// The cap.
        limit: usize,
    },
    /// An earlier fetch failed within the refetch interval; it is not retried yet.
    #[error("the last JWKS fetch failed moments ago ({0}); not retried yet")]
    RecentlyFailed(String),
}
