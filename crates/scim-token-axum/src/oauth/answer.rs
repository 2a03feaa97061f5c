//! The token endpoint's answers (RFC 6749 §5.1 and §5.2): the success and error JSON bodies, and the
//! headers every answer carries.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scim_token_core::oauth::{IssuedAccessToken, OAuthError, OAuthErrorCode};
use serde::Serialize;
use utoipa::ToSchema;

use crate::answer::RETRY_AFTER_SECS;
use crate::warn_limit::{WarnLimit, warn_limited};

static TOKEN_ENDPOINT_UNAVAILABLE: WarnLimit = WarnLimit::new();

/// RFC 6749 §5.1: a successful token answer. No refresh token: the client asks again.
#[derive(Serialize, ToSchema)]
#[schema(as = oauthTokenSchema)]
pub(crate) struct TokenBody<'a> {
    /// The access token, for `Authorization: Bearer …` on the SCIM API.
    #[schema(example = "scimat_Xk3r9QpL2mTz8aBc…")]
    access_token: &'a str,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// The token's lifetime in seconds.
    #[schema(example = 3600)]
    expires_in: u64,
    /// Always `scim`, whatever was requested.
    #[schema(example = "scim")]
    scope: &'static str,
}

/// RFC 6749 §5.2: an error answer. `error_description` is fixed ASCII text in §5.2's character set.
#[derive(Serialize, ToSchema)]
#[schema(as = oauthErrorSchema)]
pub(crate) struct ErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type`, `invalid_scope`, `temporarily_unavailable` or `server_error`.
    #[schema(example = "invalid_client")]
    error: &'static str,
    /// What went wrong, in a few words; the same for every cause of `invalid_client`.
    #[schema(example = "client authentication failed")]
    error_description: &'static str,
}

/// The answer to an issued token: 200 with the §5.1 body.
pub(crate) fn issued(token: &IssuedAccessToken) -> Response {
    Json(TokenBody {
        access_token: token.expose_secret(),
        token_type: token.token_type(),
        expires_in: token.expires_in(),
        scope: token.scope(),
    })
    .into_response()
}

/// The answer to a refusal of the core: its status, its §5.2 body, a Basic challenge on a 401 and
/// `Retry-After` on a 503.
pub(crate) fn refused(error: &OAuthError) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = error_answer(status, error.code().as_str(), error.description());
    if let Some(challenge) = error.www_authenticate() {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    }
    match error.code() {
        OAuthErrorCode::TemporarilyUnavailable => warn_limited!(
            TOKEN_ENDPOINT_UNAVAILABLE,
            "OAuth token request refused for now: the token store or the hashing budget is saturated"
        ),
        // The core logged the reason at DEBUG; an operator must hear of a failure retrying cannot fix.
        OAuthErrorCode::ServerError => {
            tracing::error!(error = %error, "OAuth token request failed; the DEBUG log of scim_token::oauth has the reason");
        }
        _ => {}
    }
    response
}

/// `invalid_request` with `status` (400, or the 405/413 of a request the adapter refuses itself).
pub(crate) fn invalid_request(status: StatusCode, description: &'static str) -> Response {
    error_answer(status, "invalid_request", description)
}

fn error_answer(status: StatusCode, error: &'static str, error_description: &'static str) -> Response {
    let mut response = (status, Json(ErrorBody { error, error_description })).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
    }
    response
}

/// Adds `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1) to an answer of the token
/// endpoint. Run on every answer of its route, axum's own included, so none can be cached.
pub(crate) async fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
