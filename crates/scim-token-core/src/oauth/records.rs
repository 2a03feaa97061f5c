//! What a store keeps for OAuth: a scope's client secrets, its federation trust, the access tokens the
//! token endpoint minted, and which ways in the scope accepts. No plaintext secret or token is part of it.

use std::fmt;
use std::sync::Arc;

use crate::ids::{Actor, ClientId, Scope, TokenId};
use crate::time::Timestamp;

/// Which credentials a scope accepts on its SCIM routes. A scope never configured accepts both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMode {
    /// Static bearer tokens and OAuth access tokens alike.
    #[default]
    Any,
    /// Static bearer tokens only: the token endpoint refuses the scope's client (`unauthorized_client`)
    /// and its access tokens are refused.
    StaticOnly,
    /// OAuth access tokens only (what Microsoft Entra's app gallery requires): static tokens are refused.
    OAuthOnly,
}

impl AuthMode {
    /// The name stores keep and the admin API shows: `any`, `static` or `oauth`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::StaticOnly => "static",
            Self::OAuthOnly => "oauth",
        }
    }

    /// The mode named `name` (see [`as_str`](Self::as_str)), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "any" => Some(Self::Any),
            "static" => Some(Self::StaticOnly),
            "oauth" => Some(Self::OAuthOnly),
            _ => None,
        }
    }

    /// Whether static bearer tokens are accepted.
    pub fn accepts_static_tokens(self) -> bool {
        self != Self::OAuthOnly
    }

    /// Whether the token endpoint serves the scope's client and its access tokens are accepted.
    pub fn accepts_oauth(self) -> bool {
        self != Self::StaticOnly
    }
}

/// One client secret as stored: its public id, its Argon2id hash and its metadata.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecretRecord {
    /// The public id (the secret's selector, as in a static token).
    pub id: TokenId,
    /// The Argon2id PHC string of the whole secret.
    pub hash: Arc<str>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: Actor,
    /// When it stops being accepted. Always set: an identity provider's client secret must expire.
    pub expires_at: Timestamp,
    /// When the token endpoint last accepted it (written at most about once a minute).
    pub last_used_at: Option<Timestamp>,
}

// The hash is not the secret, but there is no reason to spread it through logs either.
impl fmt::Debug for ClientSecretRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecretRecord")
            .field("id", &self.id)
            .field("hash", &"[redacted]")
            .field("created_at", &self.created_at)
            .field("created_by", &self.created_by)
            .field("expires_at", &self.expires_at)
            .field("last_used_at", &self.last_used_at)
            .finish()
    }
}

/// A trust in an external issuer (RFC 7523 §2.2, "workload identity federation"): the token endpoint
/// accepts a JWT client assertion signed by `issuer`'s keys at `jwks_url` for `subject` and `audience`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FederationTrust {
    /// A fresh id for each trust set: replacing a trust ends the access tokens the old one minted.
    pub id: TokenId,
    /// The `iss` claim expected, compared as a string, e.g. `https://login.microsoftonline.com/{tid}/v2.0`.
    pub issuer: String,
    /// Where the issuer publishes its signing keys (JWKS), fetched over HTTPS.
    pub jwks_url: String,
    /// The `sub` claim expected: for Microsoft Entra, the provisioning service's object id.
    pub subject: String,
    /// The `aud` claim expected, e.g. `api://{app id}`.
    pub audience: String,
    /// The `tid` claim expected, where the issuer carries one (Microsoft Entra does).
    pub tenant_id: Option<String>,
    /// When it was set.
    pub created_at: Timestamp,
    /// Who set it.
    pub created_by: Actor,
}

/// The credential the token endpoint accepted when it minted an access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MintedBy {
    /// A client secret, by its id.
    Secret(TokenId),
    /// A federation trust, by its id.
    Trust(TokenId),
}

/// One access token the token endpoint minted, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessTokenRecord {
    /// The public id (the token's selector).
    pub id: TokenId,
    /// The scope it acts for.
    pub scope: Scope,
    /// The credential that minted it: deleting that credential deletes the token in the same write.
    pub minted_by: MintedBy,
    /// The Argon2id PHC string of the whole token.
    pub hash: Arc<str>,
    /// When it was minted.
    pub issued_at: Timestamp,
    /// When it stops being accepted.
    pub expires_at: Timestamp,
}

impl fmt::Debug for AccessTokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessTokenRecord")
            .field("id", &self.id)
            .field("scope", &self.scope)
            .field("minted_by", &self.minted_by)
            .field("hash", &"[redacted]")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What [`TokenStore::find_access_token`](crate::TokenStore::find_access_token) returns: all the guard
/// needs, in one read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessTokenLookup {
    /// The record.
    pub record: AccessTokenRecord,
    /// The scope's client id.
    pub client_id: ClientId,
    /// Whether the record's scope has SCIM provisioning enabled.
    pub scope_enabled: bool,
    /// Which credentials the scope accepts.
    pub auth_mode: AuthMode,
}

/// Everything a store holds for one scope's OAuth client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OAuthState {
    /// The scope's client id, once a secret or a trust created it. It survives the deletion of every
    /// secret and of the trust, so an identity provider's configuration keeps its client id.
    pub client_id: Option<ClientId>,
    /// Its client secrets, expired ones included (until deleted), oldest first.
    pub secrets: Vec<ClientSecretRecord>,
    /// Its federation trust, if one is set.
    pub trust: Option<FederationTrust>,
    /// Which credentials the scope accepts.
    pub auth_mode: AuthMode,
    /// Whether SCIM provisioning is enabled for the scope.
    pub scope_enabled: bool,
}

/// What [`TokenStore::find_client`](crate::TokenStore::find_client) returns: all the token endpoint needs
/// to authenticate a client, in one read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientLookup {
    /// The scope the client belongs to.
    pub scope: Scope,
    /// The scope's OAuth state (its `client_id` is the one looked up).
    pub state: OAuthState,
}

/// What [`TokenStore::add_client_secret`](crate::TokenStore::add_client_secret) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretAdded {
    /// The secret was stored; the scope's client id (created with it if the scope had none).
    Added {
        /// The scope's client id.
        client_id: ClientId,
    },
    /// The scope already has the maximum of unexpired secrets: nothing was stored.
    LimitReached,
}
