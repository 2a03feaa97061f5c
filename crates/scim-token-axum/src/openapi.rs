//! The OpenAPI 3.1 description of the admin routes, generated from the handlers' annotations.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "scim-token admin API",
        description = "Manage the SCIM token an identity provider uses to provision users: read and change \
                       whether SCIM provisioning is enabled, and generate a new token (which invalidates the \
                       previous one)."
    ),
    paths(
        crate::admin_routes::generate_new_token,
        crate::admin_routes::get_settings,
        crate::admin_routes::set_settings
    ),
    tags((name = "SCIM", description = "SCIM provisioning settings and token"))
)]
struct AdminApi;

/// The OpenAPI 3.1 document of the admin routes, e.g. to [`merge`](utoipa::openapi::OpenApi::merge)
/// into the host's own. [`AdminRoutes::with_openapi_route`](crate::AdminRoutes::with_openapi_route)
/// serves it as JSON.
///
/// ```
/// let doc = scim_token_axum::openapi();
/// assert!(doc.paths.paths.contains_key("/api/admin/scim-settings/generate-new-token"));
/// ```
pub fn openapi() -> utoipa::openapi::OpenApi {
    AdminApi::openapi()
}

/// The document as JSON bytes.
pub(crate) fn openapi_json() -> Vec<u8> {
    // Serialising plain data to memory cannot fail; fall back to an empty object rather than panic.
    serde_json::to_vec(&openapi()).unwrap_or_else(|_| b"{}".to_vec())
}
