//! Audit events for administrative actions, sent to a pluggable sink. They never hold a secret.

use std::fmt;

use crate::ids::{Actor, Scope, TokenId};
use crate::time::Timestamp;

/// What an administrator did.
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
        })
    }
}

/// One administrative action, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// The scope acted on.
    pub scope: Scope,
    /// Who acted.
    pub actor: Actor,
    /// What was done.
    pub action: AuditAction,
    /// The tokens acted on: the one generated, or every one revoked (in no particular order); empty
    /// for settings changes and for a revoke that found no token.
    pub token_ids: Vec<TokenId>,
    /// When.
    pub at: Timestamp,
}

/// Receives audit events. Called after the action succeeded; keep it quick (queue, don't block on I/O).
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
