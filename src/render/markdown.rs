//! Finds the Markdown constructs a cut must not fall into: code spans, fenced code blocks and
//! links `[text](url)`. A light scan, not a full CommonMark parser: it only has to know where
//! such a construct starts and ends, and to treat anything unbalanced as plain text.

use std::collections::HashMap;
use std::ops::Range;

/// Longest link (`[text](url)`, in bytes) we look for; longer brackets are plain text.
const MAX_LINK_BYTES: usize = 2048;

/// A run of backticks: `para` counts blank lines before it, because inline code cannot
/// cross a paragraph while a fenced block (three or more backticks) can.
struct Ticks {
    start: usize,
    len: usize,
    para: usize,
}

/// Byte ranges of code spans, fenced blocks and Markdown links, sorted and disjoint.
pub(super) fn protected_spans(text: &str) -> Vec<Range<usize>> {
    let ticks = backtick_runs(text);
    let closing = pair_runs(&ticks);
    // The end of the code span opening at byte `at`, or `Err(end of the lone run)`.
    let code = |at: usize| {
        let k = ticks.partition_point(|t| t.start < at);
        match (ticks.get(k), closing.get(k)) {
            (Some(t), Some(&Some(j))) if t.start == at => Ok(ticks[j].start + ticks[j].len),
            (Some(t), _) if t.start == at => Err(at + t.len),
            _ => Err(at + 1), // not a run start: cannot happen, but never panic over it
        }
    };
    let mut spans = Vec::new();
    let mut pos = 0;
    while let Some(found) = text[pos..].find(['`', '[']) {
        let at = pos + found;
        pos = if text.as_bytes()[at] == b'`' {
            match code(at) {
                Ok(end) => {
                    spans.push(at..end);
                    end
                }
                Err(end) => end,
            }
        } else if let Some(end) = link_end(text, at, &code) {
            spans.push(at..end);
            end
        } else {
            at + 1
        };
    }
    spans
}

fn backtick_runs(text: &str) -> Vec<Ticks> {
    let (mut runs, mut para, mut blank) = (Vec::<Ticks>::new(), 0, false);
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match b {
            b'\n' => {
                para += usize::from(blank);
                blank = true;
            }
            b' ' | b'\t' | b'\r' => {}
            _ => blank = false,
        }
        if b == b'`' {
            match runs.last_mut() {
                Some(run) if run.start + run.len == i => run.len += 1,
                _ => runs.push(Ticks {
                    start: i,
                    len: 1,
                    para,
                }),
            }
        }
    }
    runs
}

/// For each run, the run that closes it: the next one of the same length.
fn pair_runs(ticks: &[Ticks]) -> Vec<Option<usize>> {
    let mut next_of_len: HashMap<usize, usize> = HashMap::new();
    let mut closing = vec![None; ticks.len()];
    for (k, t) in ticks.iter().enumerate().rev() {
        if let Some(&j) = next_of_len.get(&t.len) {
            if t.len >= 3 || ticks[j].para == t.para {
                closing[k] = Some(j);
            }
        }
        next_of_len.insert(t.len, k);
    }
    closing
}

/// The end of the link `[text](destination)` opening at byte `at`, if there is one. The text
/// may hold spaces, brackets and code but not a blank line; the destination stays on one line.
fn link_end(text: &str, at: usize, code: &impl Fn(usize) -> Result<usize, usize>) -> Option<usize> {
    let bytes = text.as_bytes();
    let limit = text.len().min(at + MAX_LINK_BYTES);
    let (mut i, mut depth) = (at, 0usize);
    while i < limit {
        match bytes[i] {
            b'[' => depth += 1,
            b']' if depth == 1 => break,
            b']' => depth -= 1,
            b'`' => {
                i = code(i).unwrap_or_else(|lone| lone);
                continue;
            }
            b'\n'
                if text[i + 1..]
                    .trim_start_matches([' ', '\t', '\r'])
                    .starts_with('\n') =>
            {
                return None;
            }
            _ => {}
        }
        i += 1;
    }
    if i + 1 >= limit || bytes[i + 1] != b'(' {
        return None;
    }
    let mut depth = 0usize;
    for (j, &b) in bytes.iter().enumerate().take(limit).skip(i + 1) {
        match b {
            b'(' => depth += 1,
            b')' if depth == 1 => return Some(j + 1),
            b')' => depth -= 1,
            b'\n' => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::protected_spans;

    fn spans(text: &str) -> Vec<&str> {
        protected_spans(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn finds_links_code_and_fences() {
        let text = "See [a [nested] link](https://x.org/a_(b)) and ![an image](i.png), `a b`, ``c ` d``\n```\nx\n\ny\n```";
        assert_eq!(
            spans(text),
            [
                "[a [nested] link](https://x.org/a_(b))",
                "[an image](i.png)",
                "`a b`",
                "``c ` d``",
                "```\nx\n\ny\n```"
            ]
        );
    }

    #[test]
    fn unbalanced_or_paragraph_crossing_markup_is_plain_text() {
        assert!(spans("a ` b\n\nc ` d").is_empty()); // inline code cannot cross a paragraph
        assert!(spans("[text] (no link) [open(x)").is_empty());
        assert!(spans("[a\n\nb](u)").is_empty());
        assert_eq!(spans("`` ` `` [x](u"), ["`` ` ``"]);
    }
}
