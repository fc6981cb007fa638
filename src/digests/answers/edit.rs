//! The settings a moderator gives `/digest add` and `/digest edit`, checked one option at a
//! time so a refusal names the option that is wrong, and what the digest's settings read like
//! (in `/digest list` and the reply to an edit).

use super::{check_mention_role, check_schedule, echo, explain_schedule, parse_sections};
use crate::answer::{Tag, UserError};
use crate::briefings::SectionCatalog;
use crate::config::{WhenEmpty, MAX_BRIEFINGS};
use crate::digests::schedule::{parse_timezone, Schedule};
use crate::digests::{DigestSpec, TargetKind, TargetOptions};
use crate::locales::Words;
use crate::store::NewDigest;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A refusal about one option, saying which: "`schedule`: …".
pub fn named(words: &Words, option: &str, e: UserError) -> UserError {
    let args = [("option", option.into()), ("reason", e.0.into())];
    UserError::new(words.t("option-refusal", &args))
}

/// The schedule in its zone; a bad zone is blamed on `timezone`, a bad expression on
/// `schedule`. No zone means `default_zone`.
pub fn check_schedule_options(
    words: &Words,
    expr: &str,
    zone: Option<&str>,
    default_zone: Tz,
    now: DateTime<Utc>,
) -> Result<Schedule, UserError> {
    let zone = zone.map(str::trim).filter(|z| !z.is_empty());
    if let Some(zone) = zone {
        parse_timezone(zone).map_err(|e| named(words, "timezone", explain_schedule(words, e)))?;
    }
    check_schedule(words, expr, zone, default_zone, now).map_err(|e| named(words, "schedule", e))
}

/// `sections`: `all` for every section, else what [`parse_sections`] accepts.
pub fn check_sections(
    words: &Words,
    input: &str,
    catalog: &SectionCatalog,
) -> Result<Vec<String>, UserError> {
    if input.trim().eq_ignore_ascii_case("all") {
        return Ok(Vec::new());
    }
    parse_sections(words, Some(input), catalog).map_err(|e| named(words, "sections", e))
}

/// `max_briefings`: within the range the config file allows too.
pub fn check_max_briefings(words: &Words, n: i64) -> Result<usize, UserError> {
    if MAX_BRIEFINGS.contains(&n) {
        return Ok(n as usize);
    }
    let args = [
        ("min", MAX_BRIEFINGS.start().to_string().into()),
        ("max", MAX_BRIEFINGS.end().to_string().into()),
        ("given", n.to_string().into()),
    ];
    Err(UserError::new(words.t("digest-max-briefings-range", &args)))
}

/// `tag`, in its normal form.
pub fn check_tag(words: &Words, input: &str) -> Result<String, UserError> {
    Tag::new(input)
        .map(|t| t.to_string())
        .ok_or_else(|| UserError::new(words.text("digest-tag-empty")))
}

/// A setting `/digest edit` can set back to its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clear {
    Tag,
    MentionRole,
    Sections,
    /// A webhook's name back to the webhook's own.
    Username,
    /// A webhook's avatar back to the webhook's own.
    AvatarUrl,
}

impl Clear {
    fn option(self) -> &'static str {
        match self {
            Clear::Tag => "tag",
            Clear::MentionRole => "mention_role",
            Clear::Sections => "sections",
            Clear::Username => "username",
            Clear::AvatarUrl => "avatar_url",
        }
    }
}

/// What `/digest edit` was given; `None` leaves a setting as it is.
#[derive(Debug, Default, Clone)]
pub struct EditOptions<'a> {
    pub schedule: Option<&'a str>,
    pub timezone: Option<&'a str>,
    pub sections: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub mention_role: Option<u64>,
    pub silent: Option<bool>,
    pub max_briefings: Option<i64>,
    pub only_new: Option<bool>,
    pub when_empty: Option<WhenEmpty>,
    pub clear: Option<Clear>,
    /// The target options given; `None` keeps the target.
    pub target: Option<TargetOptions>,
}

