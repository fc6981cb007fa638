//! The scheduler on tokio's paused clock: DST nights, a single start, no needless wakeups.
//! Time only moves when every task waits, so a night passes in milliseconds.

use super::*;
use crate::briefings::{Briefing, Library, Section, SectionKey};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Times of every post so far, once there are at least `n` (a virtual day or two at most).
async fn times(poster: &MemoryPoster, n: usize) -> Vec<DateTime<Utc>> {
    let posted = poster.wait_for(n, Duration::from_secs(3 * 86_400)).await;
    posted.iter().map(|m| m.at).collect()
}

fn library() -> Library {
    Library::from_briefings(vec![Briefing {
        id: "sahel".into(),
        title: "Sahel".into(),
        date: at("2025-01-01T00:00:00Z"),
        date_only: true,
        tags: vec![],
        source: None,
        lang: "en".into(),
        sections: vec![Section {
            key: SectionKey::new("whats_next"),
            heading: "What's Next?".into(),
            body: "More to come.".into(),
        }],
    }])
}

/// A scheduler for one `[[digest]]` in New York, starting at `start` (virtual time).
async fn scheduler(schedule: &str, start: &str) -> (SchedulerHandle, Arc<MemoryPoster>) {
    let toml = format!(
        "[[digest]]\nname = \"ny\"\nchannel_id = 1\nschedule = \"{schedule}\"\n\
         timezone = \"America/New_York\"\nonly_new = false\n"
    );
    let config = crate::config::parse(&toml, Path::new("config.toml")).unwrap();
    let clock = TokioClock::starting_at(at(start));
    let recorder = Arc::new(MemoryPoster::new().with_clock(Arc::new(clock)));
    let deps = SchedulerDeps {
        store: Arc::new(crate::store::SqliteStorage::open(":memory:").await.unwrap()),
        claims: crate::store::Lease::new("test", crate::store::DEFAULT_CLAIM_LEASE),
        poster: recorder.clone(),
        library: fixed_library(library()),
        clock: Arc::new(clock),
    };
    let handle = SchedulerHandle::new(deps, &config, SchedulerOptions::default());
    (handle, recorder)
}

#[tokio::test(start_paused = true)]
async fn spring_forward_fires_once_when_the_gap_ends() {
    let (handle, recorder) = scheduler("30 2 * * *", "2025-03-08T12:00:00Z").await;
    assert!(handle.start().await.unwrap());
    // 02:30 does not exist on 9 March: 03:00 EDT. The next night is ordinary again.
    let times = times(&recorder, 2).await;
    assert_eq!(
        times,
        [at("2025-03-09T07:00:00Z"), at("2025-03-10T06:30:00Z")]
    );
    let first = recorder.messages()[0].payload.content.clone();
    assert!(first.contains("<t:1741503600:f>"), "{first}");
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn fall_back_fires_once_at_the_earlier_instant() {
    let (handle, recorder) = scheduler("30 1 * * *", "2025-11-01T12:00:00Z").await;
    handle.start().await.unwrap();
    // 01:30 EDT on 2 November (not 01:30 EST as well), then 01:30 EST on 3 November.
    let times = times(&recorder, 2).await;
    let want = [at("2025-11-02T05:30:00Z"), at("2025-11-03T06:30:00Z")];
    assert_eq!(times, want);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_second_start_starts_nothing() {
    let (handle, recorder) = scheduler("0 * * * *", "2025-06-04T10:30:00Z").await;
    let again = handle.clone();
    let (a, b) = tokio::join!(handle.start(), again.start());
    assert!(a.unwrap() ^ b.unwrap(), "exactly one start runs");
    assert!(!handle.start().await.unwrap());
    times(&recorder, 1).await;
    // One loop: one post per fire, not one per start.
    tokio::time::sleep(Duration::from_secs(1800)).await;
    assert_eq!(recorder.messages().len(), 1);
    handle.shutdown().await;
    assert!(!handle.start().await.unwrap(), "no restart after shutdown");
}

#[tokio::test(start_paused = true)]
async fn an_idle_scheduler_wakes_only_for_fires_and_the_sleep_cap() {
    let (handle, recorder) = scheduler("0 12 * * *", "2025-06-04T00:00:00Z").await;
    handle.start().await.unwrap();
    times(&recorder, 1).await;
    // Sixteen hours until noon in New York: one wakeup per minute of the cap, nothing more.
    assert_eq!(times(&recorder, 1).await, [at("2025-06-04T16:00:00Z")]);
    let wakeups = handle.wakeups();
    assert!(
        (959..=962).contains(&wakeups),
        "{wakeups} wakeups in 16 hours"
    );
    handle.shutdown().await;
}

#[test]
fn backoff_doubles_up_to_the_cap() {
    let policy = SendRetry::default();
    let waits: Vec<u64> = (1..=7).map(|n| policy.backoff_after(n).as_secs()).collect();
    assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
}

#[test]
fn redelivery_waits_double_from_a_minute_up_to_a_quarter_hour() {
    let policy = SendRetry::default();
    let waits: Vec<u64> = [1, 2, 3, 4, 5, 6, 40]
        .map(|n| policy.redelivery_after(n).as_secs())
        .to_vec();
    assert_eq!(waits, [60, 120, 240, 480, 900, 900, 900]);
}
