//! What a briefing adds around its section embeds, once per message rather than on every embed:
//! its title (linked to its source) as the author line of its first embed, and its tags, the
//! message's place in a multi-message answer ("2/3") and its date as the footer and timestamp
//! of its last. Discord shows the timestamp in each reader's own time zone, so the date is not
//! repeated as text. Packing decides which embeds share a message, so it adds the chrome too.

use super::limits::{self, chars, embed_chars};
use super::payload::{Embed, EmbedAuthor, EmbedFooter, MessagePayload};
use super::truncate;
use crate::briefings::Briefing;
use chrono::{Duration, SecondsFormat};

/// Room kept in a message for its place in the answer, ` · 999/999`: a thousand messages is
/// more than any answer or digest sends, and a counter that would not fit is left out.
const COUNTER_ROOM: usize = 10;
/// Ends a tag list that did not fit whole.
const MORE_TAGS: &str = "…";
const SEPARATOR: &str = " · ";

/// One briefing's chrome, computed once per rendering.
#[derive(Debug, Clone)]
pub(super) struct Chrome {
    author: Option<EmbedAuthor>,
    /// `#tag · #tag`, possibly empty.
    tags: String,
    timestamp: String,
}

impl Chrome {
    pub(super) fn of(b: &Briefing) -> Chrome {
        Chrome {
            author: non_empty(truncate(b.title.trim(), limits::AUTHOR_NAME).into_owned()).map(
                |name| EmbedAuthor {
                    name,
                    url: b.source.as_deref().and_then(web_link).map(str::to_string),
                },
            ),
            tags: tag_line(b),
            timestamp: timestamp(b),
        }
    }

    /// The most this chrome adds to a message's characters, counter included.
    pub(super) fn chars(&self) -> usize {
        self.author.as_ref().map_or(0, |a| chars(&a.name)) + chars(&self.tags) + COUNTER_ROOM
    }
}

/// Embeds of one briefing, in order, that share its chrome.
pub(super) struct Run {
    pub chrome: Chrome,
    pub embeds: Vec<Embed>,
}

/// Packs runs, in order, into as few messages as fit (at most EMBEDS_PER_MESSAGE embeds and
/// EMBED_TOTAL characters each, chrome included), then adds each run's chrome in each message.
/// Every embed must fit a message on its own with its chrome.
pub(super) fn pack(mut runs: Vec<Run>) -> Vec<MessagePayload> {
    // Each message as (run index, embed), in order.
    let mut messages: Vec<Vec<(usize, Embed)>> = Vec::new();
    let mut total = 0;
    for (r, run) in runs.iter_mut().enumerate() {
        for embed in std::mem::take(&mut run.embeds) {
            let size = embed_chars(&embed);
            let continues = |m: &Vec<(usize, Embed)>| m.last().is_some_and(|(last, _)| *last == r);
            match messages.last_mut() {
                Some(m) if m.len() < limits::EMBEDS_PER_MESSAGE => {
                    let chrome = if continues(m) { 0 } else { run.chrome.chars() };
                    if total + size + chrome <= limits::EMBED_TOTAL {
                        total += size + chrome;
                        m.push((r, embed));
                        continue;
                    }
                }
                _ => {}
            }
            total = size + run.chrome.chars();
            messages.push(vec![(r, embed)]);
        }
    }
    let n = messages.len();
    messages
        .into_iter()
        .enumerate()
        .map(|(i, items)| {
            let counter = (n > 1).then(|| format!("{}/{n}", i + 1));
            MessagePayload::with_embeds(dress(&runs, items, counter.as_deref()))
        })
        .collect()
}

/// Adds the chrome to one message's embeds: `counter` goes on the last one.
fn dress(runs: &[Run], items: Vec<(usize, Embed)>, counter: Option<&str>) -> Vec<Embed> {
    let count = items.len();
    let runs_of: Vec<usize> = items.iter().map(|(r, _)| *r).collect();
    items
        .into_iter()
        .enumerate()
        .map(|(k, (r, mut embed))| {
            let chrome = &runs[r].chrome;
            if k == 0 || runs_of[k - 1] != r {
                embed.author = chrome.author.clone();
            }
            if k + 1 == count || runs_of[k + 1] != r {
                let mut text = chrome.tags.clone();
                if let Some(counter) = counter.filter(|_| k + 1 == count) {
                    let sep = if text.is_empty() { "" } else { SEPARATOR };
                    if chars(sep) + chars(counter) <= COUNTER_ROOM {
                        text = format!("{text}{sep}{counter}");
                    }
                }
                embed.footer = non_empty(text).map(|text| EmbedFooter { text });
                embed.timestamp = Some(chrome.timestamp.clone());
            }
            embed
        })
        .collect()
}

/// The tags as `#tag · #tag`. Tags that do not fit are left out whole, with an ellipsis,
/// rather than cut; room is kept for the counter.
fn tag_line(b: &Briefing) -> String {
    let max = limits::FOOTER_TEXT - COUNTER_ROOM;
    let mut line = String::new();
    let mut len = 0;
    for tag in &b.tags {
        let sep = if line.is_empty() { "" } else { SEPARATOR };
        let item = format!("{sep}#{tag}");
        let item_len = chars(&item);
        if len + item_len + chars(SEPARATOR) + chars(MORE_TAGS) > max {
            line.push_str(sep);
            line.push_str(MORE_TAGS);
            break;
        }
        line.push_str(&item);
        len += item_len;
    }
    line
}

/// The embed timestamp. A date without a time is shown at noon UTC, which falls on that same
/// day in nearly every reader's time zone (midnight would show the day before in the Americas).
fn timestamp(b: &Briefing) -> String {
    let shown = if b.date_only {
        b.date + Duration::hours(12)
    } else {
        b.date
    };
    shown.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `source` when it is an http(s) URL Discord will accept as a link.
fn web_link(source: &str) -> Option<&str> {
    let url = source.trim();
    let (scheme, rest) = url.split_once("://")?;
    let web = scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http");
    let clean = !rest.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (web && clean).then_some(url)
}

pub(super) fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}
