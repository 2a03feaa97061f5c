//! [`OAuthError`]: the token endpoint's refusal, as RFC 6749 §5.2 shapes it.

use std::fmt;

/// The `error` code of a token endpoint refusal (RFC 6749 §5.2; the two 5xx codes are borrowed from
/// §4.1.2.1, since §5.2 defines none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// A parameter is missing, repeated or malformed, or the client used two ways to authenticate.
    InvalidRequest,
    /// The client could not be authenticated: unknown client, wrong or expired secret, bad assertion.
    InvalidClient,
    /// The grant is invalid. Client credentials carry no grant, so this is never produced; it exists
    /// for completeness of the vocabulary.
    InvalidGrant,
    /// The client is authenticated but may not obtain a token: its scope is disabled or accepts static
    /// tokens only.
    UnauthorizedClient,
    /// The `grant_type` is not `client_credentials`.
    UnsupportedGrantType,
    /// The requested `scope` is malformed.
    InvalidScope,
    /// The store or the hashing budget is saturated, or the issuer's keys could not be fetched: retry.
    TemporarilyUnavailable,
    /// Something failed that retrying will not fix (the cause is logged).
    ServerError,
}

impl OAuthErrorCode {
    /// The code as sent in the `error` member, e.g. `invalid_client`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::ServerError => "server_error",
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the token endpoint refused a request: what an HTTP adapter turns into the JSON error answer.
/// Never holds a secret, an assertion or anything else the client sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the token request was refused ({code}): {description}")]
#[non_exhaustive]
pub struct OAuthError {
    code: OAuthErrorCode,
    description: &'static str,
    challenge: bool,
    /// The precise reason, for the debug log only (the answer gives the client less).
    reason: &'static str,
}

/// The `WWW-Authenticate` value of a 401 answer.
const BASIC_CHALLENGE: &str = r#"Basic realm="scim-token", charset="UTF-8""#;

impl OAuthError {
    pub(crate) fn new(code: OAuthErrorCode, description: &'static str, reason: &'static str) -> Self {
        Self { code, description, challenge: false, reason }
    }

    /// `invalid_request`, with the description the client sees.
    pub(crate) fn request(description: &'static str) -> Self {
        Self::new(OAuthErrorCode::InvalidRequest, description, description)
    }

    /// `invalid_client`, with one description for every cause (the client must not learn which check
    /// failed) and `reason` for the debug log.
    pub(crate) fn client(reason: &'static str) -> Self {
        Self::new(OAuthErrorCode::InvalidClient, "client authentication failed", reason)
    }

    /// `temporarily_unavailable`.
    pub(crate) fn unavailable(reason: &'static str) -> Self {
        Self::new(OAuthErrorCode::TemporarilyUnavailable, "the service is busy; retry in a moment", reason)
    }

    /// `server_error`.
    pub(crate) fn server(reason: &'static str) -> Self {
        Self::new(OAuthErrorCode::ServerError, "the token could not be issued", reason)
    }

    /// The same error, answered with a Basic challenge (401) if it is `invalid_client`.
    pub(crate) fn challenged(mut self, challenge: bool) -> Self {
        self.challenge = challenge;
        self
    }

    /// The `error` code.
    pub fn code(&self) -> OAuthErrorCode {
        self.code
    }

    /// The `error_description`: fixed ASCII text within RFC 6749 §5.2's character set (no `"`, no `\`).
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// Whether the client authenticated (or tried to) with the `Authorization` header, or sent no
    /// authentication at all: an `invalid_client` answer must then be a 401 with a Basic challenge
    /// (RFC 6749 §5.2).
    pub fn basic_auth_used(&self) -> bool {
        self.challenge
    }

    /// The HTTP status: 401 for `invalid_client` when [`basic_auth_used`](Self::basic_auth_used), 503
    /// for `temporarily_unavailable` (send `Retry-After`), 500 for `server_error`, 400 otherwise.
    pub fn http_status(&self) -> u16 {
        match self.code {
            OAuthErrorCode::InvalidClient if self.challenge => 401,
            OAuthErrorCode::TemporarilyUnavailable => 503,
            OAuthErrorCode::ServerError => 500,
            _ => 400,
        }
    }

    /// The `WWW-Authenticate` header of a 401 answer: `Basic realm="scim-token", charset="UTF-8"`.
    pub fn www_authenticate(&self) -> Option<&'static str> {
        (self.http_status() == 401).then_some(BASIC_CHALLENGE)
    }

    /// The precise reason, for a debug log line (never sent to the client).
    pub(crate) fn reason(&self) -> &'static str {
        self.reason
    }
}
