//! Load driver for the scheduler (no criterion: it measures a running process, not a loop).
//! 100,000 runtime digests with mixed schedules and zones are stored and loaded; then it
//! prints the resident memory, the CPU used over 5 idle seconds, and the lateness of 1,000
//! digests falling due in the same second with an in-memory poster.
//!
//! `cargo bench --bench scheduler` (add `-- 20000` for another digest count).

use briefbot::briefings::{Briefing, Library, Section, SectionKey};
use briefbot::config::{self, WhenEmpty};
use briefbot::digests::scheduler::{
    fixed_library, Clock, MemoryPoster, SchedulerDeps, SchedulerHandle, SchedulerOptions,
};
use briefbot::store::{AsyncStore, Lease, NewDigest, SqliteStorage, DEFAULT_CLAIM_LEASE};
use chrono::{DateTime, TimeDelta, Timelike, Utc};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every schedule fires at second 0, so the seconds after the start of a minute are idle.
const SCHEDULES: &[&str] = &[
    "0 8 * * *",
    "30 7 * * MON-FRI",
    "0 */6 * * *",
    "15 9 * * 1",
    "0 18 * * *",
    "0 0 1 * *",
    "@daily",
    "@hourly",
    "*/15 * * * *",
    "0 12 * * SAT,SUN",
    "45 6 * * *",
    "0 0 9 * * MON-FRI",
];
const ZONES: &[&str] = &[
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Africa/Bamako",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Europe/London",
    "America/Sao_Paulo",
    "Asia/Kathmandu",
];

/// The wall clock shifted to a Monday morning, one second past 09:00 UTC at the start.
struct ShiftedClock {
    start: DateTime<Utc>,
    at: Instant,
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        self.start + TimeDelta::from_std(self.at.elapsed()).unwrap()
    }
}

/// How late each message posted so far was against the fire time it names, in seconds.
fn lateness(poster: &MemoryPoster) -> Vec<f64> {
    (poster.messages().iter())
        .filter_map(|m| Some((m.at - m.fire_time()?).num_microseconds()? as f64 / 1e6))
        .collect()
}

fn proc_status(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    let kb: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024.0
}

/// User + system CPU time of this process, in clock ticks (1/100 s).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn library() -> Library {
    let briefing = |id: &str| Briefing {
        id: id.into(),
        title: id.into(),
        date: "2030-01-01T00:00:00Z".parse().unwrap(),
        date_only: true,
        tags: vec![],
        source: None,
        lang: "en".into(),
        sections: vec![Section {
            key: SectionKey::new("whats_next"),
            heading: "What's Next?".into(),
            body: "More to come.".into(),
        }],
    };
    Library::from_briefings(vec![briefing("a"), briefing("b")])
}

fn new_digest(i: u64, schedule: &str, zone: &str) -> NewDigest {
    NewDigest {
        guild_id: 1 + i / 100,
        name: format!("digest-{i}"),
        channel_id: 1_000_000 + i,
        schedule: schedule.into(),
        timezone: zone.into(),
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

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let store = AsyncStore::open(dir.path().join("bench.db")).await.unwrap();
    let t = Instant::now();
    store
        .call(move |s| {
            for i in 0..n {
                let schedule = SCHEDULES[i as usize % SCHEDULES.len()];
                let zone = ZONES[(i as usize / SCHEDULES.len()) % ZONES.len()];
                s.insert_digest(&new_digest(i, schedule, zone), Utc::now())?;
            }
            Ok(())
        })
        .await
        .unwrap();
    println!("stored {n} digests in {:.1} s", t.elapsed().as_secs_f64());

    let clock = Arc::new(ShiftedClock {
        start: "2030-01-07T09:00:01Z".parse().unwrap(),
        at: Instant::now(),
    });
    let poster = Arc::new(MemoryPoster::new().with_clock(clock.clone()));
    let config = config::parse("", Path::new("config.toml")).unwrap();
    let deps = SchedulerDeps {
        store: Arc::new(SqliteStorage::new(store, "bench.db".into())),
        claims: Lease::new("bench", DEFAULT_CLAIM_LEASE),
        poster: poster.clone(),
        library: fixed_library(library()),
        clock: clock.clone(),
    };
    let rss_before = proc_status("VmRSS:");
    let handle = SchedulerHandle::new(deps, &config, SchedulerOptions::default());
    let t = Instant::now();
    handle.start().await.unwrap();
    let rss_after = proc_status("VmRSS:");
    println!(
        "loaded {} digests in {:.1} s; RSS {rss_before:.0} MB before, {rss_after:.0} MB after \
         (+{:.0} MB), peak {:.0} MB",
        handle.len(),
        t.elapsed().as_secs_f64(),
        rss_after - rss_before,
        proc_status("VmHWM:")
    );

    // Idle: nothing fires between second 1 and second 59 of the minute.
    let now = clock.now();
    assert!(
        now.second() < 50,
        "load took too long for a clean idle window ({now})"
    );
    let (ticks, wakeups, posts) = (cpu_ticks(), handle.wakeups(), poster.messages().len());
    tokio::time::sleep(Duration::from_secs(5)).await;
    let used = cpu_ticks() - ticks;
    println!(
        "idle 5 s: {used} CPU ticks ({:.2} % of one core), {} wakeups, {} posts",
        used as f64 / 5.0,
        handle.wakeups() - wakeups,
        poster.messages().len() - posts
    );

    // Burst: 1,000 more digests, all due at one second a few seconds from now.
    let fire = clock.now() + TimeDelta::seconds(4);
    let expr = format!("{} {} {} * * *", fire.second(), fire.minute(), fire.hour());
    let defaults = config.schedule.clone();
    for i in 0..1000 {
        let row = briefbot::store::DigestRow {
            key: format!("g:0:burst-{i}"),
            digest: NewDigest {
                guild_id: 0,
                name: format!("burst-{i}"),
                ..new_digest(n + i, &expr, "UTC")
            },
            created_at: clock.now(),
            paused: false,
            paused_reason: None,
        };
        let spec = briefbot::digests::DigestSpec::from_row(&row, &defaults).unwrap();
        handle.upsert(spec).await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while poster.messages().len() < 1000 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut late = lateness(&poster);
    late.sort_by(f64::total_cmp);
    println!(
        "burst of {} due at {fire}: lateness p50 {:.3} s, p99 {:.3} s, max {:.3} s",
        late.len(),
        percentile(&late, 0.50),
        percentile(&late, 0.99),
        late.last().copied().unwrap_or(f64::NAN)
    );
    handle.shutdown().await;
}
