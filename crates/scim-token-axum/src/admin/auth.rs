//! Who may call the admin routes: the trait the host implements, what it is asked about, and what it
//! answers. [`StaticAdminTokens`](crate::StaticAdminTokens) is a ready-made implementation.

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use axum::http::request::Parts;
use scim_token_core::{Actor, Scope};

/// The admin operation a request asks for, so an authenticator can grant reads more widely than writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AdminAction {
    /// `GET /api/admin/scim-settings`.
    ReadSettings,
    /// `POST /api/admin/scim-settings`.
    ChangeSettings,
    /// `POST /api/admin/scim-settings/generate-new-token`.
    GenerateToken,
    /// `GET /api/admin/scim-settings/tokens`: the tokens' metadata, never a secret.
    ListTokens,
    /// `DELETE /api/admin/scim-settings/tokens/{id}`.
    RevokeToken,
    /// `DELETE /api/admin/scim-settings/tokens`.
    RevokeAllTokens,
    /// `GET /api/admin/scim-settings/oauth`: the OAuth client's metadata, never a secret.
    ReadOAuthSettings,
    /// `POST /api/admin/scim-settings/oauth/secrets`.
    CreateClientSecret,
    /// `DELETE /api/admin/scim-settings/oauth/secrets/{id}`.
    DeleteClientSecret,
    /// `PUT` and `DELETE /api/admin/scim-settings/oauth/federation`.
    ChangeFederationTrust,
    /// `PUT /api/admin/scim-settings/oauth/mode`.
    ChangeAuthMode,
}

impl AdminAction {
    /// Whether the action changes anything. Read-only admins are refused (403) on every write.
    pub fn is_write(self) -> bool {
        !matches!(self, Self::ReadSettings | Self::ListTokens | Self::ReadOAuthSettings)
    }
}

/// A successful admin authentication: who acts, and on which scope (tenant).
///
/// An authenticator builds it with [`new`](Self::new); fields may be added (e.g. for another kind of
/// caller), so it cannot be built or matched field by field outside this crate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdminGrant {
    /// Recorded as the author of the change and in the audit trail.
    pub actor: Actor,
    /// The scope whose SCIM settings and token the request reads or changes.
    pub scope: Scope,
}

impl AdminGrant {
    /// `actor` may act on `scope`.
    pub fn new(actor: Actor, scope: Scope) -> Self {
        Self { actor, scope }
    }
}

/// Why an admin request is refused. Each maps to one status and one fixed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminRejection {
    /// 401: no credential, or one the host does not recognise.
    Unauthenticated,
    /// 403: the caller is known but may not perform this action.
    Forbidden,
    /// 404: SCIM provisioning does not exist for this caller (feature not licensed, unknown tenant, …).
    NotFound,
    /// 503: the host cannot decide right now (its own user store is down, …). Log the cause yourself.
    Unavailable,
}

