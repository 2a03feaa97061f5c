//! An axum app served on a free loopback port, stopped gracefully by the test (feature `axum`).

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server. Dropping it (or [`shut_down`](Self::shut_down)) stops it gracefully.
pub struct Served {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    stopped: JoinHandle<()>,
}

impl Served {
    /// Stops accepting, waits for open connections to finish, and returns once the server has ended.
    pub async fn shut_down(self) {
        self.stop.send(()).expect("the server runs until told to stop");
        self.stopped.await.expect("the server ends cleanly");
    }
}

/// Serves `app` on a free port of 127.0.0.1.
pub async fn serve_on_loopback(app: axum::Router) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
    let addr = listener.local_addr().expect("a bound listener has an address");
    let (stop, stop_requested) = oneshot::channel::<()>();
    let stopped = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop_requested.await;
            })
            .await
            .expect("serving on loopback");
    });
    Served { addr, stop, stopped }
}
