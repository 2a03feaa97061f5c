//! The token inventory: list the tokens' metadata, revoke one by id, revoke them all.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use scim_token_core::{ListedToken, Timestamp, TokenId};
use serde::Serialize;
use utoipa::ToSchema;

use crate::admin::auth::AdminAction;
use crate::admin::error::{AdminError, UnleashError};
use crate::admin::state::AdminState;
use crate::paths::{TOKEN_PATH, TOKENS_PATH};

/// Whether a token is the scope's current one or the one a rotation replaced.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = scimTokenRoleSchema)]
pub(crate) enum TokenRoleBody {
    /// The token generated last.
    Current,
    /// The token the last rotation replaced, still accepted until `validUntil` (an overlap window).
    Previous,
}

/// One SCIM token's metadata. Never a secret or a hash. Times are RFC 3339, in UTC.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = scimTokenInfoSchema)]
pub(crate) struct TokenInfoBody {
    /// The token's public id: the 16 characters after its prefix. Not a secret.
    #[schema(example = "Xk3r9QpL2mTz8aBc", pattern = "^[0-9A-Za-z]{16}$")]
    id: String,
    /// `current`, or `previous` while an overlap window keeps the replaced token.
    role: TokenRoleBody,
    /// When the token was generated.
    #[schema(format = DateTime)]
    created_at: String,
    /// Who generated it.
    created_by: String,
    /// When it was last accepted (recorded at most about once a minute), or `null` if never.
    #[schema(format = DateTime, required = true)]
    last_used_at: Option<String>,
    /// When it was first accepted (with an overlap until first use, when the identity provider switched
    /// to it), or `null` if never or unknown (a use before an upgrade that started recording it).
    #[schema(format = DateTime, required = true)]
    first_used_at: Option<String>,
    /// When it expires, or `null` if it never does.
    #[schema(format = DateTime, required = true)]
    expires_at: Option<String>,
    /// When it stops being accepted, as things stand: the end of the overlap window or the expiry,
    /// whichever comes first, or `null` for a current token that never expires. In the past for an
    /// expired current token, which is listed until it is replaced or revoked.
    #[schema(format = DateTime, required = true)]
    valid_until: Option<String>,
}

impl From<ListedToken<'_>> for TokenInfoBody {
    fn from(token: ListedToken<'_>) -> Self {
        let info = token.info;
        Self {
            id: info.id.as_str().to_owned(),
            role: if token.is_current { TokenRoleBody::Current } else { TokenRoleBody::Previous },
            created_at: info.created_at.to_rfc3339(),
            created_by: info.created_by.as_str().to_owned(),
            last_used_at: info.last_used_at.map(Timestamp::to_rfc3339),
            first_used_at: info.first_used_at.map(Timestamp::to_rfc3339),
            expires_at: info.expires_at.map(Timestamp::to_rfc3339),
            valid_until: token.valid_until.map(Timestamp::to_rfc3339),
        }
    }
}

/// Lists the scope's SCIM tokens: the current one and, during an overlap window, the previous one.
#[utoipa::path(
    get,
    path = TOKENS_PATH,
    operation_id = "list-scim-tokens",
    tag = "SCIM",
    security(("adminToken" = [])),
    description = "The metadata of the scope's SCIM tokens: the current one (first) and, while an overlap \
                   window keeps it, the previous one. An empty list when there is none. Never a secret or \
                   a hash.",
    responses(
        (status = 200, description = "The tokens, current first.", body = [TokenInfoBody],
            links(("revokeFirstToken" = (
                operation_id = "revoke-scim-token",
                parameters(("id" = "$response.body#/0/id")),
                description = "Revokes the first listed token (the current one)."
            )))),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not read the SCIM tokens.", body = UnleashError<'static>),
        (status = 404, description = "The requested resource was not found.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn list_tokens(
    State(state): State<AdminState>,
    parts: Parts,
) -> Result<Response, AdminError> {
    let grant = state.authenticate(&parts, AdminAction::ListTokens).await?;
    let status = state.service.status(&grant.scope).await?;
    let tokens: Vec<TokenInfoBody> = status.tokens().map(TokenInfoBody::from).collect();
    let mut response = Json(tokens).into_response();
    // Metadata only, but an administrator's view should not be kept by shared caches.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Revokes one SCIM token by its id.
#[utoipa::path(
    delete,
    path = TOKEN_PATH,
    operation_id = "revoke-scim-token",
    tag = "SCIM",
    security(("adminToken" = [])),
    description = "Revokes one SCIM token, current or previous (e.g. to end an overlap window early): it \
                   stops working at once. Revoking the current token leaves the scope without one \
                   (`hasToken` false) until a new one is generated. Any request body is ignored.",
    params(("id" = String, Path, description = "The token's public id, as listed by `GET /api/admin/scim-settings/tokens`.")),
    responses(
        (status = 204, description = "The token was revoked."),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not revoke SCIM tokens, or the request was sent by a page of another site.",
            body = UnleashError<'static>),
        (status = 404, description = "The scope has no token with this id (or SCIM provisioning is not available for this caller).",
            body = UnleashError<'static>),
    )
)]
pub(crate) async fn revoke_token(
    State(state): State<AdminState>,
    mut parts: Parts,
) -> Result<StatusCode, AdminError> {
    // Authenticate before looking at the path: strangers learn nothing about which ids exist.
    let grant = state.authenticate(&parts, AdminAction::RevokeToken).await?;
    // Any id that cannot be a token id (bad characters, bad percent-encoding) is a token that does not exist.
    let Ok(Path(id)) = Path::<String>::from_request_parts(&mut parts, &()).await else {
        return Err(AdminError::TokenNotFound);
    };
    let Ok(id) = TokenId::new(id) else {
        return Err(AdminError::TokenNotFound);
    };
    if state.service.revoke_token(&grant.scope, &id, &grant.actor).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::TokenNotFound)
    }
}

/// Revokes every SCIM token of the scope.
#[utoipa::path(
    delete,
    path = TOKENS_PATH,
    operation_id = "revoke-all-scim-tokens",
    tag = "SCIM",
    security(("adminToken" = [])),
    description = "Revokes every SCIM token of the scope: they stop working at once, and `hasToken` becomes \
                   false until a new token is generated. Succeeds when there is no token too. Any request \
                   body is ignored.",
    responses(
        (status = 204, description = "Every token was revoked."),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError<'static>),
        (status = 403, description = "The credentials may not revoke SCIM tokens, or the request was sent by a page of another site.",
            body = UnleashError<'static>),
        (status = 404, description = "The requested resource was not found.", body = UnleashError<'static>),
    )
)]
pub(crate) async fn revoke_all_tokens(
    State(state): State<AdminState>,
    parts: Parts,
) -> Result<StatusCode, AdminError> {
    let grant = state.authenticate(&parts, AdminAction::RevokeAllTokens).await?;
    state.service.revoke(&grant.scope, &grant.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
