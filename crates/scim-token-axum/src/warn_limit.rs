//! Rate-limited warnings: a 503 (saturated hashing, an unreachable store) is a condition an operator
//! should hear about, but one line per refused request would let a flood fill the disk. Each kind of
//! 503 warns at most once per [`INTERVAL`], saying how many were seen since; the others go to DEBUG.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// At most one warning of a kind per this interval.
pub(crate) const INTERVAL: Duration = Duration::from_secs(10);

const NEVER: u64 = u64::MAX;

/// One kind of warning's limiter; `static` and lock-free.
pub(crate) struct WarnLimit {
    /// When the last warning was let through (milliseconds since the process's first limited warning).
    last_ms: AtomicU64,
    /// How many were held back since.
    held_back: AtomicU64,
}

impl WarnLimit {
    pub(crate) const fn new() -> Self {
        Self { last_ms: AtomicU64::new(NEVER), held_back: AtomicU64::new(0) }
    }

    /// `Some(held back since the last warning)` if the caller should warn now, `None` if it should log
    /// at DEBUG instead.
    pub(crate) fn admit(&self) -> Option<u64> {
        static START: OnceLock<Instant> = OnceLock::new();
        let now_ms = START.get_or_init(Instant::now).elapsed().as_millis();
        self.admit_at(u64::try_from(now_ms).unwrap_or(NEVER - 1))
    }

    fn admit_at(&self, now_ms: u64) -> Option<u64> {
        let last = self.last_ms.load(Ordering::Acquire);
        let due = last == NEVER || now_ms.saturating_sub(last) >= INTERVAL.as_millis() as u64;
        if due && self.last_ms.compare_exchange(last, now_ms, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return Some(self.held_back.swap(0, Ordering::AcqRel));
        }
        self.held_back.fetch_add(1, Ordering::AcqRel);
        None
    }
}

/// Logs at WARN, at most once per [`INTERVAL`] for `$limit`, with the count held back since as
/// `held_back`; otherwise at DEBUG. Same fields and message either way.
macro_rules! warn_limited {
    ($limit:expr, $($rest:tt)+) => {
        match $limit.admit() {
            Some(held_back) => ::tracing::warn!(held_back, $($rest)+),
            None => ::tracing::debug!($($rest)+),
        }
    };
}
pub(crate) use warn_limited;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_warning_per_interval_counting_those_held_back() {
        let limit = WarnLimit::new();
        let interval = INTERVAL.as_millis() as u64;
        assert_eq!(limit.admit_at(5), Some(0), "the first one warns");
        for at in [6, 100, 5 + interval - 1] {
            assert_eq!(limit.admit_at(at), None);
        }
        assert_eq!(limit.admit_at(5 + interval), Some(3), "the next interval warns, with the count");
        assert_eq!(limit.admit_at(6 + interval), None);
        assert_eq!(limit.admit_at(5 + 5 * interval), Some(1));
    }
}
