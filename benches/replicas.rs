//! Load driver for replicas (no criterion: it measures running processes). 100,000 runtime
//! digests, daily schedules away from the current hours so nothing fires during the run.
//!
//! 1. One `briefbot` process on SQLite holding them all: its memory and idle CPU, the baseline.
//! 2. Three replicas of the same build on one PostgreSQL database (a cluster the bench starts)
//!    against the fake Discord, one gateway shard each: once the 64 digest buckets are shared,
//!    each replica's memory, buckets, digests in them and idle CPU, as ratios to the baseline.
//! 3. Failover: a replica killed with SIGKILL (each in turn, each kill a tenth of a round later
//!    in the round than the one before), timed from the kill until every bucket it held is
//!    leased by a live replica (read from the `buckets` table); then it is relaunched and the
//!    three share the buckets again before the next kill.
//!
//! The idle window is 30 s, the replicas' resync period (each re-reads every digest that often),
//! so one window holds one resync whatever its phase.
//!
//! `cargo bench --bench replicas [-- N]` (default 100,000 digests, 10 kills; about 6 minutes).
//! Without `--bench` (as `cargo test --benches` runs it) a short pass with 2,000 digests and one
//! kill only proves the driver works. PostgreSQL is skipped, loudly, where no server is installed.

#[path = "support/process.rs"]
mod process;

use briefbot::config::WhenEmpty;
use briefbot::digests::scheduler::{bucket_of, BUCKETS};
use briefbot::store::postgres::PgStorage;
use briefbot::store::{NewDigest, SqliteStorage, Storage};
use chrono::{Timelike, Utc};
use fake_discord::{FakeConfig, FakeDiscord, GuildSpec, GUILD_ID};
use futures::stream::{self, StreamExt};
use process::Process;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const REPLICAS: usize = 3;
const CHANNELS: u64 = 20;
const FIRST_CHANNEL: u64 = 960_000_000_000_000_000;
/// The replicas' resync period: an idle window this long holds one full re-read.
const IDLE: Duration = Duration::from_secs(30);
const WAIT: Duration = Duration::from_secs(120);
/// Bucket lease and replica round of `app/replica.rs`: a dead replica's buckets are free once
/// its last lease ends (at most 10 s after the kill), and taken at a survivor's next round.
const LEASE_S: f64 = 10.0;
const ROUND_S: f64 = 3.0;

/// What one process used.
struct Usage {
    rss: f64,
    peak: f64,
    cpu_percent: f64,
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
    let n: u64 =
        (args.iter().find_map(|a| a.parse().ok())).unwrap_or(if bench { 100_000 } else { 2_000 });
    let (kills, idle) = if bench {
        (10, IDLE)
    } else {
        (1, Duration::from_secs(3))
    };
    let bin = Path::new(env!("CARGO_BIN_EXE_briefbot"));
    let fake = FakeDiscord::start_with(FakeConfig {
        guilds: vec![(0..CHANNELS).fold(GuildSpec::default_guild(), |g, c| {
            g.with_channel(FIRST_CHANNEL + c, &format!("digest-{c}"))
        })],
        ..FakeConfig::default()
    })
    .await;
    println!("{n} runtime digests, daily at hours away from now (nothing fires during the run)");

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let sqlite = SqliteStorage::open(db.clone()).await.unwrap();
    fill("SQLite", Arc::new(sqlite), n).await;
    write_folder(dir.path(), &fake, "", &format!("path = {db:?}"));
    let single = {
        let process = Process::spawn(bin, dir.path(), fake.token());
        if !process.wait_for_log("digests planned", WAIT).await {
            panic!("the SQLite process never planned: {:#?}", process.tail(30));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        idle_usage(&[&process], idle).await.remove(0)
    };

    let Some(cluster) = test_postgres::shared() else {
        print_single(&single);
        return;
    };
    let url = cluster.database().await;
    let pg = Arc::new(PgStorage::connect(&url).await.unwrap());
    fill("PostgreSQL", pg.clone(), n).await;
    let mut per_bucket = [0u64; BUCKETS as usize];
    for row in pg.all_digests().await.unwrap() {
        per_bucket[bucket_of(&row.key) as usize] += 1;
    }
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);

