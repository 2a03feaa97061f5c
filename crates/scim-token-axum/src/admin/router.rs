//! The builder a host turns into the admin [`Router`]: it wires the route modules to their paths and
//! the state they share, and adds the opt-in OpenAPI route and admin page.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::routing::{delete, get, post, put};
use scim_token_core::ScimTokenService;

use crate::admin::auth::AdminAuthenticator;
use crate::admin::cross_site::CrossSitePolicy;
use crate::admin::state::{AdminState, PublicUrls};
use crate::admin::{oauth_routes, openapi, page, settings_routes, token_routes};
use crate::limits::{OAUTH_ADMIN_BODY_LIMIT, SETTINGS_BODY_LIMIT};
use crate::paths::{
    GENERATE_TOKEN_PATH, OAUTH_FEDERATION_PATH, OAUTH_MODE_PATH, OAUTH_SECRET_PATH, OAUTH_SECRETS_PATH,
    OAUTH_SETTINGS_PATH, OPENAPI_PATH, SETTINGS_PATH, TOKEN_ENDPOINT_PATH, TOKEN_PATH, TOKENS_PATH,
};
use crate::public_url;

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
/// | `GET /api/admin/scim-settings/oauth` | 200, the OAuth client: client id, token endpoint and SCIM base URLs ([`with_public_urls`](Self::with_public_urls)), mode, secrets' metadata, federation trust |
/// | `POST /api/admin/scim-settings/oauth/secrets` with optional `{"expiresInDays": N}` | 201 `{"clientId", "clientSecret", "secretId", "expiresAt"}` once, `Cache-Control: no-store`; 400 days out of range; 409 past the secret limit |
/// | `DELETE /api/admin/scim-settings/oauth/secrets/{id}` | 204: the secret and its access tokens stop working; 404 if no such secret |
/// | `PUT /api/admin/scim-settings/oauth/federation` with `{"issuer", "jwksUrl", "subject", "audience", "tenantId"}` | 200, the trust as saved; 400 if a value is refused |
/// | `DELETE /api/admin/scim-settings/oauth/federation` | 204; 404 if none is set |
/// | `PUT /api/admin/scim-settings/oauth/mode` with `{"mode": "any" \| "static" \| "oauth"}` | 204 |
/// | `GET /api/openapi.json` (opt-in, unauthenticated) | the [`openapi`](crate::openapi) document |
/// | `GET /admin/scim` (opt-in, unauthenticated) | the [admin page](Self::with_admin_page) |
///
/// Every admin route asks the [`AdminAuthenticator`] first (401/403/404/503), and only then reads
/// input. Other methods on these paths answer 405; other paths are left to the host's fallback.
///
/// Input rules: generate and the `DELETE`s ignore any request body without reading it (so a huge one
/// is never buffered). The settings body must be `application/json` (else 415), at most
/// [`SETTINGS_BODY_LIMIT`] bytes (else 413) and an object with a boolean `enabled` (else 400); unknown
/// fields are ignored, so a client that sends more settings than this version knows still works. The
/// OAuth bodies follow the same rules, with [`OAUTH_ADMIN_BODY_LIMIT`] bytes; the secret's body is
/// optional (none: the default expiry).
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
    public_urls: Option<PublicUrls>,
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
            public_urls: None,
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
    /// routes above. Its "OAuth (Microsoft Entra)" section shows, each with a copy button, the client
    /// ID, the token endpoint and SCIM base URLs (with [`with_public_urls`](Self::with_public_urls); the
    /// SCIM base URL also beside the static token), a client secret once after it is generated, the
    /// secrets with their expiry, the federation trust form and the accepted credentials. The section
    /// shows whether or not the host serves [`OAuthRoutes`](crate::OAuthRoutes): a host that does not
    /// should leave the public URLs out, so no token endpoint is named.
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

    /// Names the server's public URLs, so that the OAuth settings (and the admin page) can give an
    /// identity provider the values its form asks for: the token endpoint URL
    /// (`{base_url}/oauth2/token`, where [`OAuthRoutes`](crate::OAuthRoutes) serves it) and the SCIM
    /// base URL (`{base_url}{scim_base_path}`: Okta's "SCIM connector base URL", Entra's "Tenant URL").
    /// `{scope}` in `scim_base_path` stands for the admin's scope, for per-tenant SCIM URLs (e.g.
    /// `/scim/v2/{scope}`). Without this, nothing is derived from the request (a `Host` header can be
    /// forged) and those values are `null`.
    ///
    /// Fails if `base_url` is not an `https://` (or, for a local trial, `http://`) URL with a host and
    /// without query or fragment, or `scim_base_path` does not start with `/` or holds whitespace, `?`
    /// or `#`. A trailing `/` is removed from both.
    pub fn with_public_urls(
        mut self,
        base_url: &str,
        scim_base_path: &str,
    ) -> Result<Self, scim_token_core::Error> {
        let base = public_url::base_url("public base URL", base_url)?;
        let path = scim_base_path.trim().trim_end_matches('/');
        if !path.starts_with('/')
            || path.contains(|c: char| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
        {
            return Err(scim_token_core::Error::InvalidInput {
                what: "SCIM base path",
                reason: "it must start with / and hold no whitespace, query or fragment",
            });
        }
        self.public_urls = Some(PublicUrls {
            token_endpoint: format!("{base}{TOKEN_ENDPOINT_PATH}"),
            scim_base_url: format!("{base}{path}"),
        });
        Ok(self)
    }

    /// The routes, ready to [`merge`](Router::merge) into a router of any state `S`. No fallback is set,
    /// so unknown paths reach the host's.
    pub fn into_router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        let cross_site_on = self.cross_site_protection.unwrap_or(self.admin_page);
        let cross_site = cross_site_on.then_some(self.cross_site_policy);
        let state = AdminState::new(self.service, self.authenticator, cross_site, self.public_urls);
        let mut router = Router::new()
            .route(GENERATE_TOKEN_PATH, post(settings_routes::generate_new_token))
            .route(
                SETTINGS_PATH,
                get(settings_routes::get_settings)
                    .post(settings_routes::set_settings)
                    .layer(DefaultBodyLimit::max(SETTINGS_BODY_LIMIT)),
            )
            .route(TOKENS_PATH, get(token_routes::list_tokens).delete(token_routes::revoke_all_tokens))
            .route(TOKEN_PATH, delete(token_routes::revoke_token))
            .route(OAUTH_SETTINGS_PATH, get(oauth_routes::get_oauth))
            .route(
                OAUTH_SECRETS_PATH,
                post(oauth_routes::create_secret).layer(DefaultBodyLimit::max(OAUTH_ADMIN_BODY_LIMIT)),
            )
            .route(OAUTH_SECRET_PATH, delete(oauth_routes::delete_secret))
            .route(
                OAUTH_FEDERATION_PATH,
                put(oauth_routes::set_trust)
                    .delete(oauth_routes::delete_trust)
                    .layer(DefaultBodyLimit::max(OAUTH_ADMIN_BODY_LIMIT)),
            )
            .route(
                OAUTH_MODE_PATH,
                put(oauth_routes::set_mode).layer(DefaultBodyLimit::max(OAUTH_ADMIN_BODY_LIMIT)),
            );
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
