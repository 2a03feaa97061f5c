//! The JSON bodies of the OAuth admin routes, with their OpenAPI schemas. Times are RFC 3339, in UTC.

use scim_token_core::Timestamp;
use scim_token_core::oauth::{AuthMode, ClientSecretInfo, FederationTrustInfo, TrustSettings};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which credentials the SCIM guard accepts for the scope.
#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = scimAuthModeSchema)]
pub(crate) enum AuthModeBody {
    /// Static bearer tokens and OAuth access tokens alike.
    Any,
    /// Static bearer tokens only: the token endpoint refuses the client, and its access tokens fail.
    Static,
    /// OAuth access tokens only (what Microsoft Entra's app gallery requires): static tokens fail.
    Oauth,
}

impl From<AuthMode> for AuthModeBody {
    fn from(mode: AuthMode) -> Self {
        match mode {
            AuthMode::StaticOnly => Self::Static,
            AuthMode::OAuthOnly => Self::Oauth,
            // `Any`, and any mode a later core adds: shown as the most permissive the page knows.
            _ => Self::Any,
        }
    }
}

impl From<AuthModeBody> for AuthMode {
    fn from(mode: AuthModeBody) -> Self {
        match mode {
            AuthModeBody::Any => Self::Any,
            AuthModeBody::Static => Self::StaticOnly,
            AuthModeBody::Oauth => Self::OAuthOnly,
        }
    }
}

/// The scope's OAuth client and what an identity provider needs to use it. Never a secret or a hash.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = scimOAuthSettingsSchema)]
pub(crate) struct OAuthSettingsBody {
    /// The client id, or `null` until the first secret or the federation trust creates it. It never
    /// changes afterwards.
    #[schema(example = "scimcl_4fTq9ZkLm2XbR8vW", required = true)]
    pub(crate) client_id: Option<String>,
    /// The token endpoint's URL, or `null` if the server was not told its public URL.
    #[schema(example = "https://app.example/oauth2/token", required = true)]
    pub(crate) token_endpoint: Option<String>,
    /// The SCIM base URL (Okta's "SCIM connector base URL", Entra's "Tenant URL"), or `null` if the server
    /// was not told its public URL.
    #[schema(example = "https://app.example/scim/v2", required = true)]
    pub(crate) scim_base_url: Option<String>,
    /// Which credentials the scope accepts.
    pub(crate) auth_mode: AuthModeBody,
    /// How long an access token lives, in seconds (never beyond the secret that minted it).
    #[schema(example = 3600)]
    pub(crate) access_token_lifetime_seconds: u64,
    /// How many unexpired client secrets the scope may hold at once.
    #[schema(example = 5)]
    pub(crate) max_secrets: usize,
    /// The lifetime of a new secret, in days.
    pub(crate) secret_expiry_days: SecretExpiryDaysBody,
    /// Whether the server verifies client assertions, so that a federation trust can be used.
    pub(crate) federation_supported: bool,
    /// The client secrets, expired ones included until deleted, oldest first.
    pub(crate) secrets: Vec<ClientSecretInfoBody>,
    /// The workload identity federation trust, or `null`.
    #[schema(required = true)]
    pub(crate) federation: Option<FederationTrustBody>,
}

/// The lifetime of a new client secret, in days.
#[derive(Serialize, ToSchema)]
#[schema(as = scimSecretExpiryDaysSchema)]
pub(crate) struct SecretExpiryDaysBody {
    /// When `expiresInDays` is not sent.
    #[schema(example = 365)]
    pub(crate) default: u32,
    /// The fewest days allowed.
    #[schema(example = 365)]
    pub(crate) min: u32,
    /// The most days allowed.
    #[schema(example = 1095)]
    pub(crate) max: u32,
}

/// One client secret's metadata. Never the secret or its hash.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = scimClientSecretInfoSchema)]
pub(crate) struct ClientSecretInfoBody {
    /// The secret's public id.
    #[schema(example = "Xk3r9QpL2mTz8aBc", pattern = "^[0-9A-Za-z]{16}$")]
    id: String,
    /// When it was created.
    #[schema(format = DateTime)]
    created_at: String,
    /// Who created it.
    created_by: String,
    /// When it stops being accepted.
    #[schema(format = DateTime)]
    expires_at: String,
    /// When the token endpoint last accepted it (recorded at most about once a minute), or `null`.
    #[schema(format = DateTime, required = true)]
    last_used_at: Option<String>,
    /// Whether it has expired (it stays listed until deleted).
    expired: bool,
}

impl From<&ClientSecretInfo> for ClientSecretInfoBody {
    fn from(info: &ClientSecretInfo) -> Self {
        Self {
            id: info.id.as_str().to_owned(),
            created_at: info.created_at.to_rfc3339(),
            created_by: info.created_by.as_str().to_owned(),
            expires_at: info.expires_at.to_rfc3339(),
            last_used_at: info.last_used_at.map(Timestamp::to_rfc3339),
            expired: info.expired,
        }
    }
}

