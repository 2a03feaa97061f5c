//! Overlap until first use: the first verification of a new token deletes the token it replaced.
//!
//! The trigger is a current token whose stored `last_used_at` is still empty, so every instance sharing
//! the store can see it, and the cost stops once the first use is recorded (off the request path). The
//! replaced token is deleted before the triggering verification returns; whichever instance's delete
//! wins records the audit event, so there is exactly one. A failed delete is logged and leaves the old
//! token working until the overlap's maximum: nothing is lost, and the window still ends.

use crate::audit::AuditAction;
use crate::ids::{Actor, Scope, TokenId};
use crate::service::ScimTokenService;
use crate::time::Timestamp;

impl ScimTokenService {
    /// Deletes `scope`'s previous token if `current` is still the scope's current token. Returns whether
    /// the overlap is over for `current` (ended here or elsewhere, or none left); `false` after a store
    /// failure, so a later verification tries again.
    pub(crate) async fn end_overlap_on_first_use(
        &self,
        scope: &Scope,
        current: TokenId,
        now: Timestamp,
    ) -> bool {
        let inner = self.inner();
        let state = match inner.store.load_scope(scope).await {
            Ok(state) => state,
            Err(error) => {
                tracing::warn!(token_id = %current, %error, "could not end the SCIM token overlap on first use");
                return false;
            }
        };
        // Rotated again meanwhile, or no overlap: nothing of ours to end.
        let Some(previous) = state.previous.filter(|_| state.current.is_some_and(|c| c.id == current)) else {
            return true;
        };
        let replaced = previous.record.id;
        match inner.store.remove_token(scope, &replaced).await {
            Ok(true) => {
                inner.cache.remove(&[replaced]);
                let action = if now < previous.valid_until {
                    AuditAction::OverlapEndedByFirstUse
                } else {
                    AuditAction::OverlapExpired
                };
                let actor = Actor::system();
                self.audit(scope, &actor, action, vec![replaced, current], now);
                true
            }
            // Another request or instance ended it first.
            Ok(false) => true,
            Err(error) => {
                tracing::warn!(
                    token_id = %current, replaced = %replaced, %error,
                    "could not end the SCIM token overlap on first use; the replaced token works until the \
                     overlap's maximum"
                );
                false
            }
        }
    }
}
