//! A delivery as a fixed list of steps: each one message and where it goes, computed from the
//! digest's target and the rendered messages, the same on every attempt. Step `i` is
//! message `i` of the ledger's `message_ids`, so a resumed delivery knows what is done and a
//! thread created by an earlier step (a forum post's thread has its starter message's id) is
//! found by index.
//!
//! Which steps carry a nonce: the bot's own messages to a channel or into a thread do, and
//! Discord deduplicates them. A new forum post and every webhook execution take none: those
//! are the steps the scheduler records as "sending" and looks for before sending again.

use super::target::{ForumPost, Identity, Target, ThreadTarget};
use super::{nonce, render_delivery, DigestSpec};
use crate::answer::Tag;
use crate::locales::Words;
use crate::render::{truncate, DigestEntry, MessagePayload};
use chrono::{DateTime, Utc};

/// The longest forum post title or thread name Discord accepts.
pub const THREAD_NAME_MAX: usize = super::target::THREAD_NAME_MAX;
/// The most tags a forum post may carry.
pub const FORUM_TAGS_MAX: usize = 5;

/// A thread a step posts into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadRef {
    /// An existing thread, by id.
    Known(u64),
    /// The thread a forum post made by step `k` opened: its id is message `k`'s id.
    CreatedBy(usize),
}

/// Where one message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A message in the channel.
    Channel(u64),
    /// A new post in the forum: a thread named `title` whose starter message is the payload.
    /// `tags`: the briefings' tags, applied where the forum has a tag of that name.
    NewForumPost {
        forum: u64,
        title: String,
        tags: Vec<Tag>,
    },
    /// A message in a thread of `parent`.
    IntoThread { parent: u64, thread: ThreadRef },
}

/// Who sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Bot,
    /// The channel's webhook the bot owns, under this name and avatar.
    Webhook(Identity),
}

/// One message of a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub place: Place,
    pub via: Via,
    pub payload: MessagePayload,
    /// Open a thread under the message once it is posted, named so.
    pub open_thread: Option<String>,
}

impl Step {
    /// Whether Discord deduplicates a repeated send of this step: only the bot's own
    /// messages into an existing channel or thread take a nonce.
    pub fn has_nonce(&self) -> bool {
        self.via == Via::Bot && !matches!(self.place, Place::NewForumPost { .. })
    }

    /// What logs and metrics call it: where, and through what.
    pub fn kind(&self) -> &'static str {
        match (&self.place, &self.via) {
            (Place::Channel(_), Via::Bot) => "channel",
            (Place::Channel(_), Via::Webhook(_)) => "webhook",
            (Place::NewForumPost { .. }, Via::Bot) => "forum_post",
            (Place::NewForumPost { .. }, Via::Webhook(_)) => "forum_post_webhook",
            (Place::IntoThread { .. }, Via::Bot) => "thread",
            (Place::IntoThread { .. }, Via::Webhook(_)) => "thread_webhook",
        }
    }

    /// The step with its thread reference made an id, given the ids of the steps before it.
    /// `None` when it names a step not sent yet (never, for a plan from `plan`).
    pub fn resolved(&self, sent: &[u64]) -> Option<Step> {
        let mut step = self.clone();
        if let Place::IntoThread { thread, .. } = &mut step.place {
            if let ThreadRef::CreatedBy(k) = *thread {
                *thread = ThreadRef::Known(*sent.get(k)?);
            }
        }
        Some(step)
    }

    /// The channel (or thread) the message ends up in, once resolved: where it is edited.
    pub fn thread_id(&self) -> Option<u64> {
        match self.place {
            Place::IntoThread {
                thread: ThreadRef::Known(id),
                ..
            } => Some(id),
            _ => None,
        }
    }
}

