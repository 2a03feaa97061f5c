//! A TCP proxy in front of the test server that a test can cut: it refuses connections, or swallows
//! traffic without answering (a dead network), and comes back. It also counts the server's
//! `ReadyForQuery` messages: one per round trip.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does with connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Forwards both ways.
    Up,
    /// Closes every connection, open or new: the server is gone.
    Refuse,
    /// Keeps connections open but forwards nothing, and accepts new ones without answering: a dead
    /// network. Connections open during it are closed when it ends.
    Blackhole,
}

pub struct Proxy {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
    ready_for_query: Arc<AtomicU64>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (mode, _) = watch::channel(Mode::Up);
        let ready_for_query = Arc::new(AtomicU64::new(0));
        let (modes, counter) = (mode.clone(), ready_for_query.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, upstream, modes.subscribe(), counter.clone()));
            }
        });
        Self { addr, mode, ready_for_query, accept }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }

    /// How many `ReadyForQuery` messages the server has sent through the proxy so far.
    pub fn ready_for_query(&self) -> u64 {
        self.ready_for_query.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        // Ends every connection's task: they all wait on this channel too.
        self.mode.send_replace(Mode::Refuse);
    }
}

async fn serve(client: TcpStream, upstream: SocketAddr, mut mode: watch::Receiver<Mode>, z: Arc<AtomicU64>) {
    let started = *mode.borrow_and_update();
    match started {
        Mode::Refuse => return,
        Mode::Blackhole => {
            // Hold the socket, silent, until the outage ends; then close it.
            let _held = client;
            let _ = mode.wait_for(|m| *m != Mode::Blackhole).await;
            return;
        }
        Mode::Up => {}
    }
    let Ok(server) = TcpStream::connect(upstream).await else { return };
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    // Checked before forwarding each chunk: once `set` returns, not one more byte goes through.
    let up = mode.clone();
    let up = move || *up.borrow() == Mode::Up;
    let to_server = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = client_read.read(&mut buf).await?;
            if n == 0 {
                // The client hung up: pass that on, so the server ends the session.
                return server_write.shutdown().await;
            }
            if !up() {
                return Ok::<_, std::io::Error>(());
            }
            server_write.write_all(&buf[..n]).await?;
        }
    };
    let to_client = async {
        let mut buf = vec![0u8; 16 * 1024];
        let mut frames = Frames::default();
        loop {
            let n = server_read.read(&mut buf).await?;
            if n == 0 || !up() {
                return Ok::<_, std::io::Error>(());
            }
            z.fetch_add(frames.count_ready_for_query(&buf[..n]), Ordering::SeqCst);
            client_write.write_all(&buf[..n]).await?;
        }
    };
    tokio::select! {
        _ = async { tokio::try_join!(to_server, to_client) } => return,
        _ = mode.wait_for(|m| *m != Mode::Up) => {}
    }
    if *mode.borrow() == Mode::Blackhole {
        // Stop forwarding but keep both sockets open until the outage ends.
        let _ = mode.wait_for(|m| *m != Mode::Blackhole).await;
    }
    // Dropping the halves closes both connections.
}

/// Splits the server's byte stream into protocol messages (a type byte, then a big-endian length that
/// counts itself) to count `ReadyForQuery` (`Z`).
#[derive(Default)]
struct Frames {
    header: Vec<u8>,
    skip: usize,
}

impl Frames {
    fn count_ready_for_query(&mut self, mut bytes: &[u8]) -> u64 {
        let mut count = 0;
        while !bytes.is_empty() {
            if self.skip > 0 {
                let n = self.skip.min(bytes.len());
                self.skip -= n;
                bytes = &bytes[n..];
                continue;
            }
            let n = (5 - self.header.len()).min(bytes.len());
            self.header.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if self.header.len() == 5 {
                let len = u32::from_be_bytes(self.header[1..5].try_into().unwrap()) as usize;
                count += u64::from(self.header[0] == b'Z');
                self.skip = len.saturating_sub(4);
                self.header.clear();
            }
        }
        count
    }
}
