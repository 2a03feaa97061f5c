//! The command line, as clap reads it.
//!
//! Values that may hold a secret (`--database` may carry a password, `--id` may be given a whole token by
//! mistake) are read as plain strings and checked by us, because clap repeats a refused value in its error.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use scim_token_core::{Actor, Argon2Params, Scope, TokenFormat};

use crate::database_arg::DatabaseArg;

mod oauth;

pub(crate) use oauth::{
    FederationCommand, FederationSetArgs, OAuthCommand, OAuthHostConfig, SecretCommand, SecretCreateArgs,
};

/// The heading of the options every command takes, so each command's own options come first.
const GLOBAL: &str = "Global options";
/// The heading of the settings a command shares with the servers.
const HOST: &str = "Host configuration (only if your servers change the library's defaults)";

const EXAMPLES: &str = "\
Examples:
  export SCIM_TOKEN_DATABASE_URL=sqlite:/var/lib/myapp/scim-token.db
  scim-token status
  scim-token revoke --yes                    # a token leaked: stop it now
  TOKEN=$(scim-token generate --yes)         # a new token, then paste it into the identity provider
  scim-token --scope tenant-42 tokens --json
  SECRET=$(scim-token oauth secret create)   # an OAuth client secret; the client id goes to stderr
  scim-token oauth mode oauth                # refuse static tokens from now on";

/// Operate the SCIM token straight on your servers' database: see it, enable or disable SCIM
/// provisioning, generate a new token, revoke one. Running servers honour every change on their next
/// request.
#[derive(Debug, Parser)]
#[command(name = "scim-token", version, after_help = EXAMPLES, max_term_width = 100)]
pub(crate) struct Cli {
    /// The servers' database: sqlite:PATH, a file path, or postgres://USER:PASSWORD@HOST/DB
    #[arg(
        long,
        short,
        global = true,
        help_heading = GLOBAL,
        value_name = "URL",
        env = "SCIM_TOKEN_DATABASE_URL",
        hide_env_values = true
    )]
    pub database: Option<DatabaseArg>,

    /// The PostgreSQL schema the servers' tables live in (PostgreSQL only)
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL,
        value_name = "SCHEMA",
        env = "SCIM_TOKEN_POSTGRES_SCHEMA",
        default_value = "scim_token"
    )]
    pub pg_schema: String,

    /// The scope (tenant) to act on
    #[arg(long, short, global = true, help_heading = GLOBAL, value_name = "SCOPE", default_value = Scope::DEFAULT, value_parser = scope)]
    pub scope: Scope,

    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,

    /// Who is acting, recorded as the new token's creator and in the audit line [default: $USER, else
    /// $LOGNAME, else "cli"]
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "NAME", value_parser = actor)]
    pub actor: Option<Actor>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Whether SCIM provisioning is enabled, whether there is a token, and the tokens' metadata
    Status,
    /// The current and previous tokens' metadata (never a secret)
    Tokens,
    /// Enable SCIM provisioning for the scope: its token is accepted again
    Enable,
    /// Disable SCIM provisioning for the scope: every token is refused (and kept) until `enable`
    Disable,
    /// Generate a new token, printed once on stdout; the previous token stops working at once
    #[command(after_help = "Only the token goes to stdout, so TOKEN=$(scim-token generate --yes) works.")]
    Generate(GenerateArgs),
    /// Revoke one token (--id) or every token of the scope; SCIM calls fail until you generate a new one
    Revoke(RevokeArgs),
    /// OAuth 2.0 instead of a static token: the client's secrets, its federation trust, the mode
    #[command(subcommand)]
    Oauth(OAuthCommand),
}

/// `generate`'s options.
#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Do not ask for confirmation (required when stdin is not a terminal)
    #[arg(long, short)]
    pub yes: bool,

    /// Settings the new token must share with your servers.
    #[command(flatten)]
    pub host: HostConfig,
}

/// The service settings that shape a new token; they must match the servers' own.
#[derive(Debug, Args)]
#[command(next_help_heading = HOST)]
pub(crate) struct HostConfig {
    /// The prefix and hashing of the new token.
    #[command(flatten)]
    pub format: SecretFormat,

