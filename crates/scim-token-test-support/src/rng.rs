//! A tiny random generator for picking kill and fault moments.

use std::time::{SystemTime, UNIX_EPOCH};

/// A xorshift generator seeded from the clock: it only picks moments, so its quality does not matter.
pub struct XorShift(u64);

impl XorShift {
    /// A generator seeded from the current time.
    pub fn seeded() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_nanos() as u64;
        Self((nanos ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The next number below `bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }
}
