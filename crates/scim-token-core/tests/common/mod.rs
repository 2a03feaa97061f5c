//! Shared helpers for the service tests: a fast service and a store wrapper that counts and fails.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use scim_token_core::store::{ScopeState, StoreError, TokenLookup, TokenRecord};
use scim_token_core::{
    Actor, Argon2Params, NewToken, ScimTokenService, ScimTokenServiceBuilder, Scope, Timestamp, TokenId,
    TokenStore, async_trait,
};
use scim_token_memory::MemoryStore;

/// A builder with Argon2 cheap enough for tests.
pub fn fast(store: impl TokenStore) -> ScimTokenServiceBuilder {
    ScimTokenService::builder(store)
        .argon2_params(Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 })
        .danger_accept_weak_argon2_for_tests(true)
}

/// Enables the default scope and generates its first token.
pub async fn first_token(service: &ScimTokenService) -> NewToken {
    let scope = scope("default");
    service.set_enabled(&scope, true, &admin()).await.unwrap();
    service.generate(&scope, &admin()).await.unwrap()
}

pub fn admin() -> Actor {
    Actor::new("admin@example.com").unwrap()
}

pub fn scope(name: &str) -> Scope {
    Scope::new(name).unwrap()
}

/// A memory store that counts every call and can be told to fail writes, or reads.
#[derive(Clone, Default)]
pub struct CountingStore {
    pub inner: MemoryStore,
    pub calls: Arc<AtomicUsize>,
    pub uses_recorded: Arc<AtomicUsize>,
    pub fail_writes: Arc<AtomicBool>,
    pub fail_reads: Arc<AtomicBool>,
    /// Fails `record_use` only, so a token's `last_used_at` stays empty.
    pub fail_use_records: Arc<AtomicBool>,
}

impl CountingStore {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn enter(&self, write: bool) -> Result<(), StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if write && self.fail_writes.load(Ordering::SeqCst) {
            return Err(StoreError::new("disk full (injected)"));
        }
        if !write && self.fail_reads.load(Ordering::SeqCst) {
            return Err(StoreError::new("connection lost (injected)"));
        }
        Ok(())
    }
}

#[async_trait]
impl TokenStore for CountingStore {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.enter(false)?;
        self.inner.load_scope(scope).await
    }

    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        self.enter(false)?;
        self.inner.find_token(id).await
    }

    async fn replace_current(&self, record: TokenRecord, keep: Option<Timestamp>) -> Result<(), StoreError> {
        self.enter(true)?;
        self.inner.replace_current(record, keep).await
    }

    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        self.enter(true)?;
        self.inner.remove_tokens(scope).await
    }

    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        self.enter(true)?;
        self.inner.remove_token(scope, id).await
    }

    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        self.enter(true)?;
        self.inner.set_enabled(scope, enabled).await
    }

    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.enter(true)?;
        if self.fail_use_records.load(Ordering::SeqCst) {
            return Err(StoreError::new("disk full (injected)"));
        }
        self.uses_recorded.fetch_add(1, Ordering::SeqCst);
        self.inner.record_use(id, at).await
    }
}

/// `real`'s prefix and selector, `other`'s secret, and a correct CRC32.
pub fn forge(real: &str, other: &str) -> String {
    let head = &real[..5 + 16];
    let secret = &other[5 + 16..other.len() - 6];
    let body = format!("{head}{secret}");
    let crc = crc32(body.as_bytes());
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut digits = [0u8; 6];
    let mut v = crc;
    for d in digits.iter_mut().rev() {
        *d = alphabet[(v % 62) as usize];
        v /= 62;
    }
    format!("{body}{}", String::from_utf8(digits.to_vec()).unwrap())
}

/// Bitwise CRC-32 (IEEE), independent of the library's implementation.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
