//! One delivery, (digest, fire time): opened in the ledger before anything is sent, content
//! chosen from the library snapshot of that moment (or the choice recorded by an interrupted
//! attempt), each message sent with its nonce and recorded as it goes, closed after. A crash
//! at any point leaves a pending row that the next start resumes with the same nonces, which
//! Discord deduplicates (`enforce_nonce`): nothing lost, nothing doubled.

use super::changes;
use super::ports::PostError;
use super::send::{alert, send, SendStop};
use super::state::Inner;
use crate::config::WhenEmpty;
use crate::digests::{entries_by_id, render_delivery, select_content, DigestSpec};
use crate::render::MessagePayload;
use crate::store::{DeliveryStatus, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Arc;
use tracing::Instrument;

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Sent {
        messages: usize,
    },
    /// Nothing to post and `when_empty = "skip"`.
    SkippedEmpty,
    /// The ledger had this fire closed already (e.g. sent before a restart).
    AlreadyClosed(DeliveryStatus),
    /// The digest was paused or removed before its turn came.
    NotDue,
    /// Recorded as failed; `paused` when the channel is gone or forbidden.
    Failed {
        error: String,
        paused: bool,
    },
    /// Shutdown (or a store error) stopped it midway; it stays pending and resumes at start.
    Interrupted,
}

impl DeliveryOutcome {
    /// A short label for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            DeliveryOutcome::Sent { .. } => "sent",
            DeliveryOutcome::SkippedEmpty => "skipped_empty",
            DeliveryOutcome::AlreadyClosed(_) => "already_closed",
            DeliveryOutcome::NotDue => "not_due",
            DeliveryOutcome::Failed { paused: true, .. } => "failed_paused",
            DeliveryOutcome::Failed { .. } => "failed",
            DeliveryOutcome::Interrupted => "interrupted",
        }
    }
}

/// Delivers `fires` of one digest in order, one delivery of this digest at a time. Scheduled
/// fires re-check the digest first: it may have been paused or removed meanwhile.
pub(super) async fn deliver_fires(
    inner: Arc<Inner>,
    key: String,
    gate: Arc<tokio::sync::Mutex<()>>,
    fires: Vec<DateTime<Utc>>,
    manual: bool,
) -> Vec<DeliveryOutcome> {
    // The gate first: waiting for this digest's previous delivery must not hold a permit.
    let _turn = gate.lock().await;
    let Ok(_permit) = inner.limiter.acquire().await else {
        return vec![];
    };
    let mut outcomes = Vec::with_capacity(fires.len());
    for fire in fires {
        if inner.stop.is_cancelled() && !manual {
            break;
        }
        let spec = inner.spec(&key);
        let outcome = match spec {
            Some(spec) if manual || !spec.paused => deliver(&inner, &spec, fire).await,
            _ => DeliveryOutcome::NotDue,
        };
        outcomes.push(outcome);
    }
    outcomes
}

async fn deliver(
    inner: &Arc<Inner>,
    spec: &Arc<DigestSpec>,
    fire: DateTime<Utc>,
) -> DeliveryOutcome {
    let span = tracing::info_span!("digest_delivery", digest = %spec.key, fire = fire.timestamp());
    let outcome = async {
        match try_deliver(inner, spec, fire).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::error!(error = %e, "delivery left pending: the store failed");
                DeliveryOutcome::Interrupted
            }
        }
    }
    .instrument(span)
    .await;
    let error = match &outcome {
        DeliveryOutcome::Failed { error, .. } => Some(error.as_str()),
        _ => None,
    };
    crate::metrics::delivery(outcome.label(), &spec.name, error);
    outcome
}