/// A workload identity federation trust, as saved.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = scimFederationTrustSchema)]
pub(crate) struct FederationTrustBody {
    /// The `iss` claim expected.
    #[schema(example = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0")]
    issuer: String,
    /// Where the issuer's signing keys are fetched.
    #[schema(
        example = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/v2.0/keys"
    )]
    jwks_url: String,
    /// The `sub` claim expected.
    #[schema(example = "5c0e2f41-7a8b-4c3d-9e1f-0a2b3c4d5e6f")]
    subject: String,
    /// The `aud` claim expected (a trailing `/.default` was removed).
    #[schema(example = "api://9a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")]
    audience: String,
    /// The `tid` claim expected, or `null`.
    #[schema(example = "72f988bf-86f1-41af-91ab-2d7cd011db47", required = true)]
    tenant_id: Option<String>,
    /// When it was set.
    #[schema(format = DateTime)]
    created_at: String,
    /// Who set it.
    created_by: String,
}

impl From<&FederationTrustInfo> for FederationTrustBody {
    fn from(trust: &FederationTrustInfo) -> Self {
        Self {
            issuer: trust.issuer.clone(),
            jwks_url: trust.jwks_url.clone(),
            subject: trust.subject.clone(),
            audience: trust.audience.clone(),
            tenant_id: trust.tenant_id.clone(),
            created_at: trust.created_at.to_rfc3339(),
            created_by: trust.created_by.as_str().to_owned(),
        }
    }
}

/// A new client secret, shown once.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = scimNewClientSecretSchema)]
pub(crate) struct NewClientSecretBody<'a> {
    /// The scope's client id, to paste into the identity provider with the secret.
    #[schema(example = "scimcl_4fTq9ZkLm2XbR8vW")]
    pub(crate) client_id: &'a str,
    /// The client secret. It is shown once and cannot be read again.
    #[schema(example = "scimcs_Xk3r9QpL2mTz8aBc…")]
    pub(crate) client_secret: &'a str,
    /// The secret's public id, as listed and as deleted.
    #[schema(example = "Xk3r9QpL2mTz8aBc")]
    pub(crate) secret_id: &'a str,
    /// When the secret stops being accepted.
    #[schema(format = DateTime, example = "2027-12-06T21:16:47Z")]
    pub(crate) expires_at: String,
}

/// The new secret's settings. The body may be omitted. Unknown fields are ignored.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = scimCreateClientSecretSchema)]
pub(crate) struct CreateClientSecretBody {
    /// Days until the secret expires, within the server's allowed range (`secretExpiryDays`); the
    /// server's default if omitted.
    #[schema(example = 365, minimum = 1)]
    pub(crate) expires_in_days: Option<u32>,
}

/// A federation trust: the values copied from the identity provider (for Microsoft Entra, from the
/// application's federated credential). Surrounding whitespace is removed; at most 1 KiB each.
/// Unknown fields are ignored.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = scimSetFederationTrustSchema)]
pub(crate) struct SetFederationTrustBody {
    /// The `iss` claim expected, e.g. `https://login.microsoftonline.com/{tenant id}/v2.0`.
    #[schema(example = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0")]
    issuer: String,
    /// The issuer's JWKS URL (`https://` only).
    #[schema(
        example = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/v2.0/keys"
    )]
    jwks_url: String,
    /// The `sub` claim expected (for Entra, the provisioning service's object id).
    #[schema(example = "5c0e2f41-7a8b-4c3d-9e1f-0a2b3c4d5e6f")]
    subject: String,
    /// The `aud` claim expected. A trailing `/.default`, as Entra shows it, is removed: the assertion
    /// does not carry it.
    #[schema(example = "api://9a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9/.default")]
    audience: String,
    /// The `tid` claim expected, if the issuer carries one; with an Entra issuer it must match the
    /// tenant id in it.
    #[schema(example = "72f988bf-86f1-41af-91ab-2d7cd011db47")]
    tenant_id: Option<String>,
}

impl From<SetFederationTrustBody> for TrustSettings {
    fn from(body: SetFederationTrustBody) -> Self {
        Self {
            issuer: body.issuer,
            jwks_url: body.jwks_url,
            subject: body.subject,
            audience: body.audience,
            tenant_id: body.tenant_id,
        }
    }
}

/// The scope's new authentication mode. Unknown fields are ignored.
#[derive(Deserialize, ToSchema)]
#[schema(as = scimSetAuthModeSchema)]
pub(crate) struct SetAuthModeBody {
    /// `any`, `static` or `oauth`.
    pub(crate) mode: AuthModeBody,
}
