//! The texts and payloads `/digest` answers with: the fire times of a new digest, the list,
//! refusals, and what became of a pause, resume, preview or send.

use super::{echo, explain_schedule, prose};
use crate::answer::UserError;
use crate::digests::schedule::Schedule;
use crate::digests::scheduler::{DeliveryOutcome, DigestStatus, SchedulerError, SkippedFires};
use crate::render::limits::{CONTENT, EMBED_FIELDS, EMBED_TOTAL, FIELD_NAME, FIELD_VALUE};
use crate::render::{truncate, Embed, EmbedField, EmbedFooter, MessagePayload};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Fire times `/digest add` shows.
const SHOWN_FIRES: usize = 3;

/// The reply to `/digest add`: where and when it posts, and its next three fire times.
pub fn added_text(
    name: &str,
    channel_id: u64,
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
    let mut text = format!(
        "Digest `{name}` created: it posts to <#{channel_id}> on `{}` ({tz}).\nNext fire times:\n{}",
        schedule.expr(),
        fires.join("\n")
    );
    if let Some(tag) = unknown_tag {
        text.push_str(&format!(
            "\nNo briefing is tagged `{}` yet, so it posts nothing until one is.",
            echo(tag, 50)
        ));
    }
    text
}

/// `<t:UNIX:F>` (shown in each reader's own time) and the wall-clock time in the digest's zone.
pub fn fire_line(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z");
    format!("<t:{}:F> ({local}, {tz})", t.timestamp())
}

/// `/digest list`: one field per digest, within Discord's embed limits; what does not fit is
/// counted in the footer.
pub fn list_payload(statuses: &[DigestStatus]) -> MessagePayload {
    if statuses.is_empty() {
        return MessagePayload::with_content(
            "This server has no digests yet. Create one with `/digest add`.",
        );
    }
    let title = "Digests in this server".to_string();
    // Room for the title and the longest footer, so adding the footer never breaks the total.
    let mut used = title.chars().count() + 80;
    let mut fields = Vec::new();
    for status in statuses {
        let field = list_field(status);
        let size = field.name.chars().count() + field.value.chars().count();
        if fields.len() == EMBED_FIELDS || used + size > EMBED_TOTAL {
            break;
        }
        used += size;
        fields.push(field);
    }
    let hidden = statuses.len() - fields.len();
    let mut footer = format!("{} digest(s)", statuses.len());
    if hidden > 0 {
        footer.push_str(&format!(
            "; {hidden} more not shown (use /digest preview with a name)"
        ));
    }
    MessagePayload::with_embeds(vec![Embed {
        title: Some(title),
        fields,
        footer: Some(EmbedFooter { text: footer }),
        ..Embed::default()
    }])
}

fn list_field(s: &DigestStatus) -> EmbedField {
    let spec = &s.spec;
    let mut name = spec.name.clone();
    if spec.is_config() {
        name.push_str(" (config)");
    }
    if s.paused {
        name.push_str(" · paused");
    }
    let mut lines = vec![format!(
        "`{}` ({}) in <#{}>",
        spec.schedule.expr(),
        spec.schedule.timezone(),
        spec.channel_id
    )];
    if s.paused {
        let reason = s.paused_reason.as_deref().unwrap_or("no reason given");
        lines.push(format!("Paused: {}", prose(reason, 120)));
    } else {
        lines.push(match s.next_fire {
            Some(t) => format!("Next: <t:{}:F>", t.timestamp()),
            None => "Next: never".into(),
        });
    }
    lines.push(match s.last_delivery {
        Some(t) => format!("Last delivery: <t:{}:F>", t.timestamp()),
        None => "Last delivery: none yet".into(),
    });
    lines.push(super::settings_line(spec));
    if let Some(retry) = &s.retrying {
        lines.push(format!(
            "Retrying the post for <t:{}:f> ({}): next try <t:{}:R>, until <t:{}:f>",
            retry.fire.timestamp(),
            prose(&retry.error, 100),
            retry.next_try.timestamp(),
            retry.until.timestamp()
        ));
    }
    if let Some(error) = &s.last_error {
        let when = s
            .last_error_at
            .map(|t| format!(" (<t:{}:R>)", t.timestamp()))
            .unwrap_or_default();
        lines.push(format!("Last error: {}{when}", prose(error, 150)));
    }
    EmbedField {
        name: truncate(&name, FIELD_NAME).into_owned(),
        value: truncate(&lines.join("\n"), FIELD_VALUE).into_owned(),
        inline: false,
    }
}

/// A name that matches none of the guild's digests, with the names there are.
pub fn no_such_digest(name: &str, existing: &[String]) -> UserError {
    let name = echo(name, 60);
    if existing.is_empty() {
        return UserError(format!(
            "There's no digest called `{name}`: this server has no digests yet. Create one with \
             `/digest add`."
        ));
    }
    let names: Vec<String> = existing.iter().take(15).map(|n| format!("`{n}`")).collect();
    UserError(format!(
        "There's no digest called `{name}` in this server. Digests here: {}.",
        names.join(", ")
    ))
}

