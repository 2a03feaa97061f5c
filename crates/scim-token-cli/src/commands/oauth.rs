//! The `oauth` commands: each one short function, as for the static token. `oauth secret create`
//! writes the secret, and only it, to stdout.

use std::io::{self, Write};

use scim_token_core::oauth::{AuthMode, TrustSettings};
use scim_token_core::{ScimTokenService, ScimTokenServiceBuilder, TokenId};

use super::{Context, id_arg, note, output, service};
use crate::cli::{
    FederationCommand, FederationSetArgs, OAuthCommand, OAuthHostConfig, SecretCommand, SecretCreateArgs,
};
use crate::confirm::Confirmation;
use crate::error::CliError;
use crate::render::oauth as render;

/// An `oauth` command whose arguments were checked.
pub(super) enum OAuthPlan {
    Status(OAuthHostConfig),
    CreateSecret(Box<SecretCreateArgs>),
    DeleteSecret(TokenId, Confirmation),
    SetTrust(FederationSetArgs),
    DeleteTrust(Confirmation),
    SetMode(AuthMode),
}

impl OAuthPlan {
    /// Checks what can be checked before the store is opened.
    pub(super) fn new(command: OAuthCommand) -> Result<Self, CliError> {
        Ok(match command {
            OAuthCommand::Status(args) => Self::Status(args.oauth),
            OAuthCommand::Secret(SecretCommand::Create(args)) => {
                if !args.format.argon2().meets_owasp_minimum() {
                    return Err(CliError::WeakArgon2);
                }
                let allowed = args.oauth.secret_days();
                if let Some(days) = args.expires_in_days
                    && !allowed.contains(&days)
                {
                    return Err(CliError::SecretDaysArg { min: *allowed.start(), max: *allowed.end() });
                }
                Self::CreateSecret(Box::new(args))
            }
            OAuthCommand::Secret(SecretCommand::Delete(args)) => Self::DeleteSecret(
                id_arg(&args.id, SECRET_ID_IS_SECRET, SECRET_ID_MALFORMED)?,
                Confirmation::required("oauth secret delete", args.yes)?,
            ),
            OAuthCommand::Federation(FederationCommand::Set(args)) => Self::SetTrust(args),
            OAuthCommand::Federation(FederationCommand::Delete(args)) => {
                Self::DeleteTrust(Confirmation::required("oauth federation delete", args.yes)?)
            }
            OAuthCommand::Mode(args) => Self::SetMode(args.mode.into()),
        })
    }

    pub(super) async fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            Self::Status(host) => status(context, &host).await,
            Self::CreateSecret(args) => create_secret(context, &args).await,
            Self::DeleteSecret(id, confirmation) => delete_secret(context, id, confirmation).await,
            Self::SetTrust(args) => set_trust(context, args).await,
            Self::DeleteTrust(confirmation) => delete_trust(context, confirmation).await,
            Self::SetMode(mode) => set_mode(context, mode).await,
        }
    }
}

const SECRET_ID_IS_SECRET: &str = "oauth secret delete takes a client secret's id, not the secret itself: \
     the id is the 16 characters after the prefix and its _ (`scim-token oauth status` lists them); do not \
     paste secrets on command lines";
const SECRET_ID_MALFORMED: &str = "oauth secret delete takes a client secret's id: 16 letters and digits, \
     as `scim-token oauth status` lists them";

/// `builder` with the servers' OAuth settings.
fn with_oauth(builder: ScimTokenServiceBuilder, host: &OAuthHostConfig) -> ScimTokenServiceBuilder {
    builder
        .access_token_lifetime(host.access_token_lifetime)
        .max_client_secrets(host.max_client_secrets)
        .client_secret_expiry_days(host.client_secret_expiry_days, host.secret_days())
}

async fn status(context: &Context, host: &OAuthHostConfig) -> Result<(), CliError> {
    let builder = ScimTokenService::builder(context.store.clone()).audit_sink(context.audit.clone());
    let service = with_oauth(builder, host).build().map_err(CliError::HostConfig)?;
    let status = service.oauth_status(&context.scope).await?;
    output(&if context.json {
        render::status_json(&context.scope, &status)
    } else {
        render::status_text(&context.scope, &status)
    })
}

async fn create_secret(context: &Context, args: &SecretCreateArgs) -> Result<(), CliError> {
    let builder = ScimTokenService::builder(context.store.clone())
        .argon2_params(args.format.argon2())
        .token_prefix(args.format.token_prefix.as_str())
        .max_concurrent_hashes(1)
        .audit_sink(context.audit.clone());
    let service = with_oauth(builder, &args.oauth).build().map_err(CliError::HostConfig)?;
    let scope = &context.scope;
    let enabled = service.status(scope).await?.enabled;

    let secret = match service.create_client_secret(scope, args.expires_in_days, &context.actor).await {
        Err(scim_token_core::Error::LimitReached { limit }) => {
            return Err(CliError::SecretLimit { scope: scope.clone(), limit });
        }
        other => other?,
    };
    let (id, client_id, expires_at) = (*secret.id(), secret.client_id().clone(), secret.expires_at());
    let written = {
        let mut stdout = io::stdout().lock();
        if context.json {
            render::write_created_secret_json(&mut stdout, scope, &secret)
        } else {
            writeln!(stdout, "{}", secret.expose_secret())
        }
        .and_then(|()| stdout.flush())
    };
    drop(secret);
    written.map_err(|source| CliError::SecretNotWritten { id, source })?;

    let scope_name = scope.as_str();
    note(&format!(
        "Created client secret {id} for scope {scope_name:?}: client id {client_id}, expires {}.",
        expires_at.to_rfc3339_seconds()
    ));
    note("Give the identity provider the client id and the new secret now: the secret is not shown again.");
    if !enabled {
        note(&format!(
            "Note: SCIM provisioning is disabled for scope {scope_name:?}, so the token endpoint refuses the \
             client until `scim-token enable`."
        ));
    }
    let mode = service.oauth_status(scope).await?.auth_mode;
    if !mode.accepts_oauth() {
        note(&format!(
            "Note: scope {scope_name:?} accepts static tokens only, so the token endpoint refuses the client \
             until `scim-token oauth mode any`."
        ));
    }
    Ok(())
}

