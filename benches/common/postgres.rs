//! A PostgreSQL server for the benches, if one listens, and schemas of their own on it.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use scim_token::postgres::tokio_postgres::config::Host;
use scim_token::postgres::tokio_postgres::{Client, Config, NoTls};
use scim_token::postgres::{PostgresStore, redact_url};

const URL_ENV: &str = "SCIM_TOKEN_TEST_POSTGRES_URL";
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The server's URL, or `None` (after one line saying so, once) when nothing listens there.
pub fn server_url() -> Option<String> {
    static URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    URL.get_or_init(find_server).clone()
}

fn find_server() -> Option<String> {
    let url = std::env::var(URL_ENV).unwrap_or_else(|_| DEFAULT_URL.to_owned());
    let config: Config = url.parse().expect("SCIM_TOKEN_TEST_POSTGRES_URL is a valid URL");
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let listens = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => (host.as_str(), port).to_socket_addrs().is_ok_and(|mut addrs| {
            addrs.any(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok())
        }),
        Some(Host::Unix(dir)) => dir.join(format!(".s.PGSQL.{port}")).exists(),
        None => false,
    };
    if !listens {
        println!("postgres benches skipped: nothing listens at {} (set {URL_ENV})", redact_url(&url));
        return None;
    }
    Some(url)
}

/// A schema of the bench's own, with a store on it; dropped with everything in it.
pub struct BenchSchema {
    pub url: String,
    pub name: String,
}

impl BenchSchema {
    pub fn new(url: &str, label: &str) -> Self {
        let schema = Self { url: url.to_owned(), name: format!("scim_bench_{label}_{}", std::process::id()) };
        schema.drop_schema();
        schema
    }

    pub async fn store(&self) -> PostgresStore {
        PostgresStore::builder().schema(&self.name).open(&self.url).await.unwrap()
    }

    /// Runs `work` on a connection of its own, on a runtime of its own.
    pub fn on_own_connection<T>(&self, work: impl AsyncFnOnce(&Client) -> T) -> T {
        super::current_thread().block_on(async {
            let (client, connection) =
                scim_token::postgres::tokio_postgres::connect(&self.url, NoTls).await.unwrap();
            tokio::spawn(connection);
            work(&client).await
        })
    }

    /// Runs `sql` on a connection of its own.
    pub fn execute(&self, sql: &str) {
        self.on_own_connection(async |client| client.batch_execute(sql).await.unwrap());
    }

    pub fn drop_schema(&self) {
        self.execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name));
    }
}

impl Drop for BenchSchema {
    fn drop(&mut self) {
        self.drop_schema();
    }
}
