//! The builder a host turns into the admin [`Router`]: it wires the route modules to their paths and
//! the state they share, and adds the opt-in OpenAPI route and admin page.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::routing::{delete, get, post};
use scim_token_core::ScimTokenService;

use crate::admin::auth::AdminAuthenticator;
use crate::admin::cross_site::CrossSitePolicy;
use crate::admin::state::AdminState;
use crate::admin::{openapi, page, settings_routes, token_routes};
use crate::limits::SETTINGS_BODY_LIMIT;
use crate::paths::{GENERATE_TOKEN_PATH, OPENAPI_PATH, SETTINGS_PATH, TOKEN_PATH, TOKENS_PATH};

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

    /// Also serves the admin page at [`ADMIN_PAGE_PATH`](crate::paths::ADMIN_PAGE_PATH): one
    /// self-contained page (HTML, CSS and script compiled into this crate, nothing fetched from
    /// elsewhere) to enable SCIM provisioning, generate, copy, list and revoke tokens, calling the JSON
    /// routes above.
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
        let cross_site = cross_site_on.then_some(self.cross_site_policy);
        let state = AdminState::new(self.service, self.authenticator, cross_site);
        let mut router = Router::new()
            .route(GENERATE_TOKEN_PATH, post(settings_routes::generate_new_token))
            .route(
                SETTINGS_PATH,
                get(settings_routes::get_settings)
                    .post(settings_routes::set_settings)
                    .layer(DefaultBodyLimit::max(SETTINGS_BODY_LIMIT)),
            )
            .route(TOKENS_PATH, get(token_routes::list_tokens).delete(token_routes::revoke_all_tokens))
            .route(TOKEN_PATH, delete(token_routes::revoke_token));
        if self.openapi_route {
            // Serialised once: the document is fixed for the life of the router.
            let document = Bytes::from(openapi::openapi_json());
            router = router.route(
                OPENAPI_PATH,
                get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }),
            );
        }
        let router = router.with_state(state);
        if self.admin_page { router.merge(page::routes()) } else { router }
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
