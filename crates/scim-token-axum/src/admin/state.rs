//! What every admin handler shares: the service, and the checks that run before any input is read.

use std::sync::Arc;

use axum::http::request::Parts;
use scim_token_core::ScimTokenService;

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
}

impl AdminState {
    pub(crate) fn new(
        service: ScimTokenService,
        authenticator: Arc<dyn AdminAuthenticator>,
        cross_site: Option<CrossSitePolicy>,
    ) -> Self {
        Self { service, authenticator, cross_site: cross_site.map(Arc::new) }
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
