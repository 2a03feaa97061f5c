//! Every path the adapter serves, in one place: the routes, the OpenAPI document, their documentation
//! and the tests all read them from here.
//!
//! The SCIM routes are the host's own (see [`guarded_scim_api`](crate::guarded_scim_api)), so they have
//! no constant here.

/// `POST`: generates a new SCIM token, invalidating the previous one.
pub const GENERATE_TOKEN_PATH: &str = "/api/admin/scim-settings/generate-new-token";
/// `GET` reads and `POST` changes whether SCIM provisioning is enabled.
pub const SETTINGS_PATH: &str = "/api/admin/scim-settings";
/// `GET` lists the tokens' metadata; `DELETE` revokes every token of the scope.
pub const TOKENS_PATH: &str = "/api/admin/scim-settings/tokens";
/// `DELETE` revokes one token, named by its public id.
pub const TOKEN_PATH: &str = "/api/admin/scim-settings/tokens/{id}";
/// `GET` reads the scope's OAuth client (client id, URLs, secrets' metadata, federation trust, mode).
pub const OAUTH_SETTINGS_PATH: &str = "/api/admin/scim-settings/oauth";
/// `POST` creates a client secret, shown once.
pub const OAUTH_SECRETS_PATH: &str = "/api/admin/scim-settings/oauth/secrets";
/// `DELETE` deletes one client secret, named by its public id, and the access tokens it minted.
pub const OAUTH_SECRET_PATH: &str = "/api/admin/scim-settings/oauth/secrets/{id}";
/// `PUT` sets and `DELETE` removes the scope's workload identity federation trust.
pub const OAUTH_FEDERATION_PATH: &str = "/api/admin/scim-settings/oauth/federation";
/// `PUT` sets which credentials the scope accepts: static tokens, OAuth access tokens, or both.
pub const OAUTH_MODE_PATH: &str = "/api/admin/scim-settings/oauth/mode";
/// `POST`: the OAuth 2.0 token endpoint (RFC 6749 §4.4, client credentials), served by
/// [`OAuthRoutes`](crate::OAuthRoutes) for identity providers.
pub const TOKEN_ENDPOINT_PATH: &str = "/oauth2/token";
/// `GET`: the authorization server metadata (RFC 8414 §3), served by [`OAuthRoutes`](crate::OAuthRoutes)
/// when the host names its [issuer](crate::OAuthRoutes::with_issuer).
pub const OAUTH_METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
/// `GET`: the OpenAPI document, when [`AdminRoutes::with_openapi_route`](crate::AdminRoutes::with_openapi_route)
/// is on.
pub const OPENAPI_PATH: &str = "/api/openapi.json";
/// `GET`: the admin page, when [`AdminRoutes::with_admin_page`](crate::AdminRoutes::with_admin_page) is
/// on. Its script and style sheet are served beside it, under `/admin/scim/`.
pub const ADMIN_PAGE_PATH: &str = "/admin/scim";

/// Where the admin page's script is served, relative to which the page names it (`scim/app.js`).
pub(crate) const ADMIN_PAGE_SCRIPT_PATH: &str = "/admin/scim/app.js";
/// Where the admin page's style sheet is served.
pub(crate) const ADMIN_PAGE_STYLE_PATH: &str = "/admin/scim/app.css";
