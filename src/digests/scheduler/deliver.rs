//! The deliveries of one digest, in order: each fire re-checked (paused, removed, or waited
//! past its grace behind a delivery being retried), then handed to `retry`, which runs its
//! rounds (`attempt`) until it is done or its grace is over.

use super::outcome::{DeliveryOutcome, FirstOutcome};
use super::retry;
use super::state::Inner;
use crate::digests::DigestSpec;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Delivers `fires` of one digest in order, one delivery of this digest at a time. Scheduled
/// fires re-check the digest first: it may have been paused or removed meanwhile, or have
/// waited past its grace behind a delivery being retried. `first` hears the first fire's
/// outcome as soon as it is known (a retried delivery reports `Retrying` and goes on).
pub(super) async fn deliver_fires(
    inner: Arc<Inner>,
    key: String,
    gate: Arc<tokio::sync::Mutex<()>>,
    fires: Vec<DateTime<Utc>>,
    manual: bool,
    mut first: FirstOutcome,
) {
    // This digest's previous delivery first; the concurrency permit is taken per attempt.
    let _turn = gate.lock().await;
    for fire in fires {
        if inner.stop.is_cancelled() && !manual {
            break;
        }
        let spec = inner.spec(&key);
        let outcome = match spec {
            Some(spec) if manual || !spec.paused => {
                if !manual && too_late(&inner, &spec, fire) {
                    record_too_late(&inner, &spec, fire).await
                } else {
                    retry::deliver(&inner, spec, fire, manual, &mut first).await
                }
            }
            _ => DeliveryOutcome::NotDue,
        };
        if let Some(first) = first.take() {
            let _ = first.send(outcome);
        }
    }
}

fn too_late(inner: &Inner, spec: &DigestSpec, fire: DateTime<Utc>) -> bool {
    inner.now() >= fire + retry::window(spec)
}

async fn record_too_late(inner: &Inner, spec: &DigestSpec, fire: DateTime<Utc>) -> DeliveryOutcome {
    tracing::warn!(digest = %spec.key, fire = fire.timestamp(), "waited past its grace behind a retried delivery; missed");
    let missed = vec![(spec.key.clone(), fire)];
    let now = inner.now();
    let reason = "came due while an earlier delivery of this digest was being retried";
    let recorded = inner.deps.store.record_missed(&missed, reason, now);
    if let Err(e) = recorded.await {
        tracing::error!(error = %e, "could not record a missed fire time");
    }
    crate::metrics::delivery("too_late", &spec.name, None);
    DeliveryOutcome::TooLate
}
