//! `POST /oauth2/token`: reads the two headers and the bounded body the core's token endpoint needs, and
//! answers with what it decides. The request parsing (form, duplicates, Basic decoding) is the core's.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use scim_token_core::ScimTokenService;

use crate::limits::MAX_AUTHORIZATION_LEN;
use crate::oauth::answer;

/// The token endpoint's handler.
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
