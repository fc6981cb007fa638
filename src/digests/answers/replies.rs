//! The texts and payloads `/digest` answers with: the fire times of a new digest, the list,
//! refusals, and what became of a pause, resume, preview or send.

use super::{echo, explain_schedule, prose};
use crate::answer::UserError;
use crate::digests::schedule::Schedule;
use crate::digests::scheduler::{DeliveryOutcome, DigestStatus, SchedulerError, SkippedFires};
use crate::digests::Target;
use crate::locales::Words;
use crate::render::limits::{CONTENT, EMBED_FIELDS, EMBED_TOTAL, FIELD_NAME, FIELD_VALUE};
use crate::render::{truncate, Embed, EmbedField, EmbedFooter, MessagePayload};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Fire times `/digest add` shows.
const SHOWN_FIRES: usize = 3;

/// The reply to `/digest add`: where and when it posts (how, for a target other than plain
/// messages), and its next three fire times.
pub fn added_text(
    words: &Words,
    name: &str,
    channel_id: u64,
    target: &Target,
    schedule: &Schedule,
    now: DateTime<Utc>,
    unknown_tag: Option<&str>,
) -> String {
    let tz = schedule.timezone();
    let fires: Vec<String> = schedule
        .upcoming(now, SHOWN_FIRES)
        .into_iter()
        .map(|t| format!("- {}", fire_line(t, tz)))
        .collect();
    let mut text = words.t(
        "digest-added",
        &[
            ("name", name.into()),
            ("channel", channel_id.to_string().into()),
            ("schedule", schedule.expr().into()),
            ("zone", tz.name().into()),
            ("fires", fires.join("\n").into()),
        ],
    );
    if *target != Target::Channel {
        let target = super::target_text(words, channel_id, target);
        text.push('\n');
        text.push_str(&words.t("digest-added-target", &[("target", target.into())]));
    }
    if let Some(tag) = unknown_tag {
        text.push('\n');
        text.push_str(&words.t("digest-added-unknown-tag", &[("tag", echo(tag, 50).into())]));
    }
    truncate(&text, CONTENT).into_owned()
}

/// `<t:UNIX:F>` (shown in each reader's own time) and the wall-clock time in the digest's zone.
pub fn fire_line(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z");
    format!("<t:{}:F> ({local}, {tz})", t.timestamp())
}

/// `/digest list`: one field per digest, within Discord's embed limits; what does not fit is
/// counted in the footer.
pub fn list_payload(words: &Words, statuses: &[DigestStatus]) -> MessagePayload {
    if statuses.is_empty() {
        return MessagePayload::with_content(words.text("digest-list-empty"));
    }
    let title = truncate(&words.text("digest-list-title"), 200).into_owned();
    // Room for the title and the longest footer, so adding the footer never breaks the total.
    let mut used = title.chars().count() + 80;
    let mut fields = Vec::new();
    for status in statuses {
        let field = list_field(words, status);
        let size = field.name.chars().count() + field.value.chars().count();
        if fields.len() == EMBED_FIELDS || used + size > EMBED_TOTAL {
            break;
        }
        used += size;
        fields.push(field);
    }
    let hidden = statuses.len() - fields.len();
    let count = ("count", statuses.len().into());
    let footer = match hidden {
        0 => words.t("digest-list-footer", &[count]),
        _ => words.t(
            "digest-list-footer-hidden",
            &[count, ("hidden", hidden.into())],
        ),
    };
    // Within the room kept for it above, whatever an admin's file says.
    let footer = truncate(&footer, 80).into_owned();
    MessagePayload::with_embeds(vec![Embed {
        title: Some(title),
        fields,
        footer: Some(EmbedFooter { text: footer }),
        ..Embed::default()
    }])
}

