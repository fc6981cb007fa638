//! A `briefbot run` process a load driver starts in a folder of its own: its log lines kept
//! (to wait for one, or to show when a run fails), its memory and CPU read from `/proc`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Process {
    bin: PathBuf,
    dir: PathBuf,
    token: String,
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// `briefbot run --config config.toml` in `dir`, logging at info.
    pub fn spawn(bin: &Path, dir: &Path, token: &str) -> Process {
        let (child, lines) = start(bin, dir, token);
        Process {
            bin: bin.to_owned(),
            dir: dir.to_owned(),
            token: token.to_owned(),
            child,
            lines,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, as a crash would; returns once the process is gone.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A new process in the same folder, after `kill_hard`.
    pub fn relaunch(&mut self) {
        (self.child, self.lines) = start(&self.bin, &self.dir, &self.token);
    }

    /// Waits until the current process has logged a line containing `text`.
    pub async fn wait_for_log(&self, text: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.lines.lock().unwrap().iter().any(|l| l.contains(text)) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// The current process's last log lines.
    pub fn tail(&self, n: usize) -> Vec<String> {
        let lines = self.lines.lock().unwrap();
        lines[lines.len().saturating_sub(n)..].to_vec()
    }

    /// A field of `/proc/PID/status` given in kB, in MB.
    pub fn status_mb(&self, field: &str) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let kb: f64 = (status.lines())
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(f64::NAN);
        kb / 1024.0
    }

    /// User + system CPU time, in clock ticks (1/100 s).
    pub fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        let after_name = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill_hard();
    }
}

fn start(bin: &Path, dir: &Path, token: &str) -> (Child, Arc<Mutex<Vec<String>>>) {
    let mut child = Command::new(bin)
        .args(["run", "--config", "config.toml"])
        .current_dir(dir)
        .env("DISCORD_TOKEN", token)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let stderr = child.stderr.take().unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&lines);
    // Read to the end: a closed pipe would fail the bot's writes.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    (child, lines)
}
