//! The seam between the token endpoint and a JWT verifier for workload identity federation: the core
//! holds no HTTP client, TLS or JOSE code; the `scim-token-federation` crate implements this trait.

use async_trait::async_trait;

use crate::oauth::FederationTrust;
use crate::time::Timestamp;

/// Verifies a client assertion (RFC 7523 §2.2 and §3) against a scope's [`FederationTrust`]: its
/// signature by one of the keys at the trust's JWKS URL, and its `iss`, `sub`, `aud`, `tid`, `exp`, `nbf`
/// and `iat` claims at `now`.
#[async_trait]
pub trait AssertionVerifier: Send + Sync + 'static {
    /// `Ok(())` only if `assertion` is a JWT that `trust` vouches for at `now`.
    async fn verify(
        &self,
        trust: &FederationTrust,
        assertion: &str,
        now: Timestamp,
    ) -> Result<(), AssertionError>;
}

/// Why an assertion was not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssertionError {
    /// The assertion is malformed, wrongly signed, for someone else, or not valid at this time. The
    /// token endpoint answers `invalid_client`; `reason` (never the assertion) goes to the debug log.
    #[error("the client assertion was refused: {reason}")]
    Rejected {
        /// What was wrong, in a few words.
        reason: &'static str,
    },
    /// The signing keys could not be had (the JWKS endpoint is unreachable and the key is not cached).
    /// The token endpoint answers 503 with `Retry-After`: the identity provider retries later.
    #[error("the issuer's signing keys could not be fetched; retry later")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}
