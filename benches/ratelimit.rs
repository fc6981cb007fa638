//! Load driver for the global rate limit: N config digests due in the same second, each to its own
//! channel, sent by the real binary (its REST client and rate gate) to the fake Discord enforcing
//! Discord's limits (50 requests in any sliding second, 5 messages per channel in 5 s). It
//! reports the seconds from the fire to the last delivery against the floor N/50 s, the goal
//! N/45 s (90 % of the global rate), and the 429s the fake answered, which must be none.
//!
//! Two set-ups: one process on SQLite, and three replicas of this build on one PostgreSQL
//! database (a cluster the bench starts; skipped, loudly, where no server is installed), one
//! gateway shard each, which share the digests and the global rate. The replicas' fire is the
//! first one after all three are connected and have had two rounds to share the buckets; their
//! 429s are counted apart for start-up (before that fire) and the burst.
//!
//! `cargo bench --bench ratelimit [-- N]` (default 300 digests). `BRIEFBOT_BENCH_BINS` adds
//! other builds to the single-process run, as `label=PATH` separated by commas (an older build,
//! for a before/after). Without `--bench` (as `cargo test --benches` runs it) it makes a short
//! pass with 20 digests that only proves the driver works.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fake_discord::{FakeConfig, FakeDiscord, GuildSpec, RateLimits, RecordedRequest, GUILD_ID};

const BINS_ENV: &str = "BRIEFBOT_BENCH_BINS";
const FIRST_CHANNEL: u64 = 950_000_000_000_000_000;
/// Fires at :00, :20 and :40; the first one after start-up is measured.
const SCHEDULE: &str = "*/20 * * * * *";
const PERIOD: u64 = 20;
const RUN_LIMIT: Duration = Duration::from_secs(120);
const REPLICAS: u32 = 3;
/// Two replica rounds (3 s each) and a margin: the replicas hold their shares of the buckets.
const SETTLED: Duration = Duration::from_secs(8);

struct Outcome {
    delivered: usize,
    /// From the fire to the first and to the last delivery.
    first: f64,
    seconds: f64,
    global_429: u64,
    channel_429: u64,
    /// 429s answered before the measured fire (start-up, earlier fires).
    before_429: usize,
}

impl Outcome {
    fn print(&self, label: &str, n: u64) {
        let floor = n as f64 / 50.0;
        println!(
            "{label}: {}/{n} delivered, first {:.2} s and last {:.2} s after the fire = {:.3} x floor; \
             429s answered: {} global, {} per channel ({} of them before the fire)",
            self.delivered,
            self.first,
            self.seconds,
            self.seconds / floor,
            self.global_429,
            self.channel_429,
            self.before_429
        );
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .iter()
        .any(|a| !a.starts_with('-') && a.parse::<u64>().is_err())
    {
        return; // `cargo bench OTHER` names another benchmark
    }
    let bench = args.iter().any(|a| a == "--bench");
    let n = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(if bench { 300 } else { 20 });
    let this_build = PathBuf::from(env!("CARGO_BIN_EXE_briefbot"));
    let mut bins = vec![("this build".to_owned(), this_build.clone())];
    for entry in std::env::var(BINS_ENV).unwrap_or_default().split(',') {
        if let Some((label, path)) = entry.split_once('=') {
            bins.push((label.to_owned(), PathBuf::from(path)));
        }
    }
    println!(
        "{n} digests due at once, one channel each; floor {:.2} s (N/50), goal {:.2} s (N/45)",
        n as f64 / 50.0,
        n as f64 / 45.0
    );
    for (label, bin) in bins {
        single(&bin, n)
            .await
            .print(&format!("{label}, one process"), n);
    }
    if let Some(cluster) = test_postgres::shared() {
        let url = cluster.database().await;
        replicas(&this_build, n, &url).await.print(
            &format!("this build, {REPLICAS} replicas on PostgreSQL (guild_id set)"),
            n,
        );
    }
}

/// One process on SQLite; its first fire after start-up.
async fn single(bin: &Path, n: u64) -> Outcome {
    let fake = fake(n).await;
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path(), &fake, n, "", "", None);
    let mut process = spawn(bin, dir.path(), &fake);
    let posts = fake
        .wait_for_nth(delivered, n as usize, RUN_LIMIT)
        .await
        .unwrap_or_else(|_| fake.requests_matching(delivered));
    let fire = posts.iter().filter_map(fire_of).min().unwrap_or(0);
    process.stop(posts.len() < n as usize);
    outcome(&fake, &posts, fire)
}

