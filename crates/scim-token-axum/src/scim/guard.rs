//! The guard in front of the host's SCIM routes: a tower layer that verifies the bearer token, and the
//! extractor that hands the verified caller to handlers.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::Request;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use scim_token_core::{ScimTokenService, Scope, VerifiedToken};
use tower::{Layer, Service};

use crate::credentials::credential_from_headers;
use crate::scim::error::ScimError;

/// Requires a valid SCIM token on every request to the wrapped routes, sent as
/// `Authorization: Bearer <token>` or raw (as Okta can send it): a static token, or an OAuth access
/// token from the token endpoint ([`OAuthRoutes`](crate::OAuthRoutes)), as the scope's auth mode allows.
///
/// On success the [`VerifiedToken`] (scope, the presented token's id, and in
/// [`credential`](VerifiedToken::credential) which kind of credential: a static token, or an access token
/// with the client secret or federation trust that minted it) is put in the request's extensions, where
/// [`ScimCaller`] finds it. Otherwise the request is answered with a [`ScimError`]: 401 for any refused
/// token (one answer for every reason), 503 with `Retry-After` when hashing is saturated or the store
/// is busy or unreachable, 500 when the store fails otherwise.
///
/// [`new`](Self::new) accepts a token of any scope, and the handler learns the scope from it;
/// [`per_tenant`](Self::per_tenant) serves per-tenant URLs such as `/scim/v2/{tenant}/Users` and
/// refuses a token of another tenant.
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
    /// The path parameter naming the scope, for per-tenant URLs.
    scope_param: Option<&'static str>,
}

impl ScimGuardLayer {
    /// A guard that verifies tokens with `service` and accepts a valid token of any scope: the handler
    /// reads the scope from [`ScimCaller`].
    pub fn new(service: ScimTokenService) -> Self {
        Self { service, scope_param: None }
    }

    /// A guard for per-tenant URLs: the path parameter `param` (e.g. `"tenant"` in
    /// `/scim/v2/{tenant}/Users`) names the scope, and only a token of that scope is accepted. A token
    /// of another tenant, or a parameter that is not a valid [`Scope`](scim_token_core::Scope), gets
    /// the same 401 as any other refusal, so the answer does not tell whether a tenant exists.
    ///
    /// The parameter must be part of the matched route (the guard added with
    /// [`route_layer`](axum::Router::route_layer) on routes, or on a router
    /// [`nest`](axum::Router::nest)ed, under a path that has it); if it is missing, every request is
    /// refused with a 500 and an error in the log, never let through.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use scim_token_axum::{ScimCaller, ScimGuardLayer};
    /// # fn demo(service: scim_token_core::ScimTokenService) {
    ///
    /// async fn list_users(ScimCaller(caller): ScimCaller) -> String {
    ///     format!("users of tenant {}", caller.scope) // always the tenant of the URL
    /// }
    ///
    /// let scim: Router = Router::new()
    ///     .route("/scim/v2/{tenant}/Users", get(list_users))
    ///     .route_layer(ScimGuardLayer::per_tenant(service, "tenant"));
    /// # }
    /// ```
    pub fn per_tenant(service: ScimTokenService, param: &'static str) -> Self {
        Self { service, scope_param: Some(param) }
    }
}

impl<S> Layer<S> for ScimGuardLayer {
    type Service = ScimGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ScimGuard { inner, service: self.service.clone(), scope_param: self.scope_param }
    }
}

/// The service [`ScimGuardLayer`] wraps routes in.
#[derive(Clone, Debug)]
pub struct ScimGuard<S> {
    inner: S,
    service: ScimTokenService,
    scope_param: Option<&'static str>,
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

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // Call the instance that was polled ready, and leave a fresh clone for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let service = self.service.clone();
        let scope_param = self.scope_param;
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            match verify(&service, scope_param, &mut parts).await {
                Ok(verified) => {
                    parts.extensions.insert(verified);
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(error) => Ok(error.into_response()),
            }
        })
    }
}

async fn verify(
    service: &ScimTokenService,
    scope_param: Option<&'static str>,
    parts: &mut Parts,
) -> Result<VerifiedToken, ScimError> {
    // The path is checked first, so a wiring mistake shows on the first request, token or not.
    let expected = match scope_param {
        Some(name) => Some(scope_from_path(parts, name).await?),
        None => None,
    };
    let presented = credential_from_headers(&parts.headers).map_err(|reason| {
        tracing::debug!(%reason, "SCIM request without a usable token");
        ScimError::unauthorized()
    })?;
    let verified = match &expected {
        Some(scope) => service.verify_for(scope, presented).await,
        None => service.verify(presented).await,
    };
    Ok(verified?)
}

/// The scope named by the path parameter `name`. A value that is not a scope is refused like a bad
/// token (401); a missing parameter is the host's wiring mistake (500).
async fn scope_from_path(parts: &mut Parts, name: &str) -> Result<Scope, ScimError> {
    let params = match RawPathParams::from_request_parts(parts, &()).await {
        Ok(params) => params,
        Err(RawPathParamsRejection::InvalidUtf8InPathParam(_)) => {
            tracing::debug!("SCIM request refused: the tenant in the path is not UTF-8");
            return Err(ScimError::unauthorized());
        }
        Err(_) => return Err(missing_param(parts, name)),
    };
    let Some((_, value)) = params.iter().find(|(key, _)| *key == name) else {
        return Err(missing_param(parts, name));
    };
    Scope::new(value).map_err(|_| {
        tracing::debug!("SCIM request refused: the tenant in the path is not a valid scope");
        ScimError::unauthorized()
    })
}

fn missing_param(parts: &Parts, name: &str) -> ScimError {
    ScimError::internal(format_args!(
        "ScimGuardLayer::per_tenant expects a path parameter {{{name}}}, but the route of {} has none; \
         the request is refused",
        parts.uri.path()
    ))
}

/// The caller of a SCIM route, as verified by [`ScimGuardLayer`]: extract it in handlers to learn the
/// scope (tenant) to act on.
///
/// On a route that is not behind the guard, extraction fails closed with a 500 [`ScimError`] and an
/// error in the logs: a missing guard is a wiring mistake, never a reason to let a request through.
// Not `#[non_exhaustive]`: handlers destructure it (`ScimCaller(caller)`), and what may grow is the
// `VerifiedToken` inside, not this wrapper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScimCaller(pub VerifiedToken);

impl<S: Send + Sync> FromRequestParts<S> for ScimCaller {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<VerifiedToken>() {
            Some(verified) => Ok(Self(verified.clone())),
            None => Err(ScimError::internal(format_args!(
                "ScimCaller used on {} without ScimGuardLayer; the request is refused",
                parts.uri.path()
            ))),
        }
    }
}
