//! The secrets the OAuth side hands out once: a new client secret and a minted access token. `Debug`
//! and `Display` never print them, and their memory is zeroized on drop.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::ids::{ClientId, TokenId};
use crate::time::Timestamp;

/// A client secret [`create_client_secret`](crate::ScimTokenService::create_client_secret) just made.
/// Show [`expose_secret`](Self::expose_secret) to the administrator once, with the client id.
pub struct NewClientSecret {
    secret: SecretString,
    client_id: ClientId,
    id: TokenId,
    expires_at: Timestamp,
}

impl NewClientSecret {
    pub(crate) fn new(secret: SecretString, client_id: ClientId, id: TokenId, expires_at: Timestamp) -> Self {
        Self { secret, client_id, id, expires_at }
    }

    /// The plaintext secret. Show it once and do not log it.
    pub fn expose_secret(&self) -> &str {
        self.secret.expose_secret()
    }

    /// The scope's client id, to send with the secret.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The secret's public id.
    pub fn id(&self) -> &TokenId {
        &self.id
    }

    /// When the secret stops being accepted.
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }
}

impl fmt::Debug for NewClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewClientSecret")
            .field("secret", &"[redacted]")
            .field("client_id", &self.client_id)
            .field("id", &self.id)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl fmt::Display for NewClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[redacted client secret {} of {}]", self.id, self.client_id)
    }
}

/// The token endpoint's success (RFC 6749 §5.1): an access token for the SCIM API.
pub struct IssuedAccessToken {
    token: SecretString,
    id: TokenId,
    expires_in: u64,
}

impl IssuedAccessToken {
    pub(crate) fn new(token: SecretString, id: TokenId, expires_in: u64) -> Self {
        Self { token, id, expires_in }
    }

    /// The access token (`access_token`). Send it to the client; do not log it.
    pub fn expose_secret(&self) -> &str {
        self.token.expose_secret()
    }

    /// The token's public id.
    pub fn id(&self) -> &TokenId {
        &self.id
    }

    /// `token_type`: always `Bearer`.
    pub fn token_type(&self) -> &'static str {
        "Bearer"
    }

    /// `expires_in`: the token's lifetime in seconds.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// `scope`: always `scim`, whatever was requested.
    pub fn scope(&self) -> &'static str {
        "scim"
    }
}

impl fmt::Debug for IssuedAccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedAccessToken")
            .field("token", &"[redacted]")
            .field("id", &self.id)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}
