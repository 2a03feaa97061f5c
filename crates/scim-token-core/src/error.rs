//! The one error type of the core, and the boxed error a backend returns.

use std::fmt;

/// Everything that can go wrong in scim-token. Messages say what to do next and never hold a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The presented token is malformed, unknown, expired, revoked, of another scope, or its scope is
    /// disabled. Deliberately one variant: callers must not learn which check failed.
    #[error("the SCIM token was not accepted; ask an administrator for a newly generated token")]
    InvalidToken,
    /// All hashing slots stayed busy beyond the configured wait. Nothing was changed.
    #[error("too many SCIM token checks are running at once; retry in a moment")]
    Busy,
    /// An argument (scope, actor, token id, prefix) broke its documented rules.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument was rejected.
        what: &'static str,
        /// The rule it broke.
        reason: &'static str,
    },
    /// The service was built with options that are unsafe or impossible.
    #[error("scim-token is misconfigured: {0}")]
    Config(String),
    /// The token store failed. A failed generate or revoke changed nothing: the previous token still works.
    #[error("the token store failed: {0}; check that it is reachable and retry")]
    Store(#[from] StoreError),
    /// Argon2 or the blocking thread pool failed. No secret is part of the message.
    #[error("hashing the SCIM token failed: {0}; check the Argon2 parameters and retry")]
    Hashing(String),
    /// The operating system's random number generator failed; no token was issued.
    #[error("the operating system's random number generator failed ({0}); no token was issued, retry")]
    Random(String),
}

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A backend's own error, boxed so that any storage library fits behind [`TokenStore`](crate::TokenStore).
///
/// Backends never see a plaintext token, so nothing they report can leak one.
pub struct StoreError(Box<dyn std::error::Error + Send + Sync + 'static>);

impl StoreError {
    /// Wraps a backend's error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self(error.into())
    }

    /// The backend's error, for downcasting.
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Debug for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}
