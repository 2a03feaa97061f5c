//! What every admin handler shares: the service, and the checks that run before any input is read.

use std::sync::Arc;

use axum::http::request::Parts;
use scim_token_core::{ScimTokenService, Scope};

use crate::admin::auth::{AdminAction, AdminAuthenticator, AdminGrant, AdminRejection};
use crate::admin::cross_site::CrossSitePolicy;
use crate::admin::error::AdminError;

/// The state of the admin routes.
#[derive(Clone)]
pub(crate) struct AdminState {
    pub(crate) service: ScimTokenService,
    authenticator: Arc<dyn AdminAuthenticator>,
    /// `None` when cross-site protection is off.
    cross_site: Option<Arc<CrossSitePolicy>>,
    /// The URLs an identity provider is given, when the host named its public base URL.
    pub(crate) public_urls: Option<Arc<PublicUrls>>,
}

/// The host's public URLs, checked: the token endpoint's, and the SCIM base URL's pattern.
#[derive(Clone, Debug)]
pub(crate) struct PublicUrls {
    /// The token endpoint's full URL.
    pub(crate) token_endpoint: String,
    /// The SCIM base URL; `{scope}` stands for the admin's scope (per-tenant SCIM URLs).
    pub(crate) scim_base_url: String,
}

impl PublicUrls {
    /// The SCIM base URL of `scope`.
    pub(crate) fn scim_base_url(&self, scope: &Scope) -> String {
        self.scim_base_url.replace(SCOPE_PLACEHOLDER, scope.as_str())
    }
}

/// What the SCIM base path of [`AdminRoutes::with_public_urls`](crate::AdminRoutes::with_public_urls)
/// may hold for the admin's scope.
pub(crate) const SCOPE_PLACEHOLDER: &str = "{scope}";

impl AdminState {
    pub(crate) fn new(
        service: ScimTokenService,
        authenticator: Arc<dyn AdminAuthenticator>,
        cross_site: Option<CrossSitePolicy>,
        public_urls: Option<PublicUrls>,
    ) -> Self {
        Self {
            service,
            authenticator,
            cross_site: cross_site.map(Arc::new),
            public_urls: public_urls.map(Arc::new),
        }
    }

    /// Checks where a write comes from (when cross-site protection is on), then who asks.
    pub(crate) async fn authenticate(
        &self,
        parts: &Parts,
        action: AdminAction,
    ) -> Result<AdminGrant, AdminError> {
        if action.is_write()
            && let Some(policy) = &self.cross_site
            && !policy.allows(parts)
        {
            return Err(AdminError::CrossSite);
        }
        match self.authenticator.authenticate(parts, action).await {
            Ok(grant) => Ok(grant),
            Err(AdminRejection::Unauthenticated) => {
                Err(AdminError::Unauthenticated(self.authenticator.unauthenticated_message()))
            }
            Err(rejection) => Err(rejection.into()),
        }
    }
}
