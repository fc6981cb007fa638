//! Rendering: briefings, sections and digests become the Discord message payloads to send,
//! within Discord's limits (`limits`). Pure functions with no Discord client, so
//! `briefbot preview`, the tests and the bot all see the same payloads.
//!
//! Each section becomes one embed, or several marked `(1/3)`… when its body is too long; embeds
//! are then packed into as few messages as the per-message limits allow, and each message gets
//! the briefing's title, tags and date once (`chrome`). Nothing rendered here can ping anyone:
//! every payload allows no mentions, except a digest's configured role.

mod chrome;
mod digest;
pub mod limits;
mod markdown;
pub mod payload;
mod prepared;
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
pub use prepared::Prepared;
pub use split::split;
pub use text::{escape_markdown, to_text, truncate};

use crate::briefings::{Briefing, Section, SectionKey};
use chrome::{non_empty, pack, Chrome, Run};
use limits::chars;

/// Embed colour of sections outside the built-in four.
pub const CUSTOM_SECTION_COLOR: u32 = 0x95A5A6;

/// All sections of `b`, in order.
pub fn render_briefing(b: &Briefing) -> Vec<MessagePayload> {
    let chrome = Chrome::of(b);
    let embeds = if b.sections.is_empty() {
        // Nothing to show but the briefing itself (its title, as the author line): still
        // better than no answer at all.
        vec![Embed::default()]
    } else {
        b.sections
            .iter()
            .flat_map(|s| section_embeds(s, &chrome))
            .collect()
    };
    pack(vec![Run { chrome, embeds }])
}

/// One section of `b` (it need not be one of `b.sections`: callers may pass an edited copy).
pub fn render_section(b: &Briefing, s: &Section) -> Vec<MessagePayload> {
    let chrome = Chrome::of(b);
    let embeds = section_embeds(s, &chrome);
    pack(vec![Run { chrome, embeds }])
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

/// The embeds of one section, without the chrome: one per piece of its body, each small enough
/// to fit in a message on its own with `chrome`, titled `Heading (i/n)` when there are several.
fn section_embeds(s: &Section, chrome: &Chrome) -> Vec<Embed> {
    let base = Embed {
        color: Some(section_color(&s.key)),
        ..Embed::default()
    };
    // Reserve a full-length title so that any title fits beside the description.
    let overhead = chrome.chars() + limits::EMBED_TITLE;
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
