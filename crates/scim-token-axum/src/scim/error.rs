//! The SCIM routes' one error type and its answer: an RFC 7644 §3.12 error body, served as
//! `application/scim+json`. Details are fixed texts that say what to do next; causes go to `tracing`
//! only, under an error id that the answer repeats so an operator can find them.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::answer::{Chain, RETRY_AFTER_SECS, error_id};
use crate::warn_limit::{WarnLimit, warn_limited};

// One limiter per kind of 503, so a flood of one kind cannot hide the first warning of another.
static SCIM_BUSY: WarnLimit = WarnLimit::new();
static SCIM_STORE_UNAVAILABLE: WarnLimit = WarnLimit::new();

/// Why a SCIM request was refused by [`ScimGuardLayer`](crate::ScimGuardLayer) or
/// [`ScimCaller`](crate::ScimCaller), answered with an RFC 7644 §3.12 error body as
/// `application/scim+json`.
///
/// A refused token is always the same 401 answer, whatever the reason (missing, malformed, unknown,
/// wrong, expired, revoked, another tenant's, disabled scope), so callers learn nothing. Saturated
/// hashing is a 503 with `Retry-After`, and so is a store that is busy or unreachable; any other store
/// failure (or a route not behind the guard) is a 500 whose cause is logged under the error id the
/// answer repeats. Behind the guard, [`scim_not_found`](crate::scim_not_found) and
/// [`scim_method_not_allowed`](crate::scim_method_not_allowed) answer 404 and 405 in the same shape.
///
/// The constructors are public so that a host's own SCIM middleware (its tenant look-up, its rate
/// limit) answers in exactly the same shape:
///
/// ```
/// use axum::response::IntoResponse;
/// use scim_token_axum::ScimError;
///
/// let refused = ScimError::unauthorized().into_response();
/// assert_eq!(refused.status(), 401);
/// assert_eq!(refused.headers()["content-type"], "application/scim+json");
/// assert!(refused.headers().contains_key("www-authenticate"));
///
/// // The cause is logged with a new error id; the answer names only the id.
/// let down = ScimError::unavailable("tenant directory timed out").into_response();
/// assert_eq!(down.status(), 503);
/// assert_eq!(down.headers()["retry-after"], "1");
/// ```
///
/// It is also the error type of a host's own SCIM handlers: `?` converts a
/// [`scim_token_core::Error`] and a [`StoreError`](scim_token_core::store::StoreError) into the answer the
/// guard would give (401, 503 with `Retry-After`, or a logged 500):
///
/// ```
/// use axum::extract::State;
/// use scim_token_axum::ScimError;
/// use scim_token_core::ScimTokenService;
///
/// async fn whoami(State(service): State<ScimTokenService>, token: String) -> Result<String, ScimError> {
///     let caller = service.verify(&token).await?; // InvalidToken → 401, Busy → 503, …
///     Ok(caller.scope.to_string())
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ScimError(ScimErrorKind);

/// What the answer says. A cause never reaches it, only the log, so there is no `source()`.
#[derive(Debug, thiserror::Error)]
enum ScimErrorKind {
    #[error("the SCIM token was not accepted")]
    Unauthorized,
    #[error("no SCIM endpoint at this path")]
    NotFound,
    #[error("the SCIM endpoint does not take this method")]
    MethodNotAllowed,
    #[error("too many SCIM requests are being authenticated at once")]
    Busy,
    #[error("service unavailable, error id {error_id}")]
    Unavailable { error_id: String },
    #[error("internal error, error id {error_id}")]
    Internal { error_id: String },
}

/// The media type of every SCIM answer (RFC 7644 §3.1).
pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";

impl ScimError {
    /// 401 with `WWW-Authenticate: Bearer`: the token was not accepted. The same answer for every
    /// reason, so use it for any refusal of the caller (a token of another tenant, an unknown tenant…).
    pub fn unauthorized() -> Self {
        Self(ScimErrorKind::Unauthorized)
    }

    /// No SCIM route matches the path (404).
    pub(crate) fn not_found() -> Self {
        Self(ScimErrorKind::NotFound)
    }

    /// The path's SCIM route does not take this method (405).
    pub(crate) fn method_not_allowed() -> Self {
        Self(ScimErrorKind::MethodNotAllowed)
    }

    /// 503 with `Retry-After`: too many requests are being authenticated at once. Nothing is logged
    /// here; the caller decides what overload is worth logging.
    pub fn busy() -> Self {
        Self(ScimErrorKind::Busy)
    }

