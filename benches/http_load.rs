//! Throughput under concurrent load: the same trivial JSON handler mounted twice in one release server,
//! guarded and unguarded, driven by `wrk` over loopback with many keep-alive connections, alternating
//! in rounds so both sides of each ratio saw the same machine.
//!
//! Targets (guarded / unguarded throughput): ≥ 0.95 × with the memory store, ≥ 0.85 × with SQLite;
//! PostgreSQL is reported. The server runs on one tokio worker and `wrk` on one thread; with two CPUs or
//! more and `taskset` on the path, the server is pinned to CPU 0 and `wrk` to CPU 1.
//!
//! ```sh
//! cargo bench --bench http_load                 # every store (about 2 minutes)
//! cargo bench --bench http_load -- sqlite       # stores whose name contains "sqlite"
//! SCIM_TOKEN_LOAD_SECONDS=10 SCIM_TOKEN_LOAD_ROUNDS=5 SCIM_TOKEN_LOAD_CONNECTIONS=64 cargo bench --bench http_load
//! ```
//!
//! Without `wrk` (Debian: `apt-get install wrk`) it prints one line and exits.

mod common;

use std::process::Command;
use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use scim_token::axum_adapter::ScimGuardLayer;
use scim_token::sqlite::SqliteStore;
use scim_token::{MemoryStore, ScimTokenService, TokenStore};

const PLAIN: &str = "/scim/v2/plain";
const GUARDED: &str = "/scim/v2/guarded";

/// The handler both routes share: a small JSON document, as a SCIM discovery endpoint answers.
async fn handler() -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "Resources": []
    }))
}

fn app(service: ScimTokenService) -> Router {
    let guarded = Router::new().route(GUARDED, get(handler)).route_layer(ScimGuardLayer::new(service));
    Router::new().route(PLAIN, get(handler)).merge(guarded)
}

struct Settings {
    rounds: usize,
    seconds: u64,
    connections: u32,
    pin: bool,
}

impl Settings {
    fn from_env() -> Self {
        let var = |name: &str, default: u64| {
            std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
        };
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            rounds: var("SCIM_TOKEN_LOAD_ROUNDS", 3) as usize,
            seconds: var("SCIM_TOKEN_LOAD_SECONDS", 5),
            connections: var("SCIM_TOKEN_LOAD_CONNECTIONS", 32) as u32,
            pin: cpus >= 2 && found("taskset"),
        }
    }
}

fn found(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

fn main() {
    if !found("wrk") {
        println!("http_load skipped: wrk is not installed (Debian: apt-get install wrk)");
        return;
    }
    let settings = Settings::from_env();
    if settings.pin {
        // Only the main thread exists yet: every thread started later (tokio's worker, the blocking
        // pool) inherits CPU 0.
        let pid = std::process::id().to_string();
        let pinned = Command::new("taskset").args(["-p", "-c", "0", &pid]).output();
        assert!(pinned.is_ok_and(|out| out.status.success()), "taskset could not pin the server");
    }
    // `cargo bench` passes `--bench`; any other argument filters the stores by name.
    let filter: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    println!(
        "http_load: {} rounds of {} s per side, {} connections, wrk -t1, server on 1 tokio worker{}",
        settings.rounds,
        settings.seconds,
        settings.connections,
        if settings.pin { ", server on CPU 0, wrk on CPU 1" } else { " (not pinned)" }
    );

    if wanted("memory") {
        run("memory", &settings, |_| async { MemoryStore::new() });
    }
    if wanted("sqlite") {
        let db = scim_token_test_support::TempDb::new("http-load");
        let path = db.path().to_owned();
        run("sqlite (file, WAL)", &settings, move |_| async move { SqliteStore::open(&path).await.unwrap() });
    }
    if wanted("sqlite") {
        let db = scim_token_test_support::TempDb::new("http-load-exclusive");
        let path = db.path().to_owned();
        run("sqlite (file, WAL, exclusive)", &settings, move |_| async move {
            SqliteStore::builder().exclusive(true).open(&path).await.unwrap()
        });
    }
    if wanted("postgres") {
        match common::postgres::server_url() {
            Some(url) => {
                let schema = common::postgres::BenchSchema::new(&url, "load");
                run("postgres", &settings, |_| schema.store());
            }
            None => println!("postgres: skipped (no server)"),
        }
    }
}

/// Serves [`app`] over `make_store`'s store on a one-worker runtime and measures both routes.
fn run<S, F>(name: &str, settings: &Settings, make_store: impl FnOnce(()) -> F)
where
    S: TokenStore,
    F: std::future::Future<Output = S>,
{
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (addr, bearer) = rt.block_on(async {
        let service = common::service(make_store(()).await);
        let token = common::enabled_token(&service).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app(service)).await });
        (addr, format!("Authorization: Bearer {}", token.expose_secret()))
    });
    let url = |path: &str| format!("http://{addr}{path}");
    // Warm up both routes (the guarded one's first request runs Argon2 once, then hits the cache).
    for path in [PLAIN, GUARDED] {
        wrk(settings, &bearer, &url(path), 1);
    }
    let mut ratios = Vec::new();
    let (mut plain_rates, mut guarded_rates) = (Vec::new(), Vec::new());
    for _ in 0..settings.rounds {
        let plain = wrk(settings, &bearer, &url(PLAIN), settings.seconds);
        let guarded = wrk(settings, &bearer, &url(GUARDED), settings.seconds);
        ratios.push(guarded / plain);
        plain_rates.push(plain);
        guarded_rates.push(guarded);
    }
    let thousands = |rates: &[f64]| {
        let (low, high) = rates.iter().fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
        format!("{:.1}–{:.1} k req/s", low / 1e3, high / 1e3)
    };
    let per_round: Vec<String> = ratios.iter().map(|r| format!("{r:.3}")).collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "{name}: unguarded {}, guarded {}; guarded / unguarded per round [{}], median {:.3}",
        thousands(&plain_rates),
        thousands(&guarded_rates),
        per_round.join(", "),
        ratios[ratios.len() / 2]
    );
    rt.shutdown_timeout(Duration::from_secs(5));
}

/// Runs `wrk` against `url` for `seconds` and returns its requests per second. Panics if any answer was
/// not a 2xx (a refused token would measure the refusal, not the guard) or a socket error occurred.
fn wrk(settings: &Settings, header: &str, url: &str, seconds: u64) -> f64 {
    let mut command = if settings.pin {
        let mut command = Command::new("taskset");
        command.args(["-c", "1", "wrk"]);
        command
    } else {
        Command::new("wrk")
    };
    let connections = settings.connections.to_string();
    let duration = format!("{seconds}s");
    command.args(["-t1", "-c", &connections, "-d", &duration, "-H", header, url]);
    let output = command.output().expect("wrk runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "wrk failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(!report.contains("Non-2xx"), "some answers were not 2xx:\n{report}");
    assert!(!report.contains("Socket errors"), "wrk saw socket errors:\n{report}");
    report
        .lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|rate| rate.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's report:\n{report}"))
}
