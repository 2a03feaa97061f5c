//! Overlap until first use: the first verification of a new token deletes the token it replaced.
//!
//! The trigger is a current token whose stored `last_used_at` is still empty, so every instance sharing
//! the store can see it, and the cost stops once the first use is recorded (off the request path). The
//! replaced token is deleted before the triggering verification returns; whichever instance's delete
//! wins records the audit event, so there is exactly one. A failed delete is logged and leaves the old
//! token working until the overlap's maximum: nothing is lost, and the window still ends.

use crate::audit::AuditAction;
use crate::ids::{Scope, TokenId};
use crate::store::TokenStore;
use crate::time::Timestamp;

/// What [`end_on_first_use`] did.
pub(crate) enum OverlapEnding {
    /// This call deleted the `replaced` token: the caller forgets it and records `action`.
    Ended {
        /// The replaced token, now deleted.
        replaced: TokenId,
        /// [`OverlapEndedByFirstUse`](AuditAction::OverlapEndedByFirstUse), or
        /// [`OverlapExpired`](AuditAction::OverlapExpired) if the overlap's maximum had passed.
        action: AuditAction,
    },
    /// The overlap is over for `current` already: ended elsewhere, rotated again, or none left.
    AlreadyOver,
    /// The store failed (logged): a later verification tries again.
    Failed,
}

/// Deletes `scope`'s previous token from `store` if `current` is still the scope's current token.
pub(crate) async fn end_on_first_use(
    store: &dyn TokenStore,
    scope: &Scope,
    current: TokenId,
    now: Timestamp,
) -> OverlapEnding {
    let state = match store.load_scope(scope).await {
        Ok(state) => state,
        Err(error) => {
            tracing::warn!(token_id = %current, %error, "could not end the SCIM token overlap on first use");
            return OverlapEnding::Failed;
        }
    };
    // Rotated again meanwhile, or no overlap: nothing of ours to end.
    let Some(previous) = state.previous.filter(|_| state.current.is_some_and(|c| c.id == current)) else {
        return OverlapEnding::AlreadyOver;
    };
    let replaced = previous.record.id;
    match store.remove_token(scope, &replaced).await {
        Ok(true) => {
            let action = if now < previous.valid_until {
                AuditAction::OverlapEndedByFirstUse
            } else {
                AuditAction::OverlapExpired
            };
            OverlapEnding::Ended { replaced, action }
        }
        // Another request or instance ended it first.
        Ok(false) => OverlapEnding::AlreadyOver,
        Err(error) => {
            tracing::warn!(
                token_id = %current, replaced = %replaced, %error,
                "could not end the SCIM token overlap on first use; the replaced token works until the \
                 overlap's maximum"
            );
            OverlapEnding::Failed
        }
    }
}
