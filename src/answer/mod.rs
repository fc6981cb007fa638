//! What every answer shares, whatever it is about: the refusal a member sees ([`UserError`]),
//! autocomplete [`Choice`]s and their limits, echoing member text safely ([`echo`],
//! [`clip`]), the one normal form of a [`Tag`], and the per-user [`Cooldowns`].

mod cooldown;
mod tag;

pub use cooldown::{wait_text, Cooldowns};
pub use tag::Tag;

use crate::render;
use std::fmt;

/// Autocomplete answers at most this many choices (Discord's limit).
pub const MAX_CHOICES: usize = 25;
/// Discord's limit for a choice's name and value.
pub const CHOICE_LEN: usize = 100;

/// A short, friendly message for the caller (sent ephemeral). Never holds internals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError(pub String);

impl UserError {
    /// A refusal, cut to fit one Discord message (lists of what exists can be long).
    pub fn new(text: impl AsRef<str>) -> Self {
        UserError(clip(text.as_ref(), render::limits::CONTENT))
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One autocomplete choice: what the member sees, and the value the command receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub name: String,
    pub value: String,
}

/// Text a member typed, echoed inside a code span: it shows literally there (no Markdown, no
/// mention), so only a backtick, which would end the span, and control characters are replaced.
/// Outside a code span, `render::escape_markdown` is the way to show it literally.
pub fn echo(s: &str, max: usize) -> String {
    let clean: String = s
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '`' { '\'' } else { c })
        .collect();
    clip(&clean, max)
}

/// Member input echoed back outside a code span where it must not even look like a mention:
/// no Markdown or mention syntax survives (each such character becomes `'`), and no control
/// characters.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if matches!(c, '`' | '*' | '_' | '~' | '|' | '@' | '<' | '>') {
                '\''
            } else {
                c
            }
        })
        .collect()
}

/// At most `max` characters, with an ellipsis when cut.
pub fn clip(s: &str, max: usize) -> String {
    render::truncate(s, max).into_owned()
}
