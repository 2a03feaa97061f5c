//! A ready-made [`AdminAuthenticator`]: a fixed set of admin credentials, each acting on one scope.

use std::fmt;

use async_trait::async_trait;
use axum::http::request::Parts;
use scim_token_core::{Actor, Error, Scope};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::admin::auth::{AdminAction, AdminAuthenticator, AdminGrant, AdminRejection};
use crate::credentials::{credential_from_headers, is_acceptable_credential};

/// What a static admin credential may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminAccess {
    /// Read the settings and list the tokens only: every `POST` and `DELETE` answers 403.
    ReadOnly,
    /// Read and change the settings, and generate, list and revoke tokens.
    ReadWrite,
}

/// A fixed set of admin credentials, presented raw or as `Bearer …` in `Authorization`, each acting on
/// one scope: the set's own ([`with_token`](Self::with_token)) or a scope of its own
/// ([`with_scoped_token`](Self::with_scoped_token)), so one set serves one tenant or many.
///
/// Only SHA-256 digests of the credentials are kept, and every presented credential is compared with
/// every configured one in constant time, so neither timing nor a memory dump reveals them.
///
/// ```
/// use scim_token_axum::{AdminAccess, StaticAdminTokens};
/// use scim_token_core::{Actor, Scope};
///
/// let admins = StaticAdminTokens::new()
///     .with_token("*:*.0123456789abcdef", Actor::new("ops-admin")?, AdminAccess::ReadWrite)?
///     .with_token("*:*.fedcba9876543210", Actor::new("auditor")?, AdminAccess::ReadOnly)?
///     // Another tenant: this credential reads and changes the scope "acme" only.
///     .with_scoped_token(
///         "acme.0123456789abcdef",
///         Actor::new("acme-admin")?,
///         AdminAccess::ReadWrite,
///         Scope::new("acme")?,
///     )?;
/// # Ok::<(), scim_token_core::Error>(())
/// ```
#[derive(Clone)]
pub struct StaticAdminTokens {
    scope: Scope,
    entries: Vec<Entry>,
}

#[derive(Clone)]
struct Entry {
    digest: [u8; 32],
    actor: Actor,
    access: AdminAccess,
    /// `None`: the set's scope, whenever [`StaticAdminTokens::with_scope`] is called.
    scope: Option<Scope>,
}

impl Default for StaticAdminTokens {
    fn default() -> Self {
        Self::new()
    }
}

impl StaticAdminTokens {
    /// No credentials yet, for [`Scope::default_scope`].
    pub fn new() -> Self {
        Self { scope: Scope::default_scope(), entries: Vec::new() }
    }

    /// Uses `scope` instead of the default one for the credentials added with
    /// [`with_token`](Self::with_token), before or after this call.
    #[must_use]
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Adds a credential for the set's scope. It must be 1 to
    /// [`MAX_AUTHORIZATION_LEN`](crate::limits::MAX_AUTHORIZATION_LEN) visible ASCII characters without
    /// whitespace (what a client can send), and not already configured.
    pub fn with_token(self, credential: &str, actor: Actor, access: AdminAccess) -> Result<Self, Error> {
        self.add(credential, actor, access, None)
    }

    /// Adds a credential that reads and changes `scope` (a tenant) and no other, whatever the set's
    /// scope: one admin API then serves many tenants, each with its own credentials. The rules of
    /// [`with_token`](Self::with_token) apply; a credential serves one scope only, so an administrator of
    /// two tenants gets two credentials.
    pub fn with_scoped_token(
        self,
        credential: &str,
        actor: Actor,
        access: AdminAccess,
        scope: Scope,
    ) -> Result<Self, Error> {
        self.add(credential, actor, access, Some(scope))
    }

    fn add(
        mut self,
        credential: &str,
        actor: Actor,
        access: AdminAccess,
        scope: Option<Scope>,
    ) -> Result<Self, Error> {
        if !is_acceptable_credential(credential) {
            return Err(Error::InvalidInput {
                what: "admin credential",
                reason: "it must be 1 to 4096 visible ASCII characters without whitespace",
            });
        }
        let digest = digest(credential);
        if self.find(&digest).is_some() {
            return Err(Error::InvalidInput { what: "admin credential", reason: "it is already configured" });
        }
        self.entries.push(Entry { digest, actor, access, scope });
        Ok(self)
    }

    /// The entry whose credential has this digest. Compares against every entry, without stopping early.
    fn find(&self, digest: &[u8; 32]) -> Option<&Entry> {
        let mut found = None;
        for entry in &self.entries {
            if bool::from(entry.digest.ct_eq(digest)) {
                found = Some(entry);
            }
        }
        found
    }
}

/// Hashing first makes the comparison independent of the credentials' lengths.
fn digest(credential: &str) -> [u8; 32] {
    Sha256::digest(credential.as_bytes()).into()
}

