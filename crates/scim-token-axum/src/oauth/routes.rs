//! The builder a host turns into the OAuth [`Router`]: the token endpoint and, with an issuer, the
//! authorization server metadata.

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::middleware::map_response;
use axum::routing::{get, post};
use scim_token_core::ScimTokenService;

use crate::limits::TOKEN_REQUEST_BODY_LIMIT;
use crate::oauth::{answer, metadata, token_route};
use crate::paths::{OAUTH_METADATA_PATH, TOKEN_ENDPOINT_PATH};
use crate::public_url;

/// Builds the OAuth 2.0 routes an identity provider calls (Microsoft Entra's "client credentials" and
/// workload identity federation), for a host to merge into its own [`Router`].
///
/// | route | answer |
/// |---|---|
/// | `POST /oauth2/token` | 200 `{"access_token", "token_type": "Bearer", "expires_in", "scope": "scim"}` (RFC 6749 §5.1), or a §5.2 error `{"error", "error_description"}` |
/// | `GET /.well-known/oauth-authorization-server` (with [`with_issuer`](Self::with_issuer)) | the RFC 8414 metadata |
///
/// They are a router of their own, not part of [`AdminRoutes`](crate::AdminRoutes): their callers are
/// identity providers, not administrators, so no admin authentication, no cross-site rules and no
/// Unleash error bodies apply; the client authenticates itself (`client_secret_basic`,
/// `client_secret_post`, or a JWT assertion when the service has an
/// [assertion verifier](scim_token_core::ScimTokenServiceBuilder::assertion_verifier)). A host that
/// only uses static tokens does not merge them.
///
/// The token endpoint reads the `Authorization` and `Content-Type` headers and a body of at most
/// [`TOKEN_REQUEST_BODY_LIMIT`] bytes (413 beyond), and leaves the rest to
/// [`ScimTokenService::token_endpoint`]. Every answer, errors and the 405 of another method (with
/// `Allow: POST`) included, carries `Cache-Control: no-store` and `Pragma: no-cache`. An `invalid_client`
/// answer to a client that used (or did not use any) client authentication is a 401 with
/// `WWW-Authenticate: Basic`; a saturated store or hashing budget is a 503 with `Retry-After`; bad input
/// is never a 5xx.
///
/// The access tokens it issues are accepted by [`ScimGuardLayer`](crate::ScimGuardLayer) like static
/// tokens. Serve the routes over TLS (1.2 or later) only: the host terminates it.
///
/// ```
/// use axum::Router;
/// use scim_token_axum::OAuthRoutes;
/// # fn demo(service: scim_token_core::ScimTokenService) -> Result<(), scim_token_core::Error> {
///
/// let app: Router = Router::new()
///     // .merge(AdminRoutes::new(…)…), the guarded SCIM API, …
///     .merge(OAuthRoutes::new(service).with_issuer("https://app.example")?.into_router());
/// # Ok(()) }
/// ```
#[must_use = "call into_router() and merge the result into your Router"]
#[derive(Debug)]
pub struct OAuthRoutes {
    service: ScimTokenService,
    issuer: Option<String>,
}

impl OAuthRoutes {
    /// The token endpoint over `service`.
    pub fn new(service: ScimTokenService) -> Self {
        Self { service, issuer: None }
    }

    /// Also serves the RFC 8414 metadata at [`OAUTH_METADATA_PATH`], naming `issuer` (the server's public
    /// base URL, e.g. `https://app.example`, where these routes are reachable) and the token endpoint
    /// under it. It lists `private_key_jwt` only when the service accepts client assertions.
    ///
    /// Fails if `issuer` is not an `https://` (or, for a local trial, `http://`) URL with a host and
    /// without query or fragment; a trailing `/` is removed. RFC 8414 §3 puts the metadata of an issuer
    /// with a path under `/.well-known/oauth-authorization-server/{path}`: a host with such an issuer
    /// routes that path to this router's [`OAUTH_METADATA_PATH`] itself.
    pub fn with_issuer(mut self, issuer: &str) -> Result<Self, scim_token_core::Error> {
        self.issuer = Some(public_url::base_url("issuer", issuer)?);
        Ok(self)
    }

    /// The routes, ready to [`merge`](Router::merge) into a router of any state `S`. No fallback is set,
    /// so unknown paths reach the host's.
    pub fn into_router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        let token = Router::new()
            .route(
                TOKEN_ENDPOINT_PATH,
                post(token_route::token)
                    .fallback(token_route::method_not_allowed)
                    .layer(DefaultBodyLimit::max(TOKEN_REQUEST_BODY_LIMIT)),
            )
            // Every answer of the route, axum's own rejections included.
            .layer(map_response(answer::no_store))
            .with_state(self.service.clone());
        let Some(issuer) = self.issuer else { return token };
        // Built once: the document is fixed for the life of the router.
        let document = Bytes::from(metadata::document(&issuer, self.service.accepts_client_assertions()));
        token.merge(Router::new().route(OAUTH_METADATA_PATH, get(metadata::metadata)).with_state(document))
    }
}
