//! One round of a delivery, (digest, fire time): claimed in the ledger before anything is sent,
//! content chosen from the library snapshot of that moment (or the choice recorded by an
//! interrupted attempt), each message sent with its nonce and recorded as it goes, closed
//! after. A crash at any point leaves a pending row that the next start resumes with the same
//! nonces, which Discord deduplicates (`enforce_nonce`): nothing lost, nothing doubled. The
//! claim carries a lease that each recorded message renews: a replica that dies mid-send is
//! replaced once the lease runs out, by one that re-sends the rest under the same nonces. A
//! round that fails in a way worth trying again is handed back to `retry`, which keeps the row
//! pending.

use super::changes;
use super::outcome::{DeliveryOutcome, Round};
use super::ports::PostError;
use super::send::{alert, pause, retry_wait, send, timed, SendStop, Tries};
use super::state::Inner;
use crate::config::WhenEmpty;
use crate::digests::steps::{self, Place, Step};
use crate::digests::{entries_by_id, select_content, DigestSpec, ForumPost, Target, ThreadTarget};
use crate::store::{Claim, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// One round: the ledger row claimed (or found closed, or held by another replica), the
/// content chosen (or the recorded choice
/// reused), the messages not yet sent sent with their immediate retries, the row closed.
pub(super) async fn deliver_round(
    inner: &Arc<Inner>,
    spec: &Arc<DigestSpec>,
    fire: DateTime<Utc>,
) -> Result<Round, StoreError> {
    let store = &inner.deps.store;
    let key = spec.key.clone();
    let now = inner.now();
    let claims = &inner.deps.claims;
    let row = match store.claim(&key, fire, claims, now).await? {
        Claim::Ours(row) => row,
        Claim::Closed(row) => {
            tracing::info!(
                status = row.status.as_str(),
                "already recorded; not sent again"
            );
            return Ok(Round::Done(DeliveryOutcome::AlreadyClosed(row.status)));
        }
        Claim::Held { owner, until } => return Ok(Round::Held { owner, until }),
    };
    let (steps, empty, shown) = content(inner, spec, fire, row.briefings.as_deref()).await?;
    if empty && spec.when_empty == WhenEmpty::Skip {
        let now = inner.now();
        store.record_skipped_empty(&key, fire, now).await?;
        tracing::info!("nothing new to post; skipped");
        return Ok(Round::Done(DeliveryOutcome::SkippedEmpty));
    }
    let mut ids = row.message_ids.clone();
    let mut attempts = 0;
    // A thread opened under the last recorded message may not have been: opening it again is
    // harmless (Discord says it exists).
    if let Some(i) = ids.len().checked_sub(1) {
        if let Some(step) = steps.get(i).and_then(|s| s.resolved(&ids)) {
            if let Err(stop) = open_thread(inner, &step, ids[i]).await {
                return stopped(inner, spec, fire, Some(&ids), stop, attempts).await;
            }
        }
    }
    let mut holds = None;
    for (i, planned) in steps.iter().enumerate().skip(ids.len()) {
        let Some(step) = planned.resolved(&ids) else {
            let e = PostError::Rejected {
                status: 0,
                reason: format!("step {i} names a thread not created yet"),
            };
            return stopped(inner, spec, fire, Some(&ids), SendStop::Failed(e), attempts).await;
        };
        let look_since = if step.has_nonce() {
            None
        } else {
            let marked = row.sending_since.filter(|_| i == row.message_ids.len());
            if marked.is_none() {
                // Before the call, so a crash during it leaves the mark a resume looks from.
                let now = inner.now();
                store.record_sending(&key, fire, claims, now).await?;
            }
            marked
        };
        let sent = match send(inner, &step, look_since, &mut attempts).await {
            Ok(sent) => sent,
            // The ids so far are recorded already; recording them again would clear the mark
            // of the nonce-less send that may have gone through.
            Err(stop) if !step.has_nonce() => {
                return stopped(inner, spec, fire, None, stop, attempts).await
            }
            Err(stop) => return stopped(inner, spec, fire, Some(&ids), stop, attempts).await,
        };
        ids.push(sent.message_id);
        holds.get_or_insert(sent.channel_id);
        // Progress before the last message, so a resumed delivery skips what was sent; the
        // last one is recorded with the close below. A nonce-less send is recorded at once
        // whatever its place: Discord would not recognise it if sent again.
        if i + 1 < steps.len() || !step.has_nonce() {
            let now = inner.now();
            store.record_progress(&key, fire, &ids, claims, now).await?;
        }
        if let Err(stop) = open_thread(inner, &step, sent.message_id).await {
            return stopped(inner, spec, fire, Some(&ids), stop, attempts).await;
        }
    }
    let (channel, messages, now) = (spec.channel_id, ids.len(), inner.now());
    store
        .record_sent(&key, fire, channel, &ids, attempts, now)
        .await?;
    // Where a correction finds the messages: the thread they went into, when they all did.
    let holds = edit_channel(spec, &ids).unwrap_or(channel);
    // What the messages show, so a later correction edits them. Best effort, and beside the
    // delivery rather than in its way: the delivery itself is recorded.
    let store = Arc::clone(store);
    inner.tracker.spawn(async move {
        if let Err(e) = store.record_shown(&key, fire, holds, &shown, now).await {
            tracing::warn!(error = %e, "what the digest shows not recorded; it will not be corrected");
        }
    });
    tracing::info!(messages, attempts, "digest delivered");
    Ok(Round::Done(DeliveryOutcome::Sent { messages }))
}

/// What a delivery's messages show, by briefing id.
type Shown = BTreeMap<String, crate::store::ShownBriefing>;

/// Opens the thread a step asks for under the message it sent; a failure stops the round
/// like a failed send (the message is recorded; a resume opens the thread again).
async fn open_thread(inner: &Inner, step: &Step, message: u64) -> Result<(), SendStop> {
    let Some(name) = &step.open_thread else {
        return Ok(());
    };
    let Place::Channel(channel) = step.place else {
        return Ok(());
    };
    let mut tries = Tries::default();
    loop {
        let call = inner.deps.poster.open_thread(channel, message, name);
        let error = match timed(inner, call).await? {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let wait = retry_wait(inner, error, &mut tries, "open_thread", false)?;
        pause(inner, wait).await?;
    }
}

/// A round that stopped before its last step: interrupted (resumes at start), to be tried
/// again (what was sent is kept, so the next round sends only the rest: `ids` recorded when
/// given), or failed.
async fn stopped(
    inner: &Arc<Inner>,
    spec: &Arc<DigestSpec>,
    fire: DateTime<Utc>,
    ids: Option<&[u64]>,
    stop: SendStop,
    attempts: u32,
) -> Result<Round, StoreError> {
    match stop {
        SendStop::Interrupted => {
            tracing::warn!("interrupted by shutdown; resumes at start");
            Ok(Round::Done(DeliveryOutcome::Interrupted))
        }
        SendStop::Failed(
            error
            @ (PostError::Server { .. } | PostError::Other(_) | PostError::RateLimited { .. }),
        ) => {
            if let Some(ids) = ids {
                let now = inner.now();
                let store = &inner.deps.store;
                store
                    .record_progress(&spec.key, fire, ids, &inner.deps.claims, now)
                    .await?;
            }
            Ok(Round::Retry { error, attempts })
        }
        SendStop::Failed(e) => {
            let outcome = fail(inner, spec, fire, e, attempts, None).await?;
            Ok(Round::Done(outcome))
        }
    }
}

/// The one channel or thread every message of a delivery lives in, when it is not the
/// digest's channel; `None` when they live in the channel or in several threads (a post per
/// briefing), which corrections then leave alone.
pub(super) fn edit_channel(spec: &DigestSpec, ids: &[u64]) -> Option<u64> {
    match &spec.target {
        Target::Thread(ThreadTarget::Existing { thread_id }) => Some(*thread_id),
        Target::Forum {
            post: ForumPost::Digest,
            ..
        } => ids.first().copied(),
        _ => None,
    }
}

/// The steps of this delivery, whether it has nothing to carry, and what it shows. The
/// briefings are chosen once and recorded, so a resumed delivery sends what the first attempt
/// chose, as the same steps.
async fn content(
    inner: &Arc<Inner>,
    spec: &Arc<DigestSpec>,
    fire: DateTime<Utc>,
    chosen: Option<&[String]>,
) -> Result<(Vec<Step>, bool, Shown), StoreError> {
    let snapshot = (inner.deps.library)();
    let library = snapshot.library();
    let entries = match chosen {
        Some(ids) => entries_by_id(spec, library, ids),
        None => {
            let posted = if spec.only_new {
                let (key, channel) = (spec.key.clone(), spec.channel_id);
                inner.deps.store.posted_ids(&key, channel).await?
            } else {
                HashSet::new()
            };
            let entries = select_content(spec, library, &posted);
            let ids: Vec<String> = entries.iter().map(|e| e.briefing.id.clone()).collect();
            inner
                .deps
                .store
                .set_briefings(&spec.key, fire, &ids)
                .await?;
            entries
        }
    };
    let empty = entries.is_empty();
    let mut shown = super::corrections::shown_of(&entries);
    let order: Vec<String> = entries.iter().map(|e| e.briefing.id.clone()).collect();
    let words = inner.words_for(spec);
    let steps = steps::plan(spec, fire, entries, &words);
    super::forum_posts::record_sizes(spec, &order, &steps, &mut shown);
    Ok((steps, empty, shown))
}

/// Records a failed delivery; a gone or forbidden channel also pauses the digest. Either
/// way the guild's alert channel hears of it. `retried_for`: how long it was retried after its
/// immediate retries, when it was.
pub(super) async fn fail(
    inner: &Arc<Inner>,
    spec: &Arc<DigestSpec>,
    fire: DateTime<Utc>,
    error: PostError,
    attempts: u32,
    retried_for: Option<std::time::Duration>,
) -> Result<DeliveryOutcome, StoreError> {
    let text = format!(
        "{} {}: {error}",
        spec.target.kind().as_str(),
        spec.channel_id
    );
    let paused = matches!(error, PostError::Gone { .. });
    fail_with(inner, spec, fire, text, paused, attempts, retried_for).await
}

/// `fail` with the error already in words; `pause` for a gone or forbidden channel.
pub(super) async fn fail_with(
    inner: &Arc<Inner>,
    spec: &Arc<DigestSpec>,
    fire: DateTime<Utc>,
    text: String,
    paused: bool,
    attempts: u32,
    retried_for: Option<std::time::Duration>,
) -> Result<DeliveryOutcome, StoreError> {
    let (key, now, recorded) = (spec.key.clone(), inner.now(), text.clone());
    inner
        .deps
        .store
        .record_failed(&key, fire, &recorded, attempts, now)
        .await?;
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
        match retried_for {
            Some(d) => {
                let d = std::time::Duration::from_secs(d.as_secs());
                let retried = ("retried", humantime::format_duration(d).to_string().into());
                words.t(
                    "alert-failed-retried",
                    &[name, error_arg, fire_arg, retried],
                )
            }
            None => words.t("alert-failed", &[name, error_arg, fire_arg]),
        }
    };
    let notice = crate::render::truncate(&notice, crate::render::limits::CONTENT).into_owned();
    alert(inner, spec, fire, notice).await;
    Ok(DeliveryOutcome::Failed {
        error: text,
        paused,
    })
}
