//! The guard in front of the host's SCIM routes: a tower layer that verifies the bearer token, and the
//! extractor that hands the verified caller to handlers.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::FromRequestParts;
use axum::http::Request;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use scim_token_core::{ScimTokenService, VerifiedToken};
use tower::{Layer, Service};

use crate::credentials::credential_from_headers;
use crate::error::ScimError;

/// Requires a valid SCIM token on every request to the wrapped routes, sent as
/// `Authorization: Bearer <token>` or raw (as Okta can send it).
///
/// On success the [`VerifiedToken`] (scope and token id) is put in the request's extensions, where
/// [`ScimCaller`] finds it. Otherwise the request is answered with a [`ScimError`]: 401 for any refused
/// token (one answer for every reason), 503 with `Retry-After` when hashing is saturated, 500 when the
/// store fails.
///
/// ```
/// use axum::{Router, routing::get};
/// use scim_token_axum::{ScimCaller, ScimGuardLayer};
/// # fn demo(service: scim_token_core::ScimTokenService) {
///
/// async fn list_users(ScimCaller(caller): ScimCaller) -> String {
///     format!("users of tenant {}", caller.scope)
/// }
///
/// let scim: Router = Router::new()
///     .route("/scim/v2/Users", get(list_users))
///     .route_layer(ScimGuardLayer::new(service)); // route_layer: unknown paths stay 404, not 401
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ScimGuardLayer {
    service: ScimTokenService,
}

impl ScimGuardLayer {
    /// A guard that verifies tokens with `service`.
    pub fn new(service: ScimTokenService) -> Self {
        Self { service }
    }
}

impl<S> Layer<S> for ScimGuardLayer {
    type Service = ScimGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ScimGuard { inner, service: self.service.clone() }
    }
}

/// The service [`ScimGuardLayer`] wraps routes in.
#[derive(Clone, Debug)]
pub struct ScimGuard<S> {
    inner: S,
    service: ScimTokenService,
}

impl<S, B> Service<Request<B>> for ScimGuard<S>
where
    S: Service<Request<B>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // Call the instance that was polled ready, and leave a fresh clone for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let service = self.service.clone();
        Box::pin(async move {
            match verify(&service, request.headers()).await {
                Ok(verified) => {
                    request.extensions_mut().insert(verified);
                    inner.call(request).await
                }
                Err(error) => Ok(error.into_response()),
            }
        })
    }
}

async fn verify(
    service: &ScimTokenService,
    headers: &axum::http::HeaderMap,
) -> Result<VerifiedToken, ScimError> {
    let presented = credential_from_headers(headers).map_err(|reason| {
        tracing::debug!(%reason, "SCIM request without a usable token");
        ScimError::unauthorized()
    })?;
    service.verify(presented).await.map_err(ScimError::from_verify)
}

/// The caller of a SCIM route, as verified by [`ScimGuardLayer`]: extract it in handlers to learn the
/// scope (tenant) to act on.
///
/// On a route that is not behind the guard, extraction fails closed with a 500 [`ScimError`] and an
/// error in the logs: a missing guard is a wiring mistake, never a reason to let a request through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScimCaller(pub VerifiedToken);

impl<S: Send + Sync> FromRequestParts<S> for ScimCaller {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<VerifiedToken>() {
            Some(verified) => Ok(Self(verified.clone())),
            None => Err(ScimError::internal(&format_args!(
                "ScimCaller used on {} without ScimGuardLayer; the request is refused",
                parts.uri.path()
            ))),
        }
    }
}
