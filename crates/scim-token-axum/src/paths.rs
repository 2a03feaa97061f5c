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