    /// Lifetime of the new token, e.g. 90d (your servers' `expiry`) [default: it never expires]
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse_positive)]
    pub expiry: Option<Duration>,

    /// Keep the replaced token working this long, e.g. 10m (your servers' `overlap`)
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = crate::duration::parse)]
    pub overlap: Duration,
}

/// How a new secret (a token or a client secret) is written and hashed; must match the servers'.
#[derive(Debug, Args)]
#[command(next_help_heading = HOST)]
pub(crate) struct SecretFormat {
    /// Token prefix; must be your servers' `token_prefix`, or they refuse the new token
    #[arg(long, value_name = "PREFIX", default_value = TokenFormat::DEFAULT_PREFIX, value_parser = prefix)]
    pub token_prefix: String,

    /// Argon2id memory cost of the stored hash, in KiB
    #[arg(long, value_name = "KIB", default_value_t = Argon2Params::default().m_cost_kib)]
    pub argon2_memory_kib: u32,

    /// Argon2id iterations
    #[arg(long, value_name = "N", default_value_t = Argon2Params::default().t_cost)]
    pub argon2_iterations: u32,

    /// Argon2id parallelism (lanes)
    #[arg(long, value_name = "N", default_value_t = Argon2Params::default().p_cost)]
    pub argon2_parallelism: u32,
}

impl SecretFormat {
    /// The Argon2id parameters given.
    pub(crate) fn argon2(&self) -> Argon2Params {
        Argon2Params {
            m_cost_kib: self.argon2_memory_kib,
            t_cost: self.argon2_iterations,
            p_cost: self.argon2_parallelism,
        }
    }
}

/// `revoke`'s options.
#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    /// The token to revoke: its 16-character id, as `scim-token tokens` shows [default: every token of
    /// the scope]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    /// Do not ask for confirmation (required when stdin is not a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

fn scope(value: &str) -> Result<Scope, String> {
    Scope::new(value).map_err(|e| format!("{e}; a scope is 1 to 128 of A-Z a-z 0-9 - _ . : @"))
}

fn actor(value: &str) -> Result<Actor, String> {
    Actor::new(value)
        .map_err(|e| format!("{e}; an actor is 1 to 256 characters, none of them control characters"))
}

fn prefix(value: &str) -> Result<String, String> {
    TokenFormat::new(value).map(|_| value.to_owned()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn globals_go_before_or_after_the_command() {
        let cli =
            Cli::try_parse_from(["scim-token", "status", "--json", "--scope", "t1", "-d", "x.db"]).unwrap();
        assert!(cli.json);
        assert_eq!(cli.scope.as_str(), "t1");
        assert_eq!(cli.database.as_ref().map(DatabaseArg::expose), Some("x.db"));
        assert!(matches!(cli.command, Command::Status));
    }

    #[test]
    fn defaults_are_the_library_defaults() {
        let cli = Cli::try_parse_from(["scim-token", "generate"]).unwrap();
        let Command::Generate(args) = cli.command else { panic!("not generate") };
        assert_eq!(args.host.format.argon2(), Argon2Params::default());
        assert_eq!(args.host.format.token_prefix, TokenFormat::DEFAULT_PREFIX);
        assert_eq!((args.host.expiry, args.host.overlap, args.yes), (None, Duration::ZERO, false));
        assert_eq!(cli.scope, Scope::default_scope());
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for args in [
            &["scim-token", "--scope", "a b", "status"][..],
            &["scim-token", "--actor", "", "status"],
            &["scim-token", "generate", "--token-prefix", "Scim"],
            &["scim-token", "generate", "--expiry", "soon"],
            &["scim-token", "frobnicate"],
            &["scim-token"],
            &["scim-token", "oauth", "mode", "both"],
            &["scim-token", "oauth", "secret", "create", "--expires-in-days", "-1"],
            &["scim-token", "oauth", "status", "--access-token-lifetime", "soon"],
            &["scim-token", "oauth", "secret", "delete"],
            &["scim-token", "oauth", "federation", "set", "--issuer", "x"],
        ] {
            let error = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{args:?}");
        }
    }
}
