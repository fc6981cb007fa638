//! Digest messages: a heading that names the digest and the fire time it was scheduled for,
//! then the briefings or sections it carries, packed like any other rendering.

use super::chrome::{pack, Chrome, Run};
use super::limits::{chars, CONTENT};
use super::payload::{AllowedMentions, MessagePayload, SUPPRESS_NOTIFICATIONS};
use super::{escape_markdown, section_embeds, truncate};
use crate::briefings::{Briefing, Section};
use chrono::{DateTime, Utc};

/// The most of a "nothing new" notice shown (its words come from a locale file).
const NOTICE_MAX: usize = 500;

/// What one digest delivery carries. The scheduler fills it; rendering decides nothing.
#[derive(Debug, Clone)]
pub struct DigestView<'a> {
    pub name: &'a str,
    /// The fire time the delivery was scheduled for, not the time it runs.
    pub fire_time: DateTime<Utc>,
    pub entries: Vec<DigestEntry<'a>>,
    /// A role to ping with the first message; the only mention the bot ever allows.
    pub mention_role: Option<u64>,
    /// Send with Discord's suppress-notifications flag.
    pub silent: bool,
    /// Follows the heading when there is nothing to carry (`when_empty = "notice"`), in the
    /// digest's language.
    pub nothing_new: &'a str,
}

/// One briefing in a digest and the sections of it to show, in order. A section digest lists
/// the same section of several briefings; a whole-briefing digest lists all of each.
#[derive(Debug, Clone)]
pub struct DigestEntry<'a> {
    pub briefing: &'a Briefing,
    pub sections: Vec<&'a Section>,
}

/// Renders a digest delivery. The first message's content is `**name** · <t:UNIX:f>`, after a
/// `<@&ROLE>` ping when `mention_role` is set (allowed on that message only). With nothing to
/// show, a single notice says so, without the ping: nobody should be woken for nothing.
pub fn render_digest(d: &DigestView) -> Vec<MessagePayload> {
    let runs: Vec<Run> = d
        .entries
        .iter()
        .filter(|entry| !entry.sections.is_empty())
        .map(|entry| {
            let chrome = Chrome::of(entry.briefing);
            let embeds = entry
                .sections
                .iter()
                .flat_map(|s| section_embeds(s, &chrome))
                .collect();
            Run { chrome, embeds }
        })
        .collect();
    let mut messages = if runs.is_empty() {
        let notice = format!("\n{}", truncate(d.nothing_new, NOTICE_MAX));
        vec![MessagePayload::with_content(heading(d, None, &notice))]
    } else {
        let mut messages = pack(runs);
        messages[0].content = heading(d, d.mention_role, "");
        if let Some(role) = d.mention_role {
            messages[0].allowed_mentions = AllowedMentions::only_role(role);
        }
        messages
    };
    if d.silent {
        for m in &mut messages {
            m.add_flag(SUPPRESS_NOTIFICATIONS);
        }
    }
    messages
}

/// `<@&ROLE> **name** · <t:UNIX:f>` + `tail`, the name shortened so the whole fits in CONTENT.
fn heading(d: &DigestView, role: Option<u64>, tail: &str) -> String {
    let ping = role.map(|r| format!("<@&{r}> ")).unwrap_or_default();
    let when = format!(" · <t:{}:f>", d.fire_time.timestamp());
    // 4 = the two `**`.
    let room = CONTENT - chars(&ping) - chars(&when) - chars(tail) - 4;
    // One line, and never `****`, whatever the name holds.
    let mut name = d.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        name = "digest".into();
    }
    let mut shown = escape_markdown(&name);
    if chars(&shown) > room {
        // Escaping at most doubles the length, so half the room always fits.
        shown = escape_markdown(&truncate(&name, room / 2));
    }
    format!("{ping}**{shown}**{when}{tail}")
}
