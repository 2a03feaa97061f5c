//! Argon2id on the blocking pool, behind a semaphore, with parameter policy for what we write and read.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Block, Params};
use rand::TryRng;
use rand::rngs::SysRng;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use zeroize::Zeroizing;

use crate::argon2_memory::{MemoryPool, StoredHash, hash_into};
use crate::argon2_params::{Argon2Params, MAX_M_COST_KIB, MAX_OUTPUT_LEN, MAX_P_COST, MAX_T_COST};
use crate::error::{Error, Result};
use crate::observe::HashMetrics;
use crate::slow_build::FirstHashTimer;

/// The right to run one Argon2 computation now (a permit of the hashing budget).
pub(crate) struct Slot(OwnedSemaphorePermit);

/// Hashes and verifies tokens without blocking async workers or exceeding a concurrency budget, in
/// memory reused across computations (at most one buffer per permit).
pub(crate) struct Argon2Runner {
    params: Params,
    memory: Arc<MemoryPool>,
    permits: Arc<Semaphore>,
    busy_wait: Duration,
    runs: Arc<AtomicU64>,
    metrics: HashMetrics,
}

impl Argon2Runner {
    pub(crate) fn new(params: Argon2Params, max_concurrent: usize, busy_wait: Duration) -> Result<Self> {
        if !params.within_bounds() {
            return Err(Error::config(format!(
                "Argon2 parameters {params:?} exceed the supported maximum \
                 (m ≤ {MAX_M_COST_KIB} KiB, t ≤ {MAX_T_COST}, p ≤ {MAX_P_COST})"
            )));
        }
        let argon2_params =
            Params::new(params.m_cost_kib, params.t_cost, params.p_cost, None).map_err(|e| {
                Error::Config {
                    reason: format!("Argon2 rejected {params:?}; choose parameters Argon2 accepts"),
                    source: Some(Arc::new(e)),
                }
            })?;
        if max_concurrent == 0 {
            return Err(Error::config("max_concurrent_hashes must be at least 1"));
        }
        Ok(Self {
            memory: Arc::new(MemoryPool::new(&argon2_params)),
            params: argon2_params,
            permits: Arc::new(Semaphore::new(max_concurrent)),
            busy_wait,
            runs: Arc::default(),
            metrics: HashMetrics::register(),
        })
    }

    /// How many Argon2 computations have started.
    #[cfg(any(test, feature = "testkit"))]
    pub(crate) fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// The PHC string of `token` with a fresh 16-byte salt from the OS CSPRNG.
    pub(crate) async fn hash(&self, token: Zeroizing<String>) -> Result<String> {
        let mut salt = [0u8; 16];
        SysRng.try_fill_bytes(&mut salt).map_err(Error::random)?;
        let params = self.params.clone();
        self.run(params.block_count(), move |memory| {
            hash_into(&params, token.as_bytes(), &salt, memory).map_err(Error::Hashing)
        })
        .await?
    }

    /// Whether `token` matches the stored PHC string. A hash that is not Argon2id or asks for more than
    /// the supported maximum is refused without running Argon2.
    #[cfg(test)]
    pub(crate) async fn verify(&self, token: Zeroizing<String>, stored: Arc<str>) -> Result<bool> {
        let Some(stored) = Self::stored(&stored) else { return Ok(false) };
        let slot = self.slot().await?;
        self.verify_in(slot, token, stored).await
    }

    /// The stored PHC string, checked: `None` (logged) if it is not Argon2id within the supported bounds,
    /// and the token must be refused without running Argon2.
    pub(crate) fn stored(stored: &str) -> Option<StoredHash> {
        let Ok(hash) = PasswordHash::new(stored) else {
            tracing::error!("a stored SCIM token hash is not a PHC string; the token is refused");
            return None;
        };
        let checked = stored_hash_is_acceptable(&hash).then(|| StoredHash::new(&hash)).flatten();
        if checked.is_none() {
            tracing::error!("a stored SCIM token hash is not Argon2id within bounds; the token is refused");
        }
        checked
    }

    /// A hashing slot, once one is free, or `Busy` after `busy_wait`. Waiting is cancellable: a caller
    /// that gives up costs no Argon2 run.
    pub(crate) async fn slot(&self) -> Result<Slot> {
        Ok(Slot(self.metrics.time_wait(self.acquire()).await?))
    }

