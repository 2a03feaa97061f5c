//! The admin routes (Unleash's `scim-settings` API) and the router builder the host merges.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use scim_token_core::ScimTokenService;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::admin_auth::{AdminAction, AdminAuthenticator, AdminGrant, AdminRejection};
use crate::cross_site::CrossSitePolicy;
use crate::error::{AdminError, UnleashError};
use crate::overlap_body::OverlapBody;
use crate::token_routes;

/// `POST`: generates a new SCIM token, invalidating the previous one.
pub const GENERATE_TOKEN_PATH: &str = "/api/admin/scim-settings/generate-new-token";
/// `GET` reads and `POST` changes whether SCIM provisioning is enabled.
pub const SETTINGS_PATH: &str = "/api/admin/scim-settings";
/// `GET` lists the tokens' metadata; `DELETE` revokes every token of the scope.
pub const TOKENS_PATH: &str = "/api/admin/scim-settings/tokens";
/// `DELETE` revokes one token, named by its public id.
pub const TOKEN_PATH: &str = "/api/admin/scim-settings/tokens/{id}";
/// `GET`: the OpenAPI document, when [`AdminRoutes::with_openapi_route`] is on.
pub const OPENAPI_PATH: &str = "/api/openapi.json";
/// `GET`: the admin page, when [`AdminRoutes::with_admin_page`] is on.
pub const ADMIN_PAGE_PATH: &str = "/admin/scim";

/// The largest settings body read. `{"enabled": false}` is 18 bytes; anything near this is not a client
/// of this API, and the bound means a huge body is refused (413) after at most this much is read.
pub const SETTINGS_BODY_LIMIT: usize = 1024;

/// Builds the admin routes for a host to merge into its own [`Router`].
///
/// | route | answer |
/// |---|---|
/// | `POST /api/admin/scim-settings/generate-new-token` | 200 `{"token": "…"}`, `Cache-Control: no-store` |
/// | `GET /api/admin/scim-settings` | 200 `{"enabled": bool, "hasToken": bool}`, plus `overlap` during an overlap until first use |
/// | `POST /api/admin/scim-settings` with `{"enabled": bool}` | 200, no body |
/// | `GET /api/admin/scim-settings/tokens` | 200, the tokens' metadata (never a secret or a hash) |
/// | `DELETE /api/admin/scim-settings/tokens/{id}` | 204: that token stops working; 404 if no such token |
/// | `DELETE /api/admin/scim-settings/tokens` | 204: every token of the scope stops working |
/// | `GET /api/openapi.json` (opt-in, unauthenticated) | the [`openapi`](crate::openapi) document |
/// | `GET /admin/scim` (opt-in, unauthenticated) | the [admin page](Self::with_admin_page) |
///
/// Every admin route asks the [`AdminAuthenticator`] first (401/403/404/503), and only then reads
/// input. Other methods on these paths answer 405; other paths are left to the host's fallback.
///
/// Input rules: generate and the `DELETE`s ignore any request body without reading it (so a huge one
/// is never buffered). The settings body must be `application/json` (else 415), at most
/// [`SETTINGS_BODY_LIMIT`] bytes (else 413) and an object with a boolean `enabled` (else 400); unknown
/// fields are ignored, so a client that sends more settings than this version knows still works.
/// Store failures are a generic 500 naming an error id (the cause is logged), saturated hashing or an
/// unreachable store a 503 with `Retry-After`; in every case nothing changed.
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
///     .merge(AdminRoutes::new(service, admins).with_openapi_route().with_admin_page().into_router());
/// let app: Router = app.with_state(HostState);
/// # Ok(()) }
/// ```
#[must_use = "call into_router() and merge the result into your Router"]
pub struct AdminRoutes {
    service: ScimTokenService,
    authenticator: Arc<dyn AdminAuthenticator>,
    openapi_route: bool,
    admin_page: bool,
    cross_site_protection: Option<bool>,
    cross_site_policy: CrossSitePolicy,
}

/// What every admin handler shares.
#[derive(Clone)]
pub(crate) struct AdminState {
    pub(crate) service: ScimTokenService,
    authenticator: Arc<dyn AdminAuthenticator>,
    /// `None` when cross-site protection is off.
    cross_site: Option<Arc<CrossSitePolicy>>,
}

impl AdminRoutes {
    /// The admin routes over `service`, guarded by `authenticator`.
    pub fn new(service: ScimTokenService, authenticator: impl AdminAuthenticator) -> Self {
        Self {
            service,
            authenticator: Arc::new(authenticator),
            openapi_route: false,
            admin_page: false,
            cross_site_protection: None,
            cross_site_policy: CrossSitePolicy::default(),
        }
    }

