//! Real processes on one file: concurrent rotations from several processes, and processes killed with
//! SIGKILL in the middle of rotating.
//!
//! The children are this test binary itself, re-run with `--exact processes::child_process_entry_point` and
//! [`CHILD_ENV`] set. Each prints `about to replace <id>` before a rotation and `acked <id>` once it has
//! returned, so the parent knows exactly which rotations were acknowledged.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::process_record;
use scim_token_core::testkit::scope;
use scim_token_core::{Timestamp, TokenStore};
use scim_token_sqlite::SqliteStore;
use scim_token_test_support::{TempDb, XorShift};

/// Set (to `rotate`) only in child processes.
const CHILD_ENV: &str = "SCIM_TOKEN_SQLITE_CHILD";
/// The database file the child rotates in.
const DB_ENV: &str = "SCIM_TOKEN_SQLITE_CHILD_DB";
/// How many rotations the child makes; absent: rotate until killed.
const COUNT_ENV: &str = "SCIM_TOKEN_SQLITE_CHILD_COUNT";
const SCOPE: &str = "shared";

/// **Not a test: the entry point of the child processes** that the tests below spawn. In a normal test
/// run [`CHILD_ENV`] is absent and it returns at once.
///
/// A child rotates the token of scope [`SCOPE`] in the file [`DB_ENV`], alternately with and without an
/// overlap window, [`COUNT_ENV`] times or forever, and reports every step on stdout.
///
/// In mode `open` it only opens the file once told to go, reads it, and reports `opened`.
#[tokio::test]
async fn child_process_entry_point() {
    let Ok(mode) = std::env::var(CHILD_ENV) else { return };
    let path = std::env::var_os(DB_ENV).expect("the parent sets the database path");
    if mode == "open" {
        return open_when_told(path).await;
    }
    assert_eq!(mode, "rotate", "unknown child mode");
    let count: Option<u64> = std::env::var(COUNT_ENV).ok().map(|n| n.parse().expect("a count"));
    let store = SqliteStore::open(path).await.expect("the child opens the database");
    let s = scope(SCOPE);
    let say = |line: String| {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}").and_then(|()| out.flush()).expect("stdout is the parent's pipe");
    };
    // Start together with the other children: the parent answers `ready` with a line once all are ready.
    say("ready".to_owned());
    std::io::stdin().read_line(&mut String::new()).expect("the parent says go");
    for n in (0..).take_while(|n| count.is_none_or(|count| *n < count)) {
        let record = process_record(&s, n);
        let id = record.id;
        let keep = (n % 2 == 1).then_some(Timestamp::from_unix_millis(i64::MAX));
        say(format!("about to replace {id}"));
        store.replace_current(record, keep).await.expect("a rotation failed");
        say(format!("acked {id}"));
    }
}

/// The child in mode `open`: all children open the fresh file at the same moment.
async fn open_when_told(path: std::ffi::OsString) {
    say("ready");
    std::io::stdin().read_line(&mut String::new()).expect("the parent says go");
    let store = SqliteStore::open(path).await.expect("every process opening a fresh file at once succeeds");
    let state = store.load_scope(&scope(SCOPE)).await.expect("the opened store reads");
    assert_eq!(state, scim_token_core::store::ScopeState::default());
    say("opened");
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).expect("stdout is the parent's pipe");
}

fn spawn_child(db: &Path, count: Option<u64>) -> Child {
    spawn(db, "rotate", count)
}

