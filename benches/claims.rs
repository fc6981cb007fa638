//! Load driver for the ledger's side of a fire (no criterion: a few thousand real database
//! calls, not a tight loop). 1,000 digests fall due in the same second; each is claimed,
//! given its briefings and closed as sent, 32 at a time (the scheduler's concurrency), on
//! SQLite and on PostgreSQL (a cluster the bench starts, as the tests do). Prints the claim
//! latency (p50/p99) and the whole ledger work per fire, per backend.
//!
//! `cargo bench --bench claims` (add `-- 5000` for another count). PostgreSQL is skipped,
//! loudly, where no server is installed.

use briefbot::store::postgres::PgStorage;
use briefbot::store::{Claim, Lease, SqliteStorage, Storage};
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 32;

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStorage::open(dir.path().join("claims.db"))
        .await
        .unwrap();
    run("SQLite", Arc::new(sqlite), n).await;
    if let Some(cluster) = test_postgres::shared() {
        let url = cluster.database().await;
        let pg = PgStorage::connect(&url).await.unwrap();
        run("PostgreSQL", Arc::new(pg), n).await;
    }
}

async fn run(name: &str, store: Arc<dyn Storage>, n: usize) {
    let fire: DateTime<Utc> = "2030-01-07T09:00:00Z".parse().unwrap();
    let lease = Lease::new("bench", Duration::from_secs(30));
    let started = Instant::now();
    let timings: Vec<(Duration, Duration)> = stream::iter(0..n)
        .map(|i| {
            let (store, lease) = (Arc::clone(&store), lease.clone());
            async move {
                let key = format!("g:1:digest-{i}");
                let t = Instant::now();
                let claim = store.claim(&key, fire, &lease, fire).await.unwrap();
                let claimed = t.elapsed();
                assert!(matches!(claim, Claim::Ours(_)));
                store
                    .set_briefings(&key, fire, &["a".into(), "b".into()])
                    .await
                    .unwrap();
                store
                    .record_sent(&key, fire, 42, &[1, 2], 1, fire)
                    .await
                    .unwrap();
                (claimed, t.elapsed())
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let total = started.elapsed();
    let mut claims: Vec<Duration> = timings.iter().map(|t| t.0).collect();
    let mut fires: Vec<Duration> = timings.iter().map(|t| t.1).collect();
    claims.sort();
    fires.sort();
    let pct = |v: &[Duration], p: usize| v[(v.len() * p / 100).min(v.len() - 1)];
    println!(
        "{name}: {n} fires in {:.2} s ({:.0}/s); claim p50 {:.2} ms p99 {:.2} ms; \
         claim + briefings + sent p50 {:.2} ms p99 {:.2} ms",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        ms(pct(&claims, 50)),
        ms(pct(&claims, 99)),
        ms(pct(&fires, 50)),
        ms(pct(&fires, 99)),
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
