//! Discord's limits on what opens a thread or names a webhook: thread names, archive
//! durations, a forum post's tags, webhook and username rules. Refusals are 400 50035 with
//! the field's own error code, as `validate.rs` answers for messages.

use serde_json::Value;

use super::channel_spec::{ChannelSpec, REQUIRE_TAG};
use super::rest::Reply;
use super::validate::{coded, Check};

pub const THREAD_NAME_MAX: usize = 100;
pub const WEBHOOK_NAME_MAX: usize = 80;
/// Tags one forum post may carry.
pub const APPLIED_TAGS_MAX: usize = 5;
/// Webhooks one channel may hold.
pub const WEBHOOKS_PER_CHANNEL: usize = 15;
/// The archive durations Discord offers, in minutes.
pub const ARCHIVE_DURATIONS: [u64; 4] = [60, 1440, 4320, 10080];
/// Discord's default when a thread names none: a day.
pub const DEFAULT_ARCHIVE: u64 = 1440;

/// A string field of `min..=max` characters; absent or not a string counts as empty.
pub fn length(v: Option<&Value>, field: &str, min: usize, max: usize) -> Check {
    let Some(text) = v.and_then(Value::as_str) else {
        return Err(coded(field, "BASE_TYPE_REQUIRED", "This field is required"));
    };
    let n = text.chars().count();
    if !(min..=max).contains(&n) {
        return Err(coded(
            field,
            "BASE_TYPE_BAD_LENGTH",
            format!("Must be between {min} and {max} in length."),
        ));
    }
    Ok(())
}

/// A webhook's name, or a username a webhook message posts under: 1 to 80 characters, and
/// neither "clyde" nor "discord" in any case.
pub fn webhook_name(v: Option<&Value>, field: &str) -> Check {
    length(v, field, 1, WEBHOOK_NAME_MAX)?;
    let lower = v.and_then(Value::as_str).unwrap_or("").to_lowercase();
    for banned in ["clyde", "discord"] {
        if lower.contains(banned) {
            return Err(coded(
                field,
                "USERNAME_INVALID_CONTAINS",
                format!("Username cannot contain \"{banned}\""),
            ));
        }
    }
    Ok(())
}

/// `auto_archive_duration`, if given: one of the four durations Discord offers.
pub fn archive_duration(v: Option<&Value>) -> Result<u64, Reply> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(DEFAULT_ARCHIVE);
    };
    match v.as_u64().filter(|d| ARCHIVE_DURATIONS.contains(d)) {
        Some(d) => Ok(d),
        None => Err(coded(
            "auto_archive_duration",
            "BASE_TYPE_CHOICES",
            format!("Value must be one of {ARCHIVE_DURATIONS:?}."),
        )
        .reply()),
    }
}

/// A forum post's `applied_tags`: at most 5, each one of the forum's tags, at least one when the
/// forum requires a tag.
pub fn applied_tags(forum: &ChannelSpec, v: Option<&Value>) -> Result<Vec<u64>, Reply> {
    let list = v.and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    if list.len() > APPLIED_TAGS_MAX {
        return Err(coded(
            "applied_tags",
            "BASE_TYPE_MAX_LENGTH",
            format!("Must be {APPLIED_TAGS_MAX} or fewer in length."),
        )
        .reply());
    }
    let mut tags = Vec::new();
    for (i, tag) in list.iter().enumerate() {
        let id = tag
            .as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| tag.as_u64());
        match id.filter(|id| forum.available_tags.iter().any(|t| t.id == *id)) {
            Some(id) if !tags.contains(&id) => tags.push(id),
            Some(_) => {}
            None => {
                return Err(coded(
                    format!("applied_tags.{i}"),
                    "INVALID_FORUM_TAG",
                    "Tag is not available in this channel.",
                )
                .reply())
            }
        }
    }
    if tags.is_empty() && forum.flags & REQUIRE_TAG != 0 {
        return Err(Reply::error(
            400,
            40067,
            "A tag is required to create a forum post in this channel",
        ));
    }
    Ok(tags)
}