/// The steps of one delivery of `spec` for `fire` carrying `entries` (empty: the "nothing new"
/// notice). Deterministic: the same inputs give the same steps, nonces included.
pub fn plan(
    spec: &DigestSpec,
    fire: DateTime<Utc>,
    entries: Vec<DigestEntry<'_>>,
    words: &Words,
) -> Vec<Step> {
    let channel = spec.channel_id;
    let title = || post_title(spec, fire, words);
    let mut steps = match &spec.target {
        Target::Channel => in_place(
            spec,
            fire,
            entries,
            words,
            Place::Channel(channel),
            Via::Bot,
        ),
        Target::Webhook(identity) => {
            let via = Via::Webhook(identity.clone());
            in_place(spec, fire, entries, words, Place::Channel(channel), via)
        }
        Target::Thread(ThreadTarget::Existing { thread_id }) => {
            let place = Place::IntoThread {
                parent: channel,
                thread: ThreadRef::Known(*thread_id),
            };
            in_place(spec, fire, entries, words, place, Via::Bot)
        }
        Target::Thread(ThreadTarget::OpenUnderEach) => {
            let place = Place::Channel(channel);
            let mut steps = in_place(spec, fire, entries, words, place, Via::Bot);
            for step in &mut steps {
                let named = step.payload.embeds.first().and_then(|e| e.author.as_ref());
                let name = named.map_or_else(title, |a| a.name.clone());
                step.open_thread = Some(thread_name(&name, &title()));
            }
            steps
        }
        Target::Forum {
            post,
            tags,
            identity,
        } => {
            let via = identity.clone().map_or(Via::Bot, Via::Webhook);
            let groups: Vec<(String, Vec<Tag>, Vec<MessagePayload>)> = match post {
                ForumPost::Briefing if !entries.is_empty() => {
                    let mut groups = Vec::new();
                    for (i, entry) in entries.into_iter().enumerate() {
                        let name = thread_name(&entry.briefing.title, &title());
                        let tags = entry.briefing.tags.clone();
                        // Only the first post pings the digest's role: one ping per fire.
                        let mut quiet = spec.clone();
                        if i > 0 {
                            quiet.mention_role = None;
                        }
                        let payloads = render_delivery(&quiet, fire, vec![entry], words);
                        groups.push((name, tags, payloads));
                    }
                    groups
                }
                _ => {
                    let tags = all_tags(&entries);
                    let payloads = render_delivery(spec, fire, entries, words);
                    vec![(title(), tags, payloads)]
                }
            };
            let mut steps = Vec::new();
            for (name, wanted, payloads) in groups {
                let post = steps.len();
                for (i, payload) in payloads.into_iter().enumerate() {
                    let place = if i == 0 {
                        Place::NewForumPost {
                            forum: channel,
                            title: name.clone(),
                            tags: if *tags { wanted.clone() } else { Vec::new() },
                        }
                    } else {
                        Place::IntoThread {
                            parent: channel,
                            thread: ThreadRef::CreatedBy(post),
                        }
                    };
                    steps.push(step(place, via.clone(), payload));
                }
            }
            steps
        }
    };
    // Nonces by step index, so two posts of one fire never share one; none where Discord
    // takes none.
    for (i, step) in steps.iter_mut().enumerate() {
        step.payload.nonce = None;
        step.payload.enforce_nonce = None;
        if step.has_nonce() {
            step.payload = step.payload.clone().with_nonce(nonce(&spec.key, fire, i));
        }
    }
    steps
}

fn step(place: Place, via: Via, payload: MessagePayload) -> Step {
    Step {
        place,
        via,
        payload,
        open_thread: None,
    }
}

/// Every message of the delivery rendered once, each to the same place.
fn in_place(
    spec: &DigestSpec,
    fire: DateTime<Utc>,
    entries: Vec<DigestEntry<'_>>,
    words: &Words,
    place: Place,
    via: Via,
) -> Vec<Step> {
    let payloads = render_delivery(spec, fire, entries, words);
    payloads
        .into_iter()
        .map(|p| step(place.clone(), via.clone(), p))
        .collect()
}

