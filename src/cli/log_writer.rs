//! Where log lines go: a buffer that a background thread writes to stderr in batches. The task
//! that logs (an answer, a digest delivery) never waits for a write, whether stderr is a slow
//! disk or a pipe nobody reads, and a burst of lines costs one write and one wake-up, not one
//! of each per line. `LogGuard` writes whatever is left when it drops, so nothing logged before
//! an exit, even an exit on an error, is lost.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;

/// How long the writer thread gathers lines after the first of a batch: short enough for a
/// person watching the log, long enough that a busy bot writes once per batch.
const BATCH: Duration = Duration::from_millis(10);
/// Lines waiting beyond this are dropped (and counted) rather than held: a stderr that never
/// drains must not take the bot's memory with it.
const MAX_PENDING: usize = 8 << 20;

#[derive(Default)]
struct Pending {
    lines: Vec<u8>,
    dropped: u64,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    pending: Mutex<Pending>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        // A panic while holding the lock cannot leave the buffer half-written in a way that
        // matters: keep logging.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The `MakeWriter` for the log layer: each event's formatted line goes into the buffer whole.
#[derive(Clone)]
pub struct LogWriter(Arc<Shared>);

/// Writes what is left and stops the writer thread when dropped.
pub struct LogGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Starts the writer thread. If the thread cannot start, lines are written directly instead.
pub fn stderr() -> (LogWriter, LogGuard) {
    stderr_to(io::stderr)
}

fn stderr_to<W: Write + 'static>(out: fn() -> W) -> (LogWriter, LogGuard) {
    let shared = Arc::<Shared>::default();
    let thread = {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_batches(&shared, out))
    };
    let thread = match thread {
        Ok(thread) => Some(thread),
        Err(_) => {
            shared.lock().closed = true;
            None
        }
    };
    let guard = LogGuard {
        shared: Arc::clone(&shared),
        thread,
    };
    (LogWriter(shared), guard)
}

fn write_batches<W: Write>(shared: &Shared, out: fn() -> W) {
    let mut batch = Vec::new();
    loop {
        let mut pending = shared.lock();
        while pending.lines.is_empty() && !pending.closed {
            pending = shared.wake.wait(pending).unwrap_or_else(|e| e.into_inner());
        }
        if !pending.closed {
            // Gather the lines that follow the first; a close cuts the wait short.
            pending = shared
                .wake
                .wait_timeout_while(pending, BATCH, |p| !p.closed)
                .map_or_else(|e| e.into_inner().0, |(p, _)| p);
        }
        std::mem::swap(&mut batch, &mut pending.lines);
        let dropped = std::mem::take(&mut pending.dropped);
        let closed = pending.closed;
        drop(pending);
        let mut out = out();
        if dropped > 0 {
            let _ = writeln!(
                out,
                "briefbot: {dropped} log line(s) dropped: stderr did not keep up"
            );
        }
        // Nowhere to report a failed write to stderr: the lines are lost either way.
        let _ = out.write_all(&batch);
        let _ = out.flush();
        batch.clear();
        if closed && shared.lock().lines.is_empty() {
            return;
        }
    }
}

impl io::Write for LogWriter {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let mut pending = self.0.lock();
        if pending.closed {
            // After the guard is gone (or without a thread), write directly.
            drop(pending);
            return io::stderr().write(line);
        }
        if pending.lines.len() + line.len() > MAX_PENDING {
            pending.dropped += 1;
            return Ok(line.len());
        }
        let first = pending.lines.is_empty();
        pending.lines.extend_from_slice(line);
        drop(pending);
        // The thread only sleeps on an empty buffer, so only the first line of a batch wakes it.
        if first {
            self.0.wake.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// What the writer thread wrote, standing in for stderr.
    fn written() -> &'static Mutex<Vec<u8>> {
        static OUT: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
        OUT.get_or_init(Default::default)
    }

    struct Capture;

    impl Write for Capture {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            written().lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_is_written_whole_and_in_order_by_the_time_the_guard_drops() {
        let (writer, guard) = stderr_to(|| Capture);
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..500 {
                        let mut w = writer.make_writer();
                        w.write_all(format!("thread {t} line {i}\n").as_bytes())
                            .unwrap();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let mut w = writer.make_writer();
        w.write_all(b"last line before exit\n").unwrap();
        drop(guard);

        let out = String::from_utf8(written().lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4 * 500 + 1);
        assert_eq!(lines.last(), Some(&"last line before exit"));
        for t in 0..4 {
            let mine: Vec<&str> = lines
                .iter()
                .copied()
                .filter(|l| l.starts_with(&format!("thread {t} ")))
                .collect();
            let expected: Vec<String> = (0..500).map(|i| format!("thread {t} line {i}")).collect();
            assert_eq!(mine, expected);
        }
    }
}
