//! Running a parsed command line against the store: each command is one short function.
//!
//! Everything that is a usage error is checked before the store is opened; results go to stdout, notes
//! and audit lines to stderr; `generate` writes the token, and only it, to stdout (`oauth secret create`
//! likewise its secret: see the `oauth` module).

use std::io::{self, Write};
use std::sync::Arc;

use scim_token_core::{Actor, ScimTokenService, Scope, TokenId, TokenRole, TokenStore};

use crate::audit::{self, CollectingSink};
use crate::cli::{Cli, Command, HostConfig};
use crate::confirm::Confirmation;
use crate::error::CliError;
use crate::render;
use crate::store::{self, Database};

mod oauth;

/// What every command needs once the store is open.
struct Context {
    store: Arc<dyn TokenStore>,
    scope: Scope,
    actor: Actor,
    json: bool,
    audit: CollectingSink,
}

/// Runs `cli`, returning once every output is written.
pub(crate) async fn run(cli: Cli) -> Result<(), CliError> {
    let database = Database::parse(cli.database.as_ref().ok_or(CliError::NoDatabase)?.expose())?;
    // Usage errors first: nothing is opened for a command line that cannot run.
    let plan = Plan::new(cli.command)?;
    let store = store::open(&database, &cli.pg_schema).await?;
    let context = Context {
        store,
        scope: cli.scope,
        actor: cli.actor.unwrap_or_else(os_user),
        json: cli.json,
        audit: CollectingSink::default(),
    };
    let result = plan.run(&context).await;
    for event in context.audit.events() {
        note(&audit::line(&event));
    }
    result
}

/// A command whose arguments were checked.
enum Plan {
    Status,
    Tokens,
    SetEnabled(bool),
    Generate(HostConfig, Confirmation),
    Revoke(Option<TokenId>, Confirmation),
    OAuth(oauth::OAuthPlan),
}

impl Plan {
    fn new(command: Command) -> Result<Self, CliError> {
        Ok(match command {
            Command::Status => Self::Status,
            Command::Tokens => Self::Tokens,
            Command::Enable => Self::SetEnabled(true),
            Command::Disable => Self::SetEnabled(false),
            Command::Generate(args) => {
                if !args.host.format.argon2().meets_owasp_minimum() {
                    return Err(CliError::WeakArgon2);
                }
                Self::Generate(args.host, Confirmation::required("generate", args.yes)?)
            }
            Command::Revoke(args) => {
                let id = args.id.as_deref().map(|id| id_arg(id, TOKEN_ID_IS_TOKEN, TOKEN_ID_MALFORMED));
                Self::Revoke(id.transpose()?, Confirmation::required("revoke", args.yes)?)
            }
            Command::Oauth(command) => Self::OAuth(oauth::OAuthPlan::new(command)?),
        })
    }

    async fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            Self::Status => status(context).await,
            Self::Tokens => tokens(context).await,
            Self::SetEnabled(enabled) => set_enabled(context, enabled).await,
            Self::Generate(host, confirmation) => generate(context, &host, confirmation).await,
            Self::Revoke(Some(id), confirmation) => revoke_one(context, id, confirmation).await,
            Self::Revoke(None, confirmation) => revoke_all(context, confirmation).await,
            Self::OAuth(plan) => plan.run(context).await,
        }
    }
}

/// A service with the library's defaults, for every command but `generate`.
fn service(context: &Context) -> Result<ScimTokenService, CliError> {
    ScimTokenService::builder(context.store.clone())
        .audit_sink(context.audit.clone())
        .build()
        .map_err(CliError::HostConfig)
}

async fn status(context: &Context) -> Result<(), CliError> {
    let status = service(context)?.status(&context.scope).await?;
    output(&if context.json {
        render::status_json(&context.scope, &status)
    } else {
        render::status_text(&context.scope, &status)
    })
}

async fn tokens(context: &Context) -> Result<(), CliError> {
    let status = service(context)?.status(&context.scope).await?;
    output(&if context.json {
        render::tokens_json_document(&context.scope, &status)
    } else {
        render::tokens_text(&context.scope, &status)
    })
}

