//! The admin routes (Unleash's `scim-settings` API) and the router builder the host merges.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use scim_token_core::ScimTokenService;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::admin_auth::{AdminAction, AdminAuthenticator, AdminGrant};
use crate::error::{AdminError, UnleashError};

/// `POST`: generates a new SCIM token, invalidating the previous one.
pub const GENERATE_TOKEN_PATH: &str = "/api/admin/scim-settings/generate-new-token";
/// `GET` reads and `POST` changes whether SCIM provisioning is enabled.
pub const SETTINGS_PATH: &str = "/api/admin/scim-settings";
/// `GET`: the OpenAPI document, when [`AdminRoutes::with_openapi_route`] is on.
pub const OPENAPI_PATH: &str = "/api/openapi.json";

/// The largest settings body read. `{"enabled": false}` is 18 bytes; anything near this is not a client
/// of this API, and the bound means a huge body is refused (413) after at most this much is read.
pub const SETTINGS_BODY_LIMIT: usize = 1024;

/// Builds the admin routes for a host to merge into its own [`Router`].
///
/// | route | answer |
/// |---|---|
/// | `POST /api/admin/scim-settings/generate-new-token` | 200 `{"token": "…"}`, `Cache-Control: no-store` |
/// | `GET /api/admin/scim-settings` | 200 `{"enabled": bool, "hasToken": bool}` |
/// | `POST /api/admin/scim-settings` with `{"enabled": bool}` | 200, no body |
/// | `GET /api/openapi.json` (opt-in, unauthenticated) | the [`openapi`](crate::openapi) document |
///
/// Every admin route asks the [`AdminAuthenticator`] first (401/403/404/503), and only then reads
/// input. Other methods on these paths answer 405; other paths are left to the host's fallback.
///
/// Input rules: generate ignores any request body without reading it (so a huge one is never
/// buffered). The settings body must be `application/json` (else 415), at most
/// [`SETTINGS_BODY_LIMIT`] bytes (else 413) and an object with a boolean `enabled` (else 400); unknown
/// fields are ignored, so a client that sends more settings than this version knows still works.
/// Store failures are a generic 500 naming an error id (the cause is logged), saturated hashing a 503
/// with `Retry-After`; in both cases nothing changed and the current token still works.
///
/// ```
/// use axum::Router;
/// use scim_token_axum::{AdminAccess, AdminRoutes, StaticAdminTokens};
/// use scim_token_core::{Actor, ScimTokenService};
/// # fn demo(store: impl scim_token_core::TokenStore) -> Result<(), Box<dyn std::error::Error>> {
///
/// let service = ScimTokenService::builder(store).build()?;
/// let admins = StaticAdminTokens::new()
///     .with_token("*:*.replace-me", Actor::new("admin")?, AdminAccess::ReadWrite)?;
///
/// #[derive(Clone)]
/// struct HostState;
/// let app: Router<HostState> = Router::new()
///     // .route("/your/own", …)
///     .merge(AdminRoutes::new(service, admins).with_openapi_route().into_router());
/// let app: Router = app.with_state(HostState);
/// # Ok(()) }
/// ```
#[must_use = "call into_router() and merge the result into your Router"]
pub struct AdminRoutes {
    state: AdminState,
    openapi_route: bool,
}

#[derive(Clone)]
pub(crate) struct AdminState {
    service: ScimTokenService,
    authenticator: Arc<dyn AdminAuthenticator>,
}

impl AdminRoutes {
    /// The admin routes over `service`, guarded by `authenticator`.
    pub fn new(service: ScimTokenService, authenticator: impl AdminAuthenticator) -> Self {
        Self { state: AdminState { service, authenticator: Arc::new(authenticator) }, openapi_route: false }
    }

    /// Also serves the OpenAPI document at [`OPENAPI_PATH`], without authentication (it describes the
    /// API and holds no data). Off by default, as a host may publish its own merged document instead.
    pub fn with_openapi_route(mut self) -> Self {
        self.openapi_route = true;
        self
    }

    /// The routes, ready to [`merge`](Router::merge) into a router of any state `S`. No fallback is set,
    /// so unknown paths reach the host's.
    pub fn into_router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        let mut router = Router::new().route(GENERATE_TOKEN_PATH, post(generate_new_token)).route(
            SETTINGS_PATH,
            get(get_settings).post(set_settings).layer(DefaultBodyLimit::max(SETTINGS_BODY_LIMIT)),
        );
        if self.openapi_route {
            // Serialised once: the document is fixed for the life of the router.
            let document = Bytes::from(crate::openapi::openapi_json());
            router = router.route(
                OPENAPI_PATH,
                get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }),
            );
        }
        router.with_state(self.state)
    }
}

impl std::fmt::Debug for AdminRoutes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminRoutes")
            .field("service", &self.state.service)
            .field("openapi_route", &self.openapi_route)
            .finish_non_exhaustive()
    }
}

impl AdminState {
    async fn authenticate(&self, parts: &Parts, action: AdminAction) -> Result<AdminGrant, AdminError> {
        Ok(self.authenticator.authenticate(parts, action).await?)
    }
}

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
    params(("Authorization" = String, Header, description = "An admin API token, raw or after `Bearer `.")),
    responses(
        (status = 200, description = "The new token. It is shown once and cannot be read again.",
            body = ScimTokenBody),
        (status = 401, description = "Authorization information is missing or invalid. Provide a valid API token as the `authorization` header, e.g. `authorization:*.*.my-admin-token`.",
            body = UnleashError),
        (status = 403, description = "The provided user credentials are valid, but the user does not have the necessary permissions to perform this operation",
            body = UnleashError),
        (status = 404, description = "The requested resource was not found.", body = UnleashError),
        (status = 503, description = "Too many token operations at once; retry after `Retry-After` seconds.",
            body = UnleashError),
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
    params(("Authorization" = String, Header, description = "An admin API token, raw or after `Bearer `.")),
    responses(
        (status = 200, description = "The SCIM settings.", body = ScimSettingsBody),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError),
        (status = 403, description = "The credentials may not read the SCIM settings.", body = UnleashError),
        (status = 404, description = "The requested resource was not found.", body = UnleashError),
    )
)]
pub(crate) async fn get_settings(
    State(state): State<AdminState>,
    parts: Parts,
) -> Result<Json<ScimSettingsBody>, AdminError> {
    let grant = state.authenticate(&parts, AdminAction::ReadSettings).await?;
    let status = state.service.status(&grant.scope).await?;
    Ok(Json(ScimSettingsBody { enabled: status.enabled, has_token: status.has_token }))
}

/// Enables or disables SCIM provisioning.
#[utoipa::path(
    post,
    path = SETTINGS_PATH,
    operation_id = "update-scim-settings",
    tag = "SCIM",
    params(("Authorization" = String, Header, description = "An admin API token, raw or after `Bearer `.")),
    request_body = UpdateScimSettingsBody,
    responses(
        (status = 200, description = "The setting was saved. No body."),
        (status = 400, description = "The body is not `{\"enabled\": bool}`.", body = UnleashError),
        (status = 401, description = "Authorization information is missing or invalid.", body = UnleashError),
        (status = 403, description = "The credentials may not change the SCIM settings.",
            body = UnleashError),
        (status = 404, description = "The requested resource was not found.", body = UnleashError),
        (status = 413, description = "The body is larger than 1 KiB.", body = UnleashError),
        (status = 415, description = "The body is not sent as `application/json`.", body = UnleashError),
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
