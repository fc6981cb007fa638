//! Plain text around the payloads: shortening a string to a limit, and the readable rendering
//! that `briefbot preview --format text` prints in a terminal.

use super::limits::chars;
use super::payload::{Embed, MessagePayload, SUPPRESS_NOTIFICATIONS};
use chrono::DateTime;
use std::borrow::Cow;
use std::fmt::Write;

/// Shortens `s` to at most `max` characters, ending with "…" when anything was cut. The cut
/// falls at a word boundary unless that would drop more than half of what fits.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if chars(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    // Room for max - 1 characters and the ellipsis.
    let keep = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
    let mut head = &s[..keep];
    if !s[keep..].starts_with(char::is_whitespace) {
        if let Some(ws) = head.rfind(char::is_whitespace) {
            if 2 * chars(&head[..ws]) >= max {
                head = &head[..ws];
            }
        }
    }
    Cow::Owned(format!("{}…", head.trim_end()))
}

/// A terminal preview of `payloads`: one block per message, embeds shown as
/// author, its link, `## title`, description, fields and `— footer · timestamp`.
pub fn to_text(payloads: &[MessagePayload]) -> String {
    let mut out = String::new();
    for (i, p) in payloads.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = write!(out, "──── message {}/{}", i + 1, payloads.len());
        if p.flags.unwrap_or(0) & SUPPRESS_NOTIFICATIONS != 0 {
            out.push_str(" · silent");
        }
        for role in &p.allowed_mentions.roles {
            let _ = write!(out, " · pings role {role}");
        }
        out.push('\n');
        if !p.content.is_empty() {
            out.push_str(&with_readable_times(&p.content));
            out.push('\n');
        }
        for e in &p.embeds {
            out.push('\n');
            embed_text(&mut out, e);
        }
    }
    out
}

fn embed_text(out: &mut String, e: &Embed) {
    let mut line = |s: &str| {
        out.push_str(s);
        out.push('\n');
    };
    if let Some(a) = &e.author {
        line(&a.name);
        if let Some(u) = &a.url {
            line(&format!("<{u}>"));
        }
    }
    if let Some(t) = &e.title {
        line(&format!("## {t}"));
    }
    if let Some(u) = &e.url {
        line(&format!("<{u}>"));
    }
    if let Some(d) = &e.description {
        line("");
        line(d);
    }
    for f in &e.fields {
        line("");
        line(&format!("**{}**\n{}", f.name, f.value));
    }
    // Discord shows the timestamp after the footer, in the reader's time zone; here, in UTC.
    let when = e.timestamp.as_deref().map(|t| {
        DateTime::parse_from_rfc3339(t).map_or_else(
            |_| t.to_string(),
            |d| d.to_utc().format("%Y-%m-%d %H:%M UTC").to_string(),
        )
    });
    let footer = [e.footer.as_ref().map(|f| f.text.clone()), when];
    let footer: Vec<String> = footer.into_iter().flatten().collect();
    if !footer.is_empty() {
        line("");
        line(&format!("— {}", footer.join(" · ")));
    }
}

/// Follows each Discord timestamp `<t:UNIX>` / `<t:UNIX:STYLE>` with its UTC date and time,
/// since a terminal will not render it.
fn with_readable_times(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("<t:") {
        let (before, tag) = rest.split_at(at);
        out.push_str(before);
        let Some(close) = tag.find('>') else {
            out.push_str(tag);
            return out;
        };
        let inner = &tag[3..close];
        let secs = inner.split(':').next().and_then(|n| n.parse::<i64>().ok());
        out.push_str(&tag[..=close]);
        if let Some(time) = secs.and_then(|n| DateTime::from_timestamp(n, 0)) {
            let _ = write!(out, " ({})", time.format("%Y-%m-%d %H:%M UTC"));
        }
        rest = &tag[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Text shown literally in Discord Markdown (a member's query or option echoed back, a digest's
/// name): every character that could format, quote, link or mention is backslash-escaped, so
/// `whats_next` stays `whats_next`; control and text-direction characters are dropped and
/// whitespace runs become one space, so the text cannot reorder or break the message around it.
/// Escaping at most doubles the length: cut before escaping, never after.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else if c.is_control() || is_direction_mark(c) {
            continue;
        } else {
            if MARKDOWN_SPECIAL.contains(&c) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// Characters that could format, quote, or open a mention, a timestamp, an emoji or a link.
const MARKDOWN_SPECIAL: &[char] = &['\\', '*', '_', '`', '~', '|', '>', '@', '#', '<', '[', ']'];

fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_prefers_word_boundaries_and_counts_chars() {
        assert_eq!(truncate("short", 5), "short");
        assert_eq!(
            truncate("Sahel alliance plans joint operations", 20),
            "Sahel alliance…"
        );
        assert_eq!(truncate("Sahel alliance plans", 15), "Sahel alliance…");
        assert_eq!(truncate("abcdefghij", 5), "abcd…");
        assert_eq!(truncate("ééééé ééééé", 8), "ééééé…");
        assert_eq!(chars(&truncate(&"日本語".repeat(100), 256)), 256);
        assert_eq!(truncate("anything", 0), "");
    }

    #[test]
    fn timestamps_become_readable() {
        assert_eq!(
            with_readable_times("**m** · <t:1764230400:f>"),
            "**m** · <t:1764230400:f> (2025-11-27 08:00 UTC)"
        );
        assert_eq!(with_readable_times("<t:x> and <t:"), "<t:x> and <t:");
    }
}
