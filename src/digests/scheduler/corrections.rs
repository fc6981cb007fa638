//! Corrections: a briefing that changed (or went away) after a digest posted it edits the
//! posted messages in place, within `edit_window` of the post. Each sent delivery's ledger
//! entry records which revision of each briefing its messages show (`Storage::record_shown`);
//! a pass compares that with the library of the moment and, for a delivery that differs,
//! renders it again from the current briefings, adds an "updated <t:…:R>" line (and names the
//! withdrawn ones), and edits each message through `Editor`. Only when every edit went through
//! is the new revision recorded, so a pass interrupted by a crash is simply done again (an
//! edit with the same text changes nothing), and one that succeeded is never repeated.
//!
//! Messages are edited where they live: in the thread a forum post or an existing-thread
//! digest posted into (recorded with what they show), through the webhook that posted them.
//! A digest posting one forum post per briefing has each briefing's correction rendered on
//! its own and edited into that briefing's post (`forum_posts` finds it); a post whose
//! briefing did not change is left as it is.
//!
//! A correction never pings: edits allow no mentions, whatever the digest's role.
//! When the corrected delivery needs more messages than were posted, the posted ones carry
//! what fits and the last says that `/brief` shows the whole briefing: a new message would
//! land at the bottom of the channel, away from what it corrects. Messages left over when it
//! needs fewer keep only the "updated" line.

use super::forum_posts::{per_briefing, posts};
use super::handle::SchedulerHandle;
use super::ports::PostError;
use crate::briefings::{Briefing, Library};
use crate::digests::{entries_by_id, render_delivery, DigestSpec};
use crate::locales::Words;
use crate::render::{limits::CONTENT, truncate, AllowedMentions, DigestEntry, MessagePayload};
use crate::store::{Shown, ShownBriefing, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How often one message's edit is tried when Discord asks to wait.
const RATE_LIMIT_WAITS: u32 = 3;

/// Where a posted message is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostedAt {
    /// The channel or thread holding it.
    pub channel_id: u64,
    pub message_id: u64,
    /// Posted through the bot's webhook of this channel: edited through it too (only the
    /// webhook may edit its messages).
    pub webhook_of: Option<u64>,
}

/// Edits one posted message; implemented by the Discord layer. One attempt per call.
#[async_trait::async_trait]
pub trait Editor: Send + Sync + 'static {
    async fn edit(&self, at: PostedAt, payload: &MessagePayload) -> Result<(), PostError>;
}

/// What a correction pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Corrected {
    /// Deliveries whose messages now show the current briefings.
    pub deliveries: usize,
    pub messages: usize,
    /// Deliveries left for a later pass (Discord unavailable).
    pub failed: usize,
}

/// A briefing's revision: a hash of everything a digest could show of it, stable across
/// builds (a new build must not look like a correction of everything).
pub fn revision(b: &Briefing) -> String {
    let mut text = format!(
        "{}\0{}\0{}\0{}\0{}",
        b.title,
        b.date.timestamp(),
        b.source.as_deref().unwrap_or(""),
        b.lang,
        b.tags
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join("\u{1}")
    );
    for s in &b.sections {
        text.push_str(&format!("\0{}\0{}\0{}", s.key, s.heading, s.body));
    }
    format!("{:016x}", crate::digests::fnv1a(text.as_bytes()))
}

