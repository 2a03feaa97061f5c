//! The freshly generated token: shown once, never printed by `Debug` or `Display`, zeroized on drop.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::ids::{Scope, TokenId};
use crate::oauth::VerifiedCredential;
use crate::record::TokenInfo;

/// A token [`generate`](crate::ScimTokenService::generate) just issued. Hand
/// [`expose_secret`](Self::expose_secret) to the administrator once; it cannot be recovered later.
///
/// `Debug` and `Display` print only the public id, and the memory is zeroized on drop.
pub struct NewToken {
    token: SecretString,
    scope: Scope,
    info: TokenInfo,
}

impl NewToken {
    pub(crate) fn new(token: SecretString, scope: Scope, info: TokenInfo) -> Self {
        Self { token, scope, info }
    }

    /// The plaintext token. Show it once and do not log it.
    pub fn expose_secret(&self) -> &str {
        self.token.expose_secret()
    }

    /// The token's public id.
    pub fn id(&self) -> &TokenId {
        &self.info.id
    }

    /// The scope it belongs to.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Its metadata (creation time, creator, expiry).
    pub fn info(&self) -> &TokenInfo {
        &self.info
    }
}

impl fmt::Debug for NewToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewToken")
            .field("token", &"[redacted]")
            .field("scope", &self.scope)
            .field("info", &self.info)
            .finish()
    }
}

impl fmt::Display for NewToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[redacted SCIM token {}]", self.info.id)
    }
}

/// The identity a successful verification proves. Fields may be added in a minor release.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedToken {
    /// The scope (tenant) the token belongs to.
    pub scope: Scope,
    /// The public id of the token that was presented (an access token's own id for OAuth).
    pub token_id: TokenId,
    /// What kind of credential it was, and for an access token, what minted it.
    pub credential: VerifiedCredential,
}

impl VerifiedToken {
    /// Static token `token_id` of `scope`, verified: for a host's tests of code that receives one.
    pub fn new(scope: Scope, token_id: TokenId) -> Self {
        Self { scope, token_id, credential: VerifiedCredential::StaticToken }
    }

    /// The same, as the given kind of credential (e.g. an access token minted with a client secret).
    #[must_use]
    pub fn with_credential(mut self, credential: VerifiedCredential) -> Self {
        self.credential = credential;
        self
    }
}
