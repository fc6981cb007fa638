//! Turns one briefing file (Markdown with optional front matter, or the plain-text form) into a
//! `Briefing`, or into every problem found in it as `path:line: reason`.

use super::front_matter::{self, FrontMatter};
use super::title;
use super::{Briefing, Section, SectionCatalog, SectionKey};
use crate::answer::Tag;
use chrono::{DateTime, Utc};
use std::fmt;

/// No section may be longer than this many characters: a longer one is a mistake, not a briefing.
pub const MAX_SECTION_CHARS: usize = 20_000;

/// The two file forms a briefing can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Markdown,
    Text,
}

impl SourceKind {
    /// The form a file has by its extension; `None` for files that are not briefings.
    pub fn from_path(path: &std::path::Path) -> Option<SourceKind> {
        match path.extension()?.to_str()? {
            "md" | "markdown" => Some(SourceKind::Markdown),
            "txt" => Some(SourceKind::Text),
            _ => None,
        }
    }
}

/// One problem in a briefing file, shown as `path:line: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub path: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.reason)
    }
}

/// Everything the parser needs besides the bytes.
pub struct ParseInput<'a> {
    /// The briefing id (derived from the path by the library).
    pub id: &'a str,
    /// The path shown in error messages.
    pub path: &'a str,
    pub kind: SourceKind,
    /// Used as the date when the file gives none.
    pub modified: DateTime<Utc>,
    pub catalog: &'a SectionCatalog,
    pub default_lang: &'a str,
}

/// A section while it is being read: where it started and its lines so far.
struct RawSection<'t> {
    heading: &'t str,
    key: SectionKey,
    line: usize,
    lines: Vec<&'t str>,
}

/// Parses a briefing file. Every problem in the file is returned, not just the first.
pub fn parse_briefing(input: &ParseInput, bytes: &[u8]) -> Result<Briefing, Vec<ParseError>> {
    let err = |line: usize, reason: String| ParseError {
        path: input.path.to_string(),
        line,
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let byte = bytes[e.valid_up_to()];
        vec![err(
            line,
            format!("invalid UTF-8 (byte 0x{byte:02X}); save the file as UTF-8"),
        )]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let owned;
    let text = if text.contains('\r') {
        owned = text.replace("\r\n", "\n").replace('\r', "\n");
        owned.as_str()
    } else {
        text
    };

    let mut errors = Vec::new();
    let mut fm_text = "";
    let (fm, body, first_line) = match input.kind {
        SourceKind::Text => (FrontMatter::default(), text, 1),
        SourceKind::Markdown => match front_matter::split(text) {
            Ok((None, body, start)) => (FrontMatter::default(), body, start),
            Ok((Some(raw), body, start)) => match front_matter::parse({
                fm_text = raw;
                raw
            }) {
                Ok(fm) => (fm, body, start),
                Err(e) => {
                    errors.push(err(e.line, e.reason));
                    (FrontMatter::default(), body, start)
                }
            },
            Err(e) => return Err(vec![err(e.line, e.reason)]),
        },
    };

    let errors_before_sections = errors.len();
    let (leading_title, raw_sections) = match input.kind {
        SourceKind::Text => split_text_sections(body, first_line, input.catalog, &mut |l, r| {
            errors.push(err(l, r))
        }),
        SourceKind::Markdown => split_md_sections(body, first_line, input.catalog, &mut |l, r| {
            errors.push(err(l, r))
        }),
    };

    let mut sections: Vec<Section> = Vec::with_capacity(raw_sections.len());
    let mut first_seen: Vec<(SectionKey, usize)> = Vec::new();
    for raw in raw_sections {
        if let Some((_, line)) = first_seen.iter().find(|(k, _)| *k == raw.key) {
            errors.push(err(
                raw.line,
                format!(
                    "duplicate section `{}` (key `{}`), first at line {line}",
                    raw.heading, raw.key
                ),
            ));
            continue;
        }
        first_seen.push((raw.key.clone(), raw.line));
        let body = join_paragraphs(&raw.lines, input.kind);
        let chars = body.chars().count();
        if body.is_empty() {
            errors.push(err(raw.line, format!("section `{}` is empty", raw.heading)));
        } else if chars > MAX_SECTION_CHARS {
            errors.push(err(
                raw.line,
                format!(
                    "section `{}` has {chars} characters; the limit is {MAX_SECTION_CHARS} (split it into several sections or briefings)",
                    raw.heading
                ),
            ));
        }
        sections.push(Section {
            key: raw.key,
            heading: raw.heading.to_string(),
            body,
        });
    }
    if sections.is_empty() {
        // Without any heading, "text before the first heading" would only restate this.
        errors.truncate(errors_before_sections);
        let hint = match input.kind {
            SourceKind::Markdown => "start each section with a `## Heading` line",
            SourceKind::Text => "start each section with a line such as `What's Happening?`",
        };
        errors.push(err(first_line, format!("no sections found; {hint}")));
    }

    let (date, date_only) = match fm.date.as_ref().map(front_matter::to_utc) {
        Some(Ok(d)) => d,
        Some(Err(reason)) => {
            errors.push(err(front_matter::key_line(fm_text, "date"), reason));
            (input.modified, false)
        }
        None => (input.modified, false),
    };
    if let Some(source) = &fm.source {
        if !(source.starts_with("https://") || source.starts_with("http://")) {
            errors.push(err(
                front_matter::key_line(fm_text, "source"),
                format!("`source` must be an http(s) URL, found `{source}`"),
            ));
        }
    }
    let mut tags: Vec<Tag> = Vec::new();
    for tag in &fm.tags {
        match Tag::new(tag) {
            None => errors.push(err(
                front_matter::key_line(fm_text, "tags"),
                "`tags` contains an empty tag".into(),
            )),
            Some(tag) if !tags.contains(&tag) => tags.push(tag),
            Some(_) => {}
        }
    }
    if !errors.is_empty() {
        // A problem found after the last line (a file ending in its closing `+++`) is shown
        // on the last line, which exists.
        let last_line = text.lines().count().max(1);
        for e in &mut errors {
            e.line = e.line.min(last_line);
        }
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }

    let title = fm
        .title
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .or(leading_title)
        .or_else(|| title::from_file_name(input.path))
        .unwrap_or_else(|| title::from_text(&sections[0].body));
    Ok(Briefing {
        id: input.id.to_string(),
        title,
        date,
        date_only,
        tags,
        source: fm.source,
        lang: fm.lang.unwrap_or_else(|| input.default_lang.to_string()),
        sections,
    })
}

/// Plain text: a line that is exactly a known heading starts a section; one line before the
/// first heading is the title.
fn split_text_sections<'t>(
    body: &'t str,
    first_line: usize,
    catalog: &SectionCatalog,
    report: &mut dyn FnMut(usize, String),
) -> (Option<String>, Vec<RawSection<'t>>) {
    let mut title = None;
    let mut sections: Vec<RawSection> = Vec::new();
    for (idx, line) in body.lines().enumerate() {
        let line_no = first_line + idx;
        if let Some(def) = catalog.lookup(line) {
            sections.push(RawSection {
                heading: line.trim(),
                key: def.key.clone(),
                line: line_no,
                lines: Vec::new(),
            });
        } else if let Some(current) = sections.last_mut() {
            current.lines.push(line);
        } else if !line.trim().is_empty() {
            if title.is_none() {
                title = Some(line.trim().to_string());
            } else {
                report(
                    line_no,
                    "text before the first section heading (only one title line may come first)"
                        .into(),
                );
            }
        }
    }
    (title, sections)
}

