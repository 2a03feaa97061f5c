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
    /// Every token of the scope was revoked.
    TokensRevoked,
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
    /// The token generated, or the current one revoked, if any.
    pub token_id: Option<TokenId>,
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
            token_id = event.token_id.as_ref().map(TokenId::as_str),
            at_unix_ms = event.at.unix_millis(),
            "SCIM token audit event"
        );
    }
}
