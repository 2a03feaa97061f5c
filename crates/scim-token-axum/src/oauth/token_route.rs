//! `POST /oauth2/token`: reads the two headers and the bounded body the core's token endpoint needs, and
//! answers with what it decides. The request parsing (form, duplicates, Basic decoding) is the core's.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use scim_token_core::ScimTokenService;
use utoipa::ToSchema;

use crate::limits::MAX_AUTHORIZATION_LEN;
use crate::oauth::answer::{self, ErrorBody, TokenBody};
use crate::paths::TOKEN_ENDPOINT_PATH;

/// A token request (RFC 6749 §4.4.2), form-encoded. Each parameter at most once; unknown ones ignored.
#[derive(ToSchema)]
#[schema(as = oauthTokenRequestSchema)]
#[allow(dead_code, reason = "a schema only: the core parses the body")]
pub(crate) struct TokenRequestBody {
    /// `client_credentials`.
    #[schema(example = "client_credentials")]
    grant_type: String,
    /// The client id; with Basic authentication it may be left out (or must match).
    #[schema(example = "scimcl_4fTq9ZkLm2XbR8vW")]
    client_id: Option<String>,
    /// The client secret (`client_secret_post`); not with Basic authentication or an assertion.
    client_secret: Option<String>,
    /// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, with `client_assertion`.
    client_assertion_type: Option<String>,
    /// A JWT signed by the federation trust's issuer (RFC 7523 §2.2).
    client_assertion: Option<String>,
    /// Space-separated scopes; checked for syntax, the granted scope is always `scim`.
    #[schema(example = "scim")]
    scope: Option<String>,
}

/// The token endpoint's handler.
#[utoipa::path(
    post,
    path = TOKEN_ENDPOINT_PATH,
    operation_id = "oauth-token",
    tag = "OAuth token endpoint",
    summary = "Exchanges client credentials for an access token.",
    description = "The OAuth 2.0 token endpoint (RFC 6749 §4.4, client credentials), served by `OAuthRoutes` \
                   for identity providers. The client authenticates with HTTP Basic (`client_secret_basic`), \
                   with `client_id` and `client_secret` in the body (`client_secret_post`), or with a JWT \
                   assertion when the scope has a federation trust. Every answer carries \
                   `Cache-Control: no-store` and `Pragma: no-cache`.",
    security((), ("oauthClient" = [])),
    request_body(content = TokenRequestBody, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token (RFC 6749 §5.1).", body = TokenBody<'static>),
        (status = 400, description = "Refused (RFC 6749 §5.2): `invalid_request`, `invalid_client` (not by Basic), \
                                      `unauthorized_client` (scope disabled or static tokens only), \
                                      `unsupported_grant_type`, `invalid_scope`.", body = ErrorBody),
        (status = 401, description = "`invalid_client` for a client that used (or sent no) Basic authentication, \
                                      with `WWW-Authenticate: Basic`.", body = ErrorBody),
        (status = 405, description = "Not a POST: `invalid_request`, with `Allow: POST`.", body = ErrorBody),
        (status = 413, description = "The body is larger than 16 KiB: `invalid_request`.", body = ErrorBody),
        (status = 500, description = "`server_error`: a failure retrying will not fix; the server logs it.", body = ErrorBody),
        (status = 503, description = "`temporarily_unavailable`: the store or the hashing budget is saturated; \
                                      retry after `Retry-After` seconds.", body = ErrorBody),
    )
)]
pub(crate) async fn token(State(service): State<ScimTokenService>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(authorization) = single_header(&parts.headers, &AUTHORIZATION) else {
        return answer::invalid_request(StatusCode::BAD_REQUEST, "the Authorization header is repeated");
    };
    if authorization.as_ref().is_some_and(|value| value.len() > MAX_AUTHORIZATION_LEN) {
        return answer::invalid_request(StatusCode::BAD_REQUEST, "the Authorization header is too long");
    }
    let Ok(content_type) = single_header(&parts.headers, &CONTENT_TYPE) else {
        return answer::invalid_request(StatusCode::BAD_REQUEST, "the Content-Type header is repeated");
    };
    // The body limit layer on the route bounds what this reads.
    let body = match Bytes::from_request(Request::from_parts(parts, body), &()).await {
        Ok(body) => body,
        Err(rejection) => return body_refused(&rejection),
    };
    match service.token_endpoint(authorization.as_deref(), content_type.as_deref(), &body).await {
        Ok(token) => answer::issued(&token),
        Err(error) => answer::refused(&error),
    }
}

/// Any other method on the token endpoint: 405 with `Allow: POST` and a §5.2 body.
pub(crate) async fn method_not_allowed() -> Response {
    let mut response = answer::invalid_request(
        StatusCode::METHOD_NOT_ALLOWED,
        "the token endpoint accepts POST requests only",
    );
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// The value of header `name`, if sent once. A value that is not UTF-8 is passed on with its bad bytes
/// replaced: no valid credential or media type contains U+FFFD, so the core refuses it as malformed.
fn single_header(headers: &HeaderMap, name: &HeaderName) -> Result<Option<String>, ()> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(());
    }
    Ok(Some(String::from_utf8_lossy(value.as_bytes()).into_owned()))
}

/// The answer to a body that could not be read: too large (413) or cut short (400).
fn body_refused(rejection: &BytesRejection) -> Response {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        answer::invalid_request(StatusCode::PAYLOAD_TOO_LARGE, "the request body is larger than 16 KiB")
    } else {
        answer::invalid_request(StatusCode::BAD_REQUEST, "the request body could not be read")
    }
}
