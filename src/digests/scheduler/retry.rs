//! A delivery that still fails after its immediate retries (`send`) is not dropped: its ledger
//! row stays pending, with the error and attempts so far, and it is tried again with backoff
//! until its catch-up grace runs out; only then is it recorded failed and alerted. A restart
//! meanwhile resumes it from the pending row with the same nonces. A gone or forbidden
//! channel, or a message Discord refuses, fails at once (`deliver_round`).
//!
//! A store that is away (the database server restarting) is waited out the same way, within
//! the same grace: the fire stays due and is delivered once the store answers again. A fire
//! another replica holds is looked at again when that replica's lease ends.

use super::attempt::{deliver_round, fail, fail_with};
use super::catch_up::MIN_RUNNING_GRACE;
use super::outcome::{DeliveryOutcome, FirstOutcome, Round};
use super::state::{Inner, PendingRetry};
use crate::digests::DigestSpec;
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;
use tracing::Instrument;

/// Looked at again this long after another replica's claim should have ended, so its last
/// write has landed.
const LEASE_SLACK: std::time::Duration = std::time::Duration::from_secs(1);
/// A claim held by a live replica is looked at again at least this often: the holder usually
/// finishes long before its lease ends (a bucket handed over mid-send), and the fires queued
/// behind this one should not wait out the whole lease.
const HELD_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Sleeps `wait`; false when shutdown came first.
async fn pause(inner: &Inner, wait: std::time::Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(wait) => true,
        _ = inner.stop.cancelled() => false,
    }
}

/// How long after its fire time a delivery may still be tried: the digest's catch-up grace,
/// and at least the lateness always tolerated while running.
pub(super) fn window(spec: &DigestSpec) -> TimeDelta {
    TimeDelta::from_std(spec.grace.max(MIN_RUNNING_GRACE)).unwrap_or(TimeDelta::MAX)
}

/// Delivers (spec, fire), round after round until it is done or its grace is over.
pub(super) async fn deliver(
    inner: &Arc<Inner>,
    spec: Arc<DigestSpec>,
    fire: DateTime<Utc>,
    manual: bool,
    first: &mut FirstOutcome,
) -> DeliveryOutcome {
    let target = spec.target.kind().as_str();
    let span =
        tracing::info_span!("digest_delivery", digest = %spec.key, fire = fire.timestamp(), target);
    let name = spec.name.clone();
    let key = spec.key.clone();
    let outcome = rounds(inner, spec, fire, manual, first)
        .instrument(span)
        .await;
    inner.forget_retry(&key, fire);
    let error = match &outcome {
        DeliveryOutcome::Failed { error, .. } => Some(error.as_str()),
        _ => None,
    };
    crate::metrics::delivery(outcome.label(), &name, error);
    outcome
}

