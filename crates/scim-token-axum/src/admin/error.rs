//! The admin API's one error type and its answer, in Unleash's shape:
//! `{"id", "name", "message", "details": [{"message"}]}`. Messages are fixed texts that say what to do
//! next; causes go to `tracing` only, under an error id that a 500 answer repeats so an operator can find
//! them.

use std::borrow::Cow;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::admin::auth::{AdminRejection, DEFAULT_UNAUTHENTICATED_MESSAGE};
use crate::answer::{Chain, RETRY_AFTER_SECS, error_id};
use crate::warn_limit::{WarnLimit, warn_limited};

// One limiter per kind of 503, so a flood of one kind cannot hide the first warning of another.
static ADMIN_BUSY: WarnLimit = WarnLimit::new();
static ADMIN_STORE_UNAVAILABLE: WarnLimit = WarnLimit::new();

/// Why an admin request failed; each variant is one status and one fixed message.
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
    /// 400: the body is not JSON, or not of the route's shape.
    BadData(&'static str),
    /// 400: the service refused a value of the body (e.g. a number of days out of range, a JWKS URL
    /// that is not https).
    InvalidInput {
        /// Which value.
        what: &'static str,
        /// The rule it broke.
        reason: &'static str,
    },
    /// 415, with the message naming the body expected.
    ContentType(&'static str),
    /// 413, with the message naming the body expected.
    TooLarge(&'static str),
    /// 404: the scope has no client secret with the id in the path.
    SecretNotFound,
    /// 404: the scope has no federation trust.
    TrustNotFound,
    /// 409: the scope already holds the most unexpired client secrets allowed.
    SecretLimit {
        /// The limit in force.
        limit: usize,
    },
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
                Self::Unauthenticated(Cow::Borrowed(DEFAULT_UNAUTHENTICATED_MESSAGE))
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

/// What to tell a client whose JSON body was refused, for one route's body.
pub(crate) struct BodyMessages {
    /// The body is not JSON.
    pub(crate) not_json: &'static str,
    /// The body is JSON, but not of the route's shape.
    pub(crate) wrong_shape: &'static str,
    /// The body is larger than the route's limit.
    pub(crate) too_large: &'static str,
    /// The body is not sent as `application/json`.
    pub(crate) content_type: &'static str,
    /// The body could not be read.
    pub(crate) unreadable: &'static str,
}

/// The settings body's messages.
pub(crate) const SETTINGS_BODY: BodyMessages = BodyMessages {
    not_json: r#"The request body is not valid JSON; send {"enabled": true} or {"enabled": false}."#,
    wrong_shape: "The request body needs a boolean \"enabled\" field; send {\"enabled\": true} or \
                  {\"enabled\": false}.",
    too_large: r#"The request body is too large; send {"enabled": true} or {"enabled": false}."#,
    content_type: "Send the body as JSON with the header `Content-Type: application/json`, e.g. \
                   {\"enabled\": true}.",
    unreadable: r#"The request body could not be read; send {"enabled": true} or {"enabled": false}."#,
};

impl AdminError {
    /// The error for a JSON body refused by axum, with `messages` naming the body expected. serde's own
    /// message can quote the body back; the fixed texts cannot leak anything.
    pub(crate) fn from_json(rejection: JsonRejection, messages: &BodyMessages) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::ContentType(messages.content_type),
            JsonRejection::JsonSyntaxError(_) => Self::BadData(messages.not_json),
            JsonRejection::JsonDataError(_) => Self::BadData(messages.wrong_shape),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge(messages.too_large),
            _ => Self::BadData(messages.unreadable),
        }
    }

    /// The error of an OAuth operation: a refused value is the client's (400), the secret limit a
    /// conflict (409); anything else as for every admin route.
    pub(crate) fn from_oauth(error: scim_token_core::Error) -> Self {
        match error {
            scim_token_core::Error::InvalidInput { what, reason } => Self::InvalidInput { what, reason },
            scim_token_core::Error::LimitReached { limit } => Self::SecretLimit { limit },
            other => other.into(),
        }
    }
}

impl From<JsonRejection> for AdminError {
    fn from(rejection: JsonRejection) -> Self {
        Self::from_json(rejection, &SETTINGS_BODY)
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

impl AdminError {
    /// The answer's status and Unleash's name for the error.
    fn status_and_name(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "AuthenticationRequired"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "NoAccessError"),
            Self::CrossSite => (StatusCode::FORBIDDEN, "CrossSiteRequestError"),
            Self::NotFound | Self::TokenNotFound | Self::SecretNotFound | Self::TrustNotFound => {
                (StatusCode::NOT_FOUND, "NotFoundError")
            }
            Self::BadData(_) | Self::InvalidInput { .. } => (StatusCode::BAD_REQUEST, "BadDataError"),
            Self::ContentType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "ContentTypeError"),
            Self::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "ContentTooLarge"),
            Self::SecretLimit { .. } => (StatusCode::CONFLICT, "ConflictError"),
            Self::Busy | Self::StoreUnavailable(_) | Self::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable")
            }
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalError"),
        }
    }

    /// What went wrong and what to do next; `id` is the answer's error id.
    fn message(&self, id: &str) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Self::Unauthenticated(message) => return message.clone(),
            Self::Forbidden => {
                "The provided credentials are valid, but they do not allow changing SCIM settings, \
                 generating or revoking SCIM tokens, or managing the OAuth client. Ask an administrator to \
                 do it, or for a credential with write access."
            }
            Self::CrossSite => {
                "This request was sent by a page of another site, so it was refused and nothing was \
                 changed. Use the admin page served by this server, or call the API from a script or \
                 the command line."
            }
            Self::NotFound => {
                "The requested resource was not found. Check the URL, and that SCIM provisioning is \
                 available for your account."
            }
            Self::TokenNotFound => {
                "There is no SCIM token with this id: it may have been revoked or replaced already. List \
                 the current tokens with GET /api/admin/scim-settings/tokens."
            }
            Self::SecretNotFound => {
                "There is no client secret with this id: it may have been deleted already. List the \
                 current secrets with GET /api/admin/scim-settings/oauth."
            }
            Self::TrustNotFound => {
                "There is no federation trust to delete: none is set, or it was deleted already."
            }
            Self::BadData(message) | Self::ContentType(message) | Self::TooLarge(message) => *message,
            Self::InvalidInput { what, reason } => {
                return Cow::Owned(format!("The {what} was refused, and nothing was changed: {reason}."));
            }
            Self::SecretLimit { limit } => {
                return Cow::Owned(format!(
                    "The client already has {limit} unexpired secrets, the most allowed, and nothing was \
                     changed. Delete a secret you no longer use, then create the new one."
                ));
            }
            Self::Busy => {
                "Too many SCIM token operations are running at once, and nothing was changed. Retry in \
                 a moment."
            }
            Self::StoreUnavailable(_) => {
                "The SCIM token store is busy or cannot be reached right now, and nothing was changed: \
                 the current SCIM token, if any, still works. Retry in a moment."
            }
            Self::Unavailable => {
                "Your credentials cannot be checked right now, and nothing was changed. Retry in a moment."
            }
            Self::Internal(_) => {
                return Cow::Owned(format!(
                    "The server could not complete the request, and nothing was changed: the current SCIM \
                     token, if any, still works. Retry; if it keeps failing, give the server's operator \
                     the error id {id}."
                ));
            }
        })
    }

    /// Logs what the operator should hear about: a 503 of the adapter's own (rate-limited) or a 500,
    /// with its cause, under the answer's error id.
    fn log(&self, id: &str) {
        match self {
            Self::Busy => {
                warn_limited!(ADMIN_BUSY, error_id = %id, "SCIM admin request refused: hashing is saturated");
            }
            Self::StoreUnavailable(error) => warn_limited!(
                ADMIN_STORE_UNAVAILABLE,
                error_id = %id,
                error = %Chain(error),
                "SCIM admin request refused: the token store is unavailable"
            ),
            Self::Internal(error) => {
                tracing::error!(error_id = %id, error = %Chain(error), "SCIM admin request failed");
            }
            _ => {}
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let id = error_id();
        self.log(&id);
        let (status, name) = self.status_and_name();
        let message = self.message(&id);
        let body = UnleashError { id, name, message: &message, details: [ErrorDetail { message: &message }] };
        let mut response = (status, Json(body)).into_response();
        if matches!(self, Self::Busy | Self::StoreUnavailable(_) | Self::Unavailable) {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
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

    /// A flood of 503s logs one warning per interval, the rest at DEBUG, for each kind.
    #[test]
    fn busy_answers_warn_at_most_once_per_interval() {
        let _serial = LOGS_503.blocking_lock();
        let log = captured_log(|| {
            for _ in 0..100 {
                let _ = AdminError::from(Error::Busy).into_response();
                let _ = AdminError::from(Error::Store(StoreError::busy("db locked"))).into_response();
            }
        });
        let messages = [
            "SCIM admin request refused: hashing is saturated",
            "SCIM admin request refused: the token store is unavailable",
        ];
        assert_warned_at_most_once(&log, &messages, 100);
    }
}
