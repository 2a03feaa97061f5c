//! Workload identity federation for scim-token: a [`FederationVerifier`] that implements
//! [`AssertionVerifier`](scim_token_core::oauth::AssertionVerifier), so the token endpoint accepts an
//! RFC 7523 §2.2 client assertion (a JWT signed by the identity provider, e.g. Microsoft Entra's
//! provisioning service) instead of a client secret.
//!
//! ```no_run
//! use std::sync::Arc;
//! use scim_token_core::oauth::AssertionVerifier;
//! use scim_token_federation::FederationVerifier;
//!
//! let verifier: Arc<dyn AssertionVerifier> = Arc::new(FederationVerifier::builder().build()?);
//! // ScimTokenService::builder(store).assertion_verifier(verifier)...
//! # Ok::<(), scim_token_federation::BuildError>(())
//! ```
//!
//! # What is checked
//! - Size: at most [`MAX_ASSERTION_BYTES`].
//! - Signature (by jsonwebtoken): with the key whose `kid` the header names, from the trust's JWKS URL.
//!   The key decides the algorithm: RS256 for an RSA key of 2048 to 8192 bits, ES256 for a P-256 key.
//!   `none`, every HMAC algorithm, a header whose `alg` does not match the key's type, and a `crit`
//!   header are refused.
//! - Claims at the caller's `now`: `iss` equal to the trust's issuer, `sub` to its subject, `aud`
//!   containing its audience, `tid` equal to its tenant id when it has one; `exp` required and not
//!   past, `nbf` and `iat` not in the future (60 s leeway), `exp - iat` and `exp - now` at most the
//!   maximum lifetime (2 h). The claims are checked on the unverified payload first (so a stray
//!   assertion costs no fetch), and the assertion is accepted only on the verified one.
//!
//! # Keys
//! Fetched over HTTPS (plain HTTP only to a loopback IP, when
//! [`allow_loopback_http`](FederationVerifierBuilder::allow_loopback_http) is on, for tests), with no
//! redirect followed, a timeout, at most [`MAX_JWKS_BYTES`] and [`MAX_JWKS_KEYS`] keys. Cached per
//! URL by `kid`: a known key is used even when the endpoint is down; an unknown `kid` fetches the set
//! again at most once per refetch interval (single flight per URL). A `kid` not cached when the
//! endpoint cannot be reached gives
//! [`AssertionError::Unavailable`](scim_token_core::oauth::AssertionError::Unavailable) (the token
//! endpoint answers 503), every other failure
//! [`AssertionError::Rejected`](scim_token_core::oauth::AssertionError::Rejected).
//!
//! # Crates, and why
//! - `jsonwebtoken` (RustCrypto provider, no default features): the maintained, most used JOSE crate;
//!   this project writes no JOSE or cryptography itself. Its provider is installed explicitly when the
//!   verifier is built, because a host that also enables its `aws_lc_rs` feature would otherwise
//!   leave it with no default and make it panic. Its `aws_lc_rs` provider would add a C library; it
//!   has no ring provider.
//! - hyper-util's client with `hyper-rustls` (ring): rustls 0.23 with ring, hyper 1 and tokio are in
//!   the workspace already, so the client adds one crate (`hyper-rustls`); `reqwest` would add about
//!   thirty (URL parsing with ICU, a platform verifier, tower-http), `ureq` is blocking. The rustls
//!   configuration names the ring provider itself, again not relying on a process default.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod cache;
mod claims;
mod error;
mod fetch;
mod keys;
mod url_policy;
mod verifier;

pub use builder::FederationVerifierBuilder;
pub use error::{BuildError, FetchError};
pub use verifier::FederationVerifier;

/// The largest client assertion read, in bytes (Entra's are under 2 KiB).
pub const MAX_ASSERTION_BYTES: usize = 8 * 1024;
/// The largest JWKS document read, in bytes.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// The most keys a JWKS document may list.
pub const MAX_JWKS_KEYS: usize = 64;
