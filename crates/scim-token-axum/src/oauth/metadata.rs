//! RFC 8414 authorization server metadata: the document, built once from the host's issuer, and the
//! check of that issuer.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use serde::Serialize;

use crate::paths::{OAUTH_METADATA_PATH, TOKEN_ENDPOINT_PATH};

/// RFC 8414 §2. `response_types_supported` is left out: a server without the authorization endpoint
/// has no value for it, and §3.2 says empty arrays are omitted. `token_endpoint_auth_signing_alg_values_supported`
/// is sent only with `private_key_jwt`, and never lists `none`.
#[derive(Serialize)]
struct Metadata<'a> {
    issuer: &'a str,
    token_endpoint: String,
    grant_types_supported: [&'static str; 1],
    token_endpoint_auth_methods_supported: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_endpoint_auth_signing_alg_values_supported: Option<[&'static str; 2]>,
    scopes_supported: [&'static str; 1],
}

/// Serves the metadata document, built once.
#[utoipa::path(
    get,
    path = OAUTH_METADATA_PATH,
    operation_id = "oauth-authorization-server-metadata",
    tag = "OAuth token endpoint",
    description = "The authorization server metadata (RFC 8414), served by `OAuthRoutes` when the host names \
                   its issuer: the token endpoint, `client_credentials` as the only grant, the client \
                   authentication methods (`private_key_jwt` only when the server verifies assertions) and \
                   the `scim` scope. Cached for an hour.",
    security(()),
    responses((status = 200, description = "The metadata.", content_type = "application/json", body = Object,
        example = json!({
            "issuer": "https://app.example",
            "token_endpoint": "https://app.example/oauth2/token",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["scim"]
        })))
)]
pub(crate) async fn metadata(State(document): State<Bytes>) -> impl IntoResponse {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
    ];
    (headers, document)
}

/// The metadata document of `issuer` (already checked), as JSON.
pub(crate) fn document(issuer: &str, assertions: bool) -> Vec<u8> {
    let mut methods = vec!["client_secret_basic", "client_secret_post"];
    if assertions {
        methods.push("private_key_jwt");
    }
    let metadata = Metadata {
        issuer,
        token_endpoint: format!("{issuer}{TOKEN_ENDPOINT_PATH}"),
        grant_types_supported: ["client_credentials"],
        token_endpoint_auth_methods_supported: methods,
        token_endpoint_auth_signing_alg_values_supported: assertions.then_some(["RS256", "ES256"]),
        scopes_supported: ["scim"],
    };
    // Serialising plain data to memory cannot fail; fall back to an empty object rather than panic.
    serde_json::to_vec(&metadata).unwrap_or_else(|_| b"{}".to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_key_jwt_only_with_assertions() {
        let plain: serde_json::Value = serde_json::from_slice(&document("https://a.example", false)).unwrap();
        assert_eq!(plain["token_endpoint"], "https://a.example/oauth2/token");
        assert_eq!(plain["grant_types_supported"], serde_json::json!(["client_credentials"]));
        assert_eq!(
            plain["token_endpoint_auth_methods_supported"],
            serde_json::json!(["client_secret_basic", "client_secret_post"])
        );
        assert!(plain.get("token_endpoint_auth_signing_alg_values_supported").is_none());
        assert!(plain.get("response_types_supported").is_none());
        let jwt: serde_json::Value = serde_json::from_slice(&document("https://a.example", true)).unwrap();
        assert_eq!(jwt["token_endpoint_auth_methods_supported"][2], "private_key_jwt");
        assert_eq!(
            jwt["token_endpoint_auth_signing_alg_values_supported"],
            serde_json::json!(["RS256", "ES256"])
        );
        assert_eq!(jwt["scopes_supported"], serde_json::json!(["scim"]));
    }
}