async fn try_deliver(
    inner: &Arc<Inner>,
    spec: &Arc<DigestSpec>,
    fire: DateTime<Utc>,
) -> Result<DeliveryOutcome, StoreError> {
    let store = &inner.deps.store;
    let key = spec.key.clone();
    let now = inner.now();
    let row = store.call({
        let key = key.clone();
        move |s| s.begin(&key, fire, now)
    });
    let row = row.await?;
    if row.status.is_closed() {
        tracing::info!(
            status = row.status.as_str(),
            "already recorded; not sent again"
        );
        return Ok(DeliveryOutcome::AlreadyClosed(row.status));
    }
    let (payloads, empty) = content(inner, spec, fire, row.briefings.as_deref()).await?;
    if empty && spec.when_empty == WhenEmpty::Skip {
        let now = inner.now();
        store
            .call(move |s| s.record_skipped_empty(&key, fire, now))
            .await?;
        tracing::info!("nothing new to post; skipped");
        return Ok(DeliveryOutcome::SkippedEmpty);
    }
    let mut ids = row.message_ids.clone();
    let mut attempts = 0;
    for (i, payload) in payloads.iter().enumerate().skip(ids.len()) {
        match send(inner, spec.channel_id, payload, &mut attempts).await {
            Ok(id) => ids.push(id),
            Err(SendStop::Interrupted) => {
                tracing::warn!(
                    sent = ids.len(),
                    "interrupted by shutdown; resumes at start"
                );
                return Ok(DeliveryOutcome::Interrupted);
            }
            Err(SendStop::Failed(e)) => return fail(inner, spec, fire, e, attempts).await,
        }
        // Progress before the last message, so a resumed delivery skips what was sent; the
        // last one is recorded with the close below.
        if i + 1 < payloads.len() {
            let (key, ids, now) = (key.clone(), ids.clone(), inner.now());
            store
                .call(move |s| s.record_progress(&key, fire, &ids, now))
                .await?;
        }
    }
    let (channel, messages, now) = (spec.channel_id, ids.len(), inner.now());
    store
        .call(move |s| s.record_sent(&key, fire, channel, &ids, attempts, now))
        .await?;
    tracing::info!(messages, attempts, "digest delivered");
    Ok(DeliveryOutcome::Sent { messages })
}

/// The messages of this delivery, and whether it has nothing to carry. The briefings are
/// chosen once and recorded, so a resumed delivery sends what the first attempt chose.
async fn content(
    inner: &Arc<Inner>,
    spec: &Arc<DigestSpec>,
    fire: DateTime<Utc>,
    chosen: Option<&[String]>,
) -> Result<(Vec<MessagePayload>, bool), StoreError> {
    let snapshot = (inner.deps.library)();
    let library = snapshot.library();
    let entries = match chosen {
        Some(ids) => entries_by_id(spec, library, ids),
        None => {
            let posted = if spec.only_new {
                let (key, channel) = (spec.key.clone(), spec.channel_id);
                let posted = inner.deps.store.call(move |s| s.posted_ids(&key, channel));
                posted.await?
            } else {
                HashSet::new()
            };
            let entries = select_content(spec, library, &posted);
            let ids: Vec<String> = entries.iter().map(|e| e.briefing.id.clone()).collect();
            let key = spec.key.clone();
            let record = inner
                .deps
                .store
                .call(move |s| s.set_briefings(&key, fire, &ids));
            record.await?;
            entries
        }
    };
    let empty = entries.is_empty();
    let words = inner.words_for(spec);
    Ok((render_delivery(spec, fire, entries, &words), empty))
}

/// Records a failed delivery; a gone or forbidden channel also pauses the digest. Either
/// way the guild's alert channel hears of it.
async fn fail(
    inner: &Arc<Inner>,
    spec: &Arc<DigestSpec>,
    fire: DateTime<Utc>,
    error: PostError,
    attempts: u32,
) -> Result<DeliveryOutcome, StoreError> {
    let text = format!("channel {}: {error}", spec.channel_id);
    let (key, now, recorded) = (spec.key.clone(), inner.now(), text.clone());
    inner
        .deps
        .store
        .call(move |s| s.record_failed(&key, fire, &recorded, attempts, now))
        .await?;
    let paused = matches!(error, PostError::Gone { .. });
    let words = inner.alert_words(spec);
    let (name, error_arg) = (
        ("name", spec.name.as_str().into()),
        ("error", text.as_str().into()),
    );
    let notice = if paused {
        tracing::error!(error = %text, attempts, "channel gone or forbidden; digest paused");
        changes::pause(inner, &spec.key, &text).await?;
        words.t("alert-paused", &[name, error_arg])
    } else {
        tracing::error!(error = %text, attempts, "digest delivery failed");
        let fire_arg = ("fire", fire.timestamp().to_string().into());
        words.t("alert-failed", &[name, error_arg, fire_arg])
    };
    let notice = crate::render::truncate(&notice, crate::render::limits::CONTENT).into_owned();
    alert(inner, spec, fire, notice).await;
    Ok(DeliveryOutcome::Failed {
        error: text,
        paused,
    })
}
