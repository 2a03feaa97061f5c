//! One warning per process when the first Argon2 run with the default parameters is far slower than an
//! optimised build (≈ 21 ms): the host almost certainly compiles `argon2` without optimisation, since a
//! host's `Cargo.toml` does not inherit this workspace's `[profile.dev.package.argon2]`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::argon2_params::Argon2Params;

/// About ten times an optimised build: a loaded machine stays under it, an unoptimised build (≈ 280 ms)
/// does not.
const SLOW: Duration = Duration::from_millis(200);

/// Whether this process has timed its first default-parameter hash already.
static TIMED: AtomicBool = AtomicBool::new(false);

/// Times the Argon2 run it lives across (it is dropped when the run ends), if it is the process's first
/// with the default parameters' memory size.
pub(crate) struct FirstHashTimer(Option<Instant>);

impl FirstHashTimer {
    /// Starts timing if `blocks` is the default parameters' block count and no run was timed before.
    pub(crate) fn start(blocks: usize) -> Self {
        Self(claim(blocks, &TIMED).then(Instant::now))
    }
}

impl Drop for FirstHashTimer {
    fn drop(&mut self) {
        let Some(started) = self.0 else { return };
        let took = started.elapsed();
        if took > SLOW {
            tracing::warn!(
                took_ms = took.as_millis() as u64,
                "Argon2 took {} ms to hash a SCIM token with the default parameters, where an optimised build \
                 takes about 21 ms: argon2 is probably compiled without optimisation. Add \
                 `[profile.dev.package.argon2] opt-level = 3` and `[profile.dev.package.blake2] opt-level = 3` \
                 to your Cargo.toml (see scim-token's README, Quick start)",
                took.as_millis()
            );
        }
    }
}

/// True once per `timed` flag, for a run of the default parameters' size.
fn claim(blocks: usize, timed: &AtomicBool) -> bool {
    blocks == default_blocks() && !timed.swap(true, Ordering::Relaxed)
}

fn default_blocks() -> usize {
    let default = Argon2Params::default();
    argon2::Params::new(default.m_cost_kib, default.t_cost, default.p_cost, None)
        .map_or(0, |params| params.block_count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_run_of_the_default_size_is_timed() {
        let timed = AtomicBool::new(false);
        assert!(!claim(default_blocks() / 2, &timed), "another size is never timed");
        assert!(claim(default_blocks(), &timed));
        assert!(!claim(default_blocks(), &timed), "once per process");
    }

    #[test]
    fn the_default_size_is_the_default_memory_cost() {
        // 1 KiB Argon2 blocks: the default 19 MiB is 19 456 of them.
        assert_eq!(default_blocks(), Argon2Params::default().m_cost_kib as usize);
    }
}