/// `name (config) · paused`: the digest's name with what a moderator should know at a glance.
pub fn marked_name(words: &Words, s: &DigestStatus) -> String {
    let mut name = s.spec.name.clone();
    if s.spec.is_config() {
        name.push_str(&format!(" ({})", words.text("digest-marker-config")));
    }
    if s.paused {
        name.push_str(&format!(" · {}", words.text("digest-marker-paused")));
    }
    name
}

fn list_field(words: &Words, s: &DigestStatus) -> EmbedField {
    let spec = &s.spec;
    let name = marked_name(words, s);
    let target = super::target_text(words, spec.channel_id, &spec.target);
    let mut lines = vec![words.t(
        "digest-list-where",
        &[
            ("schedule", spec.schedule.expr().into()),
            ("zone", spec.schedule.timezone().name().into()),
            ("target", target.into()),
        ],
    )];
    let at = |t: DateTime<Utc>| ("at", t.timestamp().to_string().into());
    if s.paused {
        let reason = match s.paused_reason.as_deref() {
            Some(reason) => prose(reason, 120),
            None => words.text("digest-list-no-reason"),
        };
        lines.push(words.t("digest-list-paused", &[("reason", reason.into())]));
    } else {
        lines.push(match s.next_fire {
            Some(t) => words.t("digest-list-next", &[at(t)]),
            None => words.text("digest-list-next-never"),
        });
    }
    lines.push(match s.last_delivery {
        Some(t) => words.t("digest-list-last-delivery", &[at(t)]),
        None => words.text("digest-list-no-delivery"),
    });
    lines.push(super::settings_line(words, spec));
    if let Some(retry) = &s.retrying {
        lines.push(words.t(
            "digest-list-retrying",
            &[
                ("fire", retry.fire.timestamp().to_string().into()),
                ("error", prose(&retry.error, 100).into()),
                ("next", retry.next_try.timestamp().to_string().into()),
                ("until", retry.until.timestamp().to_string().into()),
            ],
        ));
    }
    if let Some(error) = &s.last_error {
        let error = ("error", prose(error, 150).into());
        lines.push(match s.last_error_at {
            Some(t) => words.t("digest-list-last-error-at", &[error, at(t)]),
            None => words.t("digest-list-last-error", &[error]),
        });
    }
    EmbedField {
        name: truncate(&name, FIELD_NAME).into_owned(),
        value: truncate(&lines.join("\n"), FIELD_VALUE).into_owned(),
        inline: false,
    }
}

/// A name that matches none of the guild's digests, with the names there are.
pub fn no_such_digest(words: &Words, name: &str, existing: &[String]) -> UserError {
    let name = ("name", echo(name, 60).into());
    if existing.is_empty() {
        return UserError::new(words.t("digest-not-found-none", &[name]));
    }
    let names: Vec<String> = existing.iter().take(15).map(|n| format!("`{n}`")).collect();
    UserError::new(words.t(
        "digest-not-found-listed",
        &[name, ("names", names.join(", ").into())],
    ))
}

/// What the caller is told when the scheduler refuses; `None` for failures that are not
/// theirs (the database), which the caller logs and answers with a generic apology.
pub fn explain_refusal(words: &Words, e: &SchedulerError, name: &str) -> Option<UserError> {
    let name = [("name", echo(name, 60).into())];
    let text = match e {
        SchedulerError::NotFound(_) => words.t("digest-not-found", &name),
        SchedulerError::ConfigDigest(_) => words.t("digest-in-config", &name),
        SchedulerError::Store(StoreError::DuplicateName { .. }) => {
            words.t("digest-duplicate", &name)
        }
        SchedulerError::Schedule(e) => return Some(explain_schedule(words, e.clone())),
        SchedulerError::Stopped => words.text("digest-restarting"),
        SchedulerError::Retrying(pending) => words.t(
            "digest-retrying",
            &[
                name[0].clone(),
                ("fire", pending.fire.timestamp().to_string().into()),
                ("error", prose(&pending.error, 150).into()),
                ("next", pending.next_try.timestamp().to_string().into()),
                ("until", pending.until.timestamp().to_string().into()),
            ],
        ),
        SchedulerError::Store(_) => return None,
    };
    Some(UserError::new(text))
}

