//! The tests that read `tracing` output, in a test binary of their own, run one at a time.
//!
//! Each installs its subscriber for one thread. A test running beside it on another thread could
//! register the same callsites first, which can leave them cached as uninteresting for a moment (a known
//! race in `tracing`'s per-callsite interest cache), so an event the test waits for would be missed
//! about once in a few hundred runs. Hence a process of their own, without the `core` binary's tests,
//! and [`alone`] around each subscriber.

use std::sync::{Mutex, MutexGuard, PoisonError};

mod secrets_in_output;
mod spans_and_warnings;

/// Held while a test's subscriber is installed, so that no other test registers callsites meanwhile.
fn alone() -> MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    // A failed test poisons the lock; the next one still runs alone.
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}
