//! `/digest …` as plain values: who counts as a moderator, checking what a moderator typed
//! (name, cron expression, time zone, sections, channel; `edit`: each option of `add` and
//! `edit`, refusals naming it; `target`: where it posts and the channel that suits it) and the
//! answers they get back (`replies`: the next fire times, the list, the outcome of a send;
//! `complete`: autocomplete choices). The Discord layer maps options in and these answers out,
//! so everything here is tested without Discord.

mod complete;
mod edit;
mod replies;
mod target;

pub use complete::{complete_langs, complete_names, complete_timezones};
pub use edit::{
    apply_edit, check_max_briefings, check_schedule_options, check_sections, check_tag,
    edited_text, named, settings_line, Clear, EditOptions,
};
pub use replies::{
    added_text, duplicate_name, explain_refusal, fire_line, label_preview, list_payload,
    marked_name, no_such_digest, paused_text, removed_text, resumed_text, send_now_text,
};
pub use target::{check_allowed, edit_target, place_target, target_refusal, target_text};

use crate::answer::{echo, UserError};
use crate::briefings::SectionCatalog;
use crate::digests::schedule::{parse_timezone, Schedule, ScheduleError};
use crate::locales::{Locales, Words};
use crate::render::truncate;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Discord permission bits that make a member a moderator.
const ADMINISTRATOR: u64 = 1 << 3;
const MANAGE_GUILD: u64 = 1 << 5;
/// Longest digest name; it shows in every digest message and in the option's choices.
pub const MAX_NAME_LEN: usize = 50;
/// Channel types a digest can post in: text, announcement, forum and the three kinds of
/// thread. Which of them suits which target is `place_target`'s check.
const POSTABLE_CHANNELS: [u64; 6] = [
    channel_type::GUILD_TEXT,
    channel_type::GUILD_ANNOUNCEMENT,
    channel_type::GUILD_FORUM,
    channel_type::ANNOUNCEMENT_THREAD,
    channel_type::PUBLIC_THREAD,
    channel_type::PRIVATE_THREAD,
];

/// Discord's channel type numbers.
pub mod channel_type {
    pub const GUILD_TEXT: u64 = 0;
    pub const GUILD_ANNOUNCEMENT: u64 = 5;
    pub const ANNOUNCEMENT_THREAD: u64 = 10;
    pub const PUBLIC_THREAD: u64 = 11;
    pub const PRIVATE_THREAD: u64 = 12;
    pub const GUILD_FORUM: u64 = 15;
}

/// Whether a member may manage digests: Manage Server or Administrator in the interaction's
/// `member.permissions`, or one of the configured moderator roles.
pub fn is_moderator(permissions: Option<u64>, roles: &[u64], moderator_role_ids: &[u64]) -> bool {
    let by_permission = permissions.is_some_and(|p| p & (ADMINISTRATOR | MANAGE_GUILD) != 0);
    by_permission || roles.iter().any(|r| moderator_role_ids.contains(r))
}

pub fn not_a_moderator(words: &Words) -> UserError {
    UserError::new(words.text("not-moderator"))
}

/// The name as it will be stored: letters, digits, `-` and `_`, at most 50 characters.
pub fn check_name<'a>(words: &Words, name: &'a str) -> Result<&'a str, UserError> {
    let name = name.trim();
    let allowed = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    if !name.is_empty() && name.chars().count() <= MAX_NAME_LEN && name.chars().all(allowed) {
        return Ok(name);
    }
    Err(UserError::new(words.t(
        "digest-bad-name",
        &[
            ("name", echo(name, 60).into()),
            ("max", MAX_NAME_LEN.into()),
        ],
    )))
}

/// The schedule in the chosen zone (the config's default when none is given), refused when
/// the expression or zone is wrong or the schedule never fires after `now`.
pub fn check_schedule(
    words: &Words,
    expr: &str,
    zone: Option<&str>,
    default_zone: Tz,
    now: DateTime<Utc>,
) -> Result<Schedule, UserError> {
    let tz = match zone.map(str::trim).filter(|z| !z.is_empty()) {
        Some(zone) => parse_timezone(zone).map_err(|e| explain_schedule(words, e))?,
        None => default_zone,
    };
    let schedule = Schedule::parse(expr, tz).map_err(|e| explain_schedule(words, e))?;
    if schedule.next_after(now).is_none() {
        return Err(UserError::new(words.t(
            "digest-never-fires",
            &[("schedule", echo(expr, 100).into())],
        )));
    }
    Ok(schedule)
}