    /// Also serves the OpenAPI document at [`OPENAPI_PATH`], without authentication (it describes the
    /// API and holds no data). Off by default, as a host may publish its own merged document instead.
    pub fn with_openapi_route(mut self) -> Self {
        self.openapi_route = true;
        self
    }

    /// Also serves the admin page at [`ADMIN_PAGE_PATH`]: one self-contained page (HTML, CSS and script
    /// compiled into this crate, nothing fetched from elsewhere) to enable SCIM provisioning, generate,
    /// copy, list and revoke tokens, calling the JSON routes above.
    ///
    /// The page holds no data and needs no authentication to load; every call it makes goes through the
    /// [`AdminAuthenticator`] like any other. With cookie sessions it sends the browser's cookies
    /// (same origin only); otherwise it asks for the admin credential and keeps it in the tab's memory
    /// only. It is served with a strict `Content-Security-Policy` (no inline script, no framing).
    ///
    /// Serving the page turns [cross-site protection](Self::with_cross_site_protection) on unless the
    /// host turned it off explicitly.
    pub fn with_admin_page(mut self) -> Self {
        self.admin_page = true;
        self
    }

    /// Refuses (403, nothing changed) every state-changing admin request (`POST`, `DELETE`) that a
    /// browser labels `Sec-Fetch-Site: cross-site`, or whose `Origin` header is neither this host's (as
    /// named by the request's `Host`) nor a [trusted origin](Self::with_trusted_origin). Requests with
    /// neither header (scripts, `curl`, server-side clients) are not affected, nor are reads.
    ///
    /// This stops a page on another site from making an administrator's browser rotate or revoke the
    /// token with its cookies. On by default when the [admin page](Self::with_admin_page) is served,
    /// off otherwise; `false` turns it off even then (e.g. when a browser application on another origin
    /// calls this API with CORS, and the host's own CSRF defence covers it).
    pub fn with_cross_site_protection(mut self, on: bool) -> Self {
        self.cross_site_protection = Some(on);
        self
    }

    /// Accepts state-changing requests whose `Origin` is `origin` (e.g. `https://admin.example.com`),
    /// for hosts behind a proxy that rewrites the `Host` header. Fails if `origin` is not an `http` or
    /// `https` origin without a path.
    pub fn with_trusted_origin(mut self, origin: &str) -> Result<Self, scim_token_core::Error> {
        self.cross_site_policy.trust(origin)?;
        Ok(self)
    }

    /// The routes, ready to [`merge`](Router::merge) into a router of any state `S`. No fallback is set,
    /// so unknown paths reach the host's.
    pub fn into_router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        let cross_site_on = self.cross_site_protection.unwrap_or(self.admin_page);
        let state = AdminState {
            service: self.service,
            authenticator: self.authenticator,
            cross_site: cross_site_on.then(|| Arc::new(self.cross_site_policy)),
        };
        let mut router = Router::new()
            .route(GENERATE_TOKEN_PATH, post(generate_new_token))
            .route(
                SETTINGS_PATH,
                get(get_settings).post(set_settings).layer(DefaultBodyLimit::max(SETTINGS_BODY_LIMIT)),
            )
            .route(TOKENS_PATH, get(token_routes::list_tokens).delete(token_routes::revoke_all_tokens))
            .route(TOKEN_PATH, delete(token_routes::revoke_token));
        if self.openapi_route {
            // Serialised once: the document is fixed for the life of the router.
            let document = Bytes::from(crate::openapi::openapi_json());
            router = router.route(
                OPENAPI_PATH,
                get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }),
            );
        }
        let router = router.with_state(state);
        if self.admin_page { router.merge(crate::admin_page::routes()) } else { router }
    }
}

impl std::fmt::Debug for AdminRoutes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminRoutes")
            .field("service", &self.service)
            .field("openapi_route", &self.openapi_route)
            .field("admin_page", &self.admin_page)
            .field("cross_site_protection", &self.cross_site_protection)
            .finish_non_exhaustive()
    }
}

impl AdminState {
    /// Checks where a write comes from (when cross-site protection is on), then who asks.
    pub(crate) async fn authenticate(
        &self,
        parts: &Parts,
        action: AdminAction,
    ) -> Result<AdminGrant, AdminError> {
        if action.is_write()
            && let Some(policy) = &self.cross_site
            && !policy.allows(parts)
        {
            return Err(AdminError::CrossSite);
        }
        match self.authenticator.authenticate(parts, action).await {
            Ok(grant) => Ok(grant),
            Err(AdminRejection::Unauthenticated) => {
                Err(AdminError::Unauthenticated(self.authenticator.unauthenticated_message()))
            }
            Err(rejection) => Err(rejection.into()),
        }
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
