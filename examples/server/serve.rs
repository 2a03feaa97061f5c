//! Serving the app as a public server must: every connection and request bounded in time, and a cap on
//! connections below the process's file-handle limit.
//!
//! `axum::serve` has neither timeouts nor a cap: 19 980 half-sent requests once took every file handle
//! of this example, and a normal client then got no answer. This accept loop serves each connection
//! with hyper directly, under [`Limits`].

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How long a connection may take to send a request's headers, and how long it may stay idle between
/// keep-alive requests (hyper starts the same clock whenever it waits for the next request).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request may take once its headers are in: reading the body and answering.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default cap on open connections, if the file-handle limit allows it.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// File handles kept free for everything else (the database, its WAL, logs, the listener).
const RESERVED_FILE_HANDLES: usize = 64;
/// After an accept error (e.g. out of file handles), wait this long before accepting again.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);
/// How long a shutdown waits for connections in flight before it stops anyway.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// At most one warning per this interval while the connection cap is reached.
const CAP_WARNING_INTERVAL: Duration = Duration::from_secs(10);

/// The bounds every connection is served under.
#[derive(Clone, Debug)]
pub struct Limits {
    /// See [`HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// See [`REQUEST_TIMEOUT`].
    pub request_timeout: Duration,
    /// Connections open at once; past it, new ones wait in the listen backlog until one closes.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: HEADER_READ_TIMEOUT,
            request_timeout: REQUEST_TIMEOUT,
            max_connections: default_max_connections(),
        }
    }
}

/// [`DEFAULT_MAX_CONNECTIONS`], or fewer if the process's file-handle limit is lower: each connection
/// holds one handle, and running out of them stops the server from accepting anyone.
pub fn default_max_connections() -> usize {
    match open_files_limit() {
        Some(limit) => DEFAULT_MAX_CONNECTIONS.min(limit.saturating_sub(RESERVED_FILE_HANDLES)).max(1),
        None => DEFAULT_MAX_CONNECTIONS,
    }
}

/// The soft limit on open files, from `/proc/self/limits` (Linux); `None` elsewhere or if unlimited.
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|line| line.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// How many connections are open, and the most that ever were: for logs and tests.
#[derive(Debug, Default)]
pub struct ConnectionCount {
    open: AtomicUsize,
    peak: AtomicUsize,
}

impl ConnectionCount {
    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// The most connections ever open at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// One open connection, counted until dropped.
struct Counted(Arc<ConnectionCount>);

impl Counted {
    fn new(count: &Arc<ConnectionCount>) -> Self {
        let open = count.open.fetch_add(1, Ordering::SeqCst) + 1;
        count.peak.fetch_max(open, Ordering::SeqCst);
        Self(count.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves `app` on `listener` under `limits` until `shutdown` resolves, then lets the connections in
/// flight finish (for at most [`DRAIN_TIMEOUT`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    count: Arc<ConnectionCount>,
    shutdown: impl Future<Output = ()>,
) {
    let app = app.layer(middleware::from_fn_with_state(limits.request_timeout, request_timeout));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut last_cap_warning: Option<Instant> = None;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = if let Ok(slot) = slots.clone().try_acquire_owned() {
            slot
        } else {
            if last_cap_warning.is_none_or(|at| at.elapsed() >= CAP_WARNING_INTERVAL) {
                last_cap_warning = Some(Instant::now());
                tracing::warn!(
                    max = limits.max_connections,
                    "connection limit reached: new connections wait until one closes"
                );
            }
            tokio::select! {
                slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
                () = &mut shutdown => break,
            }
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a connection; pausing");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let counted = Counted::new(&count);
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _held = (slot, counted);
            if let Err(error) = connection.await {
                // Timeouts, resets and malformed requests: one per bad connection, so never above DEBUG.
                tracing::debug!(%error, "connection closed with an error");
            }
        });
    }
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
}

/// Answers 408 and closes the connection if a request (its body included) takes longer than `limit`.
async fn request_timeout(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    if let Ok(response) = tokio::time::timeout(limit, next.run(request)).await {
        response
    } else {
        let mut response = (StatusCode::REQUEST_TIMEOUT, "request timed out\n").into_response();
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    }
}