/// The briefings' tags, each once, in order of appearance.
fn all_tags(entries: &[DigestEntry<'_>]) -> Vec<Tag> {
    let mut tags: Vec<Tag> = Vec::new();
    for tag in entries.iter().flat_map(|e| &e.briefing.tags) {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    tags
}

/// A digest post's title: its name and the fire date on the digest's own calendar, with the
/// local time when the schedule fires more than once that day, so no two posts share a title.
pub fn post_title(spec: &DigestSpec, fire: DateTime<Utc>, words: &Words) -> String {
    let tz = spec.schedule.timezone();
    let local = fire.with_timezone(&tz);
    let date = local.date_naive();
    let same_day =
        |t: Option<DateTime<Utc>>| t.is_some_and(|t| t.with_timezone(&tz).date_naive() == date);
    let first_of_day = date
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| midnight.and_local_timezone(tz).earliest())
        .map(|m| m.with_timezone(&Utc) - chrono::TimeDelta::seconds(1));
    let earlier_today = first_of_day
        .and_then(|before| spec.schedule.next_after(before))
        .is_some_and(|first| first < fire);
    let when = if earlier_today || same_day(spec.schedule.next_after(fire)) {
        format!("{date} {}", local.format("%H:%M"))
    } else {
        date.to_string()
    };
    let title = words.t(
        "digest-post-title",
        &[("name", spec.name.as_str().into()), ("date", when.into())],
    );
    thread_name(&title, &spec.name)
}

/// A forum post title or thread name Discord accepts: one line (whitespace runs, line breaks
/// included, become one space), at most THREAD_NAME_MAX characters with an ellipsis when cut,
/// never empty (`fallback`, then "digest").
pub fn thread_name(raw: &str, fallback: &str) -> String {
    let one_line = |s: &str| {
        s.split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut name = one_line(raw);
    if name.is_empty() {
        name = one_line(fallback);
    }
    if name.is_empty() {
        name = "digest".into();
    }
    truncate(&name, THREAD_NAME_MAX).into_owned()
}

/// The ids of `available` forum tags (id, name) whose names are among `wanted`, compared in
/// the one normal form of a tag, in the forum's order, at most FORUM_TAGS_MAX.
pub fn match_tags(wanted: &[Tag], available: &[(u64, String)]) -> Vec<u64> {
    available
        .iter()
        .filter(|(_, name)| Tag::new(name).is_some_and(|t| wanted.contains(&t)))
        .map(|(id, _)| *id)
        .take(FORUM_TAGS_MAX)
        .collect()
}

/// Whether a message Discord shows is the one `payload` posts: the same content (whose
/// first line names the digest and its fire time, so no other delivery matches) and the same
/// first embed title and description. Discord may add link embeds of its own later, so a
/// payload without embeds ignores the message's.
pub fn same_message(
    payload: &MessagePayload,
    content: &str,
    first_embed: Option<(Option<&str>, Option<&str>)>,
) -> bool {
    if content.trim() != payload.content.trim() {
        return false;
    }
    match payload.embeds.first() {
        None => true,
        Some(e) => first_embed.is_some_and(|(title, description)| {
            title == e.title.as_deref() && description == e.description.as_deref()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn names_are_one_nonempty_line_within_the_limit(raw in "\\PC*|[\\s\\S]{0,300}", fallback in ".{0,5}") {
            let name = thread_name(&raw, &fallback);
            prop_assert!(!name.trim().is_empty());
            prop_assert!(name.chars().count() <= THREAD_NAME_MAX);
            prop_assert!(!name.contains(['\n', '\r']));
            prop_assert!(!name.starts_with(' ') && !name.ends_with(' '));
        }
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        let name = thread_name(&"word ".repeat(60), "x");
        assert!(name.ends_with('…'), "{name}");
        assert_eq!(thread_name(" \n\t", ""), "digest");
        assert_eq!(thread_name("a\nb", ""), "a b");
    }

    #[test]
    fn tags_match_by_normal_form_at_most_five() {
        let wanted = Tag::all(["sahel", "mali", "niger", "chad", "sudan", "libya"]);
        let available: Vec<(u64, String)> = [
            "#Sahel", "MALI", "niger ", "Chad", "Sudan", "Libya", "Other",
        ]
        .iter()
        .enumerate()
        .map(|(i, n)| (i as u64 + 1, n.to_string()))
        .collect();
        assert_eq!(match_tags(&wanted, &available), vec![1, 2, 3, 4, 5]);
        assert!(match_tags(&Tag::all(["none"]), &available).is_empty());
    }
}