    /// Whether `token` matches `stored`, computed in `slot`. The future owns all it needs, so it can run
    /// in a task of its own.
    pub(crate) fn verify_in(
        &self,
        slot: Slot,
        token: Zeroizing<String>,
        stored: StoredHash,
    ) -> impl Future<Output = Result<bool>> + Send + 'static {
        let blocks = stored.blocks();
        self.run_in(slot, blocks, move |memory| stored.matches(token.as_bytes(), memory))
    }

    /// Runs `work` on the blocking pool, in at least `blocks` blocks of reused memory, once a permit is
    /// free, or fails with `Busy` after `busy_wait`.
    async fn run<T: Send + 'static>(
        &self,
        blocks: usize,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> Result<T> {
        let slot = self.slot().await?;
        self.run_in(slot, blocks, work).await
    }

    fn run_in<T: Send + 'static>(
        &self,
        Slot(permit): Slot,
        blocks: usize,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> impl Future<Output = Result<T>> + Send + 'static {
        let (memory, runs) = (self.memory.clone(), self.runs.clone());
        let in_flight = self.metrics.in_flight();
        let task = tokio::task::spawn_blocking(move || {
            // The permit moves into the task: it is released when the hash is done, even if the caller
            // stopped waiting, so abandoned requests cannot push more hashes (or buffers) than the budget.
            let (_permit, _in_flight) = (permit, in_flight);
            let _timer = FirstHashTimer::start(blocks); // warns once if unoptimised
            runs.fetch_add(1, Ordering::Relaxed);
            memory.with_memory(blocks, work)
        });
        async move { task.await.map_err(|e| Error::hashing(TaskLost(Some(e)))) }
    }

    async fn acquire(&self) -> Result<OwnedSemaphorePermit> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        match tokio::time::timeout(self.busy_wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Error::Busy),
        }
    }
}

/// The blocking task that ran Argon2 panicked or was cancelled (the runtime shutting down), or the task
/// that waited for it was dropped before handing the result on.
#[derive(Debug, thiserror::Error)]
#[error("the hashing task did not complete")]
pub(crate) struct TaskLost(#[source] pub(crate) Option<tokio::task::JoinError>);

fn stored_hash_is_acceptable(hash: &PasswordHash) -> bool {
    if hash.algorithm.as_str() != "argon2id" || hash.hash.is_none_or(|out| out.len() > MAX_OUTPUT_LEN) {
        return false;
    }
    Params::try_from(hash).is_ok_and(|p| {
        Argon2Params { m_cost_kib: p.m_cost(), t_cost: p.t_cost(), p_cost: p.p_cost() }.within_bounds()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> Argon2Runner {
        Argon2Runner::new(Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 }, 2, Duration::from_secs(5))
            .unwrap()
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let hasher = fast();
        let phc = hasher.hash(Zeroizing::new("right".into())).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
        assert!(hasher.verify(Zeroizing::new("right".into()), phc.clone().into()).await.unwrap());
        assert!(!hasher.verify(Zeroizing::new("wrong".into()), phc.into()).await.unwrap());
    }

    #[tokio::test]
    async fn stored_hashes_out_of_bounds_are_refused_without_hashing() {
        let hasher = fast();
        let phc = hasher.hash(Zeroizing::new("t".into())).await.unwrap();
        let greedy = phc.replace("m=8,", "m=4194304,");
        assert!(!hasher.verify(Zeroizing::new("t".into()), greedy.into()).await.unwrap());
        let argon2i = phc.replace("$argon2id$", "$argon2i$");
        assert!(!hasher.verify(Zeroizing::new("t".into()), argon2i.into()).await.unwrap());
        assert!(!hasher.verify(Zeroizing::new("t".into()), "not a hash".into()).await.unwrap());
    }

    #[tokio::test]
    async fn saturated_hasher_reports_busy() {
        let hasher =
            Argon2Runner::new(Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 }, 1, Duration::ZERO)
                .unwrap();
        let held = hasher.permits.clone().try_acquire_owned().unwrap();
        assert!(matches!(hasher.hash(Zeroizing::new("t".into())).await, Err(Error::Busy)));
        drop(held);
        assert!(hasher.hash(Zeroizing::new("t".into())).await.is_ok());
    }

    #[test]
    fn out_of_bounds_params_are_a_config_error() {
        let greedy = Argon2Params { m_cost_kib: MAX_M_COST_KIB + 1, t_cost: 2, p_cost: 1 };
        assert!(matches!(Argon2Runner::new(greedy, 1, Duration::ZERO), Err(Error::Config { .. })));
        assert!(matches!(
            Argon2Runner::new(Argon2Params::default(), 0, Duration::ZERO),
            Err(Error::Config { .. })
        ));
    }
}