/// Authenticates and authorises admin requests. The host implements it with its own users, sessions or
/// API tokens; [`StaticAdminTokens`](crate::StaticAdminTokens) is a ready-made one for small deployments
/// and demos.
///
/// It receives the request's head only (the body has not been read), so it runs before any input is
/// parsed: an unauthenticated caller never learns whether its body would have been valid.
///
/// ```
/// use axum::http::request::Parts;
/// use scim_token_axum::{AdminAction, AdminAuthenticator, AdminGrant, AdminRejection, async_trait};
/// use scim_token_core::{Actor, Scope};
///
/// /// Trusts a user that the host's own session middleware put in the request's extensions.
/// struct SessionAdmins;
///
/// #[derive(Clone)]
/// struct SessionUser { name: String, tenant: String, is_admin: bool }
///
/// #[async_trait]
/// impl AdminAuthenticator for SessionAdmins {
///     async fn authenticate(
///         &self,
///         parts: &Parts,
///         action: AdminAction,
///     ) -> Result<AdminGrant, AdminRejection> {
///         let user = parts.extensions.get::<SessionUser>().ok_or(AdminRejection::Unauthenticated)?;
///         if action.is_write() && !user.is_admin {
///             return Err(AdminRejection::Forbidden);
///         }
///         let actor = Actor::new(user.name.clone()).map_err(|_| AdminRejection::Unauthenticated)?;
///         let scope = Scope::new(user.tenant.clone()).map_err(|_| AdminRejection::NotFound)?;
///         Ok(AdminGrant::new(actor, scope))
///     }
/// }
/// ```
#[async_trait]
pub trait AdminAuthenticator: Send + Sync + 'static {
    /// Decides who the caller is and whether it may perform `action`, from the request's head.
    async fn authenticate(&self, parts: &Parts, action: AdminAction) -> Result<AdminGrant, AdminRejection>;

    /// What a 401 ([`AdminRejection::Unauthenticated`]) tells the caller to do: name the header or the
    /// sign-in your authenticator expects. It is the answer's `message` (and `details[0].message`), sent
    /// to anyone, so it must not depend on the request or reveal whether a credential exists.
    ///
    /// The default, [`DEFAULT_UNAUTHENTICATED_MESSAGE`], asks for an admin API token in the
    /// `Authorization` header, as Unleash does and as [`StaticAdminTokens`](crate::StaticAdminTokens)
    /// reads it.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use axum::http::request::Parts;
    /// use scim_token_axum::{AdminAction, AdminAuthenticator, AdminGrant, AdminRejection, async_trait};
    ///
    /// /// Reads the host's own `X-Api-Key` header.
    /// struct ApiKeyAdmins;
    ///
    /// #[async_trait]
    /// impl AdminAuthenticator for ApiKeyAdmins {
    ///     async fn authenticate(&self, parts: &Parts, _: AdminAction) -> Result<AdminGrant, AdminRejection> {
    ///         let _key = parts.headers.get("x-api-key").ok_or(AdminRejection::Unauthenticated)?;
    ///         # Err(AdminRejection::Unauthenticated)
    ///         // … look the key up …
    ///     }
    ///
    ///     fn unauthenticated_message(&self) -> Cow<'static, str> {
    ///         "Send your API key in the `X-Api-Key` header; create one under Settings → API keys.".into()
    ///     }
    /// }
    /// ```
    fn unauthenticated_message(&self) -> Cow<'static, str> {
        Cow::Borrowed(DEFAULT_UNAUTHENTICATED_MESSAGE)
    }
}

/// The 401 message of an [`AdminAuthenticator`] that does not choose its own (Unleash's text).
pub const DEFAULT_UNAUTHENTICATED_MESSAGE: &str = "Authorization information is missing or invalid. \
                                                   Provide a valid admin API token as the `Authorization` \
                                                   header, e.g. `Authorization: *:*.my-admin-token`.";

#[async_trait]
impl<A: AdminAuthenticator + ?Sized> AdminAuthenticator for Arc<A> {
    async fn authenticate(&self, parts: &Parts, action: AdminAction) -> Result<AdminGrant, AdminRejection> {
        (**self).authenticate(parts, action).await
    }

    fn unauthenticated_message(&self) -> Cow<'static, str> {
        (**self).unauthenticated_message()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const ALL_ACTIONS: [AdminAction; 11] = [
        AdminAction::ReadSettings,
        AdminAction::ChangeSettings,
        AdminAction::GenerateToken,
        AdminAction::ListTokens,
        AdminAction::RevokeToken,
        AdminAction::RevokeAllTokens,
        AdminAction::ReadOAuthSettings,
        AdminAction::CreateClientSecret,
        AdminAction::DeleteClientSecret,
        AdminAction::ChangeFederationTrust,
        AdminAction::ChangeAuthMode,
    ];

    #[test]
    fn only_reads_are_not_writes() {
        let reads: Vec<_> = ALL_ACTIONS.into_iter().filter(|a| !a.is_write()).collect();
        assert_eq!(
            reads,
            [AdminAction::ReadSettings, AdminAction::ListTokens, AdminAction::ReadOAuthSettings]
        );
    }
}
