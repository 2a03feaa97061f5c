//! Every error response the adapter writes, in one place: Unleash's shape on the admin routes, RFC 7644's
//! on SCIM routes. Messages are fixed texts that say what to do next; causes go to `tracing` only, under
//! an error id that the 500 answer repeats so an operator can find them.

use std::borrow::Cow;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::TryRng;
use rand::rngs::SysRng;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::admin_auth::AdminRejection;
use crate::warn_limit::{WarnLimit, warn_limited};

// One limiter per kind of 503, so a flood of one kind cannot hide the first warning of another.
static ADMIN_BUSY: WarnLimit = WarnLimit::new();
static ADMIN_STORE_UNAVAILABLE: WarnLimit = WarnLimit::new();
static SCIM_BUSY: WarnLimit = WarnLimit::new();
static SCIM_STORE_UNAVAILABLE: WarnLimit = WarnLimit::new();

/// Seconds a client is asked to wait when hashing is saturated.
const RETRY_AFTER_SECS: &str = "1";

/// The admin API's errors, answered as `{"id", "name", "message", "details": [{"message"}]}`.
#[derive(Debug)]
pub(crate) enum AdminError {
    /// 401, with the authenticator's message
    /// ([`AdminAuthenticator::unauthenticated_message`](crate::AdminAuthenticator::unauthenticated_message)).
    Unauthenticated(Cow<'static, str>),
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 404: the scope has no token with the id in the path (or the id is not a token id).
    TokenNotFound,
    /// 403: a state-changing request sent by a browser from another site (see `cross_site`).
    CrossSite,
    /// 400: the body is not JSON, or not `{"enabled": bool}`.
    BadData(&'static str),
    /// 415.
    ContentType,
    /// 413.
    TooLarge,
    /// 503 with `Retry-After`: hashing saturated.
    Busy,
    /// 503 with `Retry-After`: the store is busy or unreachable; the cause is logged.
    StoreUnavailable(scim_token_core::Error),
    /// 503: the host's authenticator cannot decide right now.
    Unavailable,
    /// 500: the store or another internal part failed; the cause is logged.
    Internal(scim_token_core::Error),
}

impl From<AdminRejection> for AdminError {
    fn from(rejection: AdminRejection) -> Self {
        match rejection {
            AdminRejection::Unauthenticated => {
                Self::Unauthenticated(Cow::Borrowed(crate::admin_auth::DEFAULT_UNAUTHENTICATED_MESSAGE))
            }
            AdminRejection::Forbidden => Self::Forbidden,
            AdminRejection::NotFound => Self::NotFound,
            AdminRejection::Unavailable => Self::Unavailable,
        }
    }
}

impl From<scim_token_core::Error> for AdminError {
    fn from(error: scim_token_core::Error) -> Self {
        match error {
            scim_token_core::Error::Busy => Self::Busy,
            other if other.is_transient() => Self::StoreUnavailable(other),
            other => Self::Internal(other),
        }
    }
}

impl From<JsonRejection> for AdminError {
    fn from(rejection: JsonRejection) -> Self {
        // serde's own message can quote the body back; the fixed texts below cannot leak anything.
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::ContentType,
            JsonRejection::JsonSyntaxError(_) => Self::BadData(
                r#"The request body is not valid JSON; send {"enabled": true} or {"enabled": false}."#,
            ),
            JsonRejection::JsonDataError(_) => Self::BadData(
                "The request body needs a boolean \"enabled\" field; send {\"enabled\": true} or \
                 {\"enabled\": false}.",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            _ => Self::BadData(
                r#"The request body could not be read; send {"enabled": true} or {"enabled": false}."#,
            ),
        }
    }
}

/// An error, as Unleash answers them.
#[derive(Serialize, ToSchema)]
#[schema(as = errorSchema)]
pub(crate) struct UnleashError<'a> {
    /// A random UUID that identifies this error in the server's logs.
    id: String,
    /// The kind of error, e.g. `AuthenticationRequired`, `NoAccessError`, `BadDataError`.
    name: &'a str,
    /// What went wrong and what to do next.
    message: &'a str,
    /// The same message, as Unleash's clients expect it.
    details: [ErrorDetail<'a>; 1],
}

/// One detail of an error.
#[derive(Serialize, ToSchema)]
#[schema(as = errorDetailSchema)]
pub(crate) struct ErrorDetail<'a> {
    /// What went wrong and what to do next.
    message: &'a str,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let id = error_id();
        let internal_message;
        let (status, name, message) = match &self {
            Self::Unauthenticated(message) => {
                (StatusCode::UNAUTHORIZED, "AuthenticationRequired", &**message)
            }
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "NoAccessError",
                "The provided credentials are valid, but they do not allow changing SCIM settings or \
                 generating or revoking SCIM tokens. Ask an administrator to do it, or for a credential \
                 with write access.",
            ),
            Self::CrossSite => (
                StatusCode::FORBIDDEN,
                "CrossSiteRequestError",
                "This request was sent by a page of another site, so it was refused and nothing was \
                 changed. Use the admin page served by this server, or call the API from a script or \
                 the command line.",
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "NotFoundError",
                "The requested resource was not found. Check the URL, and that SCIM provisioning is \
                 available for your account.",
            ),
            Self::TokenNotFound => (
                StatusCode::NOT_FOUND,
                "NotFoundError",
                "There is no SCIM token with this id: it may have been revoked or replaced already. List \
                 the current tokens with GET /api/admin/scim-settings/tokens.",
            ),
            Self::BadData(message) => (StatusCode::BAD_REQUEST, "BadDataError", *message),
            Self::ContentType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "ContentTypeError",
                "Send the body as JSON with the header `Content-Type: application/json`, e.g. \
                 {\"enabled\": true}.",
            ),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "ContentTooLarge",
                r#"The request body is too large; send {"enabled": true} or {"enabled": false}."#,
            ),
            Self::Busy => {
                warn_limited!(ADMIN_BUSY, error_id = %id, "SCIM admin request refused: hashing is saturated");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "Too many SCIM token operations are running at once, and nothing was changed. Retry in \
                     a moment.",
                )
            }
            Self::StoreUnavailable(error) => {
                warn_limited!(
                    ADMIN_STORE_UNAVAILABLE,
                    error_id = %id,
                    %error,
                    "SCIM admin request refused: the token store is unavailable"
                );
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "The SCIM token store is busy or cannot be reached right now, and nothing was changed: \
                     the current SCIM token, if any, still works. Retry in a moment.",
                )
            }
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "Your credentials cannot be checked right now, and nothing was changed. Retry in a moment.",
            ),
            Self::Internal(error) => {
                tracing::error!(error_id = %id, %error, "SCIM admin request failed");
                internal_message = format!(
                    "The server could not complete the request, and nothing was changed: the current SCIM \
                     token, if any, still works. Retry; if it keeps failing, give the server's operator \
                     the error id {id}."
                );
                (StatusCode::INTERNAL_SERVER_ERROR, "InternalError", internal_message.as_str())
            }
        };
        let body = UnleashError { id: id.clone(), name, message, details: [ErrorDetail { message }] };
        let mut response = (status, Json(body)).into_response();
        if matches!(self, Self::Busy | Self::StoreUnavailable(_) | Self::Unavailable) {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
        }
        response
    }
}

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
#[derive(Debug)]
pub struct ScimError(ScimErrorKind);

