//! What the `oauth` commands print: text for people, or one JSON document with the admin API's field
//! names (`clientId`, `authMode`, `secrets`, `federation`, …; times in RFC 3339, UTC, absent ones `null`).

use std::fmt::Write as _;

use scim_token_core::oauth::{AuthMode, ClientSecretInfo, FederationTrustInfo, NewClientSecret, OAuthStatus};
use scim_token_core::{Scope, Timestamp, TokenId};
use serde::Serialize;

use super::json;

/// One client secret's metadata in JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SecretJson<'a> {
    id: &'a str,
    created_at: String,
    created_by: &'a str,
    expires_at: String,
    last_used_at: Option<String>,
    expired: bool,
}

impl<'a> From<&'a ClientSecretInfo> for SecretJson<'a> {
    fn from(secret: &'a ClientSecretInfo) -> Self {
        Self {
            id: secret.id.as_str(),
            created_at: secret.created_at.to_rfc3339(),
            created_by: secret.created_by.as_str(),
            expires_at: secret.expires_at.to_rfc3339(),
            last_used_at: secret.last_used_at.map(Timestamp::to_rfc3339),
            expired: secret.expired,
        }
    }
}

/// The federation trust in JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrustJson<'a> {
    issuer: &'a str,
    jwks_url: &'a str,
    subject: &'a str,
    audience: &'a str,
    tenant_id: Option<&'a str>,
    created_at: String,
    created_by: &'a str,
}

impl<'a> From<&'a FederationTrustInfo> for TrustJson<'a> {
    fn from(trust: &'a FederationTrustInfo) -> Self {
        Self {
            issuer: &trust.issuer,
            jwks_url: &trust.jwks_url,
            subject: &trust.subject,
            audience: &trust.audience,
            tenant_id: trust.tenant_id.as_deref(),
            created_at: trust.created_at.to_rfc3339(),
            created_by: trust.created_by.as_str(),
        }
    }
}

/// `oauth status --json`: `{"scope", "clientId", "authMode", "secrets": [...], "federation",
/// "accessTokenLifetimeSeconds"}`.
pub(crate) fn status_json(scope: &Scope, status: &OAuthStatus) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Status<'a> {
        scope: &'a str,
        client_id: Option<&'a str>,
        auth_mode: &'static str,
        secrets: Vec<SecretJson<'a>>,
        federation: Option<TrustJson<'a>>,
        access_token_lifetime_seconds: u64,
    }
    json(&Status {
        scope: scope.as_str(),
        client_id: status.client_id.as_ref().map(|id| id.as_str()),
        auth_mode: status.auth_mode.as_str(),
        secrets: status.secrets.iter().map(SecretJson::from).collect(),
        federation: status.trust.as_ref().map(TrustJson::from),
        access_token_lifetime_seconds: status.access_token_lifetime.as_secs(),
    })
}

/// `oauth secret create --json`: `{"scope", "clientId", "clientSecret", "secretId", "expiresAt"}`,
/// written straight to `out` so that no extra copy of the secret is made.
pub(crate) fn write_created_secret_json(
    out: &mut impl std::io::Write,
    scope: &Scope,
    secret: &NewClientSecret,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Created<'a> {
        scope: &'a str,
        client_id: &'a str,
        client_secret: &'a str,
        secret_id: &'a str,
        expires_at: String,
    }
    let created = Created {
        scope: scope.as_str(),
        client_id: secret.client_id().as_str(),
        client_secret: secret.expose_secret(),
        secret_id: secret.id().as_str(),
        expires_at: secret.expires_at().to_rfc3339(),
    };
    serde_json::to_writer_pretty(&mut *out, &created)?;
    writeln!(out)
}

/// `oauth secret delete --json`: `{"scope", "deleted": id}`.
pub(crate) fn secret_deleted_json(scope: &Scope, id: &TokenId) -> String {
    #[derive(Serialize)]
    struct Deleted<'a> {
        scope: &'a str,
        deleted: &'a str,
    }
    json(&Deleted { scope: scope.as_str(), deleted: id.as_str() })
}

/// `oauth federation set --json`: `{"scope", "clientId", "federation": {...}}`.
pub(crate) fn trust_set_json(scope: &Scope, client_id: Option<&str>, trust: &FederationTrustInfo) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct TrustSet<'a> {
        scope: &'a str,
        client_id: Option<&'a str>,
        federation: TrustJson<'a>,
    }
    json(&TrustSet { scope: scope.as_str(), client_id, federation: TrustJson::from(trust) })
}

