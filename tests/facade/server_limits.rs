//! The example server under a flood of stalled connections: a normal request is still
//! answered while hundreds stall, stalled and idle connections are closed by the header-read timeout, a
//! stalled body by the request timeout, and open connections never exceed the cap.
//!
//! Loopback only, a few hundred connections; `README.md` (Tests) has the figures for thousands,
//! measured by hand against the release build.

use crate::{http_client, server};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scim_token::sqlite::SqliteStore;
use scim_token_test_support::fast_service;
use server::serve::{ConnectionCount, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

const ADMIN: &str = "*:*.limits-admin";
const STALLED: usize = 300;
/// Fails a test instead of hanging it; never used to wait for something to happen.
const HANG_GUARD: Duration = Duration::from_secs(30);
/// The head of a request that never ends: no blank line follows.
const PARTIAL_HEAD: &[u8] = b"GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: stalled\r\n";

struct Running {
    addr: SocketAddr,
    count: Arc<ConnectionCount>,
    _stop: oneshot::Sender<()>,
}

async fn start(limits: Limits) -> Running {
    let service = fast_service(SqliteStore::open_in_memory().await.unwrap());
    server::enable_on_first_start(&service).await.unwrap();
    let app = server::app(service, server::admin_tokens(ADMIN, None).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(ConnectionCount::default());
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = server::serve::serve(listener, app, limits, count.clone(), async {
        let _ = stopped.await;
    });
    tokio::spawn(serving);
    Running { addr, count, _stop: stop }
}

fn limits(header_read_timeout: Duration, request_timeout: Duration, max_connections: usize) -> Limits {
    Limits { header_read_timeout, request_timeout, max_connections }
}

/// `n` connections that each sent part of a request head and then nothing.
async fn stall(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut stalled = Vec::with_capacity(n);
    for _ in 0..n {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(PARTIAL_HEAD).await.unwrap();
        stalled.push(stream);
    }
    stalled
}

/// Reads until the server closes the connection; returns what it sent. A reset counts as closed.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(HANG_GUARD, async {
        let _ = stream.read_to_end(&mut received).await;
    });
    closed.await.expect("the server must close a stalled connection");
    received
}

/// Polls `condition` until it holds; the deadline only turns a hang into a failure.
async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + HANG_GUARD;
    while !condition() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn normal_scim_call(addr: SocketAddr) -> u16 {
    let generated =
        http_client::send_auth(addr, "POST", "/api/admin/scim-settings/generate-new-token", ADMIN).await;
    assert_eq!(generated.status, 200, "{}", generated.text());
    let token = generated.json()["token"].as_str().unwrap().to_owned();
    let path = server::SERVICE_PROVIDER_CONFIG_PATH;
    http_client::send_auth(addr, "GET", path, &format!("Bearer {token}")).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_normal_request_is_answered_while_hundreds_of_connections_stall() {
    let running = start(limits(Duration::from_secs(120), Duration::from_secs(30), 1_000)).await;
    let mut stalled = stall(running.addr, STALLED).await;
    eventually("the stalled connections are accepted", || running.count.open() == STALLED).await;
    assert_eq!(normal_scim_call(running.addr).await, 200);
    // Answered while every stalled connection was still open (their timeout is far longer).
    let mut probe = [0u8; 1];
    for stream in &mut stalled {
        assert!(stream.try_read(&mut probe).is_err(), "a stalled connection was closed early");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_idle_and_slow_body_connections_are_closed() {
    let running = start(limits(Duration::from_secs(1), Duration::from_secs(2), 1_000)).await;
    let addr = running.addr;
    let mut stalled = stall(addr, STALLED).await;

    // A keep-alive client that got its answer and went quiet.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(format!("GET /api/openapi.json HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    // A client that sent its headers, promised a body and never sent it.
    let mut slow_body = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/admin/scim-settings HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {ADMIN}\r\n\
         Content-Type: application/json\r\nContent-Length: 18\r\n\r\n"
    );
    slow_body.write_all(head.as_bytes()).await.unwrap();

    for stream in &mut stalled {
        assert_eq!(until_closed(stream).await, b"", "a stalled head gets no answer, only a close");
    }
    let answered = String::from_utf8_lossy(&until_closed(&mut idle).await).into_owned();
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    let timed_out = String::from_utf8_lossy(&until_closed(&mut slow_body).await).into_owned();
    assert!(timed_out.starts_with("HTTP/1.1 408"), "{timed_out}");
    eventually("every connection is closed", || running.count.open() == 0).await;
    assert_eq!(normal_scim_call(addr).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_connections_never_exceed_the_cap() {
    const CAP: usize = 16;
    let running = start(limits(Duration::from_secs(120), Duration::from_secs(30), CAP)).await;
    let stalled = stall(running.addr, 3 * CAP).await;
    eventually("the cap is reached", || running.count.open() == CAP).await;
    // Closing the stalled clients frees the slots; the waiting ones are accepted, and close in turn.
    drop(stalled);
    eventually("every connection is closed", || running.count.open() == 0).await;
    assert_eq!(normal_scim_call(running.addr).await, 200);
    assert_eq!(running.count.peak(), CAP, "never more connections open than the cap");
}
