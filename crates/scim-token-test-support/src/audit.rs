//! An audit sink that keeps every event, for tests to read back.

use std::sync::{Arc, Mutex};

use scim_token_core::{AuditAction, AuditEvent, AuditSink};

/// Keeps every audit event it is given; clones share one log.
#[derive(Clone, Default)]
pub struct AuditLog(Arc<Mutex<Vec<AuditEvent>>>);

impl AuditLog {
    /// Every event so far, oldest first.
    pub fn events(&self) -> Vec<AuditEvent> {
        self.0.lock().expect("no test panics while holding the log").clone()
    }

    /// The events whose action is one of `actions`, oldest first.
    pub fn of(&self, actions: &[AuditAction]) -> Vec<AuditEvent> {
        self.events().into_iter().filter(|e| actions.contains(&e.action)).collect()
    }
}

impl AuditSink for AuditLog {
    fn record(&self, event: &AuditEvent) {
        self.0.lock().expect("no test panics while holding the log").push(event.clone());
    }
}
