//! Search snippets as Discord Markdown: the matched words in bold, everything else escaped so
//! a briefing's text can neither break the bold nor ping anyone, within a fixed length.

use std::ops::Range;
use tantivy::snippet::{collapse_overlapped_ranges, Snippet};

/// Longest snippet returned, in characters, Markdown included.
pub const SNIPPET_MAX_CHARS: usize = 200;
/// Characters that could end the bold early, start other formatting, quote, or ping.
const MARKDOWN_SPECIAL: &[char] = &['\\', '*', '_', '`', '~', '|', '>', '@', '#'];

/// The snippet as Markdown: the fragment tantivy chose (or the body's start when only the
/// title or tags matched), matches in bold, Markdown escaped, "…" where text was cut.
pub(super) fn excerpt(body: &str, snippet: &Snippet) -> String {
    let body = body.trim_end();
    let (range, marks) = if snippet.fragment().is_empty() {
        (0..body.len(), Vec::new())
    } else {
        let Range { start, mut end } = snippet.fragment_range();
        // Fragments end on a word; keep the closing punctuation rather than an "…" before it.
        if !body[end..].chars().any(char::is_alphanumeric) {
            end = body.len();
        }
        (
            start..end,
            collapse_overlapped_ranges(snippet.highlighted()),
        )
    };
    let text = &body[range.clone()];
    // One char is kept back for a closing "…".
    let mut md = Excerpt {
        text: String::new(),
        left: SNIPPET_MAX_CHARS - 1,
    };
    if range.start > 0 {
        md.push("…");
    }
    let mut pos = 0;
    let mut complete = true;
    for mark in &marks {
        complete = md.plain(&text[pos..mark.start]) && md.bold(&text[mark.clone()]);
        if !complete {
            break;
        }
        pos = mark.end;
    }
    complete = complete && md.plain(&text[pos..]);
    let mut out = md.text.trim_end().to_string();
    if !complete || range.end < body.len() {
        out.push('…');
    }
    out
}

/// Markdown being written against a budget of characters.
struct Excerpt {
    text: String,
    left: usize,
}

impl Excerpt {
    /// Writes whole words of `text`, whitespace collapsed to single spaces; false once full.
    fn plain(&mut self, text: &str) -> bool {
        let blank = |c: char| c.is_whitespace() || c.is_control();
        for piece in text.split_inclusive(blank) {
            let word = piece.trim_end_matches(blank);
            let escaped = escape(word, self.text.is_empty());
            let cost = escaped.chars().count();
            if cost > self.left {
                // A "word" longer than a whole snippet (a URL, a run of emoji) is cut instead.
                if cost > SNIPPET_MAX_CHARS / 4 {
                    for c in word.chars() {
                        let one = escape(c.encode_utf8(&mut [0; 4]), false);
                        if one.chars().count() > self.left {
                            break;
                        }
                        self.push(&one);
                    }
                }
                return false;
            }
            self.push(&escaped);
            let gap =
                word.len() < piece.len() && !self.text.is_empty() && !self.text.ends_with(' ');
            if gap && self.left > 0 {
                self.push(" ");
            }
        }
        true
    }

    /// Writes `word` in bold, or nothing and false if it does not fit whole.
    fn bold(&mut self, word: &str) -> bool {
        if word.is_empty() {
            return true;
        }
        let bold = format!("**{}**", escape(word, false));
        if bold.chars().count() > self.left {
            return false;
        }
        self.push(&bold);
        true
    }

    fn push(&mut self, s: &str) {
        self.left -= s.chars().count();
        self.text.push_str(s);
    }
}

/// Backslash-escapes Markdown; at the start of the snippet, list markers too.
fn escape(text: &str, line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if MARKDOWN_SPECIAL.contains(&c) || (line_start && i == 0 && matches!(c, '-' | '+')) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
