//! Load driver for the global rate limit: N config digests due in the same second, each to its own
//! channel, sent by the real binary (its REST client and rate gate) to the fake Discord enforcing
//! Discord's limits (50 requests in any sliding second, 5 messages per channel in 5 s). It
//! reports the seconds from the fire to the last delivery against the floor N/50 s, the goal
//! N/45 s (90 % of the global rate), and the 429s the fake answered, which must be none.
//!
//! `cargo bench --bench ratelimit [-- N]` (default 300 digests). `BRIEFBOT_BENCH_BINS` adds
//! other builds to the same run, as `label=PATH` separated by commas (an older build, for a
//! before/after). Without `--bench` (as `cargo test --benches` runs it) it makes a short pass
//! with 20 digests that only proves the driver works.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fake_discord::{FakeConfig, FakeDiscord, GuildSpec, RateLimits, RecordedRequest, GUILD_ID};

const BINS_ENV: &str = "BRIEFBOT_BENCH_BINS";
const FIRST_CHANNEL: u64 = 950_000_000_000_000_000;
/// Fires at :00, :20 and :40; the first one after start-up is measured.
const SCHEDULE: &str = "*/20 * * * * *";
const RUN_LIMIT: Duration = Duration::from_secs(120);

struct Outcome {
    delivered: usize,
    /// From the fire to the first and to the last delivery.
    first: f64,
    seconds: f64,
    global_429: u64,
    channel_429: u64,
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
    let mut bins = vec![(
        "this build".to_owned(),
        PathBuf::from(env!("CARGO_BIN_EXE_briefbot")),
    )];
    for entry in std::env::var(BINS_ENV).unwrap_or_default().split(',') {
        if let Some((label, path)) = entry.split_once('=') {
            bins.push((label.to_owned(), PathBuf::from(path)));
        }
    }
    let floor = n as f64 / 50.0;
    println!(
        "{n} digests due at once, one channel each; floor {floor:.2} s (N/50), goal {:.2} s (N/45)",
        n as f64 / 45.0
    );
    for (label, bin) in bins {
        let o = run(&bin, n).await;
        println!(
            "{label}: {}/{n} delivered, first {:.2} s and last {:.2} s after the fire = {:.3} x floor; \
             429s answered: {} global, {} per channel",
            o.delivered,
            o.first,
            o.seconds,
            o.seconds / floor,
            o.global_429,
            o.channel_429
        );
    }
}

async fn run(bin: &PathBuf, n: u64) -> Outcome {
    let guild = (0..n).fold(GuildSpec::default_guild(), |g, i| {
        g.with_channel(FIRST_CHANNEL + i, &format!("digest-{i}"))
    });
    let fake = FakeDiscord::start_with(FakeConfig {
        guilds: vec![guild],
        rate_limits: Some(RateLimits::discord()),
        ..FakeConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let digests: String = (0..n)
        .map(|i| {
            format!(
                "[[digest]]\nname = \"d{i}\"\nchannel_id = {}\nschedule = \"{SCHEDULE}\"\n\n",
                FIRST_CHANNEL + i
            )
        })
        .collect();
    let config = format!(
        "[discord]\nguild_ids = [{GUILD_ID}]\napi_base = \"{}\"\n\n[briefings]\ndir = \"briefings\"\n\n{digests}",
        fake.base_url()
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    std::fs::create_dir(dir.path().join("briefings")).unwrap();
    std::fs::write(
        dir.path().join("briefings/one.md"),
        "+++\ntitle = \"One\"\ndate = 2026-11-27\n+++\n## What's Next?\nShort.\n",
    )
    .unwrap();
    let mut child = Command::new(bin)
        .args(["run", "--config", "config.toml"])
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", fake.token())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        // Read to the end (a closed pipe would fail the bot's writes); keep the start.
        let mut lines: Vec<String> = BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect();
        lines.truncate(20);
        lines
    });
    let delivered = |r: &RecordedRequest| {
        r.method == "POST" && r.status == 200 && r.route().starts_with("/channels/")
    };
    let posts = fake
        .wait_for_nth(delivered, n as usize, RUN_LIMIT)
        .await
        .unwrap_or_else(|_| fake.requests_matching(delivered));
    let _ = child.kill();
    let _ = child.wait();
    if posts.len() < n as usize {
        eprintln!("first log lines: {:#?}", logs.join().unwrap_or_default());
    }
    let fire = posts.iter().filter_map(fire_of).min().unwrap_or(0) as f64;
    let last = posts.iter().map(received_unix).fold(0.0, f64::max);
    let first = posts.iter().map(received_unix).fold(f64::MAX, f64::min);
    let limited = fake.rate_limited();
    Outcome {
        delivered: posts.len(),
        first: first - fire,
        seconds: last - fire,
        global_429: limited.global,
        channel_429: limited.channel,
    }
}

/// The fire time a digest message names as `<t:UNIX:f>`.
fn fire_of(r: &RecordedRequest) -> Option<i64> {
    let text = r.json("content").as_str()?;
    let start = text.find("<t:")? + 3;
    let end = start + text[start..].find(":f>")?;
    text[start..end].parse().ok()
}

fn received_unix(r: &RecordedRequest) -> f64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    now.as_secs_f64() - r.received_at.elapsed().as_secs_f64()
}
