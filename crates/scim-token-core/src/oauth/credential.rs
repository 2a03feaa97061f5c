//! [`VerifiedCredential`]: which kind of credential a successful verification accepted.

use crate::ids::{ClientId, TokenId};

/// What the caller of a SCIM request presented, once verified. Kinds may be added in a minor release:
/// a `match` needs a `_` arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifiedCredential {
    /// A static bearer token.
    StaticToken,
    /// An access token minted with a client secret.
    ClientSecret {
        /// The scope's client id.
        client_id: ClientId,
        /// The secret that minted the token.
        secret_id: TokenId,
    },
    /// An access token minted with a client assertion under a federation trust.
    Federation {
        /// The scope's client id.
        client_id: ClientId,
        /// The trust that accepted the assertion.
        trust_id: TokenId,
    },
}
