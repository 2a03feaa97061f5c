//! The verified-token cache: spares Argon2 on every request without ever outliving the stored record.
//!
//! An entry says "the token whose SHA-256 is F matched the record whose hash is H". It is consulted only
//! after the store returned the record on this very call, and only if that record still carries H, so a
//! rotation or revocation by any instance takes effect at once. Only verified tokens are inserted, one
//! entry per token id, and the map is bounded.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ids::{TokenId, TokenIdMap};
use crate::time::Timestamp;

/// SHA-256 of the whole presented token. The token has 256 bits of entropy, so this reveals nothing.
pub(crate) type Fingerprint = [u8; 32];

pub(crate) fn fingerprint(token: &str) -> Fingerprint {
    Sha256::digest(token.as_bytes()).into()
}

struct Entry {
    fingerprint: Fingerprint,
    stored_hash: Arc<str>,
    /// When this process last wrote `last_used_at` for the token (unix millis; `i64::MIN` if never).
    recorded_use_at: AtomicI64,
    /// Whether this process saw the overlap this token started end (`overlap_until_first_use`), so
    /// later verifications, until its first use is in the store, need not look at the scope again.
    overlap_settled: AtomicBool,
}

impl Entry {
    fn new(fingerprint: Fingerprint, stored_hash: Arc<str>) -> Self {
        Self {
            fingerprint,
            stored_hash,
            recorded_use_at: AtomicI64::new(i64::MIN),
            overlap_settled: AtomicBool::new(false),
        }
    }
}

pub(crate) struct VerifiedCache {
    entries: RwLock<TokenIdMap<Entry>>,
    capacity: usize,
}

/// When `last_used_at` was last written, as the store reports it and as this process did it.
pub(crate) struct LastUseCheck {
    pub(crate) stored: Option<Timestamp>,
    pub(crate) now: Timestamp,
    pub(crate) interval_ms: i64,
}

