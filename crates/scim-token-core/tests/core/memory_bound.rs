//! Memory stays bounded under Argon2 storms: with OWASP's default parameters (19 MiB per hash) and two
//! hashing slots, a storm of wrong secrets and a storm of generates raise the peak resident set by about
//! two hashes' worth, not by one 19 MiB block per hash spread over the allocator's arenas (unbounded, a
//! server grew past 1 GB and kept it).
//!
//! The storms run in a child process (this test binary re-run with [`CHILD_ENV`] set), so the peak it
//! reports from `/proc/self/status` (`VmHWM`) is theirs alone, not other tests'. Linux only.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use scim_token_core::{Argon2Params, Error, ScimTokenService};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{admin, forge, scope};
use tokio::sync::Barrier;

/// Set only in the child process.
const CHILD_ENV: &str = "SCIM_TOKEN_MEMORY_CHILD";
const PERMITS: usize = 2;
/// Checks per storm: far more than the slots, so the blocking pool spreads them over many threads.
const STORM: usize = 96;

/// **Not a test: the child's entry point.** Without [`CHILD_ENV`] it returns at once.
#[test]
fn child_entry_point() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let baseline = status_kib("VmRSS");
    // `after`: while the service (and its hashing memory) is still alive.
    let after = runtime.block_on(storms());
    println!("baseline_kib={baseline} peak_kib={} after_kib={after}", status_kib("VmHWM"));
}

/// Runs both storms and returns the resident set afterwards.
async fn storms() -> u64 {
    let service = ScimTokenService::builder(MemoryStore::new())
        .argon2_params(Argon2Params::default())
        .max_concurrent_hashes(PERMITS)
        // Every check waits its turn: the test is about memory, not about refusing work.
        .busy_wait(Duration::from_secs(3600))
        .build()
        .unwrap();
    service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
    let real = service.generate(&scope("default"), &admin()).await.unwrap();

    // A storm of well-formed tokens with the real selector and a different wrong secret each.
    let forged = (0..STORM).map(|n| forge(real.expose_secret(), &format!("scim_{:0>16}{n:0>43}000000", 0)));
    let refused = at_once(forged, |token| {
        let service = service.clone();
        async move { service.verify(&token).await.err() }
    })
    .await;
    assert!(refused.iter().all(|e| matches!(e, Some(Error::InvalidToken))), "{refused:?}");

    // A storm of generates, one scope each.
    let failed = at_once(0..STORM, |n| {
        let service = service.clone();
        async move { service.generate(&scope(&format!("tenant-{n}")), &admin()).await.err() }
    })
    .await;
    assert!(failed.iter().all(Option::is_none), "{failed:?}");
    assert_eq!(service.argon2_runs(), 1 + 2 * STORM as u64, "every check of both storms ran Argon2");
    status_kib("VmRSS")
}

/// Runs the futures `check` makes of every input at once (released together by a barrier).
async fn at_once<I, Fut>(
    inputs: impl ExactSizeIterator<Item = I>,
    check: impl Fn(I) -> Fut,
) -> Vec<Fut::Output>
where
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(inputs.len()));
    let tasks: Vec<_> = inputs
        .map(|input| {
            let (barrier, check) = (barrier.clone(), check(input));
            tokio::spawn(async move {
                barrier.wait().await;
                check.await
            })
        })
        .collect();
    let mut outputs = Vec::with_capacity(tasks.len());
    for task in tasks {
        outputs.push(task.await.expect("a check panicked"));
    }
    outputs
}

/// A `/proc/self/status` field, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status.lines().find(|l| l.starts_with(&format!("{field}:"))).expect("the field exists");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn argon2_storms_keep_the_peak_near_one_buffer_per_hashing_slot() {
    if cfg!(not(target_os = "linux")) {
        println!(
            "argon2_storms_keep_the_peak_near_one_buffer_per_hashing_slot did not run: needs Linux /proc"
        );
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "memory_bound::child_entry_point", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("the child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the child failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = stdout.lines().find(|l| l.contains("peak_kib=")).expect("the child reports");
    let value = |key: &str| -> u64 {
        let field = report.split_whitespace().find_map(|f| f.strip_prefix(key)).unwrap();
        field.parse().unwrap()
    };
    let (baseline, peak, after) = (value("baseline_kib="), value("peak_kib="), value("after_kib="));
    // One 19 MiB buffer per slot, plus room for threads, the runtime and the allocator's own slack; the
    // unbounded behaviour this guards against reaches hundreds of MiB here.
    let allowed = PERMITS as u64 * u64::from(Argon2Params::default().m_cost_kib) + 32 * 1024;
    assert!(
        peak.saturating_sub(baseline) <= allowed,
        "the peak grew by {} KiB over a baseline of {baseline} KiB (allowed {allowed}): {report}",
        peak - baseline
    );
    assert!(after.saturating_sub(baseline) <= allowed, "memory was not given back: {report}");
}
