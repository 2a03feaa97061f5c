//! The administrator's side of OAuth on [`ScimTokenService`]: the client's status, its secrets, its
//! federation trust and the scope's [`AuthMode`].

use secrecy::SecretString;

use crate::audit::AuditAction;
use crate::cache::fingerprint;
use crate::error::{Error, Result};
use crate::format::random_base62;
use crate::ids::{Actor, ClientId, Scope, TokenId};
use crate::oauth::{
    AuthMode, ClientSecretInfo, ClientSecretRecord, FederationTrust, FederationTrustInfo, NewClientSecret,
    OAuthStatus, SecretAdded, TrustSettings,
};
use crate::service::ScimTokenService;
use crate::time::Timestamp;

const DAY_MS: i64 = 24 * 3600 * 1000;

impl ScimTokenService {
    /// The scope's OAuth client, as an administrator may see it (no secret, no hash), with the service's
    /// OAuth settings.
    pub async fn oauth_status(&self, scope: &Scope) -> Result<OAuthStatus> {
        let inner = &**self.inner();
        let state = inner.store.load_oauth(scope).await?;
        let now = inner.clock.now();
        let settings = &inner.oauth;
        Ok(OAuthStatus {
            client_id: state.client_id,
            auth_mode: state.auth_mode,
            secrets: state.secrets.iter().map(|record| ClientSecretInfo::of(record, now)).collect(),
            trust: state.trust.as_ref().map(FederationTrustInfo::from),
            access_token_lifetime: settings.access_token_lifetime,
            max_secrets: settings.max_secrets,
            secret_expiry_days: (
                settings.default_secret_days,
                *settings.secret_days.start(),
                *settings.secret_days.end(),
            ),
        })
    }

    /// Creates a client secret for `scope`, expiring in `expires_in_days` (the builder's default if
    /// `None`), and the scope's client id if it has none yet. The secret is returned once.
    ///
    /// Fails with [`Error::InvalidInput`] for a number of days outside the builder's allowed range, and
    /// with [`Error::LimitReached`] if the scope already holds the most unexpired secrets allowed.
    pub async fn create_client_secret(
        &self,
        scope: &Scope,
        expires_in_days: Option<u32>,
        actor: &Actor,
    ) -> Result<NewClientSecret> {
        let inner = &**self.inner();
        let settings = &inner.oauth;
        let days = expires_in_days.unwrap_or(settings.default_secret_days);
        if !settings.secret_days.contains(&days) {
            return Err(Error::InvalidInput {
                what: "client secret expiry",
                reason: "the number of days is outside the allowed range",
            });
        }
        let (id, secret) = inner.secret_format.generate()?;
        let hash: std::sync::Arc<str> = inner.hasher.hash(secret.clone()).await?.into();
        let now = inner.clock.now();
        let expires_at =
            Timestamp::from_unix_millis(now.unix_millis().saturating_add(i64::from(days) * DAY_MS));
        let record = ClientSecretRecord {
            id,
            hash: hash.clone(),
            created_at: now,
            created_by: actor.clone(),
            expires_at,
            last_used_at: None,
        };
        let new_client_id = self.new_client_id()?;
        let client_id = match inner
            .store
            .add_client_secret(scope, &new_client_id, record, settings.max_secrets, now)
            .await?
        {
            SecretAdded::Added { client_id } => client_id,
            SecretAdded::LimitReached => return Err(Error::LimitReached { limit: settings.max_secrets }),
        };
        // As for a generated token: its first use at the token endpoint needs no Argon2 here.
        inner.cache.seed(id, fingerprint(&secret), hash);
        self.audit(scope, actor, AuditAction::ClientSecretCreated, vec![id], now);
        let mut secret = secret;
        let secret = SecretString::from(std::mem::take(&mut *secret));
        Ok(NewClientSecret::new(secret, client_id, id, expires_at))
    }