#[derive(Debug)]
enum ScimErrorKind {
    Unauthorized,
    NotFound,
    MethodNotAllowed,
    Busy,
    Unavailable { error_id: String },
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
                    error = %other,
                    "SCIM token check refused: the token store is unavailable"
                );
                Self(ScimErrorKind::Unavailable { error_id })
            }
            other => Self::internal(other),
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

impl std::fmt::Display for ScimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            ScimErrorKind::Unauthorized => f.write_str("the SCIM token was not accepted"),
            ScimErrorKind::NotFound => f.write_str("no SCIM endpoint at this path"),
            ScimErrorKind::MethodNotAllowed => f.write_str("the SCIM endpoint does not take this method"),
            ScimErrorKind::Busy => f.write_str("too many SCIM requests are being authenticated at once"),
            ScimErrorKind::Unavailable { error_id } => write!(f, "service unavailable, error id {error_id}"),
            ScimErrorKind::Internal { error_id } => write!(f, "internal error, error id {error_id}"),
        }
    }
}

impl std::error::Error for ScimError {}

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

/// A random (version 4) UUID that ties an answer to its log line. Not a secret: if the OS generator
/// fails, the nil UUID still makes a valid answer.
pub(crate) fn error_id() -> String {
    let mut bytes = [0u8; 16];
    if SysRng.try_fill_bytes(&mut bytes).is_err() {
        bytes = [0; 16];
    } else {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use scim_token_core::Error;
    use scim_token_core::store::StoreError;

    use super::*;

    /// Held by every test here that logs a 503: the warning test counts log lines of those call sites,
    /// and another test emitting them at the same moment (from its own thread) makes the count racy.
    static LOGS_503: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    async fn body(response: Response) -> serde_json::Value {
        serde_json::from_slice(&to_bytes(response.into_body(), 64 * 1024).await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn core_errors_map_to_generic_admin_answers() {
        let _serial = LOGS_503.lock().await;
        let cases = [
            (Error::Busy, 503, "ServiceUnavailable"),
            (Error::Store(StoreError::new("LEAK: disk /var/db is full")), 500, "InternalError"),
            (Error::Store(StoreError::busy("LEAK: /var/db is locked")), 503, "ServiceUnavailable"),
            (Error::Store(StoreError::unavailable("LEAK: 10.0.0.5 refused")), 503, "ServiceUnavailable"),
            (Error::Hashing(std::sync::Arc::new(std::io::Error::other("LEAK argon2"))), 500, "InternalError"),
            (
                Error::Random(std::sync::Arc::new(std::io::Error::other("LEAK getrandom"))),
                500,
                "InternalError",
            ),
            (Error::Config { reason: "LEAK config".into(), source: None }, 500, "InternalError"),
            (Error::InvalidInput { what: "scope", reason: "LEAK reason" }, 500, "InternalError"),
        ];
        for (error, status, name) in cases {
            let response = AdminError::from(error).into_response();
            assert_eq!(response.status().as_u16(), status);
            let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
            assert_eq!(retry_after.is_some(), status == 503);
            let body = body(response).await;
            assert_eq!(body["name"], name);
            let text = body.to_string();
            assert!(!text.contains("LEAK"), "{text}");
            assert_eq!(body["details"][0]["message"], body["message"]);
        }
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

    /// A flood of 503s logs one warning per interval, the rest at DEBUG, for each kind.
    #[test]
    fn busy_answers_warn_at_most_once_per_interval() {
        let _serial = LOGS_503.blocking_lock();
        use std::io::Write;
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        struct Captured(Arc<Mutex<Vec<u8>>>);
        impl Write for Captured {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            for _ in 0..100 {
                let _ = ScimError::from(Error::Busy).into_response();
                let _ = AdminError::from(Error::Busy).into_response();
                let _ = ScimError::from(Error::Store(StoreError::busy("db locked"))).into_response();
                let _ = AdminError::from(Error::Store(StoreError::busy("db locked"))).into_response();
            }
        });
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        for message in [
            "SCIM token check refused: hashing is saturated",
            "SCIM admin request refused: hashing is saturated",
            "SCIM token check refused: the token store is unavailable",
            "SCIM admin request refused: the token store is unavailable",
        ] {
            let lines: Vec<_> = log.lines().filter(|line| line.contains(message)).collect();
            let warnings = lines.iter().filter(|line| line.contains(" WARN ")).count();
            // Other tests in this binary may have used this interval's warning already.
            assert!(warnings <= 1, "{warnings} warnings for {message:?}");
            assert_eq!(lines.len(), 100, "every refusal is still logged, at DEBUG: {message:?}");
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

    #[test]
    fn error_ids_are_v4_uuids() {
        let id = error_id();
        let groups: Vec<_> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert_eq!(&id[14..15], "4");
        assert!("89ab".contains(&id[19..20]), "{id}");
        assert_ne!(error_id(), id);
    }
}
