//! The one place that decides whether the PostgreSQL tests run, and gives each test its own schema.
//!
//! The server is `SCIM_TOKEN_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
//! When that variable is unset, `CI` is unset and nothing listens there, the tests print one line saying
//! they did not run, and pass; otherwise a missing server fails them.

use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use scim_token_postgres::tokio_postgres::config::{Host, SslMode};
use scim_token_postgres::tokio_postgres::{self, Config, NoTls};
use scim_token_postgres::{PostgresStore, PostgresStoreBuilder, redact_url};
use scim_token_test_support::{Intercepted, Keep};

pub const URL_ENV: &str = "SCIM_TOKEN_TEST_POSTGRES_URL";
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The test server's URL, or `None` when the tests are to be skipped (the first call prints why).
pub fn server_url() -> Option<&'static str> {
    static SERVER: OnceLock<Option<String>> = OnceLock::new();
    SERVER.get_or_init(find_server).as_deref()
}

fn find_server() -> Option<String> {
    let set = std::env::var(URL_ENV).ok().filter(|url| !url.is_empty());
    let ci = std::env::var("CI").is_ok_and(|ci| !ci.is_empty() && ci != "false" && ci != "0");
    let url = set.clone().unwrap_or_else(|| DEFAULT_URL.to_owned());
    let config: Config = url.parse().unwrap_or_else(|e| panic!("{URL_ENV} is not a valid URL: {e}"));
    if listens(&config) {
        return Some(url);
    }
    let shown = redact_url(&url);
    if set.is_some() || ci {
        panic!(
            "PostgreSQL is required for these tests ({}) but nothing listens at {shown}; start it, e.g. \
             pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
            if ci { "CI is set" } else { "SCIM_TOKEN_TEST_POSTGRES_URL is set" }
        );
    }
    // Straight to the handle: libtest captures print! and eprint!, and this line is meant to be seen.
    let _ = writeln!(
        std::io::stderr(),
        "scim-token-postgres: PostgreSQL tests NOT run: nothing listens at {shown} (set {URL_ENV} or start \
         PostgreSQL to run them)"
    );
    None
}

/// Whether something accepts connections at the config's first host.
fn listens(config: &Config) -> bool {
    let port = config.get_ports().first().copied().unwrap_or(5432);
    match config.get_hosts().first() {
        Some(Host::Tcp(host)) => (host.as_str(), port).to_socket_addrs().is_ok_and(|mut addrs| {
            addrs.any(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok())
        }),
        Some(Host::Unix(dir)) => dir.join(format!(".s.PGSQL.{port}")).exists(),
        None => false,
    }
}

/// The test server's parsed configuration.
pub fn server_config() -> Option<Config> {
    server_url().map(|url| url.parse().unwrap())
}

/// The TCP address of the test server (for the proxy).
pub async fn server_addr() -> SocketAddr {
    let config = server_config().expect("only called when the server runs");
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let Some(Host::Tcp(host)) = config.get_hosts().first() else {
        panic!("the proxy tests need a TCP host in {URL_ENV}")
    };
    tokio::net::lookup_host((host.as_str(), port)).await.unwrap().next().unwrap()
}

/// The test server's user, password and database, reached through `proxy` over plain TCP.
pub fn proxied_config(proxy: SocketAddr) -> Config {
    let server = server_config().expect("only called when the server runs");
    let mut config = Config::new();
    config.host(proxy.ip().to_string()).port(proxy.port()).ssl_mode(SslMode::Disable);
    if let Some(user) = server.get_user() {
        config.user(user);
    }
    if let Some(password) = server.get_password() {
        config.password(password);
    }
    if let Some(database) = server.get_dbname() {
        config.dbname(database);
    }
    config
}

/// A plain client on the test server, for inspecting and tampering with tables behind the store's back.
pub async fn connect() -> tokio_postgres::Client {
    let config = server_config().expect("only called when the server runs");
    let (client, connection) = config.connect(NoTls).await.expect("the test server accepts a connection");
    tokio::spawn(connection);
    client
}

/// A fresh, uniquely named schema on the test server, dropped (with everything in it) on drop.
pub struct TestSchema {
    name: String,
}

impl TestSchema {
    /// A new schema name, or `None` when the PostgreSQL tests are skipped.
    pub fn new() -> Option<Self> {
        server_url()?;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        Some(Self { name: format!("scim_test_{}_{nanos}_{n}", std::process::id()) })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The builder for this schema, with timeouts generous enough for a loaded machine.
    pub fn builder(&self) -> PostgresStoreBuilder {
        PostgresStore::builder().schema(&self.name).statement_timeout(Duration::from_secs(30))
    }

    pub async fn open(&self) -> PostgresStore {
        self.builder().open(server_url().unwrap()).await.expect("the store opens on the test server")
    }

    /// `table` of this schema, quoted, for SQL text.
    pub fn table(&self, table: &str) -> String {
        format!("\"{}\".\"{table}\"", self.name)
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let (url, sql) = (server_url().unwrap(), format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name));
        // Drop runs inside the test's runtime, where nothing may block on a future: use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
                tokio::spawn(connection);
                client.batch_execute(&sql).await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            // Never panic here: this may run while a failed test unwinds.
            let _ = writeln!(std::io::stderr(), "could not drop test schema {}: {dropped:?}", self.name);
        }
    }
}

/// A store on a fresh schema of its own, which is dropped once the store's pool is closed: what the
/// conformance suite runs on. `None` when the PostgreSQL tests are skipped.
pub async fn fresh_store() -> Option<Intercepted<PostgresStore, Keep<TestSchema>>> {
    let schema = TestSchema::new()?;
    let store = schema.open().await;
    Some(Intercepted::new(store, Keep(schema)))
}

/// The ids of the scope's tokens with `role`, read straight from the table.
pub async fn ids_with_role(client: &tokio_postgres::Client, schema: &TestSchema, role: &str) -> Vec<String> {
    let sql = format!("SELECT id FROM {} WHERE role = $1 ORDER BY id", schema.table("tokens"));
    client.query(&sql, &[&role]).await.unwrap().iter().map(|row| row.get(0)).collect()
}
