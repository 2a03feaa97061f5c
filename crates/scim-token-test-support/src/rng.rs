//! A tiny random generator for picking kill and fault moments.

use std::time::{SystemTime, UNIX_EPOCH};

/// A xorshift generator seeded from the clock: it only picks moments, so its quality does not matter.
pub struct XorShift {
    state: u64,
    seed: u64,
}

impl XorShift {
    /// A generator seeded from the current time.
    pub fn seeded() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_nanos() as u64;
        let seed = (nanos ^ 0x9E37_79B9_7F4A_7C15) | 1;
        Self { state: seed, seed }
    }

    /// The seed, for a failure message: the same seed gives the same sequence.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    /// The next number below `bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }
}
