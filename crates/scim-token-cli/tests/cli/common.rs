//! Running the real `scim-token` binary against SQLite files in a temporary directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use scim_token_core::{ScimTokenService, TokenFormat};
use scim_token_sqlite::SqliteStore;
use tempfile::TempDir;

/// A bound on one run of the binary, so a command that waits for input fails the test instead of
/// hanging it. Never used to wait for something to happen.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// The path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_scim-token");

/// A SQLite database made by the library, as a server would make it, in its own temporary directory.
pub struct Db {
    _dir: TempDir,
    pub path: PathBuf,
}

impl Db {
    /// A fresh database: the schema, no scope yet.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scim-token.db");
        block_on(async { drop(SqliteStore::open(&path).await.unwrap()) });
        Self { _dir: dir, path }
    }

    /// A path in the same temporary directory, for files that are not (yet) databases.
    pub fn sibling(&self, name: &str) -> PathBuf {
        self.path.with_file_name(name)
    }

    /// `sqlite:PATH`.
    pub fn url(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    /// Runs `scim-token --database sqlite:PATH ARGS…`.
    pub fn run(&self, args: &[&str]) -> Run {
        run_with(&[], &[&["--database", &self.url()], args].concat(), None)
    }

    /// Whether `token` verifies against this database now, with the library's defaults (or `prefix`).
    pub fn accepts(&self, token: &str) -> bool {
        self.accepts_with_prefix(token, scim_token_core::TokenFormat::DEFAULT_PREFIX)
    }

    /// Like [`accepts`](Self::accepts), for a service whose tokens have `prefix`.
    pub fn accepts_with_prefix(&self, token: &str, prefix: &str) -> bool {
        let path = self.path.clone();
        let token = token.to_owned();
        let prefix = prefix.to_owned();
        block_on(async move {
            let store = SqliteStore::open(&path).await.unwrap();
            let service = ScimTokenService::builder(store).token_prefix(prefix).build().unwrap();
            match service.verify(&token).await {
                Ok(_) => true,
                Err(scim_token_core::Error::InvalidToken) => false,
                Err(other) => panic!("verify failed: {other}"),
            }
        })
    }
}

/// What one run printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts exit code 0 and returns `self`.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        self
    }

    /// Asserts `code`, a one-line message on stderr (then a `caused by:` line per cause), all of it
    /// containing `says`, and nothing on stdout.
    #[track_caller]
    pub fn fails(self, code: i32, says: &str) -> Self {
        assert_eq!(self.code, code, "{self:#?}");
        assert!(self.stdout.is_empty(), "{self:#?}");
        let mut lines = self.stderr.lines();
        assert!(lines.next().is_some_and(|first| first.starts_with("error: ")), "{self:#?}");
        assert!(lines.all(|cause| cause.starts_with("caused by: ")), "one line, then causes: {self:#?}");
        assert!(self.stderr.contains(says), "{self:#?}");
        self
    }

    /// stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {self:#?}"))
    }

    /// `generate`'s token: stdout is exactly one line holding a well-formed token.
    #[track_caller]
    pub fn token(&self) -> String {
        let token = self.stdout.strip_suffix('\n').unwrap_or_else(|| panic!("no newline: {self:#?}"));
        assert!(!token.contains('\n'), "one line only: {self:#?}");
        let prefix = token.split('_').next().unwrap();
        TokenFormat::new(prefix)
            .unwrap()
            .parse(token)
            .unwrap_or_else(|e| panic!("not a token ({e}): {self:#?}"));
        token.to_owned()
    }
}

/// Runs the binary with `env` set, `args`, and `stdin` (a closed pipe if `None`). The database
/// variable and the user name variables are cleared first, so the outer environment cannot leak in.
pub fn run_with(env: &[(&str, &str)], args: &[&str], stdin: Option<&str>) -> Run {
    let mut command = assert_cmd::Command::new(BIN);
    command
        .env_remove("SCIM_TOKEN_DATABASE_URL")
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env("RUST_BACKTRACE", "1")
        .args(args)
        .timeout(RUN_LIMIT);
    for (name, value) in env {
        command.env(name, value);
    }
    if let Some(stdin) = stdin {
        command.write_stdin(stdin);
    }
    let output = command.output().unwrap();
    let run = Run {
        code: output.status.code().unwrap_or_else(|| panic!("killed: {output:?}")),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(!run.stderr.contains("panicked") && !run.stderr.contains("backtrace"), "{run:#?}");
    run
}

/// Runs `future` to completion on a fresh runtime (tests here are plain `#[test]`s).
pub fn block_on<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

/// The raw bytes of `path`, to show a refused file was left untouched.
pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}