#[async_trait]
impl AdminAuthenticator for StaticAdminTokens {
    async fn authenticate(&self, parts: &Parts, action: AdminAction) -> Result<AdminGrant, AdminRejection> {
        let credential = credential_from_headers(&parts.headers).map_err(|reason| {
            tracing::debug!(%reason, "admin request without a usable credential");
            AdminRejection::Unauthenticated
        })?;
        let Some(entry) = self.find(&digest(credential)) else {
            tracing::debug!("admin request with an unknown credential");
            return Err(AdminRejection::Unauthenticated);
        };
        if action.is_write() && entry.access == AdminAccess::ReadOnly {
            tracing::info!(actor = %entry.actor, ?action, "admin request refused: read-only credential");
            return Err(AdminRejection::Forbidden);
        }
        let scope = entry.scope.as_ref().unwrap_or(&self.scope).clone();
        Ok(AdminGrant::new(entry.actor.clone(), scope))
    }
}

impl fmt::Debug for StaticAdminTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let actors: Vec<_> = self
            .entries
            .iter()
            .map(|e| (e.actor.as_str(), e.access, e.scope.as_ref().unwrap_or(&self.scope).as_str()))
            .collect();
        f.debug_struct("StaticAdminTokens").field("scope", &self.scope).field("actors", &actors).finish()
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;
    use crate::admin::auth::tests::ALL_ACTIONS;

    fn parts(authorization: Option<&str>) -> Parts {
        let mut request = Request::builder();
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        request.body(()).unwrap().into_parts().0
    }

    fn admins() -> StaticAdminTokens {
        StaticAdminTokens::new()
            .with_token("*:*.admin", Actor::new("admin").unwrap(), AdminAccess::ReadWrite)
            .unwrap()
            .with_token("*:*.viewer", Actor::new("viewer").unwrap(), AdminAccess::ReadOnly)
            .unwrap()
    }

    #[tokio::test]
    async fn grants_by_credential_and_access() {
        let admins = admins();
        for action in ALL_ACTIONS {
            let grant = admins.authenticate(&parts(Some("Bearer *:*.admin")), action).await.unwrap();
            assert_eq!(grant.actor.as_str(), "admin");
            assert_eq!(grant.scope, Scope::default_scope());
        }
        for action in ALL_ACTIONS {
            let viewer = admins.authenticate(&parts(Some("*:*.viewer")), action).await;
            if action.is_write() {
                assert_eq!(viewer, Err(AdminRejection::Forbidden), "{action:?}");
            } else {
                assert_eq!(viewer.unwrap().actor.as_str(), "viewer");
            }
        }
    }

    #[tokio::test]
    async fn unknown_or_missing_credentials_are_unauthenticated() {
        let admins = admins();
        for header in [None, Some("*:*.admin2"), Some("*:*.admi"), Some(""), Some("Bearer")] {
            let result = admins.authenticate(&parts(header), AdminAction::ReadSettings).await;
            assert_eq!(result, Err(AdminRejection::Unauthenticated), "{header:?}");
        }
    }

    #[tokio::test]
    async fn scoped_credentials_grant_their_own_scope_only() {
        let scope = |name: &str| Scope::new(name).unwrap();
        let admins = admins()
            .with_scoped_token("acme.rw", Actor::new("acme").unwrap(), AdminAccess::ReadWrite, scope("acme"))
            .unwrap()
            .with_scoped_token(
                "globex.ro",
                Actor::new("globex").unwrap(),
                AdminAccess::ReadOnly,
                scope("globex"),
            )
            .unwrap()
            // Changes the scope of the unscoped credentials only, even when set after them.
            .with_scope(scope("main"));
        let grant = |credential: &'static str, action| {
            let admins = admins.clone();
            async move { admins.authenticate(&parts(Some(credential)), action).await }
        };
        let acme = grant("acme.rw", AdminAction::GenerateToken).await.unwrap();
        assert_eq!((acme.actor.as_str(), acme.scope.as_str()), ("acme", "acme"));
        let globex = grant("Bearer globex.ro", AdminAction::ReadSettings).await.unwrap();
        assert_eq!((globex.actor.as_str(), globex.scope.as_str()), ("globex", "globex"));
        assert_eq!(grant("globex.ro", AdminAction::ChangeSettings).await, Err(AdminRejection::Forbidden));
        assert_eq!(grant("*:*.admin", AdminAction::GenerateToken).await.unwrap().scope, scope("main"));
        assert_eq!(grant("acme.r", AdminAction::ReadSettings).await, Err(AdminRejection::Unauthenticated));
        let debug = format!("{admins:?}");
        assert!(debug.contains(r#"("acme", ReadWrite, "acme")"#) && !debug.contains("acme.rw"), "{debug}");
        assert!(debug.contains(r#"("admin", ReadWrite, "main")"#), "{debug}");
    }

    #[test]
    fn configuration_rules() {
        let actor = || Actor::new("a").unwrap();
        assert!(StaticAdminTokens::new().with_token("", actor(), AdminAccess::ReadOnly).is_err());
        assert!(StaticAdminTokens::new().with_token("a b", actor(), AdminAccess::ReadOnly).is_err());
        assert!(admins().with_token("*:*.admin", actor(), AdminAccess::ReadOnly).is_err());
        let other = Scope::new("other").unwrap();
        assert!(
            admins().with_scoped_token("*:*.admin", actor(), AdminAccess::ReadOnly, other.clone()).is_err()
        );
        assert!(
            StaticAdminTokens::new().with_scoped_token("a b", actor(), AdminAccess::ReadOnly, other).is_err()
        );
        let debug = format!("{:?}", admins());
        assert!(!debug.contains("*:*.admin") && debug.contains("viewer"), "{debug}");
    }
}