async fn rounds(
    inner: &Arc<Inner>,
    mut spec: Arc<DigestSpec>,
    fire: DateTime<Utc>,
    manual: bool,
    first: &mut FirstOutcome,
) -> DeliveryOutcome {
    let until = fire + window(&spec);
    let mut retries = 0u32;
    loop {
        let round = {
            let Ok(_permit) = inner.limiter.acquire().await else {
                return DeliveryOutcome::Interrupted;
            };
            deliver_round(inner, &spec, fire).await
        };
        let (error, attempts) = match round {
            Ok(Round::Done(outcome)) => return outcome,
            Ok(Round::Retry { error, attempts }) => (error, attempts),
            Ok(Round::Held {
                owner,
                until: lease,
            }) => {
                tracing::info!(%owner, %lease, "another replica is delivering it; looking again soon");
                let wait = (lease - inner.now()).to_std().unwrap_or_default() + LEASE_SLACK;
                if inner.now() >= until || !pause(inner, wait.min(HELD_POLL)).await {
                    return DeliveryOutcome::Interrupted;
                }
                continue;
            }
            Err(e) if e.is_transient() && inner.now() < until => {
                retries += 1;
                let wait = inner.options.retry.redelivery_after(retries);
                let wait = wait.min((until - inner.now()).to_std().unwrap_or_default());
                tracing::warn!(error = %e, ?wait, "the store is away; the delivery stays due and is tried again");
                if !pause(inner, wait).await {
                    return DeliveryOutcome::Interrupted;
                }
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "delivery left pending: the store failed");
                return DeliveryOutcome::Interrupted;
            }
        };
        let now = inner.now();
        if now >= until {
            let retried_for = (retries > 0).then(|| window(&spec).to_std().unwrap_or_default());
            return match fail(inner, &spec, fire, error, attempts, retried_for).await {
                Ok(outcome) => outcome,
                Err(e) => {
                    tracing::error!(error = %e, "delivery left pending: the store failed");
                    DeliveryOutcome::Interrupted
                }
            };
        }
        retries += 1;
        let wait = inner
            .options
            .retry
            .redelivery_after(retries)
            .min((until - now).to_std().unwrap_or_default());
        let text = format!("channel {}: {error}", spec.channel_id);
        let next_try = now + TimeDelta::from_std(wait).unwrap_or_default();
        tracing::warn!(error = %text, attempts, retry = retries, ?wait, %until, "delivery failed; stays pending and is tried again");
        let (key, recorded) = (spec.key.clone(), text.clone());
        let noted = inner
            .deps
            .store
            .record_retry(&key, fire, &recorded, attempts, now);
        if let Err(e) = noted.await {
            tracing::error!(error = %e, "delivery left pending: the store failed");
            return DeliveryOutcome::Interrupted;
        }
        crate::metrics::delivery("retrying", &spec.name, Some(&text));
        let pending = PendingRetry {
            fire,
            error: text.clone(),
            next_try,
            until,
        };
        inner.note_retry(&spec.key, pending);
        if let Some(first) = first.take() {
            let _ = first.send(DeliveryOutcome::Retrying {
                error: text,
                next_try,
                until,
            });
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = inner.stop.cancelled() => {
                tracing::warn!("shutdown while waiting to retry; resumes at start");
                return DeliveryOutcome::Interrupted;
            }
        }
        // The digest may have changed (another channel), been paused or removed meanwhile.
        match inner.spec(&spec.key) {
            None => return DeliveryOutcome::NotDue,
            Some(now_spec) if now_spec.paused && !manual => {
                let missed = vec![(spec.key.clone(), fire)];
                let reason = "paused while its delivery was being retried";
                let now = inner.now();
                let recorded = inner.deps.store.record_missed(&missed, reason, now);
                if let Err(e) = recorded.await {
                    tracing::error!(error = %e, "could not record a missed fire time");
                }
                return DeliveryOutcome::NotDue;
            }
            Some(now_spec) => spec = now_spec,
        }
    }
}

/// At start: deliveries that were being retried when the bot stopped and whose grace ran out
/// while it was down. They end as they would have while running: failed, and alerted.
pub(super) fn give_up(inner: &Arc<Inner>, stale: Vec<(Arc<DigestSpec>, DateTime<Utc>, String)>) {
    if stale.is_empty() {
        return;
    }
    let task = {
        let inner = Arc::clone(inner);
        async move {
            for (spec, fire, error) in stale {
                let span = tracing::info_span!("digest_delivery", digest = %spec.key, fire = fire.timestamp());
                let retried_for = window(&spec).to_std().ok();
                let failed = fail_with(&inner, &spec, fire, error, false, 0, retried_for);
                match failed.instrument(span).await {
                    Ok(outcome) => {
                        let error = match &outcome {
                            DeliveryOutcome::Failed { error, .. } => Some(error.as_str()),
                            _ => None,
                        };
                        crate::metrics::delivery(outcome.label(), &spec.name, error);
                    }
                    Err(e) => tracing::error!(error = %e, "could not record a failed delivery"),
                }
            }
        }
    };
    inner.tracker.spawn(task);
}