pub fn duplicate_name(words: &Words, name: &str) -> UserError {
    let e = SchedulerError::Store(StoreError::DuplicateName { name: name.into() });
    explain_refusal(words, &e, name).expect("a duplicate is explained")
}

pub fn removed_text(words: &Words, name: &str) -> String {
    words.t("digest-removed", &[("name", name.into())])
}

pub fn paused_text(words: &Words, name: &str, already: bool) -> String {
    let key = if already {
        "digest-already-paused"
    } else {
        "digest-paused"
    };
    words.t(key, &[("name", name.into())])
}

/// `already`: it was not paused. Fire times missed while paused are not caught up; `skipped`
/// says how many there were, when known.
pub fn resumed_text(
    words: &Words,
    name: &str,
    next: Option<DateTime<Utc>>,
    skipped: Option<SkippedFires>,
    already: bool,
) -> String {
    let next = match next {
        Some(t) => words.t(
            "digest-next-post",
            &[("at", t.timestamp().to_string().into())],
        ),
        None => words.text("digest-no-next-post"),
    };
    if already {
        return words.t(
            "digest-not-paused",
            &[("name", name.into()), ("next", next.into())],
        );
    }
    let skipped = match skipped {
        None => words.text("resume-skipped-unknown"),
        Some(SkippedFires { count, at_least }) => words.t(
            "resume-skipped",
            &[
                ("count", count.into()),
                ("atleast", if at_least { "yes" } else { "no" }.into()),
            ],
        ),
    };
    words.t(
        "digest-resumed",
        &[
            ("name", name.into()),
            ("next", next.into()),
            ("skipped", skipped.into()),
        ],
    )
}

/// Marks the first message of a preview as one, when that still fits Discord's limit.
pub fn label_preview(words: &Words, payloads: &mut [MessagePayload]) {
    if let Some(first) = payloads.first_mut() {
        let labelled = words.t(
            "digest-preview",
            &[("content", first.content.as_str().into())],
        );
        if labelled.chars().count() <= CONTENT {
            first.content = labelled;
        }
    }
}

/// The outcome of `/digest send-now`.
pub fn send_now_text(
    words: &Words,
    name: &str,
    channel_id: u64,
    outcome: &DeliveryOutcome,
) -> String {
    let name = ("name", name.into());
    let channel = ("channel", channel_id.to_string().into());
    let text = match outcome {
        DeliveryOutcome::Sent { messages } => words.t(
            "digest-sent",
            &[name, channel, ("count", (*messages).into())],
        ),
        DeliveryOutcome::SkippedEmpty => words.t("digest-sent-nothing-new", &[name]),
        DeliveryOutcome::AlreadyClosed(_) => words.t("digest-sent-already", &[name]),
        DeliveryOutcome::NotDue => words.t("digest-sent-removed", &[name]),
        DeliveryOutcome::Failed { paused: true, .. } => {
            words.t("digest-sent-channel-gone", &[name, channel])
        }
        // A manual send is never too late; kept for completeness.
        DeliveryOutcome::TooLate => words.t("digest-sent-too-late", &[name]),
        DeliveryOutcome::Retrying {
            error,
            next_try,
            until,
        } => words.t(
            "digest-sent-retrying",
            &[
                name,
                channel,
                ("error", prose(error, 150).into()),
                ("next", next_try.timestamp().to_string().into()),
                ("until", until.timestamp().to_string().into()),
            ],
        ),
        DeliveryOutcome::Failed { error, .. } => words.t(
            "digest-sent-failed",
            &[name, ("error", prose(error, 150).into())],
        ),
        DeliveryOutcome::Interrupted => words.t("digest-sent-interrupted", &[name]),
    };
    truncate(&text, CONTENT).into_owned()
}