async fn set_enabled(context: &Context, enabled: bool) -> Result<(), CliError> {
    let service = service(context)?;
    service.set_enabled(&context.scope, enabled, &context.actor).await?;
    if context.json {
        return output(&render::settings_json(&context.scope, enabled));
    }
    let scope = context.scope.as_str();
    if !enabled {
        return output(&format!(
            "SCIM provisioning is disabled for scope {scope:?}: every token is refused (and kept) until \
             `scim-token enable`.\n"
        ));
    }
    let has_token = service.status(&context.scope).await?.has_token;
    let hint = if has_token { "" } else { " It has no usable token: run `scim-token generate`." };
    output(&format!("SCIM provisioning is enabled for scope {scope:?}.{hint}\n"))
}

async fn generate(context: &Context, host: &HostConfig, confirmation: Confirmation) -> Result<(), CliError> {
    let mut builder = ScimTokenService::builder(context.store.clone())
        .argon2_params(host.format.argon2())
        .token_prefix(host.format.token_prefix.as_str())
        .overlap(host.overlap)
        .max_concurrent_hashes(1)
        .audit_sink(context.audit.clone());
    if let Some(expiry) = host.expiry {
        builder = builder.expiry(expiry);
    }
    let service = builder.build().map_err(CliError::HostConfig)?;
    let scope = context.scope.as_str();

    let before = service.status(&context.scope).await?;
    let question = match &before.current {
        Some(current) => format!(
            "This replaces token {} of scope {scope:?}. It stops working {}, and the identity provider's \
             calls fail until you paste the new token into it.",
            render::token_summary(current),
            if host.overlap.is_zero() { "at once" } else { "when the overlap window ends" },
        ),
        None => format!("This generates a token for scope {scope:?}."),
    };
    confirmation.obtain(&question)?;

    let token = service.generate(&context.scope, &context.actor).await?;
    let (id, created_at) = (*token.id(), token.info().created_at);
    let written = {
        let mut stdout = io::stdout().lock();
        if context.json {
            render::write_generated_json(&mut stdout, &context.scope, token.expose_secret(), token.info())
        } else {
            writeln!(stdout, "{}", token.expose_secret())
        }
        .and_then(|()| stdout.flush())
    };
    drop(token);
    written.map_err(|source| CliError::TokenNotWritten { id, source })?;

    let replaced = match (&before.current, host.overlap.is_zero()) {
        (None, _) => String::new(),
        (Some(old), true) => format!("; token {} no longer works", old.id),
        (Some(old), false) => {
            let until = created_at.saturating_add(host.overlap);
            format!("; token {} keeps working until {}", old.id, until.to_rfc3339_seconds())
        }
    };
    note(&format!("Generated token {id} for scope {scope:?}{replaced}."));
    note("Paste the new token into your identity provider now: it is not shown again.");
    if !before.enabled {
        note(&format!(
            "Note: SCIM provisioning is disabled for scope {scope:?}, so the new token is refused until \
             `scim-token enable`."
        ));
    }
    Ok(())
}

async fn revoke_one(context: &Context, id: TokenId, confirmation: Confirmation) -> Result<(), CliError> {
    let service = service(context)?;
    let scope = &context.scope;
    // Read straight from the store: a previous token past its window is still there to revoke.
    let found = context.store.find_token(&id).await.map_err(scim_token_core::Error::from)?;
    let (token, role) = match found {
        Some(found) if found.record.scope == *scope => (found.record.info(), found.role),
        Some(found) => {
            return Err(CliError::TokenOfOtherScope { id, scope: scope.clone(), owner: found.record.scope });
        }
        None => return Err(CliError::UnknownToken { scope: scope.clone(), id }),
    };
    confirmation.obtain(&format!(
        "This revokes token {} of scope {:?}: SCIM calls with it fail from now on.",
        render::token_summary(&token),
        scope.as_str()
    ))?;
    if !service.revoke_token(scope, &id, &context.actor).await? {
        return Err(CliError::UnknownToken { scope: scope.clone(), id });
    }
    // Revoking the previous token leaves the current one working: no new token is needed then.
    revoked(context, &[id], role == TokenRole::Current)
}

