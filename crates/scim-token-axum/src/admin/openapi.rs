//! The OpenAPI 3.1 description of the admin routes and the OAuth token endpoint, generated from the
//! handlers' annotations, plus what every admin operation shares: its security scheme and the 405, 500
//! and 503 answers.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    Components, ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, Response, ResponseBuilder, Type,
};
use utoipa::{Modify, OpenApi};

// The document names the handlers (utoipa reads their annotations); they never import it back.
use crate::admin::{oauth_routes, settings_routes, token_routes};
use crate::oauth::{metadata, token_route};
use crate::paths::{OAUTH_METADATA_PATH, TOKEN_ENDPOINT_PATH};

/// The name of the admin credential's security scheme in the document.
pub const ADMIN_SECURITY_SCHEME: &str = "adminToken";
/// The name of the SCIM bearer token's security scheme, for the host's own SCIM paths.
pub const SCIM_SECURITY_SCHEME: &str = "scimBearer";
/// The name of the token endpoint's client authentication scheme (HTTP Basic with the client id and
/// secret; the secret may be sent in the body instead).
const OAUTH_CLIENT_SECURITY_SCHEME: &str = "oauthClient";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "scim-token admin API",
        description = "Manage the SCIM token an identity provider uses to provision users: read and change \
                       whether SCIM provisioning is enabled, generate a new token (which invalidates the \
                       previous one), list the tokens' metadata and revoke tokens, and manage the OAuth 2.0 client \
                       (client secrets, federation trust, accepted credentials). The `scimBearer` security \
                       scheme describes how the identity provider sends the token to the host's SCIM API."
    ),
    paths(
        settings_routes::generate_new_token,
        settings_routes::get_settings,
        settings_routes::set_settings,
        token_routes::list_tokens,
        token_routes::revoke_all_tokens,
        token_routes::revoke_token,
        oauth_routes::get_oauth,
        oauth_routes::create_secret,
        oauth_routes::delete_secret,
        oauth_routes::set_trust,
        oauth_routes::delete_trust,
        oauth_routes::set_mode,
        token_route::token,
        metadata::metadata
    ),
    modifiers(&Shared),
    tags(
        (name = "SCIM", description = "SCIM provisioning settings and token"),
        (name = "SCIM OAuth", description = "The OAuth 2.0 client an identity provider such as Microsoft Entra \
                                             uses instead of a static token: client secrets, workload identity \
                                             federation trust, and which credentials the scope accepts"),
        (name = "OAuth token endpoint", description = "Served by `OAuthRoutes` for identity providers, not by \
                                                       the admin routes: the token endpoint and its RFC 8414 \
                                                       metadata")
    )
)]
struct AdminApi;

/// Adds the security schemes, and the answers every admin operation can give, to each operation.
struct Shared;

impl Modify for Shared {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Components::new);
        components.add_security_scheme(
            ADMIN_SECURITY_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "An admin API token, sent raw (`Authorization: *:*.my-admin-token`) or after `Bearer `. \
                 Hosts with their own admin authentication (sessions, SSO) accept what they choose.",
            ))),
        );
        components.add_security_scheme(
            SCIM_SECURITY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("scim_<16-char id><43-char secret><6-char checksum>")
                    .description(Some(
                        "The SCIM token generated with `generate-new-token`, or an access token (`scimat_…`) \
                         from the OAuth token endpoint `POST /oauth2/token`, sent by the identity provider as \
                         `Authorization: Bearer <token>` (or raw) on the host's SCIM routes.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            OAUTH_CLIENT_SECURITY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "`client_secret_basic`: the client id and a client secret, each form-urlencoded \
                         (RFC 6749 §2.3.1). The secret may be sent in the body instead (`client_secret_post`), \
                         or replaced by a client assertion.",
                    ))
                    .build(),
            ),
        );
        for (path, item) in &mut doc.paths.paths {
            // The OAuth routes answer in RFC 6749's shape, and list their own answers.
            if [TOKEN_ENDPOINT_PATH, OAUTH_METADATA_PATH].contains(&path.as_str()) {
                continue;
            }
            for operation in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.delete].into_iter().flatten()
            {
                let responses = &mut operation.responses.responses;
                for (status, response) in shared_responses() {
                    responses.entry(status.to_owned()).or_insert_with(|| response.into());
                }
            }
        }
    }
}

fn shared_responses() -> [(&'static str, Response); 3] {
    let error = || ContentBuilder::new().schema(Some(Ref::from_schema_name("errorSchema"))).build();
    let text = |description: &str| Some(description.to_owned());
    [
        (
            "405",
            ResponseBuilder::new()
                .description(
                    "The path exists, but not for the request's method (this status is never the answer \
                     to this operation itself). No body; `Allow` lists the methods the path serves.",
                )
                .header(
                    "Allow",
                    HeaderBuilder::new()
                        .schema(Some(string()))
                        .description(text("The methods this path serves."))
                        .build(),
                )
                .build(),
        ),
        (
            "500",
            ResponseBuilder::new()
                .description(
                    "The server failed (e.g. the token store), and nothing was changed: the current token, \
                     if any, still works. The message names an error id that the server's log repeats with \
                     the cause.",
                )
                .content("application/json", error())
                .build(),
        ),
        (
            "503",
            ResponseBuilder::new()
                .description(
                    "Nothing was changed, and retrying after `Retry-After` seconds can succeed: the token \
                     store is busy or unreachable, the host cannot check credentials right now, or too many \
                     token operations are hashing at once.",
                )
                .header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(Some(
                            ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).build(),
                        ))
                        .description(text("Seconds to wait before retrying."))
                        .build(),
                )
                .content("application/json", error())
                .build(),
        ),
    ]
}

fn string() -> utoipa::openapi::schema::Object {
    ObjectBuilder::new().schema_type(Type::String).build()
}

/// The OpenAPI 3.1 document of the admin routes, e.g. to [`merge`](utoipa::openapi::OpenApi::merge)
/// into the host's own. [`AdminRoutes::with_openapi_route`](crate::AdminRoutes::with_openapi_route)
/// serves it as JSON.
///
/// The admin operations require the [`ADMIN_SECURITY_SCHEME`] security scheme; the document also
/// defines [`SCIM_SECURITY_SCHEME`] (HTTP bearer) for the host to put on its own SCIM paths. The token
/// endpoint and its metadata, which [`OAuthRoutes`](crate::OAuthRoutes) serves (not the admin routes),
/// are described too, under their own tag: a host that does not merge them can remove those two paths.
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
