//! [`ScimTokenService::token_endpoint`]: the OAuth 2.0 token endpoint (RFC 6749 §4.4, client
//! credentials), without a web framework. Checks run cheapest first: the request's shape (no I/O), the
//! secret's format and checksum, one store read of the client, then Argon2 only for a secret of that
//! very client, through the bounded hashing budget and the single flight (concurrent requests with the
//! same wrong secret share one run).

use std::sync::Arc;

use secrecy::SecretString;

use crate::audit::AuditAction;
use crate::cache::{LastUseCheck, fingerprint};
use crate::error::{Error, StoreError};
use crate::ids::{Actor, ClientId, Scope};
use crate::oauth::request::{self, ClientAuth};
use crate::oauth::{
    AccessTokenRecord, AssertionError, AuthMode, IssuedAccessToken, MintedBy, OAuthError, OAuthErrorCode,
};
use crate::service::{ScimTokenService, USE_RECORD_INTERVAL_MS, UseRecord, record_use_later};
use crate::time::Timestamp;

/// A client the token endpoint authenticated, and what its scope allows.
struct Authenticated {
    scope: Scope,
    client_id: ClientId,
    scope_enabled: bool,
    auth_mode: AuthMode,
    minted_by: MintedBy,
    /// The minting secret's expiry (a token never outlives it) and its last recorded use.
    secret: Option<(Timestamp, Option<Timestamp>)>,
}