async fn revoke_all(context: &Context, confirmation: Confirmation) -> Result<(), CliError> {
    let service = service(context)?;
    let scope = &context.scope;
    let status = service.status(scope).await?;
    let listed: Vec<String> = status.tokens().map(|token| render::token_summary(token.info)).collect();
    if !listed.is_empty() {
        confirmation.obtain(&format!(
            "This revokes every token of scope {:?}: {}. SCIM calls fail until you generate a new token \
             and paste it into the identity provider.",
            scope.as_str(),
            listed.join(", ")
        ))?;
    }
    service.revoke(scope, &context.actor).await?;
    // The audit event names exactly what the store removed, whatever happened since the status read.
    let removed = context.audit.events().into_iter().flat_map(|event| event.token_ids).collect::<Vec<_>>();
    revoked(context, &removed, true)
}

/// Reports revoked tokens; `needs_new_token` adds how to get SCIM calls working again.
fn revoked(context: &Context, ids: &[TokenId], needs_new_token: bool) -> Result<(), CliError> {
    if context.json {
        return output(&render::revoked_json(&context.scope, ids));
    }
    let scope = context.scope.as_str();
    let list: Vec<&str> = ids.iter().map(TokenId::as_str).collect();
    output(&match ids.len() {
        0 => format!("Scope {scope:?} had no token; nothing was revoked.\n"),
        n => format!(
            "Revoked {} of scope {scope:?}: {}. SCIM calls with {} now fail{}.\n",
            if n == 1 { "1 token".to_owned() } else { format!("{n} tokens") },
            list.join(", "),
            if n == 1 { "it" } else { "them" },
            if needs_new_token { "; run `scim-token generate` for a new token" } else { "" },
        ),
    })
}

const TOKEN_ID_IS_TOKEN: &str = "--id takes a token's id, not the token itself: the id is the 16 characters \
     after the prefix and its _ (`scim-token tokens` lists them); do not paste tokens on command lines";
const TOKEN_ID_MALFORMED: &str =
    "--id takes a token's id: 16 letters and digits, as `scim-token tokens` lists them";

/// `value` as a token or secret id: `is_secret` if it looks like a whole token or secret pasted by
/// mistake, else `malformed`. Never repeats the value.
fn id_arg(value: &str, is_secret: &'static str, malformed: &'static str) -> Result<TokenId, CliError> {
    TokenId::new(value).map_err(|_| {
        CliError::IdArg(if value.len() > TokenId::LEN && value.contains('_') { is_secret } else { malformed })
    })
}

/// The operating system's user name ($USER, else $LOGNAME), else `cli`.
#[allow(clippy::expect_used, reason = "`cli` is a constant that meets every rule of Actor::new")]
fn os_user() -> Actor {
    ["USER", "LOGNAME"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find_map(|name| Actor::new(name).ok())
        .unwrap_or_else(|| Actor::new("cli").expect("`cli` is a valid actor"))
}

/// Writes a command's result to stdout.
fn output(text: &str) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).map_err(CliError::Output)
}

/// Writes a note to stderr. A closed stderr is no reason to fail a command that worked.
fn note(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_ids_are_checked_without_repeating_the_value() {
        let token_id = |value| id_arg(value, TOKEN_ID_IS_TOKEN, TOKEN_ID_MALFORMED);
        assert_eq!(token_id("AbCdEfGh12345678").unwrap().as_str(), "AbCdEfGh12345678");
        let token = "scim_AbCdEfGh12345678abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ123456";
        for (value, says) in [(token, "not the token itself"), ("short", "16 letters and digits")] {
            let message = token_id(value).unwrap_err().to_string();
            assert!(message.contains(says) && !message.contains(value), "{message}");
        }
    }
}