    let dirs: Vec<tempfile::TempDir> = (0..REPLICAS)
        .map(|_| tempfile::tempdir().unwrap())
        .collect();
    let mut replicas: Vec<Process> = (dirs.iter().enumerate())
        .map(|(k, d)| {
            let shards = format!("shards = \"{k}-{k}/{REPLICAS}\"\n");
            write_folder(d.path(), &fake, &shards, &format!("url = \"{url}\""));
            Process::spawn(bin, d.path(), fake.token())
        })
        .collect();
    let started = Instant::now();
    let held = settled(&client, &replicas, WAIT).await;
    println!(
        "three replicas share the {BUCKETS} buckets {:.1} s after they were started",
        started.elapsed().as_secs_f64()
    );
    for process in &replicas {
        if !process.wait_for_log("digests planned", WAIT).await {
            panic!("a replica never planned: {:#?}", process.tail(30));
        }
    }
    let usage = idle_usage(&replicas.iter().collect::<Vec<_>>(), idle).await;
    let shares: Vec<(usize, u64)> = (held.iter())
        .map(|b| (b.len(), b.iter().map(|&b| per_bucket[b as usize]).sum()))
        .collect();
    print_single(&single);
    print_replicas(&single, &usage, &shares, n);

    let mut times = Vec::new();
    for kill in 0..kills {
        let k = kill % REPLICAS;
        // A kill right after the rounds that shared the buckets would always find the leases
        // just renewed: each kill falls a tenth of a round later than the one before.
        tokio::time::sleep(Duration::from_secs_f64(
            ROUND_S * kill as f64 / kills as f64,
        ))
        .await;
        let dead = replicas[k].pid();
        let t = Instant::now();
        replicas[k].kill_hard();
        let live: Vec<u32> = (replicas.iter().enumerate())
            .filter(|(i, _)| *i != k)
            .map(|(_, p)| p.pid())
            .collect();
        let seconds = taken_over(&client, dead, &live, t).await;
        replicas[k].relaunch();
        let back = Instant::now();
        settled(&client, &replicas, WAIT).await;
        println!(
            "kill {:>2}: replica {k} (SIGKILL): its buckets leased by the others after {seconds:.2} s; \
             relaunched, shares again after {:.1} s",
            kill + 1,
            back.elapsed().as_secs_f64()
        );
        times.push(seconds);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "failover over {} kills: p50 {:.2} s, max {:.2} s (bound: lease {LEASE_S} s + round {ROUND_S} s \
         + 1 s of whole-second leases = {} s)",
        times.len(),
        times[(times.len() - 1) / 2],
        times.last().unwrap(),
        LEASE_S + ROUND_S + 1.0
    );
}