/// `current` with the edit applied, every given option checked; refused when nothing is
/// given or `clear` contradicts the option it clears. A new schedule keeps the digest's zone
/// and a new zone keeps its schedule.
pub fn apply_edit(
    words: &Words,
    current: &NewDigest,
    edit: &EditOptions<'_>,
    catalog: &SectionCatalog,
    allowed: &[TargetKind],
    now: DateTime<Utc>,
) -> Result<NewDigest, UserError> {
    let given = edit.schedule.is_some()
        || edit.timezone.is_some()
        || edit.sections.is_some()
        || edit.tag.is_some()
        || edit.mention_role.is_some()
        || edit.silent.is_some()
        || edit.max_briefings.is_some()
        || edit.only_new.is_some()
        || edit.when_empty.is_some()
        || edit.clear.is_some()
        || edit.target.is_some();
    if !given {
        return Err(UserError::new(words.text("digest-edit-nothing")));
    }
    let contradicted = match edit.clear {
        Some(Clear::Tag) => edit.tag.is_some(),
        Some(Clear::MentionRole) => edit.mention_role.is_some(),
        Some(Clear::Sections) => edit.sections.is_some(),
        Some(Clear::Username) => edit.target.as_ref().is_some_and(|t| t.username.is_some()),
        Some(Clear::AvatarUrl) => edit.target.as_ref().is_some_and(|t| t.avatar_url.is_some()),
        None => false,
    };
    if let (true, Some(clear)) = (contradicted, edit.clear) {
        let option = clear.option();
        let args = [("option", option.into())];
        return Err(UserError::new(words.t("digest-edit-contradiction", &args)));
    }
    let mut next = current.clone();
    if edit.schedule.is_some() || edit.timezone.is_some() {
        let expr = edit.schedule.unwrap_or(&current.schedule);
        let zone = edit.timezone.unwrap_or(&current.timezone);
        let fallback = parse_timezone(&current.timezone).unwrap_or(Tz::UTC);
        let schedule = check_schedule_options(words, expr, Some(zone), fallback, now)?;
        next.schedule = schedule.expr().to_string();
        next.timezone = schedule.timezone().name().to_string();
    }
    if let Some(sections) = edit.sections {
        next.sections = check_sections(words, sections, catalog)?;
    }
    if let Some(tag) = edit.tag {
        next.tag = Some(check_tag(words, tag)?);
    }
    if let Some(role) = edit.mention_role {
        check_mention_role(words, Some(role), current.guild_id)
            .map_err(|e| named(words, "mention_role", e))?;
        next.mention_role = Some(role);
    }
    if let Some(n) = edit.max_briefings {
        next.max_briefings = check_max_briefings(words, n)?;
    }
    if let Some(target) = &edit.target {
        next.target = super::edit_target(words, &current.target, target, allowed)?;
    }
    next.silent = edit.silent.unwrap_or(next.silent);
    next.only_new = edit.only_new.unwrap_or(next.only_new);
    next.when_empty = edit.when_empty.unwrap_or(next.when_empty);
    match edit.clear {
        Some(Clear::Tag) => next.tag = None,
        Some(Clear::MentionRole) => next.mention_role = None,
        Some(Clear::Sections) => next.sections.clear(),
        Some(Clear::Username) => next.target = next.target.without_identity(|i| i.username = None),
        Some(Clear::AvatarUrl) => {
            next.target = next.target.without_identity(|i| i.avatar_url = None)
        }
        None => {}
    }
    Ok(next)
}

/// A digest's content settings in one line: "Up to 3 briefings tagged `sahel`, only new ones;
/// every section; nothing new: skipped".
pub fn settings_line(words: &Words, spec: &DigestSpec) -> String {
    let tags: Vec<String> = spec
        .tags
        .iter()
        .map(|t| format!("`{}`", echo(t.as_str(), 50)))
        .collect();
    let or = format!(" {} ", words.text("settings-or"));
    let tagged = match tags.len() {
        0 => String::new(),
        _ => words.t("settings-tagged", &[("tags", tags.join(&or).into())]),
    };
    let sections = if spec.sections.is_empty() {
        words.text("settings-every-section")
    } else {
        let keys: Vec<String> = spec
            .sections
            .iter()
            .map(|k| format!("`{}`", echo(k.as_str(), 40)))
            .collect();
        words.t("settings-sections", &[("keys", keys.join(", ").into())])
    };
    let mut parts = vec![
        words.t(
            "settings-count",
            &[
                ("count", spec.max_briefings.into()),
                ("tagged", tagged.into()),
                (
                    "new",
                    words
                        .text(if spec.only_new {
                            "settings-only-new"
                        } else {
                            "settings-any"
                        })
                        .into(),
                ),
            ],
        ),
        sections,
        words.text(match spec.when_empty {
            WhenEmpty::Skip => "settings-empty-skip",
            WhenEmpty::Notice => "settings-empty-notice",
        }),
    ];
    if spec.silent {
        parts.push(words.text("settings-silent"));
    }
    if let Some(role) = spec.mention_role {
        parts.push(words.t("settings-mentions", &[("role", role.to_string().into())]));
    }
    parts.join("; ")
}

/// The reply to `/digest edit`: what the digest now does and when it posts next.
pub fn edited_text(words: &Words, spec: &DigestSpec, next_fire: Option<DateTime<Utc>>) -> String {
    let next = match next_fire {
        _ if spec.paused => words.text("digest-edited-paused"),
        Some(t) => words.t(
            "digest-edited-next",
            &[("at", t.timestamp().to_string().into())],
        ),
        None => words.text("digest-edited-no-next"),
    };
    let args = [
        ("name", spec.name.as_str().into()),
        ("channel", spec.channel_id.to_string().into()),
        (
            "target",
            super::target_text(words, spec.channel_id, &spec.target).into(),
        ),
        ("schedule", spec.schedule.expr().into()),
        ("zone", spec.schedule.timezone().name().into()),
        ("settings", settings_line(words, spec).into()),
        ("next", next.into()),
    ];
    words.t("digest-edited", &args)
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
