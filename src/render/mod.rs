//! Rendering: briefings, sections and digests become the Discord message payloads to send,
//! within Discord's limits (`limits`). Pure functions with no Discord client, so
//! `briefbot preview`, the tests and the bot all see the same payloads.
//!
//! Each section becomes one embed, or several marked `(1/3)`… when its body is too long; embeds
//! are then packed into as few messages as the per-message limits allow. Nothing rendered here
//! can ping anyone: every payload allows no mentions, except a digest's configured role.

mod digest;
pub mod limits;
mod markdown;
pub mod payload;
pub mod split;
mod text;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use digest::{render_digest, DigestEntry, DigestView};
pub use payload::{
    ActionRow, AllowedMentions, Button, Embed, EmbedAuthor, EmbedField, EmbedFooter,
    MessagePayload, EPHEMERAL, SUPPRESS_NOTIFICATIONS,
};
pub use split::split;
pub use text::{to_text, truncate};

use crate::briefings::{Briefing, Section, SectionKey};
use chrono::SecondsFormat;
use limits::{chars, embed_chars};

/// Embed colour of sections outside the built-in four.
pub const CUSTOM_SECTION_COLOR: u32 = 0x95A5A6;
/// Ends a footer whose tags did not all fit.
const MORE_TAGS: &str = " · …";

/// All sections of `b`, in order.
pub fn render_briefing(b: &Briefing) -> Vec<MessagePayload> {
    let embeds = if b.sections.is_empty() {
        // Nothing to show but the briefing itself; still better than no answer at all.
        vec![Embed {
            title: non_empty(truncate(b.title.trim(), limits::EMBED_TITLE).into_owned()),
            author: None,
            ..briefing_embed(b)
        }]
    } else {
        b.sections
            .iter()
            .flat_map(|s| section_embeds(b, s))
            .collect()
    };
    pack(embeds)
}

/// One section of `b` (it need not be one of `b.sections`: callers may pass an edited copy).
pub fn render_section(b: &Briefing, s: &Section) -> Vec<MessagePayload> {
    pack(section_embeds(b, s))
}

/// The colour that tells the built-in sections apart at a glance.
pub fn section_color(key: &SectionKey) -> u32 {
    match key.as_str() {
        "whats_happening" => 0x3B82F6,
        "why_it_matters" => 0xF59E0B,
        "whats_next" => 0x10B981,
        "beyond_the_headlines" => 0x8B5CF6,
        _ => CUSTOM_SECTION_COLOR,
    }
}

/// The embeds of one section: one per piece of its body, each a complete embed that fits in a
/// message on its own, titled `Heading (i/n)` when there are several.
fn section_embeds(b: &Briefing, s: &Section) -> Vec<Embed> {
    let base = Embed {
        color: Some(section_color(&s.key)),
        ..briefing_embed(b)
    };
    // Reserve a full-length title so that any title fits beside the description.
    let overhead = embed_chars(&base) + limits::EMBED_TITLE;
    let budget = limits::EMBED_DESCRIPTION.min(limits::EMBED_TOTAL - overhead);
    let pieces = split(&s.body, budget);
    let heading = s.heading.trim();
    let n = pieces.len();
    if n <= 1 {
        return vec![Embed {
            title: non_empty(truncate(heading, limits::EMBED_TITLE).into_owned()),
            description: pieces.first().map(|p| p.to_string()),
            ..base
        }];
    }
    let widest_marker = chars(&format!(" ({n}/{n})"));
    let heading = truncate(heading, limits::EMBED_TITLE - widest_marker);
    pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| Embed {
            title: non_empty(format!("{heading} ({}/{n})", i + 1).trim().to_string()),
            description: Some(piece.to_string()),
            ..base.clone()
        })
        .collect()
}

/// What every embed of a briefing shows: its title as the author line, the date and tags in
/// the footer, the date as the embed timestamp and the source as the title link.
fn briefing_embed(b: &Briefing) -> Embed {
    // Tags that do not fit are left out whole, with an ellipsis, rather than cut.
    let mut footer = b.date_label();
    let mut len = chars(&footer);
    for tag in &b.tags {
        let item = format!(" · #{tag}");
        let item_len = chars(&item);
        if len + item_len + chars(MORE_TAGS) > limits::FOOTER_TEXT {
            footer.push_str(MORE_TAGS);
            break;
        }
        footer.push_str(&item);
        len += item_len;
    }
    Embed {
        author: non_empty(truncate(b.title.trim(), limits::AUTHOR_NAME).into_owned())
            .map(|name| EmbedAuthor { name }),
        footer: Some(EmbedFooter { text: footer }),
        url: b.source.as_deref().and_then(web_link).map(str::to_string),
        timestamp: Some(b.date.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ..Embed::default()
    }
}

/// `source` when it is an http(s) URL Discord will accept as an embed link.
fn web_link(source: &str) -> Option<&str> {
    let url = source.trim();
    let (scheme, rest) = url.split_once("://")?;
    let web = scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http");
    let clean = !rest.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (web && clean).then_some(url)
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Packs embeds, in order, into as few messages as fit: at most EMBEDS_PER_MESSAGE embeds
/// and EMBED_TOTAL characters each. Every embed must fit a message on its own.
fn pack(embeds: Vec<Embed>) -> Vec<MessagePayload> {
    let mut messages: Vec<MessagePayload> = Vec::new();
    let mut total = 0;
    for embed in embeds {
        let size = embed_chars(&embed);
        match messages.last_mut() {
            Some(m)
                if m.embeds.len() < limits::EMBEDS_PER_MESSAGE
                    && total + size <= limits::EMBED_TOTAL =>
            {
                total += size;
                m.embeds.push(embed);
            }
            _ => {
                total = size;
                messages.push(MessagePayload::with_embeds(vec![embed]));
            }
        }
    }
    messages
}
