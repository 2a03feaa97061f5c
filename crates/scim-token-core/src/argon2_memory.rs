//! Argon2's working memory, allocated once per hashing slot and reused.
//!
//! `argon2` allocates (and frees) m KiB for every hash it computes. glibc then keeps the freed blocks in
//! its per-thread arenas, so a storm of checks spread over the blocking pool's threads grew a server to
//! over a gigabyte and never gave it back. Here every computation borrows a buffer from a pool that
//! holds at most one per hashing permit: memory stays near `permits × m` whatever the allocator does.

use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::SharedCause;

/// Buffers for the parameters new tokens are hashed with, at most one per hashing permit.
pub(crate) struct MemoryPool {
    /// Blocks per buffer: what the configured parameters need.
    blocks: usize,
    idle: Mutex<Vec<Box<[Block]>>>,
}

impl MemoryPool {
    pub(crate) fn new(params: &Params) -> Self {
        Self { blocks: params.block_count(), idle: Mutex::new(Vec::new()) }
    }

    /// Runs `work` with at least `blocks` blocks of memory. A pooled buffer serves any hash up to the
    /// configured size and goes back to the pool afterwards; only a stored hash that asks for more (one
    /// made with stronger parameters, within the accepted maximum) gets a buffer of its own, freed after.
    ///
    /// Callers hold a hashing permit, so no more buffers exist than permits.
    pub(crate) fn with_memory<T>(&self, blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
        if blocks > self.blocks {
            return work(&mut new_buffer(blocks));
        }
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut lent = Lent { pool: self, buffer: Some(idle.unwrap_or_else(|| new_buffer(self.blocks))) };
        #[allow(clippy::expect_used, reason = "the buffer was put in the line above and leaves only on drop")]
        work(lent.buffer.as_deref_mut().expect("a lent buffer is set until the loan is dropped"))
    }

    #[cfg(test)]
    pub(crate) fn idle_buffers(&self) -> usize {
        self.idle.lock().unwrap().len()
    }
}

/// A pooled buffer, returned on drop, so a panic in `work` cannot leak it.
struct Lent<'a> {
    pool: &'a MemoryPool,
    buffer: Option<Box<[Block]>>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(buffer) = self.buffer.take() {
            self.pool.idle.lock().unwrap_or_else(PoisonError::into_inner).push(buffer);
        }
    }
}

fn new_buffer(blocks: usize) -> Box<[Block]> {
    vec![Block::new(); blocks].into_boxed_slice()
}

/// The Argon2id PHC string of `password` with `salt`, computed in `memory`.
pub(crate) fn hash_into(
    params: &Params,
    password: &[u8],
    salt: &[u8],
    memory: &mut [Block],
) -> Result<String, SharedCause> {
    fn shared(error: impl std::error::Error + Send + Sync + 'static) -> SharedCause {
        Arc::new(error)
    }
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut out = Zeroizing::new([0u8; Output::MAX_LENGTH]);
    let out = out
        .get_mut(..len)
        .ok_or_else(|| SharedCause::from(Box::from("the Argon2 output length exceeds 64 bytes")))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, salt, out, memory)
        .map_err(shared)?;
    let hash = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(shared)?,
        salt: Some(Salt::new(salt).map_err(shared)?),
        hash: Some(Output::new(out).map_err(shared)?),
    };
    Ok(hash.to_string())
}

/// What verifying against a stored PHC string needs, checked before any memory is lent.
pub(crate) struct StoredHash {
    argon2: Argon2<'static>,
    salt: Salt,
    expected: Output,
}

impl StoredHash {
    /// The Argon2id parameters, salt and output of `hash`, or `None` if it lacks one or they are invalid.
    /// The caller has already checked the algorithm and the bounds.
    pub(crate) fn new(hash: &PasswordHash) -> Option<Self> {
        let params = Params::try_from(hash).ok()?;
        let version = match hash.version {
            Some(version) => Version::try_from(version).ok()?,
            None => Version::default(),
        };
        Some(Self {
            argon2: Argon2::new(Algorithm::Argon2id, version, params),
            salt: hash.salt?,
            expected: hash.hash?,
        })
    }

    /// Blocks of memory the computation needs.
    pub(crate) fn blocks(&self) -> usize {
        self.argon2.params().block_count()
    }

    /// Whether `password` hashes, in `memory`, to the stored output (compared in constant time).
    pub(crate) fn matches(&self, password: &[u8], memory: &mut [Block]) -> bool {
        let mut out = Zeroizing::new([0u8; Output::MAX_LENGTH]);
        let Some(out) = out.get_mut(..self.expected.len()) else { return false };
        self.argon2.hash_password_into_with_memory(password, &self.salt, out, memory).is_ok()
            && bool::from(out.ct_eq(self.expected.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordVerifier;

    use super::*;

    fn small() -> Params {
        Params::new(64, 1, 1, None).unwrap()
    }

    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        let pool = MemoryPool::new(&small());
        let phc =
            pool.with_memory(64, |memory| hash_into(&small(), b"token", b"saltsaltsalt", memory)).unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(Argon2::default().verify_password(b"token", &parsed).is_ok(), "{phc}");
        let stored = StoredHash::new(&parsed).unwrap();
        assert!(pool.with_memory(stored.blocks(), |memory| stored.matches(b"token", memory)));
        assert!(!pool.with_memory(stored.blocks(), |memory| stored.matches(b"tokeN", memory)));
    }

    #[test]
    fn a_hash_made_by_the_argon2_crate_verifies() {
        use argon2::password_hash::PasswordHasher;
        let argon2 =
            Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(32, 2, 2, Some(48)).unwrap());
        let phc = argon2.hash_password_with_salt(b"token", b"0123456789abcdef").unwrap();
        let stored = StoredHash::new(&phc).unwrap();
        let pool = MemoryPool::new(&small());
        assert!(pool.with_memory(stored.blocks(), |memory| stored.matches(b"token", memory)));
        assert!(!pool.with_memory(stored.blocks(), |memory| stored.matches(b"other", memory)));
    }

    #[test]
    fn buffers_are_reused_and_larger_requests_are_not_pooled() {
        let pool = MemoryPool::new(&small());
        let first = pool.with_memory(64, |memory| memory.as_ptr() as usize);
        assert_eq!(pool.idle_buffers(), 1);
        assert_eq!(pool.with_memory(16, |memory| memory.as_ptr() as usize), first, "the same buffer again");
        assert_eq!(pool.with_memory(128, |memory| memory.len()), 128);
        assert_eq!(pool.idle_buffers(), 1, "a one-off larger buffer is freed, not pooled");
        let _ = std::panic::catch_unwind(|| pool.with_memory(64, |_| panic!("boom")));
        assert_eq!(pool.idle_buffers(), 1, "a panic returns the buffer");
    }
}
