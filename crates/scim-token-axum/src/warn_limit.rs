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

/// For the tests of the 503 answers of each audience, which log through the limiters above.
#[cfg(test)]
pub(crate) mod test_log {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// Held by every test that logs a 503: the warning tests count log lines of those call sites, and
    /// another test emitting them at the same moment (from its own thread) makes the count racy.
    pub(crate) static LOGS_503: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What `run` logs on this thread, DEBUG and up, one event a line.
    pub(crate) fn captured_log(run: impl FnOnce()) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, run);
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    /// Asserts that each message was logged `count` times, at most once at WARN (other tests in this
    /// binary may have used this interval's warning already), the rest at DEBUG.
    pub(crate) fn assert_warned_at_most_once(log: &str, messages: &[&str], count: usize) {
        for message in messages {
            let lines: Vec<_> = log.lines().filter(|line| line.contains(message)).collect();
            let warnings = lines.iter().filter(|line| line.contains(" WARN ")).count();
            assert!(warnings <= 1, "{warnings} warnings for {message:?}");
            assert_eq!(lines.len(), count, "every refusal is still logged, at DEBUG: {message:?}");
        }
    }
}

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