/// What the caller is told when the scheduler refuses; `None` for failures that are not
/// theirs (the database), which the caller logs and answers with a generic apology.
pub fn explain_refusal(e: &SchedulerError, name: &str) -> Option<UserError> {
    let name = echo(name, 60);
    let text = match e {
        SchedulerError::NotFound(_) => {
            format!("There's no digest called `{name}` in this server.")
        }
        SchedulerError::ConfigDigest(_) => format!(
            "`{name}` is defined in the bot's config file, so it can't be changed or removed from \
             Discord. Ask the bot's admin to do it there; meanwhile you can `/digest pause` it."
        ),
        SchedulerError::Store(StoreError::DuplicateName { .. }) => format!(
            "A digest called `{name}` already exists in this server. Pick another name, or \
             remove the old one first."
        ),
        SchedulerError::Schedule(e) => return Some(explain_schedule(e.clone())),
        SchedulerError::Stopped => "The bot is restarting; please try again in a minute.".into(),
        SchedulerError::Retrying(pending) => format!(
            "`{name}` has a post being retried (the one for <t:{}:f>, which failed: {}). It is \
             tried again <t:{}:R>, until <t:{}:f>; a new send would only wait behind it.",
            pending.fire.timestamp(),
            prose(&pending.error, 150),
            pending.next_try.timestamp(),
            pending.until.timestamp()
        ),
        SchedulerError::Store(_) => return None,
    };
    Some(UserError(text))
}

pub fn duplicate_name(name: &str) -> UserError {
    let e = SchedulerError::Store(StoreError::DuplicateName { name: name.into() });
    explain_refusal(&e, name).expect("a duplicate is explained")
}

pub fn removed_text(name: &str) -> String {
    format!("Removed `{name}`. It won't post again.")
}

pub fn paused_text(name: &str, already: bool) -> String {
    if already {
        format!("`{name}` is already paused. `/digest resume` starts it again.")
    } else {
        format!("Paused `{name}`. It won't post until you `/digest resume` it.")
    }
}

/// `already`: it was not paused. Fire times missed while paused are not caught up; `skipped`
/// says how many there were, when known.
pub fn resumed_text(
    name: &str,
    next: Option<DateTime<Utc>>,
    skipped: Option<SkippedFires>,
    already: bool,
) -> String {
    let next = match next {
        Some(t) => format!("next post <t:{}:F>", t.timestamp()),
        None => "its schedule has no further fire time".into(),
    };
    if already {
        return format!("`{name}` isn't paused; {next}.");
    }
    let skipped = match skipped {
        None => "Posts missed while paused are skipped.".to_string(),
        Some(SkippedFires { count: 0, .. }) => "No post was due while it was paused.".into(),
        Some(SkippedFires { count: 1, .. }) => {
            "1 post was due while it was paused; it is skipped, not sent now.".into()
        }
        Some(SkippedFires { count, at_least }) => format!(
            "{}{count} posts were due while it was paused; they are skipped, not sent now.",
            if at_least { "At least " } else { "" }
        ),
    };
    format!("Resumed `{name}`; {next}. {skipped}")
}

/// Marks the first message of a preview as one, when that still fits Discord's limit.
pub fn label_preview(payloads: &mut [MessagePayload]) {
    if let Some(first) = payloads.first_mut() {
        let labelled = format!("Preview (only you see this) · {}", first.content);
        if labelled.chars().count() <= CONTENT {
            first.content = labelled;
        }
    }
}

/// The outcome of `/digest send-now`.
pub fn send_now_text(name: &str, channel_id: u64, outcome: &DeliveryOutcome) -> String {
    match outcome {
        DeliveryOutcome::Sent { messages } => {
            format!("Sent `{name}` to <#{channel_id}> ({messages} message(s)).")
        }
        DeliveryOutcome::SkippedEmpty => format!(
            "Nothing new to post for `{name}`: every matching briefing was posted already, so \
             nothing was sent."
        ),
        DeliveryOutcome::AlreadyClosed(_) => {
            format!("`{name}` was just delivered for this second; nothing more was sent.")
        }
        DeliveryOutcome::NotDue => format!("`{name}` was removed meanwhile; nothing was sent."),
        // A manual send is never too late; kept for completeness.
        DeliveryOutcome::TooLate => format!("`{name}` came too late to be sent; nothing was sent."),
        DeliveryOutcome::Retrying {
            error,
            next_try,
            until,
        } => format!(
            "Sending `{name}` to <#{channel_id}> failed ({}). It is tried again <t:{}:R>, until \
             <t:{}:f>; `/digest list` shows how it goes.",
            prose(error, 150),
            next_try.timestamp(),
            until.timestamp()
        ),
        DeliveryOutcome::Failed { paused: true, .. } => format!(
            "I couldn't post `{name}` in <#{channel_id}>: the channel is gone or I may not post \
             there. The digest is paused; fix the channel, then `/digest resume` it."
        ),
        DeliveryOutcome::Failed { error, .. } => format!(
            "Sending `{name}` failed ({}). See `/digest list` for its last error.",
            prose(error, 150)
        ),
        DeliveryOutcome::Interrupted => {
            format!("The bot is shutting down; `{name}` will be sent when it is back.")
        }
    }
}
