//! What a scheduler does for digests that come into its care: every digest at start (one
//! process), or the digests of buckets it gains (at start among replicas, or when it takes over
//! from a replica that died or gave them up). The ledger decides: interrupted deliveries are
//! resumed within grace (with the same nonces; a live claim of another replica is waited out),
//! fires missed since the latest delivery are caught up per policy, the rest recorded missed.

use super::catch_up::catch_up_plan;
use super::deliver::deliver_fires;
use super::error::SchedulerError;
use super::retry;
use super::state::Inner;
use crate::digests::DigestSpec;
use crate::store::DigestState;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Fire times looked at per digest and per range (a seconds-resolution schedule after a long
/// downtime would otherwise mean millions).
const CATCH_UP_LIMIT: usize = 10_000;

type Missed = Vec<(String, DateTime<Utc>)>;
/// Pending ledger rows by digest: fire time, and the error of a delivery being retried.
type Interrupted = HashMap<String, Vec<(DateTime<Utc>, Option<String>)>>;

/// What was decided for one digest.
struct Plan {
    deliver: Vec<DateTime<Utc>>,
    missed: Vec<DateTime<Utc>>,
}

/// Plans every digest on the timer for which `mine` holds, and the pending ledger rows of keys
/// for which it holds: resumes, catches up, records missed. `states` is the store's, when the
/// caller has just read it.
pub(super) async fn take_over(
    inner: &Arc<Inner>,
    mine: &(dyn Fn(&str) -> bool + Send + Sync),
    states: Option<HashMap<String, DigestState>>,
) -> Result<(), SchedulerError> {
    let now = inner.now();
    let store = &inner.deps.store;
    let states = match states {
        Some(states) => states,
        None => store.states().await?,
    };
    let latest = store.latest_fires().await?;
    let pending = store.pending().await?;
    let specs: Vec<Arc<DigestSpec>> = (inner.queue().entries())
        .filter(|e| mine(&e.spec.key))
        .map(|e| Arc::clone(&e.spec))
        .collect();
    let mut interrupted: Interrupted = HashMap::new();
    for row in pending.into_iter().filter(|r| mine(&r.digest_key)) {
        interrupted
            .entry(row.digest_key)
            .or_default()
            .push((row.fire_time, row.last_error));
    }
    let mut gave_up = Vec::new();
    let (mut unseen, mut work) = (Vec::new(), Vec::new());
    let (mut missed_down, mut missed_stale): (Missed, Missed) = (Vec::new(), Vec::new());
    for spec in &specs {
        let state = states.get(&spec.key);
        let paused = state.map_or(spec.paused, |s| s.paused);
        let begun = interrupted.remove(&spec.key).unwrap_or_default();
        if paused {
            missed_stale.extend(begun.into_iter().map(|(f, _)| (spec.key.clone(), f)));
            continue;
        }
        let (resume, stale): (Vec<_>, Vec<_>) = begun
            .into_iter()
            .partition(|(f, _)| now.signed_duration_since(*f) < delta(spec.grace));
        for (fire, error) in stale {
            match error {
                // Being retried when its owner stopped; its grace ran out meanwhile.
                Some(error) => gave_up.push((Arc::clone(spec), fire, error)),
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
                plan_catch_up(spec, since.into_iter().flatten().max(), now)
            }
        };
        if !plan.missed.is_empty() {
            let (first, last) = (plan.missed[0], plan.missed[plan.missed.len() - 1]);
            let (digest, count) = (spec.key.as_str(), plan.missed.len());
            let policy = spec.catch_up.as_str();
            tracing::warn!(digest, count, %first, %last, policy, "fire times missed while down");
        }
        missed_down.extend(plan.missed.into_iter().map(|f| (spec.key.clone(), f)));
        let fires: Vec<_> = resume.chain(plan.deliver).collect();
        if !fires.is_empty() {
            work.push((spec.key.clone(), fires));
        }
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
    for (key, fires) in work {
        spawn(inner, key, fires);
    }
    retry::give_up(inner, gave_up);
    let (catching_up, missed, stale) = counts;
    tracing::info!(
        digests = specs.len(),
        catching_up,
        missed,
        stale,
        "digests planned"
    );
    Ok(())
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