/// Three replicas on one PostgreSQL database; the first fire once all are connected and have
/// shared the buckets. Every fire posts (`only_new = false`), so earlier ones leave this one
/// its messages.
async fn replicas(bin: &Path, n: u64, url: &str) -> Outcome {
    let fake = fake(n).await;
    let dirs: Vec<tempfile::TempDir> = (0..REPLICAS)
        .map(|_| tempfile::tempdir().unwrap())
        .collect();
    let storage = format!("[storage]\nurl = \"{url}\"\n\n");
    let mut processes: Vec<Process> = dirs
        .iter()
        .enumerate()
        .map(|(k, dir)| {
            let shards = format!("shards = \"{k}-{k}/{REPLICAS}\"\n");
            write_folder(dir.path(), &fake, n, &shards, &storage, Some(GUILD_ID));
            spawn(bin, dir.path(), &fake)
        })
        .collect();
    for k in 0..REPLICAS {
        if let Err(e) = fake.wait_for_shard(k, RUN_LIMIT).await {
            for process in &mut processes {
                process.stop(true);
            }
            panic!("replica {k} never connected: {}", e.what);
        }
    }
    tokio::time::sleep(SETTLED).await;
    let fire = (now_unix() as u64 / PERIOD + 1) * PERIOD;
    let of_fire = |r: &RecordedRequest| delivered(r) && fire_of(r) == Some(fire as i64);
    let posts = fake
        .wait_for_nth(of_fire, n as usize, RUN_LIMIT)
        .await
        .unwrap_or_else(|_| fake.requests_matching(of_fire));
    let incomplete = posts.len() < n as usize;
    for process in &mut processes {
        process.stop(incomplete);
    }
    outcome(&fake, &posts, fire as i64)
}

async fn fake(n: u64) -> FakeDiscord {
    let guild = (0..n).fold(GuildSpec::default_guild(), |g, i| {
        g.with_channel(FIRST_CHANNEL + i, &format!("digest-{i}"))
    });
    FakeDiscord::start_with(FakeConfig {
        guilds: vec![guild],
        rate_limits: Some(RateLimits::discord()),
        ..FakeConfig::default()
    })
    .await
}

/// `config.toml` (`discord` and `config` lines added to the usual ones) and one briefing. With
/// `guild`, every fire posts (`only_new = false`) and no digest's channel is looked up at start:
/// replicas started together each look up every channel at the full rate, before they know of
/// each other, which Discord answers with 429s (about 120 for 300 digests).
fn write_folder(
    dir: &Path,
    fake: &FakeDiscord,
    n: u64,
    discord: &str,
    config: &str,
    guild: Option<u64>,
) {
    let extra = guild.map_or(String::new(), |g| {
        format!("guild_id = {g}\nonly_new = false\n")
    });
    let digests: String = (0..n)
        .map(|i| {
            format!(
                "[[digest]]\nname = \"d{i}\"\nchannel_id = {}\nschedule = \"{SCHEDULE}\"\n{extra}\n",
                FIRST_CHANNEL + i
            )
        })
        .collect();
    let config = format!(
        "[discord]\nguild_ids = [{GUILD_ID}]\napi_base = \"{}\"\n{discord}\n[briefings]\ndir = \"briefings\"\n\n{config}{digests}",
        fake.base_url()
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    std::fs::create_dir(dir.join("briefings")).unwrap();
    std::fs::write(
        dir.join("briefings/one.md"),
        "+++\ntitle = \"One\"\ndate = 2026-11-27\n+++\n## What's Next?\nShort.\n",
    )
    .unwrap();
}

struct Process {
    child: Child,
    /// The first and last log lines, kept for when the run fails.
    logs: Option<JoinHandle<Vec<String>>>,
}

impl Process {
    /// Kills the process; prints its first log lines when the run fell short.
    fn stop(&mut self, show_logs: bool) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let logs = self.logs.take().map(|h| h.join().unwrap_or_default());
        if show_logs {
            eprintln!("first and last log lines: {:#?}", logs.unwrap_or_default());
        }
    }
}

fn spawn(bin: &Path, dir: &Path, fake: &FakeDiscord) -> Process {
    let mut child = Command::new(bin)
        .args(["run", "--config", "config.toml"])
        .current_dir(dir)
        .env("DISCORD_TOKEN", fake.token())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        // Read to the end (a closed pipe would fail the bot's writes); keep the start and
        // the end.
        let mut lines: Vec<String> = BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect();
        if lines.len() > 40 {
            lines.drain(20..lines.len() - 20);
        }
        lines
    });
    Process {
        child,
        logs: Some(logs),
    }
}

fn delivered(r: &RecordedRequest) -> bool {
    r.method == "POST" && r.status == 200 && r.route().starts_with("/channels/")
}

fn outcome(fake: &FakeDiscord, posts: &[RecordedRequest], fire: i64) -> Outcome {
    let fire = fire as f64;
    let last = posts.iter().map(received_unix).fold(0.0, f64::max);
    let first = posts.iter().map(received_unix).fold(f64::MAX, f64::min);
    let limited = fake.rate_limited();
    let before_429 = fake
        .requests_matching(|r| r.status == 429 && received_unix(r) < fire)
        .len();
    Outcome {
        delivered: posts.len(),
        first: first - fire,
        seconds: last - fire,
        global_429: limited.global,
        channel_429: limited.channel,
        before_429,
    }
}

/// The fire time a digest message names as `<t:UNIX:f>`.
fn fire_of(r: &RecordedRequest) -> Option<i64> {
    let text = r.json("content").as_str()?;
    let start = text.find("<t:")? + 3;
    let end = start + text[start..].find(":f>")?;
    text[start..end].parse().ok()
}

fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn received_unix(r: &RecordedRequest) -> f64 {
    now_unix() - r.received_at.elapsed().as_secs_f64()
}
