//! Warnings before a token in use expires: at most one a day per token per process.
//!
//! An identity provider whose token expired only gets 401s, and nobody notices for days. So when a token
//! within the `expiry_warning` window of its `expires_at` verifies, the service emits a WARN `tracing`
//! event, an [`AuditEvent`] with [`AuditAction::TokenExpiringSoon`] by [`SYSTEM_ACTOR`](crate::SYSTEM_ACTOR) and (feature
//! `metrics`) counts `scim_token_expiring_soon_total`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use crate::audit::{AuditAction, AuditEvent, AuditSink};
use crate::ids::{Actor, Scope, TokenId, TokenIdMap};
use crate::time::Timestamp;

/// The default warning window: 14 days before a token expires.
pub(crate) const DEFAULT_WINDOW: Duration = Duration::from_secs(14 * 24 * 3600);

/// A token is warned about at most once in this long, per process.
const REPEAT_MS: i64 = 24 * 3600 * 1000;

/// When each token near its expiry was last warned about. Bounded: at most `capacity` tokens.
pub(crate) struct ExpiryWarnings {
    window_ms: i64,
    warned: RwLock<TokenIdMap<AtomicI64>>,
    capacity: usize,
    actor: Actor,
}

impl ExpiryWarnings {
    /// `window` zero turns warnings off.
    pub(crate) fn new(window: Duration, capacity: usize) -> Self {
        Self {
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX),
            warned: RwLock::new(TokenIdMap::default()),
            capacity: capacity.max(1),
            actor: Actor::system(),
        }
    }

    /// Called after token `id` of `scope` verified at `now`: warns if it is due. Returns whether it
    /// warned. Inlined: on every verification it is one comparison unless the token expires soon.
    #[inline]
    pub(crate) fn token_used(
        &self,
        id: &TokenId,
        scope: &Scope,
        expires_at: Option<Timestamp>,
        now: Timestamp,
        audit: &dyn AuditSink,
    ) -> bool {
        match expires_at {
            Some(at) if at.unix_millis().saturating_sub(now.unix_millis()) <= self.window_ms => {
                self.warn_if_due(id, scope, at, now, audit)
            }
            _ => false,
        }
    }

    #[cold]
    fn warn_if_due(
        &self,
        id: &TokenId,
        scope: &Scope,
        expires_at: Timestamp,
        now: Timestamp,
        audit: &dyn AuditSink,
    ) -> bool {
        if self.window_ms == 0 || !self.claim(id, now.unix_millis()) {
            return false;
        }
        let left_ms = expires_at.unix_millis().saturating_sub(now.unix_millis());
        tracing::warn!(
            target: "scim_token::expiry",
            scope = %scope,
            token_id = %id,
            expires_at_unix_ms = expires_at.unix_millis(),
            hours_left = left_ms / 3_600_000,
            "SCIM token expires soon: generate a new one and give it to the identity provider"
        );
        let event = AuditEvent {
            scope: scope.clone(),
            actor: self.actor.clone(),
            action: AuditAction::TokenExpiringSoon,
            token_ids: vec![*id],
            at: now,
        };
        audit.record(&event);
        true
    }

    /// Whether this caller should warn about `id` at `now`: not warned within a day. One winner per day,
    /// even under concurrent calls; the common case (warned already today) takes only a read lock.
    fn claim(&self, id: &TokenId, now: i64) -> bool {
        let due = |last: &AtomicI64| {
            let seen = last.load(Ordering::Acquire);
            now.saturating_sub(seen) >= REPEAT_MS
                && last.compare_exchange(seen, now, Ordering::AcqRel, Ordering::Acquire).is_ok()
        };
        if let Some(last) = self.warned.read().unwrap_or_else(PoisonError::into_inner).get(id) {
            return due(last);
        }
        let mut warned = self.warned.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(last) = warned.get(id) {
            return due(last);
        }
        if warned.len() >= self.capacity {
            // Entries older than a day suppress nothing any more; past that, forget an arbitrary one
            // (it may then be warned about twice in a day, never not at all).
            warned.retain(|_, last| now.saturating_sub(last.load(Ordering::Acquire)) < REPEAT_MS);
            if warned.len() >= self.capacity
                && let Some(victim) = warned.keys().next().copied()
            {
                warned.remove(&victim);
            }
        }
        warned.insert(*id, AtomicI64::new(now));
        true
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.warned.read().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ignore;
    impl AuditSink for Ignore {
        fn record(&self, _: &AuditEvent) {}
    }

    const DAY: Duration = Duration::from_secs(24 * 3600);

    /// A token `n` that expires at `expires_at` (unix ms), if ever.
    struct Token(TokenId, Option<Timestamp>);

    fn token(n: usize, expires_at: Option<i64>) -> Token {
        Token(TokenId::new(format!("{n:0>16}")).unwrap(), expires_at.map(Timestamp::from_unix_millis))
    }

    impl ExpiryWarnings {
        fn used(&self, token: &Token, now: Timestamp) -> bool {
            self.token_used(&token.0, &Scope::default_scope(), token.1, now, &Ignore)
        }
    }

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms)
    }

    #[test]
    fn only_inside_the_window_and_once_a_day() {
        let warnings = ExpiryWarnings::new(DAY * 2, 10);
        let day = REPEAT_MS;
        let soon = token(1, Some(10 * day));
        assert!(!warnings.used(&soon, at(7 * day)), "three days left: outside the window");
        assert!(!warnings.used(&token(2, None), at(9 * day)), "no expiry: never");
        assert!(warnings.used(&soon, at(8 * day)), "two days left: the edge of the window");
        assert!(!warnings.used(&soon, at(9 * day - 1)), "the same day");
        assert!(warnings.used(&soon, at(9 * day)), "a day later");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn a_zero_window_turns_warnings_off() {
        let warnings = ExpiryWarnings::new(Duration::ZERO, 10);
        assert!(!warnings.used(&token(1, Some(1_000)), at(999)));
    }

    #[test]
    fn state_is_bounded_and_stale_entries_go_first() {
        let warnings = ExpiryWarnings::new(DAY * 14, 3);
        for n in 0..3 {
            assert!(warnings.used(&token(n, Some(REPEAT_MS)), at(0)));
        }
        // Full, nothing stale: one arbitrary entry makes room.
        assert!(warnings.used(&token(3, Some(REPEAT_MS)), at(1)));
        assert_eq!(warnings.len(), 3);
        // A day later all are stale: they are dropped, not just one.
        assert!(warnings.used(&token(4, Some(2 * REPEAT_MS)), at(REPEAT_MS + 1)));
        assert_eq!(warnings.len(), 1);
    }
}