impl Entry {
    /// Claims the right to write `last_used_at = now` if neither the store nor this process wrote it
    /// within the interval. At most one caller wins per interval.
    fn claim_use_record(&self, use_record: &LastUseCheck) -> bool {
        let seen = self.recorded_use_at.load(Ordering::Acquire);
        let last = use_record.stored.map_or(i64::MIN, Timestamp::unix_millis).max(seen);
        let now = use_record.now.unix_millis();
        if last != i64::MIN && now.saturating_sub(last) < use_record.interval_ms {
            return false;
        }
        self.recorded_use_at.compare_exchange(seen, now, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }
}

impl VerifiedCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { entries: RwLock::new(TokenIdMap::default()), capacity: capacity.max(1) }
    }

    /// `None` unless `fingerprint` was verified against exactly `stored_hash` for `id` (constant-time
    /// compare); otherwise whether this caller should record the use. One read lock, one look-up.
    pub(crate) fn check(
        &self,
        id: &TokenId,
        fingerprint: &Fingerprint,
        stored_hash: &Arc<str>,
        use_record: &LastUseCheck,
    ) -> Option<bool> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(id)?;
        // A store that hands out the record it holds (the memory store) passes the very same `Arc`.
        let same_hash = Arc::ptr_eq(&entry.stored_hash, stored_hash) || entry.stored_hash == *stored_hash;
        let verified = same_hash && bool::from(entry.fingerprint.ct_eq(fingerprint));
        verified.then(|| entry.claim_use_record(use_record))
    }

    /// Remembers a verified token; returns whether this caller should record the use.
    pub(crate) fn insert(
        &self,
        id: TokenId,
        fingerprint: Fingerprint,
        stored_hash: Arc<str>,
        use_record: &LastUseCheck,
    ) -> bool {
        let entry = Entry::new(fingerprint, stored_hash);
        let claimed = entry.claim_use_record(use_record);
        self.put(id, entry);
        claimed
    }

    /// Remembers a token this instance just generated, so its first uses need no Argon2. Its use is not
    /// recorded: the first verification will.
    pub(crate) fn seed(&self, id: TokenId, fingerprint: Fingerprint, stored_hash: Arc<str>) {
        self.put(id, Entry::new(fingerprint, stored_hash));
    }

    /// Whether this process already saw the overlap that token `id` started end.
    pub(crate) fn overlap_settled(&self, id: &TokenId) -> bool {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries.get(id).is_some_and(|entry| entry.overlap_settled.load(Ordering::Acquire))
    }

    /// Remembers that the overlap token `id` started has ended (if `id` is still cached).
    pub(crate) fn settle_overlap(&self, id: &TokenId) {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.get(id) {
            entry.overlap_settled.store(true, Ordering::Release);
        }
    }

    fn put(&self, id: TokenId, entry: Entry) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(&id) {
            // Evict an arbitrary entry: it costs one Argon2 run later, never a wrong answer.
            if let Some(victim) = entries.keys().next().cloned() {
                entries.remove(&victim);
            }
        }
        entries.insert(id, entry);
    }

    pub(crate) fn remove(&self, ids: &[TokenId]) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        for id in ids {
            entries.remove(id);
        }
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

    fn at(ms: i64) -> LastUseCheck {
        LastUseCheck { stored: None, now: Timestamp::from_unix_millis(ms), interval_ms: 60_000 }
    }

    #[test]
    fn hit_needs_same_fingerprint_and_same_stored_hash() {
        let cache = VerifiedCache::new(10);
        cache.insert(id(1), fingerprint("a"), "h1".into(), &at(0));
        assert!(cache.check(&id(1), &fingerprint("a"), &"h1".into(), &at(0)).is_some());
        assert!(cache.check(&id(1), &fingerprint("b"), &"h1".into(), &at(0)).is_none());
        assert!(cache.check(&id(1), &fingerprint("a"), &"h2".into(), &at(0)).is_none());
        assert!(cache.check(&id(2), &fingerprint("a"), &"h1".into(), &at(0)).is_none());
        cache.remove(&[id(1)]);
        assert!(cache.check(&id(1), &fingerprint("a"), &"h1".into(), &at(0)).is_none());
    }

    #[test]
    fn size_is_bounded() {
        let cache = VerifiedCache::new(3);
        for n in 0..10 {
            cache.insert(id(n), fingerprint("x"), "h".into(), &at(0));
        }
        assert_eq!(cache.len(), 3);
        assert!(cache.check(&id(9), &fingerprint("x"), &"h".into(), &at(0)).is_some());
    }

    #[test]
    fn use_records_are_claimed_once_per_interval() {
        let cache = VerifiedCache::new(3);
        let fp = fingerprint("x");
        assert!(cache.insert(id(1), fp, "h".into(), &at(1_000)), "the first verification records");
        assert_eq!(cache.check(&id(1), &fp, &"h".into(), &at(30_000)), Some(false));
        assert_eq!(cache.check(&id(1), &fp, &"h".into(), &at(61_000)), Some(true));
        assert_eq!(cache.check(&id(1), &fp, &"h".into(), &at(62_000)), Some(false));
        // A recent write by another instance, seen in the store, also counts.
        let seen = LastUseCheck { stored: Some(Timestamp::from_unix_millis(100_000)), ..at(120_000) };
        assert!(!cache.insert(id(2), fp, "h".into(), &seen));
    }

    #[test]
    fn a_seeded_token_hits_and_its_first_use_is_recorded() {
        let cache = VerifiedCache::new(3);
        cache.seed(id(1), fingerprint("x"), "h".into());
        assert_eq!(cache.check(&id(1), &fingerprint("x"), &"h".into(), &at(1_000)), Some(true));
        assert_eq!(cache.check(&id(1), &fingerprint("x"), &"h".into(), &at(2_000)), Some(false));
        assert_eq!(cache.check(&id(1), &fingerprint("y"), &"h".into(), &at(2_000)), None);
    }
}