async fn delete_secret(context: &Context, id: TokenId, confirmation: Confirmation) -> Result<(), CliError> {
    let service = service(context)?;
    let scope = &context.scope;
    let before = service.oauth_status(scope).await?;
    let Some(secret) = before.secrets.iter().find(|secret| secret.id == id) else {
        return Err(CliError::UnknownSecret { scope: scope.clone(), id });
    };
    confirmation.obtain(&format!(
        "This deletes client secret {} of scope {:?}: the identity provider can no longer obtain access \
         tokens with it, and those it obtained stop working now.",
        render::secret_summary(secret),
        scope.as_str()
    ))?;
    if !service.delete_client_secret(scope, &id, &context.actor).await? {
        return Err(CliError::UnknownSecret { scope: scope.clone(), id });
    }
    if context.json {
        return output(&render::secret_deleted_json(scope, &id));
    }
    let others_usable = before.secrets.iter().any(|other| other.id != id && !other.expired);
    let hint = if others_usable || before.trust.is_some() {
        ""
    } else {
        " The client has no usable secret or trust left: run `scim-token oauth secret create` for a new one."
    };
    output(&format!(
        "Deleted client secret {id} of scope {:?}; the access tokens it obtained no longer work.{hint}\n",
        scope.as_str()
    ))
}

async fn set_trust(context: &Context, args: FederationSetArgs) -> Result<(), CliError> {
    let service = service(context)?;
    let scope = &context.scope;
    let settings = TrustSettings {
        issuer: args.issuer,
        jwks_url: args.jwks_url,
        subject: args.subject,
        audience: args.audience,
        tenant_id: args.tenant_id,
    };
    let trust = match service.set_federation_trust(scope, settings, &context.actor).await {
        Err(error @ scim_token_core::Error::InvalidInput { .. }) => return Err(CliError::TrustArg(error)),
        other => other?,
    };
    let client_id = service.oauth_status(scope).await?.client_id;
    let client_id = client_id.as_ref().map(|id| id.as_str());
    if context.json {
        return output(&render::trust_set_json(scope, client_id, &trust));
    }
    output(&format!(
        "Federation trust set for scope {:?}; client id {}. The access tokens a replaced trust obtained no \
         longer work.\n\n{}",
        scope.as_str(),
        client_id.unwrap_or("none"),
        render::trust_text(&trust)
    ))
}

async fn delete_trust(context: &Context, confirmation: Confirmation) -> Result<(), CliError> {
    let service = service(context)?;
    let scope = &context.scope;
    let before = service.oauth_status(scope).await?;
    if let Some(trust) = &before.trust {
        confirmation.obtain(&format!(
            "This deletes the federation trust of scope {:?} (issuer {}, subject {}): the identity provider \
             can no longer obtain access tokens with its assertions, and those it obtained stop working now.",
            scope.as_str(),
            trust.issuer,
            trust.subject
        ))?;
    }
    let deleted = service.delete_federation_trust(scope, &context.actor).await?;
    if context.json {
        return output(&render::trust_deleted_json(scope, deleted));
    }
    output(&if deleted {
        format!(
            "Deleted the federation trust of scope {:?}; the access tokens it obtained no longer work.\n",
            scope.as_str()
        )
    } else {
        format!("Scope {:?} had no federation trust; nothing was deleted.\n", scope.as_str())
    })
}

async fn set_mode(context: &Context, mode: AuthMode) -> Result<(), CliError> {
    let service = service(context)?;
    let scope = &context.scope;
    service.set_auth_mode(scope, mode, &context.actor).await?;
    if context.json {
        return output(&render::mode_json(scope, mode));
    }
    let hint = match mode {
        AuthMode::OAuthOnly => {
            let status = service.oauth_status(scope).await?;
            if status.secrets.iter().any(|secret| !secret.expired) || status.trust.is_some() {
                " Static tokens are refused from now on."
            } else {
                " Static tokens are refused from now on, and the client has no usable secret or trust: run \
                 `scim-token oauth secret create`."
            }
        }
        AuthMode::StaticOnly => {
            " The token endpoint refuses the scope's client, and its access tokens no longer work."
        }
        _ => "",
    };
    output(&format!("Scope {:?} now accepts {}.{hint}\n", scope.as_str(), render::mode_meaning(mode)))
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use scim_token_sqlite::SqliteStore;

    use super::*;
    use crate::cli::{Cli, Command};

    #[test]
    fn the_host_flags_default_to_the_library_defaults() {
        let cli = Cli::try_parse_from(["scim-token", "oauth", "status"]).unwrap();
        let Command::Oauth(OAuthCommand::Status(args)) = cli.command else { panic!("not oauth status") };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let store = SqliteStore::open_in_memory().await.unwrap();
            let library = ScimTokenService::builder(store.clone()).build().unwrap();
            let ours = with_oauth(ScimTokenService::builder(store), &args.oauth).build().unwrap();
            let scope = scim_token_core::Scope::default_scope();
            assert_eq!(ours.oauth_status(&scope).await.unwrap(), library.oauth_status(&scope).await.unwrap());
        });
    }
}