/// `n` digests in one guild, over a few channels, each daily at a minute of the hours that are
/// at least two hours from now (UTC), inserted through the store as `/digest add` would.
async fn fill(label: &str, store: Arc<dyn Storage>, n: u64) {
    let hour = Utc::now().hour() as u64;
    let t = Instant::now();
    stream::iter(0..n)
        .map(|i| {
            let store = Arc::clone(&store);
            async move {
                let schedule = format!("{} {} * * *", i % 60, (hour + 2 + i % 20) % 24);
                store
                    .insert_digest(&new_digest(i, schedule), Utc::now())
                    .await
                    .unwrap();
            }
        })
        .buffer_unordered(16)
        .collect::<()>()
        .await;
    println!(
        "{label}: stored {n} digests in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

fn new_digest(i: u64, schedule: String) -> NewDigest {
    NewDigest {
        guild_id: GUILD_ID,
        name: format!("digest-{i}"),
        channel_id: FIRST_CHANNEL + i % CHANNELS,
        schedule,
        timezone: "UTC".into(),
        sections: vec![],
        tag: None,
        mention_role: None,
        silent: false,
        max_briefings: 3,
        only_new: true,
        when_empty: WhenEmpty::Skip,
        created_by: 1,
        lang: None,
        target: Default::default(),
    }
}

/// `config.toml` with `discord` and `storage` lines added to the usual ones, and one briefing.
fn write_folder(dir: &Path, fake: &FakeDiscord, discord: &str, storage: &str) {
    let config = format!(
        "[discord]\nguild_ids = [{GUILD_ID}]\napi_base = \"{}\"\n{discord}\n\
         [briefings]\ndir = \"briefings\"\n\n[storage]\n{storage}\n",
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

/// Memory at the end of an idle window of `idle`, and the CPU used over it.
async fn idle_usage(processes: &[&Process], idle: Duration) -> Vec<Usage> {
    let before: Vec<u64> = processes.iter().map(|p| p.cpu_ticks()).collect();
    tokio::time::sleep(idle).await;
    (processes.iter().zip(before))
        .map(|(p, ticks)| Usage {
            rss: p.status_mb("VmRSS:"),
            peak: p.status_mb("VmHWM:"),
            cpu_percent: (p.cpu_ticks() - ticks) as f64 / idle.as_secs_f64(),
        })
        .collect()
}

/// The table's heading and the one-process line.
fn print_single(single: &Usage) {
    println!(
        "\n{:<22} {:>7} {:>8} {:>8} {:>9} {:>8} {:>10} {:>11}",
        "process", "RSS MB", "peak MB", "buckets", "digests", "share", "idle CPU", "RSS/single"
    );
    println!(
        "{:<22} {:>7.1} {:>8.1} {:>8} {:>9} {:>8} {:>9.2}% {:>11}",
        "one process, SQLite",
        single.rss,
        single.peak,
        "-",
        "all",
        "100%",
        single.cpu_percent,
        "1.00"
    );
}

/// A line per replica (`shares`: buckets held and the digests in them, of `n`) and their sum.
fn print_replicas(single: &Usage, usage: &[Usage], shares: &[(usize, u64)], n: u64) {
    for (k, (u, (buckets, digests))) in usage.iter().zip(shares).enumerate() {
        println!(
            "{:<22} {:>7.1} {:>8.1} {:>8} {:>9} {:>7.1}% {:>9.2}% {:>11.2}",
            format!("replica {k} ({k}-{k}/{REPLICAS})"),
            u.rss,
            u.peak,
            buckets,
            digests,
            *digests as f64 * 100.0 / n as f64,
            u.cpu_percent,
            u.rss / single.rss
        );
    }
    let total: f64 = usage.iter().map(|u| u.rss).sum();
    let cpu: f64 = usage.iter().map(|u| u.cpu_percent).sum();
    println!(
        "three replicas together: RSS {total:.1} MB = {:.2} x one process; idle CPU {cpu:.2} % of a \
         core = {:.2} x one process\n",
        total / single.rss,
        cpu / single.cpu_percent.max(0.01)
    );
}

/// The `buckets` table: (bucket, pid of the owner's process, lease end in Unix seconds). A
/// replica id is `HOST-PID-RANDOM`.
async fn buckets(client: &tokio_postgres::Client) -> Vec<(u32, Option<u32>, i64)> {
    let rows = client
        .query("SELECT bucket, owner, lease_until FROM buckets", &[])
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let owner: Option<String> = r.get(1);
            let pid = owner.and_then(|o| o.rsplit('-').nth(1)?.parse().ok());
            (r.get::<_, i32>(0) as u32, pid, r.get(2))
        })
        .collect()
}

/// Waits until every bucket is leased by one of `processes`, none above its fair share;
/// returns each one's buckets.
async fn settled(
    client: &tokio_postgres::Client,
    processes: &[Process],
    timeout: Duration,
) -> Vec<Vec<u32>> {
    let share = (BUCKETS as usize).div_ceil(processes.len());
    let deadline = Instant::now() + timeout;
    loop {
        let now = Utc::now().timestamp();
        let rows = buckets(client).await;
        let held: Vec<Vec<u32>> = (processes.iter())
            .map(|p| {
                (rows.iter())
                    .filter(|(_, pid, until)| *pid == Some(p.pid()) && *until >= now)
                    .map(|r| r.0)
                    .collect()
            })
            .collect();
        let all = held.iter().map(Vec::len).sum::<usize>() == BUCKETS as usize;
        if all && held.iter().all(|h| h.len() <= share) {
            return held;
        }
        if Instant::now() > deadline {
            let tails: Vec<_> = processes.iter().map(|p| p.tail(20)).collect();
            panic!("the replicas never shared the buckets: {held:?}\n{tails:#?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Seconds from `killed` until no bucket is leased by `dead` and every one is leased by one of
/// `live`.
async fn taken_over(
    client: &tokio_postgres::Client,
    dead: u32,
    live: &[u32],
    killed: Instant,
) -> f64 {
    loop {
        let now = Utc::now().timestamp();
        let rows = buckets(client).await;
        let covered = (rows.iter())
            .filter(|(_, pid, until)| pid.is_some_and(|p| live.contains(&p)) && *until >= now)
            .count();
        if covered == BUCKETS as usize && rows.iter().all(|r| r.1 != Some(dead)) {
            return killed.elapsed().as_secs_f64();
        }
        assert!(
            killed.elapsed() < WAIT,
            "replica {dead}'s buckets were never taken over"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