fn explain_schedule(words: &Words, e: ScheduleError) -> UserError {
    UserError::new(match e {
        ScheduleError::InvalidCron { expr, reason } => words.t(
            "digest-bad-schedule",
            &[
                ("schedule", echo(&expr, 100).into()),
                ("reason", reason.into()),
            ],
        ),
        ScheduleError::UnknownTimeZone {
            name,
            suggestion: Some(s),
        } => words.t(
            "digest-zone-did-you-mean",
            &[("zone", echo(&name, 64).into()), ("suggestion", s.into())],
        ),
        ScheduleError::UnknownTimeZone { name, .. } => {
            words.t("digest-zone-unknown", &[("zone", echo(&name, 64).into())])
        }
    })
}

/// Section keys from a list separated by commas (or spaces, for keys); each item may be a
/// key (`whats_next`, `whats-next`) or any heading alias (`What's Next?`, `Et après`).
/// Nothing given means every section.
pub fn parse_sections(
    words: &Words,
    input: Option<&str>,
    catalog: &SectionCatalog,
) -> Result<Vec<String>, UserError> {
    let mut keys: Vec<String> = Vec::new();
    for part in input.unwrap_or("").split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let found = match resolve_section(part, catalog) {
            Some(key) => vec![key],
            None => {
                let keys: Vec<&str> = part.split_whitespace().collect();
                let resolved: Vec<Option<String>> =
                    keys.iter().map(|w| resolve_section(w, catalog)).collect();
                // Name the word that failed in a list of keys, the whole item otherwise.
                let unknown = match resolved.iter().position(Option::is_none) {
                    None => None,
                    Some(i) if resolved.iter().any(Option::is_some) => Some(keys[i]),
                    Some(_) => Some(part),
                };
                if let Some(unknown) = unknown {
                    return Err(unknown_section(words, unknown, catalog));
                }
                resolved.into_iter().flatten().collect()
            }
        };
        for key in found {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    Ok(keys)
}

fn resolve_section(item: &str, catalog: &SectionCatalog) -> Option<String> {
    let key = catalog.key_for_name(item);
    catalog.get(key.as_str()).map(|def| def.key.to_string())
}

fn unknown_section(words: &Words, item: &str, catalog: &SectionCatalog) -> UserError {
    let known: Vec<String> = catalog.keys().map(|k| format!("`{k}`")).collect();
    UserError::new(words.t(
        "digest-unknown-section",
        &[
            ("section", echo(item, 80).into()),
            ("known", known.join(", ").into()),
        ],
    ))
}

/// The language a digest posts in: the tag of the locale that serves `lang`, or `None` to
/// follow the guild when no language is given.
pub fn check_lang(
    words: &Words,
    locales: &Locales,
    lang: Option<&str>,
) -> Result<Option<String>, UserError> {
    let Some(lang) = lang.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    match locales.resolve(lang) {
        Some(tag) => Ok(Some(tag.to_string())),
        None => {
            let known: Vec<String> = locales.tags().map(|t| format!("`{t}`")).collect();
            Err(UserError::new(words.t(
                "digest-unknown-lang",
                &[
                    ("lang", echo(lang, 20).into()),
                    ("known", known.join(", ").into()),
                ],
            )))
        }
    }
}

/// What Discord said about the chosen channel: its guild, type and parent (a thread's
/// channel), or `None` when the bot cannot see it.
pub struct ChannelFacts {
    pub guild_id: Option<u64>,
    pub kind: u64,
    pub parent_id: Option<u64>,
}

/// A digest may only post in a channel it can post in, of the guild it belongs to; what the
/// bot saw of it is handed on for `place_target`.
pub fn check_channel<'f>(
    words: &Words,
    channel_id: u64,
    facts: Option<&'f ChannelFacts>,
    guild_id: u64,
) -> Result<&'f ChannelFacts, UserError> {
    let key = match facts {
        None => "digest-channel-unseen",
        Some(f) if f.guild_id != Some(guild_id) => "digest-channel-elsewhere",
        Some(f) if !POSTABLE_CHANNELS.contains(&f.kind) => "digest-channel-not-text",
        Some(f) => return Ok(f),
    };
    let channel = channel_id.to_string();
    Err(UserError::new(words.t(key, &[("channel", channel.into())])))
}

/// `@everyone` (whose role id is the guild's) would ping the whole server on every post.
pub fn check_mention_role(
    words: &Words,
    role: Option<u64>,
    guild_id: u64,
) -> Result<(), UserError> {
    if role == Some(guild_id) {
        return Err(UserError::new(words.text("digest-no-everyone")));
    }
    Ok(())
}

/// Text from elsewhere (a pause reason, a delivery error) shown as prose: no Markdown or
/// mention syntax survives.
fn prose(s: &str, max: usize) -> String {
    let clean: String = s
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '`' | '*' | '_' | '~' | '|' | '@' | '<' | '>' => '\'',
            c => c,
        })
        .collect();
    truncate(&clean, max).into_owned()
}

#[cfg(test)]
mod tests;