/// Markdown: `## Heading` starts a section; a `# Title` line before the first section is the title.
fn split_md_sections<'t>(
    body: &'t str,
    first_line: usize,
    catalog: &SectionCatalog,
    report: &mut dyn FnMut(usize, String),
) -> (Option<String>, Vec<RawSection<'t>>) {
    let mut title = None;
    let mut sections: Vec<RawSection> = Vec::new();
    let mut in_fence = false;
    let mut reported_preamble = false;
    for (idx, line) in body.lines().enumerate() {
        let line_no = first_line + idx;
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let heading = (!in_fence)
            .then(|| line.strip_prefix("## "))
            .flatten()
            .map(|h| h.trim().trim_end_matches('#').trim());
        if let Some(heading) = heading.filter(|h| !h.is_empty()) {
            sections.push(RawSection {
                heading,
                key: catalog.key_for(heading),
                line: line_no,
                lines: Vec::new(),
            });
        } else if let Some(current) = sections.last_mut() {
            current.lines.push(line);
        } else if let Some(t) = line.strip_prefix("# ").filter(|_| title.is_none()) {
            title = Some(t.trim().to_string());
        } else if !line.trim().is_empty() && !reported_preamble {
            reported_preamble = true;
            report(
                line_no,
                "text before the first `## ` section heading; move it into a section".into(),
            );
        }
    }
    (title, sections)
}

/// Joins soft-wrapped lines into paragraphs separated by one blank line. Markdown keeps its
/// line structure where a line break means something (lists, quotes, code blocks, tables).
fn join_paragraphs(lines: &[&str], kind: SourceKind) -> String {
    // The joined text is never longer than the lines with a separator each.
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 2).sum());
    let mut pending_blank = false;
    let mut in_fence = false;
    let mut after_code = false;
    for raw in lines {
        let line = raw.trim_end();
        let fence = kind == SourceKind::Markdown && line.trim_start().starts_with("```");
        if in_fence || fence {
            if !out.is_empty() {
                out.push_str(if pending_blank { "\n\n" } else { "\n" });
            }
            pending_blank = false;
            out.push_str(line);
            in_fence ^= fence;
            after_code = true;
            continue;
        }
        let line = line.trim_start();
        if line.is_empty() {
            pending_blank = !out.is_empty();
            continue;
        }
        if out.is_empty() {
        } else if pending_blank {
            out.push_str("\n\n");
        } else if kind == SourceKind::Markdown && (after_code || starts_own_line(line)) {
            out.push('\n');
        } else {
            out.push(' ');
        }
        pending_blank = false;
        after_code = false;
        out.push_str(line);
    }
    out
}

/// Markdown lines that must keep their own line in Discord.
fn starts_own_line(line: &str) -> bool {
    // Only the start of the line matters: scanning the whole line for ". " would make
    // joining a paragraph quadratic in its length.
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let numbered = digits > 0 && line[digits..].starts_with(". ");
    numbered
        || ["- ", "* ", "+ ", "> ", "#", "|"]
            .iter()
            .any(|p| line.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_lists_and_code_on_their_own_lines() {
        let lines = [
            "Intro that is",
            "soft wrapped.",
            "- one",
            "- two",
            "",
            "```",
            "let x = 1;",
            "",
            "```",
            "After.",
        ];
        assert_eq!(
            join_paragraphs(&lines, SourceKind::Markdown),
            "Intro that is soft wrapped.\n- one\n- two\n\n```\nlet x = 1;\n\n```\nAfter."
        );
        assert_eq!(
            join_paragraphs(&["a", "- b", "", "", "c"], SourceKind::Text),
            "a - b\n\nc"
        );
    }
}
