//! A fixed number of cache-hit verifications and of their baselines, for an instruction-counting
//! profiler: `valgrind --tool=callgrind` counts the same total for the same binary and input whatever
//! else the machine does, so it can tell where the verify's cost beyond its baseline goes.
//!
//! ```sh
//! CARGO_PROFILE_BENCH_DEBUG=line-tables-only cargo bench --bench profile_verify --no-run
//! valgrind --tool=callgrind --callgrind-out-file=cg.memory target/release/deps/profile_verify-* memory 20000
//! callgrind_annotate --inclusive=yes cg.memory | head -40
//! ```
//!
//! Cases: `memory`, `memory-baseline` (hash-map look-up + SHA-256 + constant-time compare), `sqlite`,
//! `sqlite-baseline` (the store's prepared SELECT on a connection of its own + the same hashing). Each
//! runs its set-up, then the given number of verifications; subtract a run with count 0 to remove the
//! set-up (Argon2 included) from the totals. Without arguments it runs each case once and exits, so
//! `cargo bench` passes through it quickly.

mod common;

use std::collections::HashMap;
use std::hint::black_box;

use scim_token::sqlite::SqliteStore;
use scim_token::{MemoryStore, ScimTokenService};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    let count: u32 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1);
    let cases = ["memory", "memory-baseline", "sqlite", "sqlite-baseline"];
    let chosen: Vec<&str> = match args.first() {
        Some(case) => vec![cases.iter().copied().find(|c| c == case).expect("a known case")],
        None => cases.to_vec(),
    };
    let rt = common::current_thread();
    for case in chosen {
        let db = scim_token_test_support::TempDb::new("profile");
        let service = match case {
            "memory" | "memory-baseline" => common::service(MemoryStore::new()),
            _ => common::service(rt.block_on(SqliteStore::open(db.path())).unwrap()),
        };
        let token = rt.block_on(common::enabled_token(&service));
        let token = token.expose_secret();
        rt.block_on(service.verify(token)).unwrap();
        match case {
            "memory" | "sqlite" => verify(&rt, &service, token, count),
            "memory-baseline" => memory_baseline(&rt, token, count),
            _ => sqlite_baseline(&rt, db.path(), token, count),
        }
    }
}

fn verify(rt: &tokio::runtime::Runtime, service: &ScimTokenService, token: &str, count: u32) {
    common::time_block(rt, count, || async { service.verify(black_box(token)).await.unwrap() });
}

fn memory_baseline(rt: &tokio::runtime::Runtime, token: &str, count: u32) {
    let mut map = HashMap::new();
    map.insert(token[5..21].to_owned(), common::fingerprint(token));
    common::time_block(rt, count, || async {
        let presented = black_box(token);
        common::assert_fingerprint(presented, map.get(&presented[5..21]).unwrap());
    });
}

fn sqlite_baseline(rt: &tokio::runtime::Runtime, path: &std::path::Path, token: &str, count: u32) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let fingerprint = common::fingerprint(token);
    common::time_block(rt, count, || async {
        let presented = black_box(token);
        black_box(common::sqlite::select_row(&conn, presented));
        common::assert_fingerprint(presented, &fingerprint);
    });
}
