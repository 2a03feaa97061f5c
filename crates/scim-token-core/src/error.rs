//! The one error type of the core, and the boxed error a backend returns.

use std::fmt;
use std::sync::Arc;

/// The library error behind an [`Error`], shared rather than boxed: one hashing result answers every
/// request that waited for it, so the error must be cloneable and still expose its `source()`.
pub type SharedCause = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in scim-token. Messages say what to do next and never hold a secret.
///
/// A variant with a cause returns it from [`source`](std::error::Error::source) and leaves it out of its
/// own message, so that an error reporter (`anyhow`'s `{:#}`, a log line walking the chain) prints each
/// cause once.
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
    /// A scope already holds the most unexpired OAuth client secrets allowed
    /// ([`max_client_secrets`](crate::ScimTokenServiceBuilder::max_client_secrets)); nothing was stored.
    /// HTTP adapters answer 409 Conflict.
    #[error("the scope already has {limit} unexpired client secrets; delete one before creating another")]
    LimitReached {
        /// The limit in force.
        limit: usize,
    },
    /// The service was built with options that are unsafe or impossible.
    #[error("scim-token is misconfigured: {reason}")]
    Config {
        /// What is wrong and how to fix it.
        reason: String,
        /// The library error behind it (Argon2 refusing the parameters), if there is one.
        #[source]
        source: Option<SharedCause>,
    },
    /// The token store failed. A failed generate or revoke changed nothing: the previous token still works.
    #[error("the token store failed; check that it is reachable and retry")]
    Store(#[from] StoreError),
    /// Argon2 or the blocking thread pool failed. No secret is part of the message.
    #[error("hashing the SCIM token failed; check the Argon2 parameters and retry")]
    Hashing(#[source] SharedCause),
    /// The operating system's random number generator failed; no token was issued.
    #[error("the operating system's random number generator failed; no token was issued, retry")]
    Random(#[source] SharedCause),
}

impl Error {
    /// Whether retrying the same call later can succeed: [`Busy`](Self::Busy), or a store error whose
    /// [`kind`](StoreError::kind) is transient. HTTP adapters answer these with 503 and `Retry-After`.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Busy => true,
            Self::Store(error) => error.kind().is_transient(),
            _ => false,
        }
    }
}

impl Error {
    /// A [`Config`](Self::Config) error with no library error behind it.
    pub(crate) fn config(reason: impl Into<String>) -> Self {
        Self::Config { reason: reason.into(), source: None }
    }

    /// A [`Hashing`](Self::Hashing) error caused by `cause`.
    pub(crate) fn hashing(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Hashing(Arc::new(cause))
    }

    /// A [`Random`](Self::Random) error caused by `cause`.
    pub(crate) fn random(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Random(Arc::new(cause))
    }
}

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure a [`StoreError`] is, so a caller can decide whether retrying can help.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The store is reachable but contended (a lock held too long, a pool with no free connection):
    /// retrying in a moment is likely to work. HTTP adapters answer 503 with `Retry-After`.
    Busy,
    /// The store cannot be reached (connection refused or lost, timed out, shutting down): retrying
    /// once it is back will work. HTTP adapters answer 503 with `Retry-After`.
    Unavailable,
    /// Anything else (corrupt data, a newer schema, permissions, a bug): retrying will not help.
    Other,
}

impl StoreErrorKind {
    /// Whether retrying later can succeed: [`Busy`](Self::Busy) and [`Unavailable`](Self::Unavailable).
    pub fn is_transient(self) -> bool {
        matches!(self, Self::Busy | Self::Unavailable)
    }
}

/// A backend's own error, boxed so that any storage library fits behind [`TokenStore`](crate::TokenStore),
/// with a [`StoreErrorKind`] a caller can match on.
///
/// Transparent: its message is the backend error's, and its [`source`](std::error::Error::source) that
/// error's own source, so each is printed once.
///
/// Backends never see a plaintext token, so nothing they report can leak one.
///
/// ```
/// use scim_token_core::store::{StoreError, StoreErrorKind};
///
/// let error = StoreError::unavailable(std::io::Error::other("connection refused"));
/// assert_eq!(error.kind(), StoreErrorKind::Unavailable);
/// assert!(error.kind().is_transient());
/// ```
pub struct StoreError {
    kind: StoreErrorKind,
    error: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl StoreError {
    /// Wraps a backend's error of kind [`StoreErrorKind::Other`].
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self::with_kind(StoreErrorKind::Other, error)
    }

    /// Wraps a backend's error of the given kind.
    pub fn with_kind(
        kind: StoreErrorKind,
        error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self { kind, error: error.into() }
    }

    /// Wraps a backend's error of kind [`StoreErrorKind::Busy`].
    pub fn busy(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self::with_kind(StoreErrorKind::Busy, error)
    }

    /// Wraps a backend's error of kind [`StoreErrorKind::Unavailable`].
    pub fn unavailable(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self::with_kind(StoreErrorKind::Unavailable, error)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// The backend's error, for downcasting.
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.error
    }
}

impl fmt::Debug for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreError").field("kind", &self.kind).field("error", &self.error).finish()
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for StoreError {
    // Display already shows the backend's error, so the chain continues with that error's own source.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    /// Every error with a cause: the cause is the source, and the message does not repeat it.
    #[test]
    fn a_cause_is_the_source_and_not_part_of_the_message() {
        let caused = [
            Error::hashing(std::io::Error::other("argon2 cause")),
            Error::random(std::io::Error::other("rng cause")),
            Error::Config {
                reason: "m is too small; raise it".into(),
                source: Some(Arc::new(std::io::Error::other("argon2 cause"))),
            },
            Error::Store(StoreError::new(std::io::Error::other("store cause"))),
        ];
        for error in caused {
            let source = error.source().expect("the cause is the source");
            assert!(source.to_string().ends_with("cause"), "{source}");
            assert!(!error.to_string().contains(&source.to_string()), "printed twice: {error}");
            assert!(error.to_string().contains("; "), "the message still says what to do: {error}");
        }
        assert!(Error::config("no cause").source().is_none());
    }

    #[test]
    fn a_store_error_is_transparent() {
        #[derive(Debug, thiserror::Error)]
        #[error("the backend failed")]
        struct Backend(#[source] std::io::Error);

        let error = StoreError::new(Backend(std::io::Error::other("connection reset")));
        assert_eq!(error.to_string(), "the backend failed", "the backend's own message");
        let next = error.source().expect("then the backend error's own source");
        assert_eq!(next.to_string(), "connection reset");
    }

    #[test]
    fn a_lost_hashing_task_is_reported_by_its_source() {
        let error = Error::hashing(crate::hashing::TaskLost(None));
        let source = error.source().expect("the lost task is the source");
        assert_eq!(source.to_string(), "the hashing task did not complete");
    }
}
