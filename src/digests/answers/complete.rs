//! Autocomplete for `/digest`: time zones for `timezone`, the guild's digests for `name`. At
//! most 25 choices, best match first, from memory, well within Discord's deadline.

use crate::answer::{Choice, MAX_CHOICES};
use crate::digests::scheduler::DigestStatus;
use crate::locales::{Locales, Words};
use crate::render::truncate;
use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};

/// Zones offered before anything is typed, after the configured default.
const COMMON_ZONES: [&str; 12] = [
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Africa/Lagos",
    "Africa/Bamako",
    "Africa/Nairobi",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
];
const CANONICAL_REGIONS: [&str; 10] = [
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

/// Time zones for the `timezone` option, best match first: the whole name, its start, the
/// start of a part (`new_y` finds `America/New_York`), then anywhere. Region/City names come
/// before legacy aliases; each choice shows the zone's current UTC offset.
pub fn complete_timezones(partial: &str, default_zone: Tz, now: DateTime<Utc>) -> Vec<Choice> {
    let needle = partial.trim().to_lowercase().replace(' ', "_");
    let zones: Vec<Tz> = if needle.is_empty() {
        let common = COMMON_ZONES.iter().filter_map(|z| z.parse::<Tz>().ok());
        let mut zones = vec![default_zone];
        zones.extend(common.filter(|z| *z != default_zone));
        zones
    } else {
        let mut ranked: Vec<(u8, Tz)> = TZ_VARIANTS
            .iter()
            .filter_map(|tz| Some((zone_rank(&needle, &tz.name().to_lowercase())?, *tz)))
            .collect();
        ranked.sort_by_key(|(rank, tz)| {
            let name = tz.name();
            let legacy = !CANONICAL_REGIONS.iter().any(|r| name.starts_with(r));
            (*rank, legacy, name.len(), name)
        });
        ranked.into_iter().map(|(_, tz)| tz).collect()
    };
    zones
        .into_iter()
        .take(MAX_CHOICES)
        .map(|tz| {
            let offset = tz.offset_from_utc_datetime(&now.naive_utc()).fix();
            Choice {
                name: format!("{} (UTC{offset})", tz.name()),
                value: tz.name().to_string(),
            }
        })
        .collect()
}

fn zone_rank(needle: &str, name: &str) -> Option<u8> {
    let parts = || name.split(['/', '_', '-']);
    if name == needle {
        Some(0)
    } else if name.starts_with(needle) {
        Some(1)
    } else if name.split('/').any(|p| p.starts_with(needle)) {
        Some(2)
    } else if parts().any(|p| p.starts_with(needle)) {
        Some(3)
    } else if name.contains(needle) {
        Some(4)
    } else {
        None
    }
}

/// The languages there are locale files for, each with its own name for itself (`fr · Français`).
pub fn complete_langs(locales: &std::sync::Arc<Locales>, partial: &str) -> Vec<Choice> {
    let needle = partial.trim().to_lowercase();
    locales
        .tags()
        .filter(|tag| tag.to_lowercase().starts_with(&needle))
        .take(MAX_CHOICES)
        .map(|tag| {
            let words = locales.words(&[Some(tag)]);
            let name = match words.has("language") {
                true => format!("{tag} · {}", words.text("language")),
                false => tag.to_string(),
            };
            Choice {
                name: truncate(&name, 100).into_owned(),
                value: tag.to_string(),
            }
        })
        .collect()
}

/// The guild's digests for a `name` option, prefix matches first; config ones are marked.
pub fn complete_names(words: &Words, statuses: &[DigestStatus], partial: &str) -> Vec<Choice> {
    let needle = partial.trim().to_lowercase();
    let mut ranked: Vec<(u8, String, &DigestStatus)> = statuses
        .iter()
        // A longer value could not be sent back as a choice (Discord's limit is 100).
        .filter(|s| s.spec.name.chars().count() <= 100)
        .filter_map(|s| {
            let name = s.spec.name.to_lowercase();
            let rank = if name.starts_with(&needle) {
                0
            } else if name.contains(&needle) {
                1
            } else {
                return None;
            };
            Some((rank, name, s))
        })
        .collect();
    ranked.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    ranked
        .into_iter()
        .take(MAX_CHOICES)
        .map(|(_, _, s)| {
            let name = super::marked_name(words, s);
            Choice {
                name: truncate(&name, 100).into_owned(),
                value: s.spec.name.clone(),
            }
        })
        .collect()
}
