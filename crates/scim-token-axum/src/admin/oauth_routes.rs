//! The scope's OAuth client: its settings, its client secrets, its federation trust and which
//! credentials the scope accepts.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scim_token_core::TokenId;
use serde::de::DeserializeOwned;

use crate::admin::auth::AdminAction;
use crate::admin::error::{AdminError, BodyMessages, UnleashError};
use crate::admin::oauth_bodies::{
    ClientSecretInfoBody, CreateClientSecretBody, FederationTrustBody, NewClientSecretBody,
    OAuthSettingsBody, SecretExpiryDaysBody, SetAuthModeBody, SetFederationTrustBody,
};
use crate::admin::state::AdminState;
use crate::paths::{
    OAUTH_FEDERATION_PATH, OAUTH_MODE_PATH, OAUTH_SECRET_PATH, OAUTH_SECRETS_PATH, OAUTH_SETTINGS_PATH,
};

const SECRET_BODY: BodyMessages = BodyMessages {
    not_json: r#"The request body is not valid JSON; send {"expiresInDays": 365}, or no body for the default."#,
    wrong_shape: r#"The request body needs "expiresInDays" as a whole number of days; send {"expiresInDays": 365}, or no body for the default."#,
    too_large: r#"The request body is too large; send {"expiresInDays": 365}, or no body for the default."#,
    content_type: r#"Send the body as JSON with the header `Content-Type: application/json`, e.g. {"expiresInDays": 365}."#,
    unreadable: r#"The request body could not be read; send {"expiresInDays": 365}, or no body for the default."#,
};

const TRUST_BODY: BodyMessages = BodyMessages {
    not_json: r#"The request body is not valid JSON; send {"issuer", "jwksUrl", "subject", "audience", "tenantId"} as strings."#,
    wrong_shape: r#"The request body needs the strings "issuer", "jwksUrl", "subject" and "audience", and optionally "tenantId"."#,
    too_large: "The request body is too large: each value of a federation trust is at most 1 KiB.",
    content_type: r#"Send the body as JSON with the header `Content-Type: application/json`, e.g. {"issuer": "https://login.microsoftonline.com/…/v2.0", …}."#,
    unreadable: r#"The request body could not be read; send {"issuer", "jwksUrl", "subject", "audience", "tenantId"} as strings."#,
};

const MODE_BODY: BodyMessages = BodyMessages {
    not_json: r#"The request body is not valid JSON; send {"mode": "any"}, {"mode": "static"} or {"mode": "oauth"}."#,
    wrong_shape: r#"The request body needs "mode": "any", "static" or "oauth"."#,
    too_large: r#"The request body is too large; send {"mode": "any"}, {"mode": "static"} or {"mode": "oauth"}."#,
    content_type: r#"Send the body as JSON with the header `Content-Type: application/json`, e.g. {"mode": "oauth"}."#,
    unreadable: r#"The request body could not be read; send {"mode": "any"}, {"mode": "static"} or {"mode": "oauth"}."#,
};