    /// 503 with `Retry-After`: something the request needs (the token store, a tenant directory) is
    /// busy or unreachable. `cause` goes to the log at WARN only, with a new error id that the answer
    /// repeats; it is never sent to the caller.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        let error_id = error_id();
        tracing::warn!(error_id, %cause, "SCIM request refused: a service it needs is unavailable");
        Self(ScimErrorKind::Unavailable { error_id })
    }

    /// 500: something on the server failed. `cause` goes to the log at ERROR only, with a new error id
    /// that the answer repeats; it is never sent to the caller.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let error_id = error_id();
        tracing::error!(error_id, %cause, "SCIM request failed");
        Self(ScimErrorKind::Internal { error_id })
    }

    /// The answer's status: 401, 404, 405, 503 or 500.
    pub fn status(&self) -> StatusCode {
        match self.0 {
            ScimErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ScimErrorKind::NotFound => StatusCode::NOT_FOUND,
            ScimErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ScimErrorKind::Busy | ScimErrorKind::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ScimErrorKind::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error id the answer and the log share, for 503s about an unavailable service and 500s.
    pub fn error_id(&self) -> Option<&str> {
        match &self.0 {
            ScimErrorKind::Unavailable { error_id } | ScimErrorKind::Internal { error_id } => Some(error_id),
            ScimErrorKind::Unauthorized
            | ScimErrorKind::NotFound
            | ScimErrorKind::MethodNotAllowed
            | ScimErrorKind::Busy => None,
        }
    }
}

/// How a host answers a failed [`ScimTokenService::verify`](scim_token_core::ScimTokenService::verify)
/// or `verify_for` itself: a refused token is 401, saturated hashing or a busy or unreachable store
/// 503, anything else 500 (logged).
impl From<scim_token_core::Error> for ScimError {
    fn from(error: scim_token_core::Error) -> Self {
        match error {
            scim_token_core::Error::InvalidToken => Self::unauthorized(),
            scim_token_core::Error::Busy => {
                warn_limited!(SCIM_BUSY, "SCIM token check refused: hashing is saturated");
                Self::busy()
            }
            // Rate-limited, unlike `unavailable`: a down store would otherwise log every request.
            other if other.is_transient() => {
                let error_id = error_id();
                warn_limited!(
                    SCIM_STORE_UNAVAILABLE,
                    error_id,
                    error = %Chain(&other),
                    "SCIM token check refused: the token store is unavailable"
                );
                Self(ScimErrorKind::Unavailable { error_id })
            }
            other => Self::internal(Chain(&other)),
        }
    }
}

/// A store's own error in a host's SCIM handler: answered as [`scim_token_core::Error::Store`] would be
/// (503 if it is transient, else a logged 500).
impl From<scim_token_core::store::StoreError> for ScimError {
    fn from(error: scim_token_core::store::StoreError) -> Self {
        Self::from(scim_token_core::Error::Store(error))
    }
}

const UNAUTHORIZED_DETAIL: &str = "The SCIM token was not accepted. Send the token generated for this SCIM \
                                   app as `Authorization: Bearer <token>`; if it was regenerated, update it \
                                   in your identity provider.";
const NOT_FOUND_DETAIL: &str = "No SCIM endpoint exists at this path. Check the SCIM base URL set in your \
                                identity provider and the resource path.";
const METHOD_NOT_ALLOWED_DETAIL: &str = "This SCIM endpoint does not support this HTTP method; the Allow \
                                         header lists the methods it does support.";
const BUSY_DETAIL: &str = "Too many SCIM requests are being authenticated at once. Retry in a moment.";

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self.0 {
            ScimErrorKind::Unauthorized => UNAUTHORIZED_DETAIL.to_owned(),
            ScimErrorKind::NotFound => NOT_FOUND_DETAIL.to_owned(),
            ScimErrorKind::MethodNotAllowed => METHOD_NOT_ALLOWED_DETAIL.to_owned(),
            ScimErrorKind::Busy => BUSY_DETAIL.to_owned(),
            ScimErrorKind::Unavailable { error_id } => format!(
                "The SCIM request cannot be served right now because a service the server needs (such as \
                 its token store) is busy or unreachable. Retry in a moment; if it keeps failing, give the \
                 server's operator the error id {error_id}."
            ),
            ScimErrorKind::Internal { error_id } => format!(
                "The server could not complete the SCIM request. Retry; if it keeps failing, give the \
                 server's operator the error id {error_id}."
            ),
        };
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": status.as_str(),
            "detail": detail,
        });
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_CONTENT_TYPE));
        match self.0 {
            ScimErrorKind::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer realm="SCIM""#));
            }
            ScimErrorKind::Busy | ScimErrorKind::Unavailable { .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
            }
            // axum adds `Allow` to a 405 from a method fallback.
            ScimErrorKind::NotFound | ScimErrorKind::MethodNotAllowed | ScimErrorKind::Internal { .. } => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use scim_token_core::Error;
    use scim_token_core::store::StoreError;

    use super::*;
    use crate::warn_limit::test_log::{LOGS_503, assert_warned_at_most_once, captured_log};

    async fn body(response: Response) -> serde_json::Value {
        serde_json::from_slice(&to_bytes(response.into_body(), 64 * 1024).await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn core_errors_map_to_scim_answers() {
        let _serial = LOGS_503.lock().await;
        let cases = [
            (Error::InvalidToken, 401),
            (Error::Busy, 503),
            (Error::Store(StoreError::new("LEAK db")), 500),
            (Error::Store(StoreError::busy("LEAK db locked")), 503),
            (Error::Store(StoreError::unavailable("LEAK db down")), 503),
            (Error::Hashing(std::sync::Arc::new(std::io::Error::other("LEAK argon2"))), 500),
        ];
        for (error, status) in cases {
            let response = ScimError::from(error).into_response();
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(response.headers()[header::CONTENT_TYPE], SCIM_CONTENT_TYPE);
            assert_eq!(response.headers().contains_key(header::WWW_AUTHENTICATE), status == 401);
            assert_eq!(response.headers().contains_key(header::RETRY_AFTER), status == 503);
            let body = body(response).await;
            assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
            assert_eq!(body["status"], status.to_string());
            assert!(!body.to_string().contains("LEAK"), "{body}");
        }
    }

    #[tokio::test]
    async fn public_constructors_answer_like_the_guard() {
        let _serial = LOGS_503.lock().await;
        let unauthorized = ScimError::unauthorized();
        assert_eq!(unauthorized.error_id(), None);
        assert_eq!(
            body(unauthorized.into_response()).await,
            body(ScimError::from(Error::InvalidToken).into_response()).await
        );
        let unavailable = ScimError::unavailable("LEAK tenant db");
        let id = unavailable.error_id().unwrap().to_owned();
        let response = unavailable.into_response();
        assert_eq!(response.status(), 503);
        let text = body(response).await.to_string();
        assert!(text.contains(&id) && !text.contains("LEAK"), "{text}");
        let internal = ScimError::internal("LEAK bug");
        assert_eq!(internal.status(), 500);
        assert!(internal.error_id().is_some());
        assert_eq!(ScimError::busy().into_response().headers()[header::RETRY_AFTER], "1");
    }

    /// A host's own handler returns `Result<_, ScimError>` and uses `?` on the core's and a store's
    /// errors; the answers are the guard's.
    #[tokio::test]
    async fn host_handlers_use_question_mark_on_core_and_store_errors() {
        let _serial = LOGS_503.lock().await;
        async fn handler(
            failure: Result<(), Error>,
            store: Result<(), StoreError>,
        ) -> Result<String, ScimError> {
            failure?;
            store?;
            Ok("ok".to_owned())
        }
        let refused = handler(Err(Error::InvalidToken), Ok(())).await.unwrap_err().into_response();
        assert_eq!(body(refused).await, body(ScimError::unauthorized().into_response()).await);
        let down = handler(Ok(()), Err(StoreError::unavailable("LEAK db down"))).await.unwrap_err();
        assert_eq!(down.status(), 503);
        let broken = handler(Ok(()), Err(StoreError::new("LEAK corrupt"))).await.unwrap_err();
        assert_eq!(broken.status(), 500);
        assert!(!body(broken.into_response()).await.to_string().contains("LEAK"));
        assert_eq!(handler(Ok(()), Ok(())).await.unwrap(), "ok");
    }

    /// The message names the error id an operator looks for, never the cause, which is only logged.
    #[test]
    fn messages_name_no_cause_and_have_no_source() {
        use std::error::Error as _;
        assert_eq!(ScimError::unauthorized().to_string(), "the SCIM token was not accepted");
        assert!(ScimError::unauthorized().source().is_none());
        let internal = ScimError::internal("LEAK bug");
        let id = internal.error_id().unwrap().to_owned();
        assert_eq!(internal.to_string(), format!("internal error, error id {id}"));
        assert!(internal.source().is_none());
    }

    /// A flood of 503s logs one warning per interval, the rest at DEBUG, for each kind.
    #[test]
    fn busy_answers_warn_at_most_once_per_interval() {
        let _serial = LOGS_503.blocking_lock();
        let log = captured_log(|| {
            for _ in 0..100 {
                let _ = ScimError::from(Error::Busy).into_response();
                let _ = ScimError::from(Error::Store(StoreError::busy("db locked"))).into_response();
            }
        });
        let messages = [
            "SCIM token check refused: hashing is saturated",
            "SCIM token check refused: the token store is unavailable",
        ];
        assert_warned_at_most_once(&log, &messages, 100);
    }
}