/// `oauth federation delete --json`: `{"scope", "deleted": bool}`.
pub(crate) fn trust_deleted_json(scope: &Scope, deleted: bool) -> String {
    #[derive(Serialize)]
    struct Deleted<'a> {
        scope: &'a str,
        deleted: bool,
    }
    json(&Deleted { scope: scope.as_str(), deleted })
}

/// `oauth mode --json`: `{"scope", "authMode"}`.
pub(crate) fn mode_json(scope: &Scope, mode: AuthMode) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Mode<'a> {
        scope: &'a str,
        auth_mode: &'static str,
    }
    json(&Mode { scope: scope.as_str(), auth_mode: mode.as_str() })
}

/// What a mode accepts, in words.
pub(crate) fn mode_meaning(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::StaticOnly => "static tokens only",
        AuthMode::OAuthOnly => "OAuth access tokens only",
        _ => "static tokens and OAuth access tokens",
    }
}

/// `oauth status` as text: the client, its secrets and trust, and what to do when OAuth cannot work.
pub(crate) fn status_text(scope: &Scope, status: &OAuthStatus) -> String {
    let client = status.client_id.as_ref().map_or("none", |id| id.as_str());
    let mut text = format!(
        "scope                  {scope}\nclient id              {client}\nauth mode              {} ({})\n\
         access token lifetime  {} s\n",
        status.auth_mode.as_str(),
        mode_meaning(status.auth_mode),
        status.access_token_lifetime.as_secs(),
    );
    for secret in &status.secrets {
        text.push('\n');
        text.push_str(&secret_text(secret));
    }
    match &status.trust {
        Some(trust) => {
            text.push('\n');
            text.push_str(&trust_text(trust));
        }
        None => text.push_str("\nfederation trust: none\n"),
    }
    if status.auth_mode == AuthMode::StaticOnly {
        text.push_str(
            "\nThe token endpoint refuses this client while the scope accepts static tokens only: run \
             `scim-token oauth mode any` to accept both.\n",
        );
    }
    let usable_secret = status.secrets.iter().any(|secret| !secret.expired);
    if !usable_secret && status.trust.is_none() {
        let why = if status.secrets.is_empty() {
            "There is no client secret and no federation trust"
        } else {
            "Every client secret expired and there is no federation trust"
        };
        text.push_str(&format!(
            "\n{why}: run `scim-token oauth secret create` (or `scim-token oauth federation set`) and give \
             the identity provider the client id and secret.\n"
        ));
    }
    text
}

/// One client secret as a few aligned lines.
pub(crate) fn secret_text(secret: &ClientSecretInfo) -> String {
    let mut text = format!("client secret {}{}\n", secret.id, if secret.expired { " (expired)" } else { "" });
    let _ =
        writeln!(text, "  created      {} by {}", secret.created_at.to_rfc3339_seconds(), secret.created_by);
    let last_used = secret.last_used_at.map_or_else(|| "never".to_owned(), Timestamp::to_rfc3339_seconds);
    let _ = writeln!(text, "  last used    {last_used}");
    let _ = writeln!(text, "  expires      {}", secret.expires_at.to_rfc3339_seconds());
    text
}

/// The federation trust as a few aligned lines.
pub(crate) fn trust_text(trust: &FederationTrustInfo) -> String {
    let mut text = "federation trust\n".to_owned();
    let _ = writeln!(text, "  issuer       {}", trust.issuer);
    let _ = writeln!(text, "  jwks url     {}", trust.jwks_url);
    let _ = writeln!(text, "  subject      {}", trust.subject);
    let _ = writeln!(text, "  audience     {}", trust.audience);
    let _ = writeln!(text, "  tenant id    {}", trust.tenant_id.as_deref().unwrap_or("none"));
    let _ =
        writeln!(text, "  created      {} by {}", trust.created_at.to_rfc3339_seconds(), trust.created_by);
    text
}

/// A short description for confirmation questions: `AbCd… (created … by …, expires …)`.
pub(crate) fn secret_summary(secret: &ClientSecretInfo) -> String {
    format!(
        "{} (created {} by {}, {} {})",
        secret.id,
        secret.created_at.to_rfc3339_seconds(),
        secret.created_by,
        if secret.expired { "expired" } else { "expires" },
        secret.expires_at.to_rfc3339_seconds()
    )
}