/// Reads the scope's OAuth client and the values an identity provider's form asks for.
#[utoipa::path(
    get,
    path = OAUTH_SETTINGS_PATH,
    operation_id = "get-scim-oauth-settings",
    tag = "SCIM OAuth",
    security(("adminToken" = [])),
    description = "The scope's OAuth 2.0 client: its client id, the token endpoint and SCIM base URLs to give \
                   the identity provider (when the server knows its public URL), the access-token lifetime, \
                   which credentials the scope accepts, the client secrets' metadata and the federation trust. \
                   Never a secret or a hash.",
    responses(
        (status = 200, description = "The OAuth settings.", body = OAuthSettingsBody),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not read the OAuth settings.", body = UnleashError<'static>),
        (status = 404, description = "The requested resource was not found.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn get_oauth(State(state): State<AdminState>, parts: Parts) -> Result<Response, AdminError> {
    let grant = state.authenticate(&parts, AdminAction::ReadOAuthSettings).await?;
    let status = state.service.oauth_status(&grant.scope).await?;
    let urls = state.public_urls.as_deref();
    let (default, min, max) = status.secret_expiry_days;
    let body = OAuthSettingsBody {
        client_id: status.client_id.as_ref().map(|id| id.as_str().to_owned()),
        token_endpoint: urls.map(|urls| urls.token_endpoint.clone()),
        scim_base_url: urls.map(|urls| urls.scim_base_url(&grant.scope)),
        auth_mode: status.auth_mode.into(),
        access_token_lifetime_seconds: status.access_token_lifetime.as_secs(),
        max_secrets: status.max_secrets,
        secret_expiry_days: SecretExpiryDaysBody { default, min, max },
        federation_supported: state.service.accepts_client_assertions(),
        secrets: status.secrets.iter().map(ClientSecretInfoBody::from).collect(),
        federation: status.trust.as_ref().map(FederationTrustBody::from),
    };
    Ok(no_store(Json(body).into_response()))
}

/// Creates a client secret, shown once.
#[utoipa::path(
    post,
    path = OAUTH_SECRETS_PATH,
    operation_id = "create-scim-oauth-client-secret",
    tag = "SCIM OAuth",
    security(("adminToken" = [])),
    description = "Creates a client secret for the scope's OAuth client (and the client id, on the first one). \
                   The secret is shown once. Existing secrets keep working, so an identity provider can be \
                   switched to the new one before the old one is deleted. The body is optional.",
    request_body(content = CreateClientSecretBody, description = "Optional: the secret's lifetime in days."),
    responses(
        (status = 201, description = "The new secret, with the client id. Shown once; `Cache-Control: no-store`.",
            body = NewClientSecretBody<'static>),
        (status = 400, description = "The body is not `{\"expiresInDays\": N}`, or N is outside the allowed range.",
            body = UnleashError<'static>),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not create client secrets, or the request was sent by a page of another site.",
            body = UnleashError<'static>),
        (status = 404, description = "The requested resource was not found.", body = UnleashError<'static>),
        (status = 409, description = "The client already holds the most unexpired secrets allowed (`maxSecrets`): delete one first.",
            body = UnleashError<'static>),
        (status = 413, description = "The body is larger than 8 KiB.", body = UnleashError<'static>),
        (status = 415, description = "The body is not sent as `application/json`.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn create_secret(
    State(state): State<AdminState>,
    request: Request,
) -> Result<Response, AdminError> {
    let (parts, body) = request.into_parts();
    let grant = state.authenticate(&parts, AdminAction::CreateClientSecret).await?;
    let days = read_json::<CreateClientSecretBody>(Request::from_parts(parts, body), &SECRET_BODY, true)
        .await?
        .and_then(|body| body.expires_in_days);
    let secret = state
        .service
        .create_client_secret(&grant.scope, days, &grant.actor)
        .await
        .map_err(AdminError::from_oauth)?;
    let body = NewClientSecretBody {
        client_id: secret.client_id().as_str(),
        client_secret: secret.expose_secret(),
        secret_id: secret.id().as_str(),
        expires_at: secret.expires_at().to_rfc3339(),
    };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    // The secret must not linger in a browser, proxy or CDN cache.
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(no_store(response))
}

/// Deletes one client secret by its id.
#[utoipa::path(
    delete,
    path = OAUTH_SECRET_PATH,
    operation_id = "delete-scim-oauth-client-secret",
    tag = "SCIM OAuth",
    security(("adminToken" = [])),
    description = "Deletes one client secret: it stops working at once, and so does every access token it \
                   minted. Any request body is ignored.",
    params(("id" = String, Path, description = "The secret's public id, as listed by `GET /api/admin/scim-settings/oauth`.")),
    responses(
        (status = 204, description = "The secret and its access tokens were deleted."),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not delete client secrets, or the request was sent by a page of another site.",
            body = UnleashError<'static>),
        (status = 404, description = "The scope has no client secret with this id.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn delete_secret(
    State(state): State<AdminState>,
    mut parts: Parts,
) -> Result<StatusCode, AdminError> {
    // Authenticate before looking at the path: strangers learn nothing about which ids exist.
    let grant = state.authenticate(&parts, AdminAction::DeleteClientSecret).await?;
    let Ok(Path(id)) = Path::<String>::from_request_parts(&mut parts, &()).await else {
        return Err(AdminError::SecretNotFound);
    };
    let Ok(id) = TokenId::new(id) else {
        return Err(AdminError::SecretNotFound);
    };
    if state.service.delete_client_secret(&grant.scope, &id, &grant.actor).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::SecretNotFound)
    }
}

/// Sets the workload identity federation trust.
#[utoipa::path(
    put,
    path = OAUTH_FEDERATION_PATH,
    operation_id = "set-scim-oauth-federation-trust",
    tag = "SCIM OAuth",
    security(("adminToken" = [])),
    description = "Sets (or replaces) the trust in an external issuer whose signed assertions (RFC 7523) the \
                   token endpoint accepts instead of a client secret: for Microsoft Entra, the values of the \
                   application's federated credential. Replacing a trust ends the access tokens the old one \
                   minted. Creates the client id if the scope has none yet.",
    request_body = SetFederationTrustBody,
    responses(
        (status = 200, description = "The trust, as saved.", body = FederationTrustBody),
        (status = 400, description = "The body is not a trust, or a value is refused (e.g. a JWKS URL that is not https, a tenant id that differs from the Entra issuer's).",
            body = UnleashError<'static>),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not change the federation trust, or the request was sent by a page of another site.",
            body = UnleashError<'static>),
        (status = 404, description = "The requested resource was not found.", body = UnleashError<'static>),
        (status = 413, description = "The body is larger than 8 KiB.", body = UnleashError<'static>),
        (status = 415, description = "The body is not sent as `application/json`.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn set_trust(
    State(state): State<AdminState>,
    request: Request,
) -> Result<Json<FederationTrustBody>, AdminError> {
    let (parts, body) = request.into_parts();
    let grant = state.authenticate(&parts, AdminAction::ChangeFederationTrust).await?;
    let Some(trust) =
        read_json::<SetFederationTrustBody>(Request::from_parts(parts, body), &TRUST_BODY, false).await?
    else {
        return Err(AdminError::BadData(TRUST_BODY.wrong_shape));
    };
    let saved = state
        .service
        .set_federation_trust(&grant.scope, trust.into(), &grant.actor)
        .await
        .map_err(AdminError::from_oauth)?;
    Ok(Json(FederationTrustBody::from(&saved)))
}

/// Deletes the workload identity federation trust.
#[utoipa::path(
    delete,
    path = OAUTH_FEDERATION_PATH,
    operation_id = "delete-scim-oauth-federation-trust",
    tag = "SCIM OAuth",
    security(("adminToken" = [])),
    description = "Deletes the federation trust: assertions are refused from now on, and every access token \
                   it minted stops working at once. Any request body is ignored.",
    responses(
        (status = 204, description = "The trust and its access tokens were deleted."),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not change the federation trust, or the request was sent by a page of another site.",
            body = UnleashError<'static>),
        (status = 404, description = "The scope has no federation trust.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn delete_trust(
    State(state): State<AdminState>,
    parts: Parts,
) -> Result<StatusCode, AdminError> {
    let grant = state.authenticate(&parts, AdminAction::ChangeFederationTrust).await?;
    if state.service.delete_federation_trust(&grant.scope, &grant.actor).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::TrustNotFound)
    }
}

/// Sets which credentials the scope accepts.
#[utoipa::path(
    put,
    path = OAUTH_MODE_PATH,
    operation_id = "set-scim-auth-mode",
    tag = "SCIM OAuth",
    security(("adminToken" = [])),
    description = "Sets which credentials the SCIM guard accepts for the scope: `any` (static tokens and OAuth \
                   access tokens), `static` (static tokens only; the token endpoint refuses the client) or \
                   `oauth` (access tokens only, as Microsoft Entra's app gallery requires).",
    request_body = SetAuthModeBody,
    responses(
        (status = 204, description = "The mode was saved."),
        (status = 400, description = "The body is not `{\"mode\": \"any\" | \"static\" | \"oauth\"}`.", body = UnleashError<'static>),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not change the mode, or the request was sent by a page of another site.",
            body = UnleashError<'static>),
        (status = 404, description = "The requested resource was not found.", body = UnleashError<'static>),
        (status = 413, description = "The body is larger than 8 KiB.", body = UnleashError<'static>),
        (status = 415, description = "The body is not sent as `application/json`.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn set_mode(
    State(state): State<AdminState>,
    request: Request,
) -> Result<StatusCode, AdminError> {
    let (parts, body) = request.into_parts();
    let grant = state.authenticate(&parts, AdminAction::ChangeAuthMode).await?;
    let Some(body) =
        read_json::<SetAuthModeBody>(Request::from_parts(parts, body), &MODE_BODY, false).await?
    else {
        return Err(AdminError::BadData(MODE_BODY.wrong_shape));
    };
    state.service.set_auth_mode(&grant.scope, body.mode.into(), &grant.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The JSON body, read within the route's body limit after authentication. An empty body is `None`
/// when `optional` (whatever its `Content-Type`), else refused like malformed JSON.
async fn read_json<T: DeserializeOwned>(
    request: Request,
    messages: &BodyMessages,
    optional: bool,
) -> Result<Option<T>, AdminError> {
    let json = is_json(request.headers());
    // The request itself, not its body alone: it carries the route's body limit.
    let bytes = Bytes::from_request(request, &()).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AdminError::TooLarge(messages.too_large)
        } else {
            AdminError::BadData(messages.unreadable)
        }
    })?;
    if bytes.is_empty() && optional {
        return Ok(None);
    }
    if !json {
        return Err(AdminError::ContentType(messages.content_type));
    }
    match Json::<T>::from_bytes(&bytes) {
        Ok(Json(value)) => Ok(Some(value)),
        Err(rejection) => Err(AdminError::from_json(rejection, messages)),
    }
}

/// Whether the `Content-Type` is JSON (`application/json` or `application/…+json`, any parameters).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// An administrator's view of the client should not be kept by shared caches.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
