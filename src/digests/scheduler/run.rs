//! The scheduler's start and its loop. The start is driven by the store: what the ledger says
//! was delivered, begun or never seen decides what is resumed, caught up or recorded missed.
//! The loop then sleeps until the earliest fire (never longer than `max_sleep`), reads the
//! clock again, and hands every due fire of a digest this scheduler owns (`buckets`) to a
//! delivery task; the others' fires only move their next fire time.

use super::catch_up::due_plan;
use super::deliver::deliver_fires;
use super::error::SchedulerError;
use super::plan;
use super::queue::Due;
use super::state::Inner;
use crate::digests::DigestSpec;
use crate::store::DigestState;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Due digests taken from the queue per lock, so a burst does not hold up handle calls.
const BATCH: usize = 1024;
/// Closed ledger rows are kept this long (each digest's latest row is kept regardless).
const LEDGER_RETENTION: TimeDelta = TimeDelta::days(30);

type Missed = Vec<(String, DateTime<Utc>)>;

/// Puts every config and runtime digest on the timer (each replica times them all, so any of
/// them lists the whole guild), then plans the ones this scheduler owns: interrupted deliveries
/// resumed (within grace), fires missed while down caught up per digest policy.
pub(super) async fn load(inner: &Arc<Inner>) -> Result<(), SchedulerError> {
    let states = put_on_timer(inner).await?;
    let now = inner.now();
    let ownership = inner.ownership().clone();
    let mine = move |key: &str| ownership.owns(key, now);
    plan::take_over(inner, &mine, Some(states)).await?;
    tracing::info!(digests = inner.queue().len(), "scheduler loaded");
    prune(inner, now);
    Ok(())
}

/// Every digest on the timer, paused ones with no next fire; returns the states it read.
async fn put_on_timer(inner: &Arc<Inner>) -> Result<HashMap<String, DigestState>, SchedulerError> {
    let now = inner.now();
    let store = &inner.deps.store;
    let rows = store.all_digests().await?;
    let states = store.states().await?;
    let (defaults, mut specs) = {
        let settings = inner.settings();
        (settings.defaults.clone(), settings.config_digests.clone())
    };
    for row in rows {
        match DigestSpec::from_row(&row, &defaults) {
            Ok(spec) => specs.push(spec),
            Err(e) => tracing::error!(digest = %row.key, error = %e, "stored digest not scheduled"),
        }
    }
    let mut queue = inner.queue();
    for mut spec in specs {
        spec.paused = states.get(&spec.key).is_some_and(|s| s.paused);
        // A digest upserted before the start is already there, and newer.
        if queue.get(&spec.key).is_none() {
            let next = (!spec.paused)
                .then(|| spec.schedule.next_after(now))
                .flatten();
            queue.insert(Arc::new(spec), next);
        }
    }
    drop(queue);
    Ok(states)
}

/// Forgets ledger rows older than the retention, in the background.
fn prune(inner: &Arc<Inner>, now: DateTime<Utc>) {
    let store = inner.deps.store.clone();
    inner.tracker.spawn(async move {
        let before = now - LEDGER_RETENTION;
        match store.prune_deliveries(before).await {
            Ok(deleted) => tracing::debug!(deleted, "old ledger rows pruned"),
            Err(e) => tracing::warn!(error = %e, "could not prune the ledger"),
        }
    });
}

/// The loop: runs until shutdown.
pub(super) async fn run_loop(inner: Arc<Inner>) {
    let max_sleep = inner.options.max_sleep;
    tracing::info!("scheduler running");
    let mut pruned = inner.now();
    while !inner.stop.is_cancelled() {
        let now = inner.now();
        if now.signed_duration_since(pruned) >= TimeDelta::days(1) {
            prune(&inner, now);
            pruned = now;
        }
        loop {
            let due = inner.queue().take_due(now, BATCH);
            if due.is_empty() {
                break;
            }
            for d in due {
                dispatch(&inner, d, now);
            }
        }
        let earliest = inner.queue().earliest();
        let wait = earliest.map_or(max_sleep, |t| {
            let until = t.signed_duration_since(inner.now());
            until.to_std().unwrap_or(Duration::ZERO).min(max_sleep)
        });
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = inner.wake.notified() => {}
            _ = inner.stop.cancelled() => {}
        }
        inner.wakeups.fetch_add(1, Ordering::Relaxed);
    }
}

/// Hands one digest's due fires to a delivery task, and records the ones not to deliver.
fn dispatch(inner: &Arc<Inner>, due: Due, now: DateTime<Utc>) {
    let Due {
        spec,
        gate,
        fires,
        overflowed,
    } = due;
    if !inner.ownership().owns(&spec.key, now) {
        // Another replica's digest: it fires it; this one only keeps it listed.
        return;
    }
    if overflowed {
        tracing::warn!(digest = %spec.key, "too many fire times came due at once; some skipped");
    }
    let plan = due_plan(spec.catch_up, spec.grace, &fires, now);
    if !plan.missed.is_empty() {
        let missed: Missed = plan.missed.iter().map(|f| (spec.key.clone(), *f)).collect();
        tracing::warn!(digest = %spec.key, count = missed.len(), "fire times missed (clock jump or suspend)");
        let store = inner.deps.store.clone();
        inner.tracker.spawn(async move {
            let record = store.record_missed(&missed, "came due too late", now);
            if let Err(e) = record.await {
                tracing::error!(error = %e, "could not record missed fire times");
            }
        });
    }
    if !plan.deliver.is_empty() {
        let task = deliver_fires(
            Arc::clone(inner),
            spec.key.clone(),
            gate,
            plan.deliver,
            false,
            None,
        );
        inner.tracker.spawn(task);
    }
}
