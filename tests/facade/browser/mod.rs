//! A headless Chromium for tests: finds Debian's `chromium` and `chromedriver`, starts chromedriver on a
//! free loopback port, and opens a WebDriver session with a fresh, empty profile.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use tempfile::TempDir;

/// How long chromedriver may take to say it listens. A bound on waiting for an external process.
const DRIVER_START_LIMIT: Duration = Duration::from_secs(30);

/// Chromium's flags for this machine and CI: no sandbox (root in a container), no GPU, and nothing that
/// reaches the network on its own.
const CHROMIUM_FLAGS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Whether this run must not skip: `CI` is set to anything but empty, `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.trim(), "" | "0" | "false"))
}

/// The browser and driver binaries; `None` when they are missing, after one line on stderr (once per
/// test binary) saying the browser tests did not run. Panics instead when `CI` is set: there the
/// browser tests must run.
pub fn binaries_or_skip() -> Option<(PathBuf, PathBuf)> {
    static SAID: std::sync::Once = std::sync::Once::new();
    let found = binaries();
    if found.is_none() {
        assert!(
            !in_ci(),
            "CI is set but chromium or chromedriver is missing: apt-get install chromium chromium-driver"
        );
        SAID.call_once(|| {
            // Straight to stderr: the test harness swallows println! of a passing test.
            let line = "admin page browser tests NOT run: chromium and chromedriver not found \
                        (apt-get install chromium chromium-driver)\n";
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        });
    }
    found
}

/// One browser at a time: tests in one binary run in parallel, and two Chromiums on a 2-core machine
/// only make each slower.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The browser and driver binaries, if both are installed.
pub fn binaries() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_in_path(&["chromium", "chromium-browser"])?;
    let driver = find_in_path(&["chromedriver"])?;
    Some((chromium, driver))
}

fn find_in_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// A running chromedriver and its empty profile directory; both go away on drop (the driver first).
pub struct Browser {
    driver: Child,
    /// Removed on drop, after the driver (and so Chromium) has stopped.
    _profile: TempDir,
    /// The WebDriver session.
    pub client: Client,
}

impl Browser {
    /// Starts chromedriver and opens a session of `chromium` with a `width` × `height` window.
    pub async fn start(chromium: &Path, driver: &Path, width: u32, height: u32) -> Self {
        let profile = tempfile::Builder::new().prefix("scim-token-browser-").tempdir().unwrap();
        let (driver, port) = spawn_driver(driver);
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|flag| (*flag).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!("--window-size={width},{height}"));
        let capabilities = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!() };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start {}: {e}", chromium.display()));
        Self { driver, _profile: profile, client }
    }

    /// Ends the session (Chromium exits); the driver and the profile go on drop.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Starts chromedriver on a free loopback port and waits for its "started successfully" line. A port
/// taken between choosing and binding makes it exit; then another port is tried.
fn spawn_driver(driver: &Path) -> (Child, u16) {
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", driver.display()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.contains("started successfully") {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(DRIVER_START_LIMIT) == Ok(()) {
            return (child, port);
        } else {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
    panic!("chromedriver did not start on a free port in five tries");
}