    /// Deletes `scope`'s client secret `id` and every access token it minted: they stop working on
    /// their next use, on every instance. Returns `false`, and changes nothing, if there is no such secret.
    pub async fn delete_client_secret(&self, scope: &Scope, id: &TokenId, actor: &Actor) -> Result<bool> {
        let inner = &**self.inner();
        let Some(tokens) = inner.store.remove_client_secret(scope, id).await? else {
            return Ok(false);
        };
        let mut ids = Vec::with_capacity(tokens.len() + 1);
        ids.push(*id);
        ids.extend(tokens);
        inner.cache.remove(&ids);
        self.audit(scope, actor, AuditAction::ClientSecretDeleted, ids, inner.clock.now());
        Ok(true)
    }

    /// Sets `scope`'s federation trust (replacing any, and ending the access tokens the replaced one
    /// minted), and creates the scope's client id if it has none yet.
    ///
    /// Fails with [`Error::InvalidInput`] if a value is empty, longer than 1 KiB or holds a control
    /// character, if the JWKS URL is not `https://` (see
    /// [`allow_loopback_http_jwks`](crate::ScimTokenServiceBuilder::allow_loopback_http_jwks)), or if a
    /// Microsoft Entra issuer names another tenant than `tenant_id`. A trailing `/.default` is removed
    /// from the audience.
    pub async fn set_federation_trust(
        &self,
        scope: &Scope,
        trust: TrustSettings,
        actor: &Actor,
    ) -> Result<FederationTrustInfo> {
        let inner = &**self.inner();
        let checked = trust.check(inner.oauth.allow_loopback_http_jwks)?;
        let now = inner.clock.now();
        let trust = FederationTrust {
            id: TokenId::new(random_base62(TokenId::LEN)?)?,
            issuer: checked.issuer,
            jwks_url: checked.jwks_url,
            subject: checked.subject,
            audience: checked.audience,
            tenant_id: checked.tenant_id,
            created_at: now,
            created_by: actor.clone(),
        };
        let info = FederationTrustInfo::from(&trust);
        let trust_id = trust.id;
        let new_client_id = self.new_client_id()?;
        let (_, tokens) = inner.store.set_federation_trust(scope, &new_client_id, trust).await?;
        inner.cache.remove(&tokens);
        let mut ids = Vec::with_capacity(tokens.len() + 1);
        ids.push(trust_id);
        ids.extend(tokens);
        self.audit(scope, actor, AuditAction::FederationTrustSet, ids, now);
        Ok(info)
    }

    /// Deletes `scope`'s federation trust and every access token it minted. Returns `false`, and changes
    /// nothing, if the scope has no trust.
    pub async fn delete_federation_trust(&self, scope: &Scope, actor: &Actor) -> Result<bool> {
        let inner = &**self.inner();
        // For the audit record only: the delete itself is one atomic store call.
        let trust_id = inner.store.load_oauth(scope).await?.trust.map(|trust| trust.id);
        let Some(tokens) = inner.store.remove_federation_trust(scope).await? else {
            return Ok(false);
        };
        inner.cache.remove(&tokens);
        let ids = trust_id.into_iter().chain(tokens).collect();
        self.audit(scope, actor, AuditAction::FederationTrustDeleted, ids, inner.clock.now());
        Ok(true)
    }

    /// Sets which credentials `scope` accepts on its SCIM routes: static tokens, OAuth access tokens, or
    /// both ([`AuthMode::Any`], the default).
    pub async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode, actor: &Actor) -> Result<()> {
        let inner = &**self.inner();
        inner.store.set_auth_mode(scope, mode).await?;
        self.audit(scope, actor, AuditAction::AuthModeChanged, Vec::new(), inner.clock.now());
        Ok(())
    }

    /// A fresh client id: `<prefix>cl_` and 16 random base62 characters.
    fn new_client_id(&self) -> Result<ClientId> {
        ClientId::new(format!("{}cl_{}", self.inner().format.prefix(), random_base62(16)?))
    }
}
