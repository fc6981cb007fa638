//! `briefbot check` over 10,000 generated briefings (~3 KB each) as a whole process, against
//! reading the same files with `cat` (`find DIR -type f -exec cat {} + > /dev/null`), in the
//! same run, best of 3 each, so the ratio holds on a noisy machine. Target: check ≤ 2.5× the read.
//!
//! `cargo bench --bench check` times the release binary; `BRIEFBOT_CHECK_BIN=PATH` times another
//! build (an older one, for a before/after). Without `--bench` (as `cargo test --benches` runs
//! it) it checks 200 briefings once, only to prove the driver works.

#[path = "support/briefings.rs"]
mod generated;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TARGET: f64 = 2.5;
const RUNS: usize = 3;

fn main() {
    let mut bench = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--bench" => bench = true,
            filter if !filter.starts_with('-') && !"check".contains(filter) => return,
            _ => {}
        }
    }
    let scratch = tempfile::tempdir().expect("temporary folder");
    let (dir, count) = if bench {
        (generated::folder(), generated::COUNT)
    } else {
        let dir = scratch.path().join("briefings");
        generated::write(&dir, 200);
        (dir, 200)
    };
    let config = scratch.path().join("config.toml");
    let toml = format!("[briefings]\ndir = {:?}\n", dir.display().to_string());
    std::fs::write(&config, toml).expect("write config");
    let binary = std::env::var_os("BRIEFBOT_CHECK_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_briefbot")),
        PathBuf::from,
    );

    let runs = if bench { RUNS } else { 1 };
    // Taking turns, so a change in the machine's load falls on both alike.
    let (mut read, mut check) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        read.push(time(cat(&dir), ""));
        let expect = format!("{count} loaded, 0 skipped");
        check.push(time(check_command(&binary, &config), &expect));
    }
    let (read, check) = (best(&read), best(&check));
    let ratio = check.as_secs_f64() / read.as_secs_f64();
    let verdict = match (bench, ratio <= TARGET) {
        (false, _) => "smoke run, not a measurement",
        (true, true) => "met",
        (true, false) => "MISSED",
    };
    println!("{count} briefings in {}, best of {runs}:", dir.display());
    println!("  cat (find -exec cat)   {:>9.1} ms", ms(read));
    println!("  briefbot check         {:>9.1} ms", ms(check));
    println!("  check/cat {ratio:.2}x  (target <= {TARGET:.1}x: {verdict})");
}

fn cat(dir: &Path) -> Command {
    let mut c = Command::new("find");
    c.arg(dir)
        .args(["-type", "f", "-name", "*.md", "-exec", "cat", "{}", "+"]);
    c
}

fn check_command(binary: &Path, config: &Path) -> Command {
    let mut c = Command::new(binary);
    // Offline, as measured before `check` could ask Discord about permissions.
    c.arg("check")
        .arg("--config")
        .arg(config)
        .env_remove("DISCORD_TOKEN");
    c
}

/// Runs `command` to completion; it must succeed and print `expect` (unless that is empty: the
/// output of `cat` goes to /dev/null, so only reading the files is timed).
fn time(mut command: Command, expect: &str) -> Duration {
    let output = if expect.is_empty() {
        Stdio::null()
    } else {
        Stdio::piped()
    };
    let started = Instant::now();
    let out = command
        .stdout(output)
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{command:?} failed: {}\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(expect), "expected `{expect}` in:\n{stdout}");
    took
}

fn best(runs: &[Duration]) -> Duration {
    *runs.iter().min().expect("at least one run")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
