//! Cuts text that is too long for one Discord field into pieces that each fit, where a reader
//! would cut: between paragraphs, else between sentences or lines, else between words. Markdown
//! links, inline code and fenced code blocks are kept whole. Pieces are slices of the input, so
//! nothing is rewritten and only whitespace at the cuts is dropped.

use super::markdown::protected_spans;
use std::ops::Range;

/// What may follow a sentence's final `.`, `!` or `?`: closing quotes, brackets, emphasis.
const CLOSERS: &str = "\"')]}*_»”’」』）";

/// Splits `text` into trimmed, non-empty pieces of at most `max_chars` characters, in order.
///
/// Each piece is packed as full as possible. The cut is the last paragraph break that leaves the
/// piece at least half full, else the last sentence or line end, else the last word boundary
/// (CJK text may break between ideographs). A link, code span or word is never cut unless it
/// alone is longer than `max_chars`; only then, as a last resort, it is cut between its words
/// or at a character boundary (never inside an emoji sequence when that can be avoided).
///
/// # Panics
/// If `max_chars` is 0: no non-empty piece could fit.
pub fn split(text: &str, max_chars: usize) -> Vec<&str> {
    assert!(max_chars > 0, "split: max_chars must be at least 1");
    // Most sections fit whole: finding every break and protected span would be wasted work.
    let whole = text.trim();
    if whole.chars().count() <= max_chars {
        return if whole.is_empty() {
            vec![]
        } else {
            vec![whole]
        };
    }
    let layout = Layout::new(text);
    let mut pieces = Vec::new();
    let mut start = skip_ws(text, 0);
    while start < text.len() {
        let rest = text[start..].trim_end();
        let limit = layout.advance(start, max_chars);
        if limit >= start + rest.len() {
            pieces.push(rest);
            break;
        }
        let (end, next) = layout.cut(start, limit, max_chars);
        pieces.push(text[start..end].trim_end());
        start = skip_ws(text, next);
    }
    pieces
}

fn skip_ws(text: &str, from: usize) -> usize {
    text.len() - text[from..].trim_start().len()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Word,
    /// A sentence end or a single line break.
    Sentence,
    Paragraph,
}

/// A place the text may be cut: the piece ends at `start`, the next begins at `end`.
#[derive(Debug, Clone, Copy)]
struct Break {
    start: usize,
    end: usize,
    level: Level,
    /// Inside a link or code span: used only when that span is too long for one piece.
    guarded: bool,
}

struct Layout<'a> {
    text: &'a str,
    /// Byte offset of every char, then `text.len()`: maps char counts to byte offsets.
    bounds: Vec<usize>,
    spans: Vec<Range<usize>>,
    breaks: Vec<Break>,
}

impl<'a> Layout<'a> {
    fn new(text: &'a str) -> Self {
        let bounds = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let spans = protected_spans(text);
        let mut breaks = find_breaks(text);
        for b in &mut breaks {
            b.guarded = span_at(&spans, b.start).is_some();
        }
        Layout {
            text,
            bounds,
            spans,
            breaks,
        }
    }

    fn char_index(&self, byte: usize) -> usize {
        self.bounds.partition_point(|&b| b < byte)
    }

    fn chars_between(&self, from: usize, to: usize) -> usize {
        self.char_index(to) - self.char_index(from)
    }

    /// The byte offset `n` chars after `start`, or the end of the text.
    fn advance(&self, start: usize, n: usize) -> usize {
        let i = self.char_index(start).saturating_add(n);
        self.bounds[i.min(self.bounds.len() - 1)]
    }

    /// Where to end the piece starting at `start`, whose text may reach up to `limit`.
    fn cut(&self, start: usize, limit: usize, max: usize) -> (usize, usize) {
        let lo = self.breaks.partition_point(|b| b.start <= start);
        let hi = self.breaks.partition_point(|b| b.start <= limit);
        let window = &self.breaks[lo..hi];
        let open = window.iter().rev().filter(|b| !b.guarded);
        if let Some(b) = self.pick(start, max, open) {
            return (b.start, b.end);
        }
        match span_at(&self.spans, limit) {
            // Text glued to a link or code span: cut just before the span to keep it whole.
            Some(span) if span.start > start => (span.start, span.start),
            // The span alone is too long for a piece: cut it between words if it has any.
            Some(_) => match self.pick(start, max, window.iter().rev()) {
                Some(b) => (b.start, b.end),
                None => self.hard_cut(start, limit),
            },
            None => self.hard_cut(start, limit),
        }
    }

