//! Hashing saturated for real, without sleeps: on a runtime with one blocking thread, the test takes that
//! thread, so the next hash holds its hashing slot while it queues for the thread, and every later hash
//! waits for a slot until the test lets go.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// A current-thread runtime whose blocking pool has a single thread, for [`HeldBlockingThread`].
pub fn runtime_with_one_blocking_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(1)
        .enable_all()
        .build()
        .expect("a current-thread runtime builds")
}

/// The blocking pool's thread, held by the test until [`release`](Self::release).
pub struct HeldBlockingThread {
    release: std::sync::mpsc::Sender<()>,
    holder: JoinHandle<()>,
}

impl HeldBlockingThread {
    /// Takes a blocking thread; returns once the holder runs on it.
    pub async fn take() -> Self {
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        let holder = tokio::task::spawn_blocking(move || {
            started.send(()).expect("the test waits for the holder to start");
            released.recv().expect("the test releases the thread");
        });
        running.await.expect("the holder starts");
        Self { release, holder }
    }

    /// Gives the thread back, and waits until the holder has ended.
    pub async fn release(self) {
        self.release.send(()).expect("the holder waits for its release");
        self.holder.await.expect("the holder ends cleanly");
    }
}

/// Polls `future` once; whether it is still pending.
pub async fn pending_after_one_poll<F: Future + ?Sized>(mut future: Pin<&mut F>) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx).is_pending())).await
}
