//! The scheduler's start and its loop. The start is driven by the store: what the ledger says
//! was delivered, begun or never seen decides what is resumed, caught up or recorded missed.
//! The loop then sleeps until the earliest fire (never longer than `max_sleep`), reads the
//! clock again, and hands every due fire to a delivery task.

use super::catch_up::{catch_up_plan, due_plan};
use super::deliver::deliver_fires;
use super::error::SchedulerError;
use super::queue::Due;
use super::retry;
use super::state::Inner;
use crate::digests::DigestSpec;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Due digests taken from the queue per lock, so a burst does not hold up handle calls.
const BATCH: usize = 1024;
/// Closed ledger rows are kept this long (each digest's latest row is kept regardless).
const LEDGER_RETENTION: TimeDelta = TimeDelta::days(30);
/// Fire times looked at per digest and per range at start (a seconds-resolution schedule
/// after a long downtime would otherwise mean millions).
const CATCH_UP_LIMIT: usize = 10_000;

type Missed = Vec<(String, DateTime<Utc>)>;
/// Pending ledger rows by digest: fire time, and the error of a delivery being retried.
type Interrupted = HashMap<String, Vec<(DateTime<Utc>, Option<String>)>>;

/// What the start decided for one digest.
struct Plan {
    deliver: Vec<DateTime<Utc>>,
    missed: Vec<DateTime<Utc>>,
}

/// Loads config and runtime digests onto the timer, resumes interrupted deliveries (within
/// grace) and catches up fires missed while down, per digest policy.
pub(super) async fn load(inner: &Arc<Inner>) -> Result<(), SchedulerError> {
    let now = inner.now();
    let store = &inner.deps.store;
    let rows = store.all_digests().await?;
    let states = store.states().await?;
    let latest = store.latest_fires().await?;
    let pending = store.pending().await?;
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
    let mut interrupted: Interrupted = HashMap::new();
    for row in pending {
        interrupted
            .entry(row.digest_key)
            .or_default()
            .push((row.fire_time, row.last_error));
    }
    let mut gave_up = Vec::new();
    let (mut unseen, mut work) = (Vec::new(), Vec::new());
    let (mut missed_down, mut missed_stale): (Missed, Missed) = (Vec::new(), Vec::new());
    let mut queue_items = Vec::with_capacity(specs.len());
    for mut spec in specs {
        let state = states.get(&spec.key);
        spec.paused = state.is_some_and(|s| s.paused);
        let begun = interrupted.remove(&spec.key).unwrap_or_default();
        let next = if spec.paused {
            missed_stale.extend(begun.into_iter().map(|(f, _)| (spec.key.clone(), f)));
            None
        } else {
            let (resume, stale): (Vec<_>, Vec<_>) = begun
                .into_iter()
                .partition(|(f, _)| now.signed_duration_since(*f) < delta(spec.grace));
            for (fire, error) in stale {
                match error {
                    // Being retried when the bot stopped; its grace ran out while it was down.
                    Some(error) => gave_up.push((Arc::new(spec.clone()), fire, error)),
                    None => missed_stale.push((spec.key.clone(), fire)),
                }
            }
            let resume = resume.into_iter().map(|(f, _)| f);
            let plan = match state {
                // Never seen: a new digest starts from now.
                None => {
                    unseen.push(spec.key.clone());
                    Plan {
                        deliver: vec![],
                        missed: vec![],
                    }
                }
                Some(st) => {
                    let since = [
                        latest.get(&spec.key).copied(),
                        Some(st.seen_at),
                        st.resumed_at,
                    ];
                    plan_catch_up(&spec, since.into_iter().flatten().max(), now)
                }
            };
            if !plan.missed.is_empty() {
                let (first, last) = (plan.missed[0], plan.missed[plan.missed.len() - 1]);
                let (digest, count) = (spec.key.as_str(), plan.missed.len());
                let policy = spec.catch_up.as_str();
                tracing::warn!(digest, count, %first, %last, policy, "fire times missed while down");
            }
            missed_down.extend(plan.missed.into_iter().map(|f| (spec.key.clone(), f)));
            let fires: Vec<_> = resume.into_iter().chain(plan.deliver).collect();
            if !fires.is_empty() {
                work.push((spec.key.clone(), fires));
            }
            spec.schedule.next_after(now)
        };
        queue_items.push((spec, next));
    }
    for (key, fires) in interrupted {
        missed_stale.extend(fires.into_iter().map(|(f, _)| (key.clone(), f)));
    }
    for (key, fire) in &missed_stale {
        tracing::warn!(digest = %key, fire = fire.timestamp(), "interrupted delivery not resumed");
    }
    let counts = (work.len(), missed_down.len(), missed_stale.len());
    store.mark_seen(&unseen, now).await?;
    store
        .record_missed(
            &missed_down,
            "missed while briefbot was down (catch-up policy)",
            now,
        )
        .await?;
    store
        .record_missed(
            &missed_stale,
            "interrupted, and not resumed: older than grace, or the digest is paused or gone",
            now,
        )
        .await?;
    let total = queue_items.len();
    {
        let mut queue = inner.queue();
        for (spec, next) in queue_items {
            // A digest upserted before the start is already there, and newer.
            if queue.get(&spec.key).is_none() {
                queue.insert(Arc::new(spec), next);
            }
        }
    }
    for (key, fires) in work {
        spawn(inner, key, fires);
    }
    retry::give_up(inner, gave_up);
    let (catching_up, missed, stale) = counts;
    tracing::info!(
        digests = total,
        catching_up,
        missed,
        stale,
        "scheduler loaded"
    );
    prune(inner, now);
    Ok(())
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

/// Fires between `since` (exclusive) and `now`: those older than grace are missed, the rest
/// go through the digest's catch-up policy. No `since` means nothing to catch up.
fn plan_catch_up(spec: &DigestSpec, since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Plan {
    let Some(since) = since else {
        return Plan {
            deliver: vec![],
            missed: vec![],
        };
    };
    let window_start = now.checked_sub_signed(delta(spec.grace));
    let split = since.max(window_start.unwrap_or(DateTime::<Utc>::MIN_UTC));
    let mut missed = spec.schedule.fires_between(since, split, CATCH_UP_LIMIT);
    let recent = spec.schedule.fires_between(split, now, CATCH_UP_LIMIT);
    let plan = catch_up_plan(spec.catch_up, spec.grace, &recent, now);
    missed.extend(plan.missed);
    Plan {
        deliver: plan.deliver,
        missed,
    }
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

fn spawn(inner: &Arc<Inner>, key: String, fires: Vec<DateTime<Utc>>) {
    let gate = inner.queue().get(&key).map(|e| Arc::clone(&e.gate));
    if let Some(gate) = gate {
        inner.tracker.spawn(deliver_fires(
            Arc::clone(inner),
            key,
            gate,
            fires,
            false,
            None,
        ));
    }
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}
