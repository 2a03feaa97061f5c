//! [`OAuthStatus`]: what an administrator may see of a scope's OAuth client. No secret, no hash.

use std::time::Duration;

use crate::ids::{Actor, ClientId, TokenId};
use crate::oauth::records::{AuthMode, ClientSecretRecord, FederationTrust};
use crate::time::Timestamp;

/// A scope's OAuth client and the service's OAuth settings, as an admin page shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthStatus {
    /// The client id, once a secret or a trust created it.
    pub client_id: Option<ClientId>,
    /// Which credentials the scope accepts.
    pub auth_mode: AuthMode,
    /// The client secrets, expired ones included until deleted, oldest first.
    pub secrets: Vec<ClientSecretInfo>,
    /// The federation trust, if one is set.
    pub trust: Option<FederationTrustInfo>,
    /// How long a minted access token lives (never beyond the secret that minted it).
    pub access_token_lifetime: Duration,
    /// How many unexpired client secrets a scope may hold at once.
    pub max_secrets: usize,
    /// The lifetime of a new secret in days: `(default, min, max)`.
    pub secret_expiry_days: (u32, u32, u32),
}

/// One client secret's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientSecretInfo {
    /// Its public id.
    pub id: TokenId,
    /// When it was created.
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: Actor,
    /// When it stops being accepted.
    pub expires_at: Timestamp,
    /// When the token endpoint last accepted it (written at most about once a minute).
    pub last_used_at: Option<Timestamp>,
    /// Whether it has expired (as of the status call).
    pub expired: bool,
}

impl ClientSecretInfo {
    pub(crate) fn of(record: &ClientSecretRecord, now: Timestamp) -> Self {
        Self {
            id: record.id,
            created_at: record.created_at,
            created_by: record.created_by.clone(),
            expires_at: record.expires_at,
            last_used_at: record.last_used_at,
            expired: now >= record.expires_at,
        }
    }
}

/// A federation trust, as an admin page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FederationTrustInfo {
    /// The `iss` claim expected.
    pub issuer: String,
    /// Where the issuer's signing keys are fetched.
    pub jwks_url: String,
    /// The `sub` claim expected.
    pub subject: String,
    /// The `aud` claim expected (without a trailing `/.default`).
    pub audience: String,
    /// The `tid` claim expected, if any.
    pub tenant_id: Option<String>,
    /// When it was set.
    pub created_at: Timestamp,
    /// Who set it.
    pub created_by: Actor,
}

impl From<&FederationTrust> for FederationTrustInfo {
    fn from(trust: &FederationTrust) -> Self {
        Self {
            issuer: trust.issuer.clone(),
            jwks_url: trust.jwks_url.clone(),
            subject: trust.subject.clone(),
            audience: trust.audience.clone(),
            tenant_id: trust.tenant_id.clone(),
            created_at: trust.created_at,
            created_by: trust.created_by.clone(),
        }
    }
}