    /// Picks among `candidates` (last first) by the rule documented on [`split`].
    fn pick<'b>(
        &self,
        start: usize,
        max: usize,
        candidates: impl Iterator<Item = &'b Break> + Clone,
    ) -> Option<&'b Break> {
        let last_at = |level| candidates.clone().find(|b| b.level >= level);
        last_at(Level::Paragraph)
            .filter(|b| 2 * self.chars_between(start, b.start) >= max)
            .or_else(|| last_at(Level::Sentence))
            .or_else(|| last_at(Level::Word))
    }

    /// The last resort: a cut at a char boundary, moved back out of an emoji sequence or
    /// away from a combining mark when the piece can stay non-empty.
    fn hard_cut(&self, start: usize, limit: usize) -> (usize, usize) {
        let first = self.char_index(start) + 1;
        let mut i = self.char_index(limit);
        while i > first && self.joined_at(i) {
            i -= 1;
        }
        let cut = if self.joined_at(i) {
            limit
        } else {
            self.bounds[i]
        };
        (cut, cut)
    }

    /// Whether the chars either side of char boundary `i` belong to one visible character.
    fn joined_at(&self, i: usize) -> bool {
        let after = self.text[self.bounds[i]..].chars().next();
        let before = self.text[..self.bounds[i]].chars().next_back();
        after.is_some_and(is_glue) || before == Some('\u{200D}')
    }
}

/// Zero-width joiner, variation selectors, combining marks, skin tones, emoji tags.
fn is_glue(c: char) -> bool {
    matches!(c, '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{0300}'..='\u{036F}'
        | '\u{1F3FB}'..='\u{1F3FF}' | '\u{E0020}'..='\u{E007F}')
}

/// The protected span strictly containing byte `pos`, if any.
fn span_at(spans: &[Range<usize>], pos: usize) -> Option<&Range<usize>> {
    let i = spans.partition_point(|s| s.end <= pos);
    spans.get(i).filter(|s| s.start < pos)
}

/// Every whitespace run between two non-whitespace chars, and the zero-width breaks of CJK text.
fn find_breaks(text: &str) -> Vec<Break> {
    let mut breaks = Vec::new();
    let mut prev: Option<char> = None;
    let mut run: Option<(usize, usize)> = None; // (start, newlines)
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            let (start, newlines) = run.unwrap_or((i, 0));
            run = Some((start, newlines + usize::from(c == '\n')));
            continue;
        }
        let level = match (run.take(), prev) {
            (Some((ws, newlines)), Some(_)) => Some((ws, run_level(newlines, &text[..ws], c))),
            (None, Some(p)) => cjk_level(p, c).map(|level| (i, level)),
            _ => None,
        };
        if let Some((start, level)) = level {
            breaks.push(Break {
                start,
                end: i,
                level,
                guarded: false,
            });
        }
        prev = Some(c);
    }
    breaks
}

/// The level of a whitespace run holding `newlines` line breaks, between `before` and `next`.
fn run_level(newlines: usize, before: &str, next: char) -> Level {
    match newlines {
        0 if ends_sentence(before, next) => Level::Sentence,
        0 => Level::Word,
        1 => Level::Sentence,
        _ => Level::Paragraph,
    }
}

/// Whether `before` ends a sentence that `next` follows. Conservative, since a missed sentence
/// end only costs a slightly earlier cut: "Capt. Traoré", "e.g. this" and "J. Smith" are not.
fn ends_sentence(before: &str, next: char) -> bool {
    let end = before.trim_end_matches(|c| CLOSERS.contains(c));
    match end.chars().next_back() {
        _ if next.is_lowercase() => false,
        Some('!' | '?' | '…' | '。' | '！' | '？') => true,
        Some('.') => !is_abbreviation(&end[..end.len() - 1]),
        _ => false,
    }
}

/// Titles and Latin abbreviations written with a period, compared case-insensitively.
const ABBREVIATIONS: [&str; 24] = [
    "mr", "mrs", "ms", "dr", "prof", "capt", "gen", "col", "lt", "sgt", "maj", "adm", "gov", "sen",
    "rep", "pres", "st", "mt", "jr", "sr", "vs", "e.g", "i.e", "mme",
];

fn is_abbreviation(before_period: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '.';
    let word = before_period
        .rsplit(|c| !is_word(c))
        .next()
        .unwrap_or_default();
    // A single capital, alone or last in "U.S", is an initial.
    let last = word.rsplit('.').next().unwrap_or_default();
    let initial = last.chars().count() == 1 && last.chars().all(char::is_uppercase);
    initial || ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
}

/// CJK text has no spaces: a break may fall between ideographs or kana, and after a full stop.
fn cjk_level(prev: char, next: char) -> Option<Level> {
    let ideograph = |c: char| {
        matches!(c, '\u{3041}'..='\u{30FB}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}')
    };
    if !ideograph(next) {
        return None;
    }
    match prev {
        '。' | '！' | '？' => Some(Level::Sentence),
        '、' | '，' | '」' | '』' | '）' => Some(Level::Word),
        p if ideograph(p) => Some(Level::Word),
        _ => None,
    }
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
