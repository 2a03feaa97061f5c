//! Writing `last_used_at` off the request path.
//!
//! The write is bookkeeping: on SQLite it takes the write lock and an fsync, and may wait out the busy
//! timeout when another process holds the lock. A verification must never wait for it, so it runs in a
//! task of its own, bounded: at most one write in flight per token and [`MAX_PENDING`] in all. A write
//! that cannot start, or fails, is logged; the request it came from has long been answered.

use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::ids::{TokenId, TokenIdHasher};

/// How many `last_used_at` writes may be in flight at once, over all tokens.
pub(crate) const MAX_PENDING: usize = 64;

/// The `last_used_at` writes in flight.
pub(crate) struct UseWrites {
    permits: Arc<Semaphore>,
    tokens: Arc<Mutex<HashSet<TokenId, BuildHasherDefault<TokenIdHasher>>>>,
}

impl Default for UseWrites {
    fn default() -> Self {
        Self { permits: Arc::new(Semaphore::new(MAX_PENDING)), tokens: Arc::default() }
    }
}

impl UseWrites {
    /// Starts `write`, the write of `last_used_at` for `id`, in the background, unless a write for `id`
    /// is still in flight (it will do) or [`MAX_PENDING`] writes are (the next one, a minute later, will
    /// do). `write` is called only if the write starts; its future owns what it writes to.
    pub(crate) fn start<W, F, E>(&self, id: TokenId, write: W)
    where
        W: FnOnce() -> F,
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display,
    {
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            tracing::warn!(token_id = %id, "last use of a SCIM token not recorded: too many writes pending");
            return;
        };
        if !self.tokens.lock().unwrap_or_else(PoisonError::into_inner).insert(id) {
            tracing::debug!(token_id = %id, "last use of a SCIM token not recorded: a write is pending");
            return;
        }
        let pending = Pending { id, tokens: self.tokens.clone(), _permit: permit };
        let write = write();
        tokio::spawn(async move {
            let pending = pending;
            if let Err(error) = write.await {
                tracing::warn!(token_id = %pending.id, %error, "could not record SCIM token use");
            }
        });
    }

    /// Waits until every write started so far has ended.
    pub(crate) async fn settle(&self) {
        // Every pending write holds a permit until it ends; the semaphore is never closed.
        let _all = self.permits.acquire_many(MAX_PENDING as u32).await;
    }
}

/// One write in flight: frees its token and its permit when it ends, even by a panic.
struct Pending {
    id: TokenId,
    tokens: Arc<Mutex<HashSet<TokenId, BuildHasherDefault<TokenIdHasher>>>>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.id);
    }
}
