//! Unleash's `scim-settings` API: read and change whether SCIM provisioning is enabled, and generate a
//! new token.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::admin::auth::AdminAction;
use crate::admin::error::{AdminError, UnleashError};
use crate::admin::overlap_body::OverlapBody;
use crate::admin::state::AdminState;
use crate::paths::{GENERATE_TOKEN_PATH, SETTINGS_PATH};

/// A newly generated SCIM token.
#[derive(Serialize, ToSchema)]
#[schema(as = scimTokenSchema)]
pub(crate) struct ScimTokenBody<'a> {
    /// The token used for SCIM API authentication. Can be revoked at a later stage by generating a new one.
    token: &'a str,
}

/// Whether SCIM provisioning is enabled, and whether a token exists.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = scimSettingsSchema)]
pub(crate) struct ScimSettingsBody {
    /// Whether SCIM provisioning is enabled: while it is not, every SCIM token is refused.
    enabled: bool,
    /// Whether a current, unexpired SCIM token exists. The token itself is never shown again.
    has_token: bool,
    /// Where an overlap until first use stands (not part of Unleash's API): present only on a server
    /// that ends the overlap on the new token's first use, and only while the previous token still
    /// works (`waiting`) or once the new token was used (`switched`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    overlap: Option<OverlapBody>,
}

/// The new SCIM setting. Unknown fields are ignored.
#[derive(Deserialize, ToSchema)]
#[schema(as = updateScimSettingsSchema)]
pub(crate) struct UpdateScimSettingsBody {
    /// Enables or disables SCIM provisioning. Disabling keeps the token; it works again once re-enabled.
    enabled: bool,
}

/// Generates a new SCIM API token. Previously generated tokens will be invalidated.
///
/// Any request body is ignored and never read.
#[utoipa::path(
    post,
    path = GENERATE_TOKEN_PATH,
    operation_id = "generate-new-token",
    tag = "SCIM",
    summary = "Generates a new SCIM API token.",
    description = "Generates a new SCIM API token. Previously generated tokens will be invalidated. The \
                   token is shown once. Any request body is ignored and never read.",
    security(("adminToken" = [])),
    responses(
        (status = 200, description = "The new token. It is shown once and cannot be read again.",
            body = ScimTokenBody<'static>,
            links(("listTokens" = (
                operation_id = "list-scim-tokens",
                description = "Lists the new token's metadata (its id, creation time and author)."
            )))),
        (status = 401, description = "Authorization information is missing or invalid. Provide a valid API token as the `authorization` header, e.g. `authorization:*:*.my-admin-token`.",
            body = UnleashError<'static>),
        (status = 403, description = "The provided user credentials are valid, but the user does not have the necessary permissions to perform this operation (or the request was sent by a page of another site, when cross-site protection is on).",
            body = UnleashError<'static>),
        (status = 404, description = "The requested resource was not found.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn generate_new_token(
    State(state): State<AdminState>,
    parts: Parts,
) -> Result<Response, AdminError> {
    let grant = state.authenticate(&parts, AdminAction::GenerateToken).await?;
    let token = state.service.generate(&grant.scope, &grant.actor).await?;
    let mut response = Json(ScimTokenBody { token: token.expose_secret() }).into_response();
    // The secret must not linger in a browser, proxy or CDN cache.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// Reads whether SCIM provisioning is enabled and whether a token exists.
#[utoipa::path(
    get,
    path = SETTINGS_PATH,
    operation_id = "get-scim-settings",
    tag = "SCIM",
    security(("adminToken" = [])),
    responses(
        (status = 200, description = "The SCIM settings.", body = ScimSettingsBody),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not read the SCIM settings.", body = UnleashError<'static>),
        (status = 404, description = "The requested resource was not found.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn get_settings(
    State(state): State<AdminState>,
    parts: Parts,
) -> Result<Json<ScimSettingsBody>, AdminError> {
    let grant = state.authenticate(&parts, AdminAction::ReadSettings).await?;
    let status = state.service.status(&grant.scope).await?;
    Ok(Json(ScimSettingsBody {
        enabled: status.enabled,
        has_token: status.has_token,
        overlap: status.switch.and_then(OverlapBody::of),
    }))
}

/// Enables or disables SCIM provisioning.
#[utoipa::path(
    post,
    path = SETTINGS_PATH,
    operation_id = "update-scim-settings",
    tag = "SCIM",
    security(("adminToken" = [])),
    request_body = UpdateScimSettingsBody,
    responses(
        (status = 200, description = "The setting was saved. No body."),
        (status = 400, description = "The body is not `{\"enabled\": bool}`.", body = UnleashError<'static>),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not change the SCIM settings, or the request was sent by a page of another site.",
            body = UnleashError<'static>),
        (status = 404, description = "The requested resource was not found.", body = UnleashError<'static>),
        (status = 413, description = "The body is larger than 1 KiB.", body = UnleashError<'static>),
        (status = 415, description = "The body is not sent as `application/json`.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn set_settings(
    State(state): State<AdminState>,
    request: Request,
) -> Result<StatusCode, AdminError> {
    let (parts, body) = request.into_parts();
    // Authenticate before reading the body: strangers learn nothing about what input would be valid.
    let grant = state.authenticate(&parts, AdminAction::ChangeSettings).await?;
    let Json(update) =
        Json::<UpdateScimSettingsBody>::from_request(Request::from_parts(parts, body), &()).await?;
    state.service.set_enabled(&grant.scope, update.enabled, &grant.actor).await?;
    Ok(StatusCode::OK)
}
