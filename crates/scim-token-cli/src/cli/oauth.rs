//! The `oauth` commands' command line: the scope's OAuth client, its secrets, its federation trust and
//! which credentials the scope accepts.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use scim_token_core::oauth::AuthMode;

use super::{HOST, SecretFormat};

/// `scim-token oauth …`.
#[derive(Debug, Subcommand)]
pub(crate) enum OAuthCommand {
    /// The scope's OAuth client: its id, the credentials accepted, the secrets' and the trust's metadata
    Status(OAuthStatusArgs),
    /// Create or delete a client secret
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Set or delete the federation trust (workload identity federation)
    #[command(subcommand)]
    Federation(FederationCommand),
    /// Which credentials the scope accepts on its SCIM routes
    Mode(ModeArgs),
}

/// `oauth status`'s options.
#[derive(Debug, Args)]
pub(crate) struct OAuthStatusArgs {
    /// The servers' OAuth settings, shown with the client.
    #[command(flatten)]
    pub oauth: OAuthHostConfig,
}

/// `oauth secret …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SecretCommand {
    /// Create a client secret, printed once on stdout (the client id and the expiry go to stderr)
    #[command(
        after_help = "Only the secret goes to stdout, so SECRET=$(scim-token oauth secret create) works."
    )]
    Create(SecretCreateArgs),
    /// Delete a client secret: the identity provider's token requests with it fail, and the access
    /// tokens it obtained stop working at once
    Delete(SecretDeleteArgs),
}

/// `oauth secret create`'s options.
#[derive(Debug, Args)]
pub(crate) struct SecretCreateArgs {
    /// Lifetime of the new secret in days [default: --client-secret-expiry-days]
    #[arg(long, value_name = "DAYS")]
    pub expires_in_days: Option<u32>,

    /// How the secret is written and hashed.
    #[command(flatten)]
    pub format: SecretFormat,

    /// The servers' OAuth settings.
    #[command(flatten)]
    pub oauth: OAuthHostConfig,
}

/// `oauth secret delete`'s options.
#[derive(Debug, Args)]
pub(crate) struct SecretDeleteArgs {
    /// The secret's 16-character id, as `scim-token oauth status` shows
    // A plain string, checked by us: clap would repeat a whole secret pasted here in its error.
    #[arg(value_name = "ID")]
    pub id: String,

    /// Do not ask for confirmation (required when stdin is not a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

/// `oauth federation …`.
#[derive(Debug, Subcommand)]
pub(crate) enum FederationCommand {
    /// Trust an external issuer's signed assertions (e.g. Microsoft Entra's), replacing any trust set
    Set(FederationSetArgs),
    /// Delete the federation trust: the access tokens it obtained stop working at once
    Delete(FederationDeleteArgs),
}

/// `oauth federation set`'s options: the values the identity provider shows.
#[derive(Debug, Args)]
pub(crate) struct FederationSetArgs {
    /// The `iss` claim expected, e.g. https://login.microsoftonline.com/TENANT/v2.0
    #[arg(long, value_name = "URL")]
    pub issuer: String,

    /// Where the issuer publishes its signing keys (https://), e.g.
    /// https://login.microsoftonline.com/TENANT/discovery/v2.0/keys
    #[arg(long, value_name = "URL")]
    pub jwks_url: String,

    /// The `sub` claim expected (for Microsoft Entra, the provisioning service's object id)
    #[arg(long, value_name = "SUBJECT")]
    pub subject: String,

    /// The `aud` claim expected, e.g. api://APP-ID (a trailing /.default is removed)
    #[arg(long, value_name = "AUDIENCE")]
    pub audience: String,

    /// The `tid` claim expected, if the issuer carries one (Microsoft Entra does)
    #[arg(long, value_name = "TENANT")]
    pub tenant_id: Option<String>,
}

/// `oauth federation delete`'s options.
#[derive(Debug, Args)]
pub(crate) struct FederationDeleteArgs {
    /// Do not ask for confirmation (required when stdin is not a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

/// `oauth mode`'s argument.
#[derive(Debug, Args)]
pub(crate) struct ModeArgs {
    /// The credentials accepted
    #[arg(value_name = "MODE")]
    pub mode: ModeArg,
}

/// The names `oauth mode` takes, as the admin API shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModeArg {
    /// Static tokens and OAuth access tokens alike
    Any,
    /// Static tokens only: the token endpoint refuses the scope's client
    Static,
    /// OAuth access tokens only (what Microsoft Entra's app gallery requires): static tokens are refused
    Oauth,
}

impl From<ModeArg> for AuthMode {
    fn from(mode: ModeArg) -> Self {
        match mode {
            ModeArg::Any => Self::Any,
            ModeArg::Static => Self::StaticOnly,
            ModeArg::Oauth => Self::OAuthOnly,
        }
    }
}

/// The servers' OAuth settings; the defaults are the library's.
#[derive(Debug, Args)]
#[command(next_help_heading = HOST)]
pub(crate) struct OAuthHostConfig {
    /// How long an access token from the token endpoint lives, 1h to 6h (your servers'
    /// `access_token_lifetime`)
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = crate::duration::parse)]
    pub access_token_lifetime: Duration,

    /// How many unexpired client secrets a scope may hold (your servers' `max_client_secrets`)
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_client_secrets: usize,

    /// Lifetime of a new client secret when --expires-in-days is not given (your servers'
    /// `client_secret_expiry_days` default)
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    pub client_secret_expiry_days: u32,

    /// Shortest client secret lifetime allowed, in days (your servers' allowed range)
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    pub client_secret_min_days: u32,

    /// Longest client secret lifetime allowed, in days (your servers' allowed range)
    #[arg(long, value_name = "DAYS", default_value_t = 1095)]
    pub client_secret_max_days: u32,
}

impl OAuthHostConfig {
    /// The allowed lifetimes of a new secret, in days.
    pub(crate) fn secret_days(&self) -> std::ops::RangeInclusive<u32> {
        self.client_secret_min_days..=self.client_secret_max_days
    }
}