impl ScimTokenService {
    /// The token endpoint (`POST /oauth2/token`): authenticates the client by `client_secret_basic`,
    /// `client_secret_post` or a JWT client assertion (with the builder's
    /// [`assertion_verifier`](crate::ScimTokenServiceBuilder::assertion_verifier)), and mints an access
    /// token for its scope. An HTTP adapter passes the `Authorization` and `Content-Type` headers, if
    /// present, and the raw body, and turns an [`OAuthError`] into its JSON answer
    /// ([`http_status`](OAuthError::http_status), [`www_authenticate`](OAuthError::www_authenticate)).
    ///
    /// Never panics, whatever the input. Every answer's reason goes to a DEBUG log line (target
    /// `scim_token::oauth`), never a secret or an assertion.
    pub async fn token_endpoint(
        &self,
        authorization: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<IssuedAccessToken, OAuthError> {
        let result = self.answer_token_request(authorization, content_type, body).await;
        let outcome = match &result {
            Ok(token) => {
                tracing::debug!(target: "scim_token::oauth", token_id = %token.id(), "access token issued");
                "issued"
            }
            Err(error) => {
                tracing::debug!(
                    target: "scim_token::oauth",
                    error = error.code().as_str(),
                    reason = error.reason(),
                    "token request refused"
                );
                error.code().as_str()
            }
        };
        self.inner().observe.token_request(outcome);
        result
    }

    /// Whether the token endpoint accepts JWT client assertions (`private_key_jwt`, RFC 7523 §2.2): the
    /// service was built with an [`assertion_verifier`](crate::ScimTokenServiceBuilder::assertion_verifier).
    /// An HTTP adapter lists the method in its RFC 8414 metadata only then.
    pub fn accepts_client_assertions(&self) -> bool {
        self.inner().oauth.verifier.is_some()
    }

    async fn answer_token_request(
        &self,
        authorization: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<IssuedAccessToken, OAuthError> {
        let request = request::parse(authorization, content_type, body)?;
        let challenge = request.challenge;
        let client = match &request.client {
            ClientAuth::Secret { client_id, secret } => self.authenticate_secret(client_id, secret).await,
            ClientAuth::Assertion { client_id, assertion } => {
                self.authenticate_assertion(client_id, assertion).await
            }
        }
        .map_err(|error| error.challenged(challenge))?;
        let refuse = |reason| {
            OAuthError::new(
                OAuthErrorCode::UnauthorizedClient,
                "this client may not obtain access tokens now",
                reason,
            )
        };
        if !client.scope_enabled {
            return Err(refuse("scope disabled"));
        }
        if !client.auth_mode.accepts_oauth() {
            return Err(refuse("the scope accepts static tokens only"));
        }
        if !request.scope_well_formed {
            return Err(OAuthError::new(
                OAuthErrorCode::InvalidScope,
                "the scope parameter is malformed",
                "malformed scope",
            ));
        }
        self.mint(client).await.map_err(|error| error.challenged(challenge))
    }

    /// Checks a client secret for `client_id`: format and checksum, one store read, expiry, then the
    /// verified cache or Argon2.
    async fn authenticate_secret(&self, client_id: &str, secret: &str) -> Result<Authenticated, OAuthError> {
        let inner = &**self.inner();
        let Ok(client_id) = ClientId::new(client_id) else {
            return Err(OAuthError::client("malformed client_id"));
        };
        let Ok(secret_id) = inner.secret_format.parse(secret) else {
            return Err(OAuthError::client("malformed client secret"));
        };
        let Some(client) = inner.store.find_client(&client_id).await.map_err(|error| store_failed(&error))?
        else {
            return Err(OAuthError::client("unknown client"));
        };
        let Some(record) = client.state.secrets.iter().find(|record| record.id == secret_id) else {
            return Err(OAuthError::client("no such secret for this client"));
        };
        let now = inner.clock.now();
        if now >= record.expires_at {
            return Err(OAuthError::client("expired client secret"));
        }
        let fingerprint = fingerprint(secret);
        // The use is recorded at mint, not here: "written just now" keeps the cache from claiming it.
        let use_record = LastUseCheck { stored: Some(now), now, interval_ms: USE_RECORD_INTERVAL_MS };
        if inner.cache.check(&secret_id, &fingerprint, &record.hash, &use_record).is_none() {
            let check = self.argon2_check(
                secret_id,
                fingerprint,
                &record.hash,
                secret,
                use_record,
                UseRecord::Nothing,
            );
            match Box::pin(check).await {
                Ok(true) => {}
                Ok(false) => return Err(OAuthError::client("wrong client secret")),
                Err(Error::Busy) => return Err(OAuthError::unavailable("hashing slots busy")),
                Err(error) => {
                    tracing::warn!(target: "scim_token::oauth", %error, "checking a client secret failed");
                    return Err(OAuthError::server("hashing failed"));
                }
            }
        }
        Ok(Authenticated {
            scope: client.scope,
            client_id,
            scope_enabled: client.state.scope_enabled,
            auth_mode: client.state.auth_mode,
            minted_by: MintedBy::Secret(secret_id),
            secret: Some((record.expires_at, record.last_used_at)),
        })
    }

    /// Checks a client assertion for `client_id` against its scope's federation trust.
    async fn authenticate_assertion(
        &self,
        client_id: &str,
        assertion: &str,
    ) -> Result<Authenticated, OAuthError> {
        let inner = &**self.inner();
        let Some(verifier) = &inner.oauth.verifier else {
            return Err(OAuthError::client("no assertion verifier configured"));
        };
        let Ok(client_id) = ClientId::new(client_id) else {
            return Err(OAuthError::client("malformed client_id"));
        };
        let Some(client) = inner.store.find_client(&client_id).await.map_err(|error| store_failed(&error))?
        else {
            return Err(OAuthError::client("unknown client"));
        };
        let Some(trust) = &client.state.trust else {
            return Err(OAuthError::client("the client has no federation trust"));
        };
        match verifier.verify(trust, assertion, inner.clock.now()).await {
            Ok(()) => {}
            Err(AssertionError::Rejected { reason }) => return Err(OAuthError::client(reason)),
            Err(AssertionError::Unavailable(error)) => {
                tracing::warn!(target: "scim_token::oauth", %error, "the issuer's signing keys are unavailable");
                return Err(OAuthError::unavailable("issuer keys unavailable"));
            }
        }
        Ok(Authenticated {
            minted_by: MintedBy::Trust(trust.id),
            scope: client.scope,
            client_id,
            scope_enabled: client.state.scope_enabled,
            auth_mode: client.state.auth_mode,
            secret: None,
        })
    }

    /// Mints, hashes and stores an access token for an authenticated client.
    async fn mint(&self, client: Authenticated) -> Result<IssuedAccessToken, OAuthError> {
        let inner = self.inner();
        let (id, token) = inner.access_format.generate().map_err(|_| OAuthError::server("random failed"))?;
        let hash: Arc<str> = match inner.hasher.hash(token.clone()).await {
            Ok(hash) => hash.into(),
            Err(Error::Busy) => return Err(OAuthError::unavailable("hashing slots busy")),
            Err(error) => {
                tracing::warn!(target: "scim_token::oauth", %error, "hashing an access token failed");
                return Err(OAuthError::server("hashing failed"));
            }
        };
        let now = inner.clock.now();
        let mut expires_at = now.saturating_add(inner.oauth.access_token_lifetime);
        if let Some((secret_expires_at, _)) = client.secret {
            expires_at = expires_at.min(secret_expires_at);
        }
        let record = AccessTokenRecord {
            id,
            scope: client.scope.clone(),
            minted_by: client.minted_by,
            hash: hash.clone(),
            issued_at: now,
            expires_at,
        };
        if !inner.store.insert_access_token(record, now).await.map_err(|error| store_failed(&error))? {
            return Err(OAuthError::client("the credential was deleted meanwhile"));
        }
        // The identity provider's first SCIM calls with the token need no Argon2 on this instance.
        inner.cache.seed(id, fingerprint(&token), hash);
        let credential_id = match client.minted_by {
            MintedBy::Secret(secret_id) => {
                let last_used = client.secret.and_then(|(_, last_used)| last_used);
                if last_used.is_none_or(|at| {
                    now.unix_millis().saturating_sub(at.unix_millis()) >= USE_RECORD_INTERVAL_MS
                }) {
                    record_use_later(inner, secret_id, now, UseRecord::ClientSecret);
                }
                secret_id
            }
            MintedBy::Trust(trust_id) => trust_id,
        };
        let actor =
            Actor::new(format!("oauth-client:{}", client.client_id)).unwrap_or_else(|_| Actor::system());
        self.audit(&client.scope, &actor, AuditAction::AccessTokenIssued, vec![credential_id, id], now);
        let expires_in = expires_at.unix_millis().saturating_sub(now.unix_millis()).max(0) / 1000;
        let mut token = token;
        let token = SecretString::from(std::mem::take(&mut *token));
        Ok(IssuedAccessToken::new(token, id, u64::try_from(expires_in).unwrap_or_default()))
    }
}

/// A store failure: 503 if retrying can help, else 500 (logged; a store error holds no secret).
fn store_failed(error: &StoreError) -> OAuthError {
    if error.kind().is_transient() {
        tracing::debug!(target: "scim_token::oauth", %error, "token store busy or unavailable");
        OAuthError::unavailable("token store busy or unavailable")
    } else {
        tracing::warn!(target: "scim_token::oauth", %error, "token store failed");
        OAuthError::server("token store failed")
    }
}
