//! A writer that keeps everything written to it: give it to a `tracing` fmt subscriber with
//! `.with_writer(move || captured.clone())` and read the log back.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// Everything written to it; clones share one buffer.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("no test panics while writing").clone())
            .expect("tracing writes UTF-8")
    }

    /// Everything written so far, line by line.
    pub fn lines(&self) -> Vec<String> {
        self.text().lines().map(str::to_owned).collect()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("no test panics while writing").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