/// What a delivery carrying `entries` shows, to record with its send.
pub fn shown_of(entries: &[DigestEntry<'_>]) -> BTreeMap<String, ShownBriefing> {
    entries
        .iter()
        .map(|e| (e.briefing.id.clone(), shown(e.briefing)))
        .collect()
}

fn shown(b: &Briefing) -> ShownBriefing {
    ShownBriefing {
        revision: revision(b),
        title: b.title.clone(),
        messages: None,
    }
}

/// What `row`'s briefings look like in `library` now; a missing one is withdrawn.
fn current(row: &Shown, library: &Library) -> BTreeMap<String, ShownBriefing> {
    row.briefings
        .iter()
        .map(|(id, was)| {
            let mut now = library.get(id).map(|b| shown(b)).unwrap_or(ShownBriefing {
                revision: String::new(),
                title: was.title.clone(),
                messages: None,
            });
            // A correction keeps the posted messages: each post holds as many as before.
            now.messages = was.messages;
            (id.clone(), now)
        })
        .collect()
}

impl SchedulerHandle {
    /// Edits every delivery sent within `window` whose briefings changed since; `0s` does
    /// nothing. Deliveries are corrected one after another, each message through the REST
    /// client's rate limits.
    pub async fn correct(
        &self,
        editor: &dyn Editor,
        window: Duration,
    ) -> Result<Corrected, StoreError> {
        let mut done = Corrected::default();
        if window.is_zero() {
            return Ok(done);
        }
        let inner = &self.inner;
        let now = inner.now();
        let since = now - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
        let rows = inner.deps.store.shown_since(since).await?;
        let snapshot = (inner.deps.library)();
        let library = snapshot.library();
        for row in rows {
            // Among replicas, the digest's bucket owner corrects its posts, as it sends them:
            // the others would PATCH the same messages again.
            if !inner.ownership().owns(&row.digest_key, now) {
                continue;
            }
            let now_shows = current(&row, library);
            if now_shows == row.briefings {
                continue;
            }
            let spec = inner
                .queue()
                .get(&row.digest_key)
                .map(|e| Arc::clone(&e.spec));
            let Some(spec) = spec else {
                tracing::debug!(digest = %row.digest_key, "digest not scheduled here; its posts are not corrected");
                continue;
            };
            let webhook_of = spec.target.identity().map(|_| spec.channel_id);
            let delivery = inner
                .deps
                .store
                .delivery(&row.digest_key, row.fire_time)
                .await?;
            let order = delivery.and_then(|d| d.briefings).unwrap_or_default();
            let edits = if per_briefing(&spec) {
                self.post_edits(&spec, &row, &order, &now_shows, library, now, webhook_of)
            } else {
                let payloads =
                    self.corrected_payloads(&spec, &row, &order, &now_shows, library, now);
                let at = |message_id| PostedAt {
                    channel_id: row.channel_id,
                    message_id,
                    webhook_of,
                };
                row.message_ids
                    .iter()
                    .map(|m| at(*m))
                    .zip(payloads)
                    .collect()
            };
            match edit_all(editor, &edits).await {
                Ok(edited) => {
                    inner
                        .deps
                        .store
                        .record_corrected(&row.digest_key, row.fire_time, &now_shows, now)
                        .await?;
                    tracing::info!(digest = %spec.name, fire = %row.fire_time, edited, "posted digest corrected");
                    done.deliveries += 1;
                    done.messages += edited;
                }
                Err(e) => {
                    tracing::warn!(digest = %spec.name, error = %e, "correction not applied; tried again later");
                    done.failed += 1;
                }
            }
        }
        Ok(done)
    }

    /// The delivery rendered from the current briefings, fitted to the posted messages.
    fn corrected_payloads(
        &self,
        spec: &DigestSpec,
        row: &Shown,
        order: &[String],
        now_shows: &BTreeMap<String, ShownBriefing>,
        library: &Library,
        now: DateTime<Utc>,
    ) -> Vec<MessagePayload> {
        let words = self.inner.words_for(spec);
        let entries = entries_by_id(spec, library, order);
        let any_left = !entries.is_empty();
        let payloads = render_delivery(spec, row.fire_time, entries, &words);
        let withdrawn: Vec<&str> = order
            .iter()
            .filter_map(|id| now_shows.get(id))
            .filter(|s| s.revision.is_empty())
            .map(|s| s.title.as_str())
            .collect();
        let posted = row.message_ids.len().max(1);
        fitted(&words, payloads, any_left, &withdrawn, posted, now)
    }

    /// For a digest posting one forum post per briefing: each changed briefing rendered on
    /// its own, as its post was, fitted to that post's messages and edited in its thread.
    #[allow(clippy::too_many_arguments)]
    fn post_edits(
        &self,
        spec: &DigestSpec,
        row: &Shown,
        order: &[String],
        now_shows: &BTreeMap<String, ShownBriefing>,
        library: &Library,
        now: DateTime<Utc>,
        webhook_of: Option<u64>,
    ) -> Vec<(PostedAt, MessagePayload)> {
        let words = self.inner.words_for(spec);
        let render = |i: usize, id: &str| {
            // As sent: only the first post carried the role.
            let mut quiet = spec.clone();
            if i > 0 {
                quiet.mention_role = None;
            }
            let entries = entries_by_id(&quiet, library, &[id.to_string()]);
            let any_left = !entries.is_empty();
            (
                render_delivery(&quiet, row.fire_time, entries, &words),
                any_left,
            )
        };
        let size_now = |id: &str| {
            let i = order.iter().position(|o| o == id).unwrap_or(0);
            render(i, id).0.len()
        };
        let mut edits = Vec::new();
        for (i, post) in posts(row, order, size_now).into_iter().enumerate() {
            let (Some(was), Some(is)) = (
                row.briefings.get(post.briefing),
                now_shows.get(post.briefing),
            ) else {
                continue;
            };
            if was == is {
                continue;
            }
            let (payloads, any_left) = render(i, post.briefing);
            let withdrawn: Vec<&str> = if is.revision.is_empty() {
                vec![is.title.as_str()]
            } else {
                Vec::new()
            };
            let payloads = fitted(
                &words,
                payloads,
                any_left,
                &withdrawn,
                post.messages.len(),
                now,
            );
            let at = |message_id| PostedAt {
                channel_id: post.thread,
                message_id,
                webhook_of,
            };
            edits.extend(post.messages.iter().map(|m| at(*m)).zip(payloads));
        }
        edits
    }
}

/// A rendered correction as `posted` messages: the "updated" note (and the `withdrawn`
/// titles) on the first, what does not fit cut with a pointer to `/brief`, messages left over
/// keeping only the note. `any_left`: whether any briefing is still rendered.
fn fitted(
    words: &Words,
    mut payloads: Vec<MessagePayload>,
    any_left: bool,
    withdrawn: &[&str],
    posted: usize,
    now: DateTime<Utc>,
) -> Vec<MessagePayload> {
    let updated = words.t(
        "digest-updated",
        &[("at", now.timestamp().to_string().into())],
    );
    let mut note = format!("\n-# {updated}");
    if !withdrawn.is_empty() {
        let titles = ("titles", withdrawn.join(", ").into());
        note.push_str(&format!("\n-# {}", words.t("digest-withdrawn", &[titles])));
    }
    let first = &mut payloads[0];
    if !any_left {
        // Only the heading stays: "nothing new" would misstate what happened.
        first.content = first.content.lines().next().unwrap_or("").to_string();
    }
    first.content = append(&first.content, &note);
    if payloads.len() > posted {
        payloads.truncate(posted);
        let cut = format!("\n-# {}", words.text("digest-correction-cut"));
        let last = payloads.last_mut().expect("at least one");
        last.content = append(&last.content, &cut);
    }
    while payloads.len() < posted {
        payloads.push(MessagePayload::with_content(format!("-# {updated}")));
    }
    for p in &mut payloads {
        // An edit never pings, and Discord takes no nonce on an edit.
        p.allowed_mentions = AllowedMentions::none();
        p.nonce = None;
        p.enforce_nonce = None;
        p.flags = None;
    }
    payloads
}

/// `text` + `tail`, `text` shortened so the whole stays within a message's content.
fn append(text: &str, tail: &str) -> String {
    let room = CONTENT.saturating_sub(tail.chars().count());
    format!("{}{tail}", truncate(text, room))
        .trim_start()
        .to_string()
}

/// Edits each posted message where it lives; a message deleted meanwhile (or in a channel
/// the bot lost) is skipped. Returns how many were edited, or the error that stopped the pass.
async fn edit_all(
    editor: &dyn Editor,
    edits: &[(PostedAt, MessagePayload)],
) -> Result<usize, PostError> {
    let mut edited = 0;
    for (at, payload) in edits {
        let (at, message) = (*at, at.message_id);
        let mut waits = 0;
        loop {
            match editor.edit(at, payload).await {
                Ok(()) => {
                    crate::metrics::message_edit("ok");
                    edited += 1;
                }
                Err(PostError::RateLimited { retry_after, .. }) if waits < RATE_LIMIT_WAITS => {
                    waits += 1;
                    tokio::time::sleep(retry_after).await;
                    continue;
                }
                Err(e @ (PostError::Gone { .. } | PostError::Rejected { .. })) => {
                    crate::metrics::message_edit("skipped");
                    tracing::warn!(message, error = %e, "posted message not corrected");
                }
                Err(e) => {
                    crate::metrics::message_edit("failed");
                    return Err(e);
                }
            }
            break;
        }
    }
    Ok(edited)
}
