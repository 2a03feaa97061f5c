//! The verified-token cache: spares Argon2 on every request without ever outliving the stored record.
//!
//! An entry says "the token whose SHA-256 is F matched the record whose hash is H". It is consulted only
//! after the store returned the record on this very call, and only if that record still carries H, so a
//! rotation or revocation by any instance takes effect at once. Only verified tokens are inserted, one
//! entry per token id, and the map is bounded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{PoisonError, RwLock};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ids::TokenId;
use crate::time::Timestamp;

/// SHA-256 of the whole presented token. The token has 256 bits of entropy, so this reveals nothing.
pub(crate) type Fingerprint = [u8; 32];

pub(crate) fn fingerprint(token: &str) -> Fingerprint {
    Sha256::digest(token.as_bytes()).into()
}

struct Entry {
    fingerprint: Fingerprint,
    stored_hash: String,
    /// When this process last wrote `last_used_at` for the token (unix millis; `i64::MIN` if never).
    recorded_use_at: AtomicI64,
}

pub(crate) struct VerifiedCache {
    entries: RwLock<HashMap<TokenId, Entry>>,
    capacity: usize,
}

impl VerifiedCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { entries: RwLock::new(HashMap::new()), capacity: capacity.max(1) }
    }

    /// Whether `fingerprint` was verified against exactly `stored_hash` for `id`. Constant-time compare.
    pub(crate) fn is_verified(&self, id: &TokenId, fingerprint: &Fingerprint, stored_hash: &str) -> bool {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries.get(id).is_some_and(|entry| {
            entry.stored_hash == stored_hash && bool::from(entry.fingerprint.ct_eq(fingerprint))
        })
    }

    pub(crate) fn insert(&self, id: TokenId, fingerprint: Fingerprint, stored_hash: String) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(&id) {
            // Evict an arbitrary entry: it costs one Argon2 run later, never a wrong answer.
            if let Some(victim) = entries.keys().next().cloned() {
                entries.remove(&victim);
            }
        }
        let entry = Entry { fingerprint, stored_hash, recorded_use_at: AtomicI64::new(i64::MIN) };
        entries.insert(id, entry);
    }

    pub(crate) fn remove(&self, ids: &[TokenId]) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        for id in ids {
            entries.remove(id);
        }
    }

    /// Claims the right to write `last_used_at = now` for `id` if neither the store (`stored`) nor this
    /// process wrote it within `interval_ms`. At most one caller wins per interval.
    pub(crate) fn claim_use_record(
        &self,
        id: &TokenId,
        stored: Option<Timestamp>,
        now: Timestamp,
        interval_ms: i64,
    ) -> bool {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = entries.get(id) else { return false };
        let seen = entry.recorded_use_at.load(Ordering::Acquire);
        let last = stored.map_or(i64::MIN, Timestamp::unix_millis).max(seen);
        if last != i64::MIN && now.unix_millis().saturating_sub(last) < interval_ms {
            return false;
        }
        entry
            .recorded_use_at
            .compare_exchange(seen, now.unix_millis(), Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.read().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: usize) -> TokenId {
        TokenId::new(format!("{n:0>16}")).unwrap()
    }

    #[test]
    fn hit_needs_same_fingerprint_and_same_stored_hash() {
        let cache = VerifiedCache::new(10);
        cache.insert(id(1), fingerprint("a"), "h1".into());
        assert!(cache.is_verified(&id(1), &fingerprint("a"), "h1"));
        assert!(!cache.is_verified(&id(1), &fingerprint("b"), "h1"));
        assert!(!cache.is_verified(&id(1), &fingerprint("a"), "h2"));
        assert!(!cache.is_verified(&id(2), &fingerprint("a"), "h1"));
        cache.remove(&[id(1)]);
        assert!(!cache.is_verified(&id(1), &fingerprint("a"), "h1"));
    }

    #[test]
    fn size_is_bounded() {
        let cache = VerifiedCache::new(3);
        for n in 0..10 {
            cache.insert(id(n), fingerprint("x"), "h".into());
        }
        assert_eq!(cache.len(), 3);
        assert!(cache.is_verified(&id(9), &fingerprint("x"), "h"));
    }

    #[test]
    fn use_records_are_claimed_once_per_interval() {
        let cache = VerifiedCache::new(3);
        cache.insert(id(1), fingerprint("x"), "h".into());
        let t = |ms| Timestamp::from_unix_millis(ms);
        assert!(cache.claim_use_record(&id(1), None, t(1_000), 60_000));
        assert!(!cache.claim_use_record(&id(1), None, t(30_000), 60_000));
        assert!(cache.claim_use_record(&id(1), None, t(61_000), 60_000));
        // A recent write by another instance, seen in the store, also counts.
        cache.insert(id(2), fingerprint("x"), "h".into());
        assert!(!cache.claim_use_record(&id(2), Some(t(100_000)), t(120_000), 60_000));
        assert!(!cache.claim_use_record(&id(3), None, t(0), 60_000));
    }
}
