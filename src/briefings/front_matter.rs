//! TOML front matter of Markdown briefings: split it from the body and read its fields.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

/// What a briefing's front matter may say; anything else is an error, so typos are caught.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<toml::value::Datetime>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub lang: Option<String>,
    /// When the publisher last changed it (feed items); informational, the revision that
    /// corrections compare is the briefing's content.
    #[allow(dead_code)]
    pub updated: Option<toml::value::Datetime>,
}

/// A problem found in the front matter, at a 1-based line of the whole file.
pub(super) struct FrontMatterError {
    pub line: usize,
    pub reason: String,
}

/// Splits `+++` front matter off `text`. Returns the front matter, the body and the 1-based line
/// on which the body starts.
pub(super) fn split(text: &str) -> Result<(Option<&str>, &str, usize), FrontMatterError> {
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() == "---" {
        return Err(FrontMatterError {
            line: 1,
            reason: "YAML front matter (`---`) is not supported; put TOML between `+++` lines"
                .into(),
        });
    }
    if first.trim_end() != "+++" {
        return Ok((None, text, 1));
    }
    let mut offset = first.len() + 1;
    for (idx, line) in text[offset.min(text.len())..]
        .split_inclusive('\n')
        .enumerate()
    {
        if line.trim_end() == "+++" {
            let fm = &text[first.len() + 1..offset];
            let body = text.get(offset + line.len()..).unwrap_or("");
            return Ok((Some(fm), body, idx + 3));
        }
        offset += line.len();
    }
    Err(FrontMatterError {
        line: 1,
        reason:
            "front matter opened with `+++` is never closed (did you forget the closing `+++`?)"
                .into(),
    })
}

/// Parses the front matter, whose first line is line 2 of the file.
pub(super) fn parse(fm: &str) -> Result<FrontMatter, FrontMatterError> {
    toml::from_str::<FrontMatter>(fm).map_err(|e| {
        let line = e
            .span()
            .map(|span| fm[..span.start.min(fm.len())].matches('\n').count() + 2)
            .unwrap_or(2);
        FrontMatterError {
            line,
            reason: format!("front matter: {}", e.message()),
        }
    })
}

/// Converts a TOML date or date-time to UTC; returns the instant and whether only a date was given.
/// A local date-time without offset is taken as UTC.
pub(super) fn to_utc(dt: &toml::value::Datetime) -> Result<(DateTime<Utc>, bool), String> {
    let date = dt
        .date
        .ok_or("`date` needs a calendar date such as 2026-11-27")?;
    let day = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
        .ok_or_else(|| format!("`date` {dt} is not a valid date"))?;
    let Some(time) = dt.time else {
        return Ok((Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)), true));
    };
    let naive = day.and_time(
        NaiveTime::from_hms_nano_opt(
            time.hour.into(),
            time.minute.into(),
            time.second.unwrap_or(0).into(),
            time.nanosecond.unwrap_or(0),
        )
        .ok_or_else(|| format!("`date` {dt} has an invalid time"))?,
    );
    let offset_minutes: i32 = match dt.offset {
        None | Some(toml::value::Offset::Z) => 0,
        Some(toml::value::Offset::Custom { minutes }) => minutes.into(),
    };
    let utc = naive - chrono::Duration::minutes(offset_minutes.into());
    Ok((Utc.from_utc_datetime(&utc), false))
}

/// The 1-based line of the file on which `key` is set in the front matter (line 2 if not found).
pub(super) fn key_line(fm: &str, key: &str) -> usize {
    fm.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(2, |idx| idx + 2)
}
