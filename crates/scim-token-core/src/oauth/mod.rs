//! OAuth 2.0 as a second way for an identity provider to obtain a SCIM credential: client credentials
//! (RFC 6749 §4.4) with client secrets, and workload identity federation (RFC 7523 §2.2) with a trust in
//! an external issuer. The token endpoint mints short-lived access tokens that the SCIM guard accepts
//! like static tokens, under the same rules: shown once, stored as Argon2id hashes, and ended at once
//! when the credential that minted them is deleted or the scope is disabled.
//!
//! This module holds the types a store exchanges with the service (see
//! [`TokenStore`](crate::TokenStore)'s OAuth methods) and those the service's OAuth methods take and
//! return (see [`ScimTokenService::token_endpoint`](crate::ScimTokenService::token_endpoint)).

mod assertion;
mod credential;
mod error;
mod issued;
mod records;
pub(crate) mod request;
pub(crate) mod settings;
mod status;
mod trust_settings;

pub use assertion::{AssertionError, AssertionVerifier};
pub use credential::VerifiedCredential;
pub use error::{OAuthError, OAuthErrorCode};
pub use issued::{IssuedAccessToken, NewClientSecret};
pub use records::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord, FederationTrust,
    MintedBy, OAuthState, SecretAdded,
};
pub use status::{ClientSecretInfo, FederationTrustInfo, OAuthStatus};
pub use trust_settings::TrustSettings;

/// The error a [`TokenStore`](crate::TokenStore) without OAuth support returns from its OAuth writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, thiserror::Error)]
#[error(
    "this token store does not keep OAuth clients; use a store that implements the OAuth methods of TokenStore"
)]
pub struct UnsupportedByStore;
