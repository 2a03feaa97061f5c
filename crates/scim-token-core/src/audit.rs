//! Audit events for administrative actions (and the service's own expiry warnings), sent to a pluggable
//! sink. They never hold a secret.

use std::fmt;

use crate::ids::{Actor, Scope, TokenId};
use crate::time::Timestamp;

/// What an administrator did, or ([`TokenExpiringSoon`](Self::TokenExpiringSoon)) what the service
/// itself warns about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditAction {
    /// A new token was generated; the previous one was invalidated (or kept for the overlap window).
    TokenGenerated,
    /// Every token of the scope was revoked; [`AuditEvent::token_ids`] names each one removed.
    TokensRevoked,
    /// One token was revoked by its id.
    TokenRevoked,
    /// The current token was used for the first time, which ended the overlap: the replaced token was
    /// deleted ([`token_ids`](AuditEvent::token_ids): the replaced one, then the current one).
    OverlapEndedByFirstUse,
    /// The current token was used for the first time after the overlap's maximum had passed: the
    /// replaced token (already refused) was deleted ([`token_ids`](AuditEvent::token_ids) as above).
    OverlapExpired,
    /// SCIM provisioning was enabled.
    ScimEnabled,
    /// SCIM provisioning was disabled.
    ScimDisabled,
    /// A token that was just used expires within the `expiry_warning` window: generate a new one and give
    /// it to the identity provider. Raised by the service, at most once a day per token per process, with
    /// [`SYSTEM_ACTOR`](crate::SYSTEM_ACTOR) as the actor and the token in [`AuditEvent::token_ids`].
    TokenExpiringSoon,
    /// An OAuth client secret was created ([`token_ids`](AuditEvent::token_ids): its id).
    ClientSecretCreated,
    /// An OAuth client secret was deleted, and with it the access tokens it minted
    /// ([`token_ids`](AuditEvent::token_ids): the secret's id, then those tokens').
    ClientSecretDeleted,
    /// A federation trust was set ([`token_ids`](AuditEvent::token_ids): its id, then the ids of the
    /// access tokens the replaced trust had minted, which were deleted).
    FederationTrustSet,
    /// The federation trust was deleted, and with it the access tokens it minted
    /// ([`token_ids`](AuditEvent::token_ids): the trust's id, then those tokens').
    FederationTrustDeleted,
    /// The scope's [`AuthMode`](crate::oauth::AuthMode) was set.
    AuthModeChanged,
    /// The token endpoint issued an access token; the actor is the OAuth client
    /// ([`token_ids`](AuditEvent::token_ids): the secret or trust that authenticated it, then the
    /// access token's id).
    AccessTokenIssued,
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TokenGenerated => "token_generated",
            Self::TokensRevoked => "tokens_revoked",
            Self::TokenRevoked => "token_revoked",
            Self::OverlapEndedByFirstUse => "overlap_ended_by_first_use",
            Self::OverlapExpired => "overlap_expired",
            Self::ScimEnabled => "scim_enabled",
            Self::ScimDisabled => "scim_disabled",
            Self::TokenExpiringSoon => "token_expiring_soon",
            Self::ClientSecretCreated => "client_secret_created",
            Self::ClientSecretDeleted => "client_secret_deleted",
            Self::FederationTrustSet => "federation_trust_set",
            Self::FederationTrustDeleted => "federation_trust_deleted",
            Self::AuthModeChanged => "auth_mode_changed",
            Self::AccessTokenIssued => "access_token_issued",
        })
    }
}

/// One administrative action (or expiry warning), as recorded. Fields may be added in a minor release:
/// build one with [`new`](Self::new).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditEvent {
    /// The scope acted on.
    pub scope: Scope,
    /// Who acted ([`SYSTEM_ACTOR`](crate::SYSTEM_ACTOR) for the service's own warnings).
    pub actor: Actor,
    /// What was done.
    pub action: AuditAction,
    /// The tokens acted on: the one generated, every one revoked (in no particular order), or the one
    /// expiring soon; empty for settings changes and for a revoke that found no token.
    pub token_ids: Vec<TokenId>,
    /// When.
    pub at: Timestamp,
}

impl AuditEvent {
    /// `actor` did `action` on `scope` (on the tokens `token_ids`) at `at`.
    pub fn new(
        scope: Scope,
        actor: Actor,
        action: AuditAction,
        token_ids: Vec<TokenId>,
        at: Timestamp,
    ) -> Self {
        Self { scope, actor, action, token_ids, at }
    }
}

/// Receives audit events. Called after the action succeeded, and for expiry warnings on the request path
/// of a verification: keep it quick (queue, don't block on I/O).
pub trait AuditSink: Send + Sync + 'static {
    /// Records one event.
    fn record(&self, event: &AuditEvent);
}

/// The default sink: one `tracing` INFO event per action, target `scim_token::audit`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingAuditSink;

impl AuditSink for TracingAuditSink {
    fn record(&self, event: &AuditEvent) {
        tracing::info!(
            target: "scim_token::audit",
            scope = %event.scope,
            actor = %event.actor,
            action = %event.action,
            token_ids = %TokenIds(&event.token_ids),
            at_unix_ms = event.at.unix_millis(),
            "SCIM token audit event"
        );
    }
}

/// Token ids as one comma-separated log field.
struct TokenIds<'a>(&'a [TokenId]);

impl fmt::Display for TokenIds<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, id) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(id.as_str())?;
        }
        Ok(())
    }
}
