//! Audit events of this run: kept to report what was done (e.g. which tokens a revoke removed), and
//! printed as one line each on stderr, since the servers' logs never see what the command did.

use std::sync::{Arc, Mutex, PoisonError};

use scim_token_core::{AuditEvent, AuditSink};

/// Collects the events; clones share them.
#[derive(Clone, Debug, Default)]
pub(crate) struct CollectingSink {
    events: Arc<Mutex<Vec<AuditEvent>>>,
}

impl CollectingSink {
    /// The events recorded so far, in order.
    pub(crate) fn events(&self) -> Vec<AuditEvent> {
        self.events.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl AuditSink for CollectingSink {
    fn record(&self, event: &AuditEvent) {
        self.events.lock().unwrap_or_else(PoisonError::into_inner).push(event.clone());
    }
}

/// `audit: token_generated scope="default" actor="alice" tokens=ID at=2026-05-01T10:00:00.000Z`
pub(crate) fn line(event: &AuditEvent) -> String {
    let tokens: Vec<&str> = event.token_ids.iter().map(|id| id.as_str()).collect();
    format!(
        "audit: {} scope={:?} actor={:?} tokens={} at={}",
        event.action,
        event.scope.as_str(),
        event.actor.as_str(),
        if tokens.is_empty() { "-".to_owned() } else { tokens.join(",") },
        event.at.to_rfc3339(),
    )
}

#[cfg(test)]
mod tests {
    use scim_token_core::{Actor, AuditAction, Scope, Timestamp, TokenId};

    use super::*;

    #[test]
    fn one_line_per_event() {
        let sink = CollectingSink::default();
        let event = AuditEvent::new(
            Scope::default_scope(),
            Actor::new("Ada \"the admin\"").unwrap(),
            AuditAction::TokensRevoked,
            vec![TokenId::new("AAAAAAAAAAAAAAAA").unwrap(), TokenId::new("BBBBBBBBBBBBBBBB").unwrap()],
            Timestamp::from_unix_millis(0),
        );
        sink.record(&event);
        assert_eq!(sink.events(), vec![event.clone()]);
        assert_eq!(
            line(&event),
            r#"audit: tokens_revoked scope="default" actor="Ada \"the admin\"" tokens=AAAAAAAAAAAAAAAA,BBBBBBBBBBBBBBBB at=1970-01-01T00:00:00.000Z"#
        );
    }
}
