//! Guarding a whole SCIM API: RFC 7644 fallbacks for unknown paths and methods, and one call that nests
//! the host's SCIM routes under a prefix with the guard in front of every answer.

use axum::Router;
use scim_token_core::ScimTokenService;
use tower::Layer;

use crate::scim::error::ScimError;
use crate::scim::guard::ScimGuardLayer;

/// Fallback handler for a path no SCIM route matches: an RFC 7644 404 (`application/scim+json`).
///
/// Use it with [`Router::fallback`] on the SCIM router, and put the guard around that whole router so
/// that an unknown path answers 401 to a caller without a valid token and 404 to one with it.
/// [`guarded_scim_api`] does all of this.
pub async fn scim_not_found() -> ScimError {
    ScimError::not_found()
}

/// Fallback handler for a method a SCIM route does not take: an RFC 7644 405 (`application/scim+json`);
/// axum adds the `Allow` header.
///
/// Use it with [`Router::method_not_allowed_fallback`], which applies to the routes added before it. Put
/// the guard around the whole router (as [`guarded_scim_api`] does), not in [`Router::layer`]: axum adds
/// `Allow` outside route layers, so a 401 would list the methods of the routes that exist.
pub async fn scim_method_not_allowed() -> ScimError {
    ScimError::method_not_allowed()
}

/// The host's SCIM routes, nested under `prefix` (e.g. `"/scim/v2"`), with a valid SCIM token required
/// for every answer under it: without one, every path and method — unknown ones included — gets the same
/// 401. With one, the routes answer, an unknown path gets an RFC 7644 404 and an unsupported method an
/// RFC 7644 405 with `Allow`. Merge the result into the host's router.
///
/// `routes` are written relative to the prefix (`"/Users"`, `"/Users/{id}"`), with their state already
/// given ([`Router::with_state`]); add them all before this call, as the 405 fallback applies to the
/// routes present. It replaces any fallback `routes` has, and does not reach inside routers nested in
/// `routes` (they keep their own fallbacks).
///
/// The guard wraps the whole SCIM router as one service, so nothing axum adds (such as `Allow`) tells
/// an unauthenticated caller which paths exist; every path under the prefix, `{prefix}` and `{prefix}/`
/// included, reaches it. A `{tenant}` parameter in the prefix works as with [`Router::nest_service`].
///
/// ```
/// use axum::{Router, routing::get};
/// use scim_token_axum::{ScimCaller, guarded_scim_api};
/// # fn demo(service: scim_token_core::ScimTokenService) {
///
/// async fn list_users(ScimCaller(caller): ScimCaller) -> String {
///     format!("users of tenant {}", caller.scope)
/// }
///
/// let scim = Router::new().route("/Users", get(list_users));
/// let app: Router = Router::new().merge(guarded_scim_api("/scim/v2", scim, service));
/// # }
/// ```
///
/// # Panics
///
/// At start-up, if `prefix` does not start with `/`, ends with `/`, or is a path
/// [`Router::nest_service`] refuses (e.g. one with a wildcard); when the result is merged, if its paths
/// overlap the host's.
pub fn guarded_scim_api<S>(prefix: &str, routes: Router, service: ScimTokenService) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    assert!(
        prefix.len() > 1 && prefix.starts_with('/') && !prefix.ends_with('/'),
        "guarded_scim_api: the SCIM prefix must start with '/' and not end with it, like \"/scim/v2\""
    );
    let guard = ScimGuardLayer::new(service);
    let api = routes.fallback(scim_not_found).method_not_allowed_fallback(scim_method_not_allowed);
    Router::new().nest_service(prefix, guard.layer(api))
}