fn spawn(db: &Path, mode: &str, count: Option<u64>) -> Child {
    let mut command = Command::new(std::env::current_exe().expect("the test binary's path"));
    command
        .args(["--exact", "processes::child_process_entry_point", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .env(DB_ENV, db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match count {
        Some(count) => command.env(COUNT_ENV, count.to_string()),
        None => command.env_remove(COUNT_ENV),
    };
    command.spawn().expect("the child process starts")
}

/// What a plain connection finds in the file after the children are gone.
struct Found {
    integrity: String,
    current: Vec<String>,
    previous: Vec<String>,
}

fn inspect(db: &Path) -> Found {
    let conn = rusqlite::Connection::open(db).expect("the database opens");
    let integrity = conn.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    let ids = |role: &str| -> Vec<String> {
        let mut statement = conn.prepare("SELECT id FROM tokens WHERE role = ?1").unwrap();
        statement.query_map([role], |row| row.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    Found { integrity, current: ids("current"), previous: ids("previous") }
}

/// The ids after `prefix` in the lines that have it.
fn ids<'a>(lines: &'a [String], prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    lines.iter().filter_map(move |line| line.strip_prefix(prefix))
}

#[test]
fn processes_rotating_one_file_leave_exactly_one_current_token() {
    const PROCESSES: usize = 3;
    const ROTATIONS: u64 = 100;
    let db = TempDb::new("processes");
    // The children also race to create and migrate the file.
    let mut children: Vec<Child> = (0..PROCESSES).map(|_| spawn_child(db.path(), Some(ROTATIONS))).collect();
    let mut outputs: Vec<_> = children.iter_mut().map(wait_until_ready).collect();
    for child in &mut children {
        writeln!(child.stdin.take().unwrap(), "go").expect("the child reads its stdin");
    }
    // While they rotate, every snapshot must show a whole rotation: a final-state check alone would miss
    // a torn rotation that a later one repaired.
    let watcher = rusqlite::Connection::open(db.path()).unwrap();
    let mut snapshots = 0u64;
    let mut seen_token = false;
    while children.iter_mut().any(|child| child.try_wait().expect("the child is alive or reaped").is_none()) {
        // One statement, so both counts come from one snapshot.
        let (current, previous): (i64, i64) = watcher
            .query_row(
                "SELECT (SELECT count(*) FROM tokens WHERE role = 'current'), \
                        (SELECT count(*) FROM tokens WHERE role = 'previous')",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .expect("reads never wait for writers in WAL mode");
        snapshots += 1;
        seen_token |= current > 0;
        assert!(
            current == i64::from(seen_token) && previous <= 1,
            "snapshot {snapshots} saw {current} current and {previous} previous tokens"
        );
    }
    let mut acked = HashSet::new();
    for (mut child, lines) in children.into_iter().zip(&mut outputs) {
        lines.extend(BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok));
        let output = child.wait_with_output().expect("the child runs");
        assert!(output.status.success(), "a child failed: {}", String::from_utf8_lossy(&output.stderr));
        let mine: Vec<&str> = ids(lines, "acked ").collect();
        assert_eq!(mine.len() as u64, ROTATIONS, "every rotation of a child is acknowledged");
        acked.extend(mine.into_iter().map(str::to_owned));
    }
    assert_eq!(acked.len(), PROCESSES * ROTATIONS as usize, "token ids are unique across processes");

    let found = inspect(db.path());
    assert_eq!(found.integrity, "ok");
    assert_eq!(found.current.len(), 1, "exactly one current token: {:?}", found.current);
    assert!(acked.contains(&found.current[0]), "the current token is one a child was told was written");
    assert!(found.previous.len() <= 1, "at most one previous token: {:?}", found.previous);
    assert!(found.previous.iter().all(|id| acked.contains(id) && *id != found.current[0]));

    // The store itself agrees.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let state = runtime.block_on(async {
        let store = SqliteStore::open(db.path()).await.unwrap();
        store.load_scope(&scope(SCOPE)).await.unwrap()
    });
    assert_eq!(state.current.map(|r| r.id.to_string()), Some(found.current[0].clone()));
}

#[test]
fn processes_opening_one_fresh_file_at_once_all_succeed() {
    const PROCESSES: usize = 8;
    const ROUNDS: usize = 25;
    for round in 0..ROUNDS {
        let db = TempDb::new("open-race");
        let mut children: Vec<Child> = (0..PROCESSES).map(|_| spawn(db.path(), "open", None)).collect();
        for child in &mut children {
            wait_until_ready(child);
        }
        // Every child is blocked on its stdin: one line each releases them together.
        for child in &mut children {
            writeln!(child.stdin.take().unwrap(), "go").expect("the child reads its stdin");
        }
        for child in children {
            let output = child.wait_with_output().expect("the child runs");
            assert!(
                output.status.success() && String::from_utf8_lossy(&output.stdout).contains("opened"),
                "round {round}: a process failed to open the fresh file: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert_eq!(inspect(db.path()).integrity, "ok", "round {round}");
    }
}

/// Reads the child's stdout up to its `ready` line; returns the lines read. The reader may be dropped
/// afterwards without losing output: the child writes nothing more until it is told to go.
fn wait_until_ready(child: &mut Child) -> Vec<String> {
    let mut out = BufReader::new(child.stdout.as_mut().unwrap());
    let mut lines: Vec<String> = Vec::new();
    // libtest may print `test processes::child_process_entry_point ... ` on the same line first.
    while lines.last().is_none_or(|line| !line.ends_with("ready")) {
        let mut line = String::new();
        if out.read_line(&mut line).expect("the child writes text") == 0 {
            panic!("a child exited before it was ready: {lines:?}");
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

#[test]
fn sigkill_mid_rotation_leaves_the_last_acked_or_the_in_flight_token() {
    const ROUNDS: usize = 30;
    const MAX_DELAY_MICROS: u64 = 20_000;
    let db = TempDb::new("sigkill");
    let mut rng = XorShift::seeded();
    let seed = rng.seed();
    for round in 0..ROUNDS {
        let mut child = spawn_child(db.path(), None);
        writeln!(child.stdin.take().unwrap(), "go").expect("the child reads its stdin");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut log: Vec<String> = Vec::new();
        // Kill only after one rotation was acknowledged, so every round really rotates.
        while !log.last().is_some_and(|line| line.starts_with("acked ")) {
            if let Some(line) = lines.next() {
                log.push(line.expect("the child writes text"))
            } else {
                let output = child.wait_with_output().unwrap();
                panic!("child exited before rotating: {}", String::from_utf8_lossy(&output.stderr));
            }
        }
        // Not synchronisation: the delay only picks a random moment to kill at.
        std::thread::sleep(Duration::from_micros(rng.below(MAX_DELAY_MICROS)));
        child.kill().expect("SIGKILL is delivered");
        child.wait().expect("the killed child is reaped");
        // The rest of what the child wrote before it died is still in the pipe.
        log.extend(lines.map_while(Result::ok));

        let last_ack = log.iter().rposition(|line| line.starts_with("acked ")).unwrap();
        let acked = ids(&log[last_ack..=last_ack], "acked ").next().unwrap();
        let in_flight = ids(&log[last_ack..], "about to replace ").next();
        let found = inspect(db.path());
        let context = format!("round {round}, seed {seed:#x}, last acked {acked}, in flight {in_flight:?}");
        assert_eq!(found.integrity, "ok", "{context}");
        assert_eq!(found.current.len(), 1, "exactly one current token: {:?}; {context}", found.current);
        let current = found.current[0].as_str();
        assert!(current == acked || Some(current) == in_flight, "current is {current}; {context}");
        assert!(found.previous.len() <= 1, "{:?}; {context}", found.previous);
    }
}
