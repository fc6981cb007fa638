//! Hostile input against the core, without a network: the briefing parser, the config loader,
//! the renderer, the query layer and the digest options on arbitrary bytes and on text built
//! to hurt (front matter gone wrong, CRLF and lone CR, BOM, NULs and other control characters,
//! zero-width and right-to-left characters, emoji sequences, huge lines, Markdown and mention
//! syntax). Nothing may panic; every payload must fit Discord's limits and ping nobody; every
//! error must point inside the file; no briefing id may reach a file outside the briefings
//! folder.
//!
//! The generators map plain integers to fragments from the pools below, so producing
//! 20,000-character bodies stays cheap and the whole file runs in seconds in a debug build.

use briefbot::answer::{Choice, Tag, UserError, MAX_CHOICES};
use briefbot::briefings::answers as query;
use briefbot::briefings::search::SearchIndex;
use briefbot::briefings::{
    parse_briefing, AnswerCache, Briefing, Library, ParseInput, Section, SectionCatalog,
    SectionKey, SourceKind, Symlinks, MAX_SECTION_CHARS,
};
use briefbot::config::{self, ConfigError};
use briefbot::digests::answers;
use briefbot::locales::Words;
use briefbot::render::limits::{self, LimitError};
use briefbot::render::{self, DigestEntry, DigestView, MessagePayload, Prepared};
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// Pools and generators
// ---------------------------------------------------------------------------------------------

/// Characters and sequences that have broken text handling somewhere before.
#[rustfmt::skip]
const HOSTILE: &[&str] = &[
    // Control characters, including C1 and a terminal escape.
    "\0", "\u{1}", "\u{7}", "\u{8}", "\t", "\u{b}", "\u{c}", "\u{1b}[31m", "\u{7f}", "\u{85}",
    "\u{9c}",
    // Zero-width and invisible.
    "\u{200b}", "\u{200c}", "\u{200d}", "\u{2060}", "\u{ad}", "\u{180e}",
    // Right to left and bidi overrides.
    "\u{202e}", "\u{202d}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200f}", "\u{61c}",
    "مرحبا", "שלום",
    // Line and paragraph separators that are not `\n`.
    "\u{2028}", "\u{2029}",
    // Emoji: modifiers, ZWJ sequences, flags; combining marks.
    "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "e\u{301}", "a\u{300}\u{301}\u{302}\u{303}\u{304}",
    // Markdown and mentions.
    "@everyone", "@here", "<@&940000000000000001>", "<@1>", "<#1>", "`", "```", "**", "||", "~~",
    "#", "> ", "- ", "1. ", "[x](https://example.org/x y)", "\\",
    // Syntax of the file formats themselves.
    "\"", "'", "{", "}", "[", "]", "=", "+++", "---", "## ", "# ", "\"\"\"",
    // Case mapping that changes length, odd code points.
    "漢字", "İ", "ß", "ﬃ", "Σ", "\u{10ffff}", "\u{e000}", "\u{fffe}", "\u{ffff}", "\u{fffd}",
    // Headings and paths.
    "What's Next?", "what’s next", "Et après", "%2e%2e%2f", "../", "..\\",
];

const WORDS: &[&str] = &[
    "alliance", "flood", "Niamey", "à", "the", "été", "news", "x", "Sahel", "Traoré",
];

/// Separators between tokens; CR and CRLF included, the parser must normalize them.
const SEPS: &[&str] = &[" ", " ", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", ". "];

/// Units of long runs without a space: ASCII, a 3-byte char, a 7-char ZWJ emoji.
const LONG_UNITS: &[&str] = &["a", "漢", "👨‍👩‍👧‍👦", "\u{200b}", "-"];

fn pick(list: &[&'static str], x: u32) -> &'static str {
    list[x as usize % list.len()]
}

/// Text from integer tokens: words, hostile fragments, long runs, any scalar value.
fn text_from(xs: &[u32], long_runs: usize) -> String {
    let mut out = String::new();
    for &x in xs {
        match x % 16 {
            0..=6 => out.push_str(pick(WORDS, x >> 4)),
            7..=11 => out.push_str(pick(HOSTILE, x >> 4)),
            12 if long_runs > 0 => {
                let n = (x >> 8) as usize % long_runs + 1;
                out.push_str(&pick(LONG_UNITS, x >> 4).repeat(n));
            }
            _ => out.push(char::from_u32((x >> 4) % 0x11_0000).unwrap_or('\u{fffd}')),
        }
        out.push_str(pick(SEPS, x >> 24));
    }
    out
}

/// Hostile text of up to `max_tokens` tokens; long runs up to `long_runs` units.
fn hostile_text(max_tokens: usize, long_runs: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u32>(), 0..max_tokens).prop_map(move |xs| text_from(&xs, long_runs))
}

/// One line of text: hostile tokens with the line breaks taken out.
fn line_from(xs: &[u32]) -> String {
    text_from(xs, 40).replace(['\n', '\r'], " ")
}

/// At most `max` characters.
fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// A TOML basic string holding `s`, escaped so it parses.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Test settings: `cases` cases, no regression files written into the source tree.
fn cases(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Lines as an editor numbers them: LF, CRLF and a lone CR each end a line, and whatever
/// follows the last break (even nothing) is a line too.
fn editor_lines(bytes: &[u8]) -> usize {
    let text = String::from_utf8_lossy(bytes);
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .matches('\n')
        .count()
        + 1
}

/// A limit that a known, unfixed bug breaks. Each has an ignored `bug_…` test at the end of this
/// file that shows it on a minimal input; the properties tolerate exactly that breach, where it
/// occurs, and keep guarding everything else. Once a bug is fixed, un-ignore its test and delete
/// its variant here: the compiler then points at every place that tolerated it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Known {
    /// `answers::list_page` does not bound its description (4096): `bug_list_page_overflows`.
    ListPageDescription,
    /// `answers::search` does not bound its fields' total (6000): `bug_search_page_overflows`.
    SearchTotal,
    /// Refusals that list what exists (headings, tags, recent ids) are not bounded (2000):
    /// `bug_refusals_naming_what_exists_overflow`.
    LongRefusal,
    /// `answers::complete_sections` offers section keys as values unchecked (1..=100 chars):
    /// `bug_section_choices_out_of_range`.
    SectionChoiceValue,
    /// "no sections found" points one line past the end of a file that ends in its closing
    /// `+++`: `bug_no_sections_error_points_past_the_end`.
    LinePastEnd,
}

/// A message the bot would send: within every limit, and pinging nobody.
fn assert_sendable(p: &MessagePayload, known: &[Known]) -> Result<(), TestCaseError> {
    let tolerated = |e: &LimitError| match e {
        LimitError::EmbedDescription { .. } => known.contains(&Known::ListPageDescription),
        LimitError::EmbedTotal { .. } => known.contains(&Known::SearchTotal),
        _ => false,
    };
    if let Err(e) = limits::check(p) {
        let json = serde_json::to_string(p).unwrap_or_default();
        prop_assert!(tolerated(&e), "{e}: {}…", cut(&json, 600));
    }
    prop_assert!(
        p.allowed_mentions.parse.is_empty(),
        "{:?}",
        p.allowed_mentions
    );
    serde_json::to_string(p).map_err(|e| TestCaseError::fail(e.to_string()))?;
    Ok(())
}

/// A refusal is sent as the content of an ephemeral message: it must fit one.
fn assert_refusal_fits(e: &UserError, known: &[Known]) -> Result<(), TestCaseError> {
    prop_assert!(!e.0.trim().is_empty(), "empty refusal");
    let chars = e.0.chars().count();
    prop_assert!(
        chars <= limits::CONTENT || known.contains(&Known::LongRefusal),
        "a refusal of {} characters cannot be sent (limit {}): {}…",
        chars,
        limits::CONTENT,
        cut(&e.0, 300)
    );
    Ok(())
}

/// Autocomplete answers Discord accepts: at most 25 choices, names and values 1..=100 chars.
fn assert_choices(choices: &[Choice], known: &[Known]) -> Result<(), TestCaseError> {
    prop_assert!(choices.len() <= MAX_CHOICES, "{} choices", choices.len());
    for c in choices {
        let (name, value) = (c.name.chars().count(), c.value.chars().count());
        prop_assert!(
            (1..=100).contains(&name),
            "choice name of {name} chars: {:?}",
            c
        );
        prop_assert!(
            (1..=100).contains(&value) || known.contains(&Known::SectionChoiceValue),
            "choice value of {value} chars: {:?}",
            c
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The briefing parser
// ---------------------------------------------------------------------------------------------

fn catalog() -> SectionCatalog {
    let mut c = SectionCatalog::default();
    c.add_section("by_the_numbers", "By the Numbers", &["Numbers".into()]);
    c
}

#[rustfmt::skip]
const HEADINGS: &[&str] = &[
    "What's Next?", "WHAT’S NEXT:", "why it matters", "Et après", "Beyond the Headlines",
    "What's Happening", "By the Numbers", "Key Numbers!", "\u{200b}What's Next?",
    "What's Next? ##", "\u{202e}What's Next?", "What's Next?\u{0}", "##", "😀",
];

#[rustfmt::skip]
const FRONT_MATTER_VALUES: &[&str] = &[
    "2026-11-27", "2026-02-30", "2026-13-01", "2026-11-27T08:00:00+01:00", "1979-05-27T07:32:00Z",
    "0000-01-01", "9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+23:59", "07:32:00",
    "2026-11-27 08:00", "\"tomorrow\"", "[\"a\", \"\", \" \", \"#Tag\", \"A\", \"a\"]", "[1, 2]",
    "[]", "1", "1e400", "nan", "true", "\"https://example.org/a\"", "\"javascript:alert(1)\"",
    "\"http://\"", "\"https://exa mple.org\"", "{ a = 1 }", "=", "[", "\"unterminated", "'''",
];

#[rustfmt::skip]
const FRONT_MATTER_KEYS: &[&str] = &[
    "title", "date", "tags", "source", "lang", "title", "tags", "nope", "Title", "\"title\"",
];

/// A line of TOML front matter from a seed and a few text tokens.
fn front_matter_line(x: u32, tokens: &[u32]) -> String {
    let key = pick(FRONT_MATTER_KEYS, x);
    let text = line_from(tokens);
    let value = match (x >> 8) % 8 {
        0 | 1 => toml_string(&text),
        2 => format!("\"{text}\""),
        3 => format!("'{text}'"),
        4 => format!("\"\"\"\n{text}\n\"\"\""),
        5 => format!("[{}, \"\"]", toml_string(&text)),
        _ => pick(FRONT_MATTER_VALUES, x >> 12).to_string(),
    };
    match (x >> 16) % 10 {
        0 => text,
        _ => format!("{key} = {value}"),
    }
}

/// A body line from a seed and a few text tokens.
fn body_line(x: u32, tokens: &[u32]) -> String {
    let text = line_from(tokens);
    match x % 24 {
        0..=2 => format!("## {text}"),
        3..=4 => format!("## {}", pick(HEADINGS, x >> 8)),
        5..=6 => pick(HEADINGS, x >> 8).to_string(),
        7 => format!("# {text}"),
        8 => format!("```{text}"),
        9 => ["", "   \t", "\u{200b}", " \u{3000} "][(x >> 8) as usize % 4].to_string(),
        10 => format!(
            "{}{text}",
            ["- ", "1. ", "> ", "| ", "99999999999999999999. "][(x >> 8) as usize % 5]
        ),
        11 => ["+++", "---", "+++ ", "## ", "#"][(x >> 8) as usize % 5].to_string(),
        // A huge line, just under or over the section limit.
        12 => pick(LONG_UNITS, x >> 8).repeat(MAX_SECTION_CHARS / 7 + (x >> 12) as usize % 20_000),
        _ => text,
    }
}

/// Headings of the plain-text form, one per section key.
const TEXT_HEADINGS: &[&str] = &[
    "What's Happening?",
    "WHY IT MATTERS",
    "What’s next:",
    "Beyond the Headlines",
    "By the Numbers",
];

/// A well-formed briefing (or nearly: a long line may still overflow a section) with hostile
/// text in every field, so that cases get past the checks and reach the parts that build the
/// briefing: front matter values, titles, joining lines into paragraphs.
fn clean_lines(flags: u32, fm: &[(u32, Vec<u32>)], body: &[(u32, Vec<u32>)]) -> Vec<String> {
    const DATES: &[&str] = &[
        "2026-11-27",
        "2026-11-27T08:00:00+01:00",
        "1979-05-27T07:32:00Z",
        "0000-01-01",
        "9999-12-31T23:59:59-23:59",
    ];
    let text_form = flags & 256 != 0;
    let mut lines = Vec::new();
    if !text_form && flags & 2 != 0 {
        lines.push("+++".to_string());
        for (key, (x, t)) in ["title", "date", "tags", "source", "lang"].iter().zip(fm) {
            let text = line_from(t);
            let value = match *key {
                _ if x % 3 == 0 => continue,
                "title" => toml_string(&text),
                "date" => pick(DATES, x >> 4).to_string(),
                "tags" => format!(
                    "[{}, \"Sahel\", \"sahel\"]",
                    toml_string(&format!("t{text}"))
                ),
                "source" => toml_string(&format!("https://example.org/{text}")),
                _ => "\"fr\"".to_string(),
            };
            lines.push(format!("{key} = {value}"));
        }
        lines.push("+++".to_string());
    }
    if flags & 512 != 0 {
        let title = format!(
            "Title {}",
            line_from(&fm.first().map_or(vec![], |f| f.1.clone()))
        );
        lines.push(if text_form {
            title
        } else {
            format!("# {title}")
        });
    }
    for (i, (x, t)) in body.iter().enumerate() {
        let text = line_from(t);
        if i % 4 == 0 {
            let n = i / 4;
            match TEXT_HEADINGS.get(n) {
                Some(heading) if text_form => lines.push(heading.to_string()),
                None if text_form => break,
                _ => lines.push(format!("## {n} {text}")),
            }
            lines.push(format!("word {text}"));
            continue;
        }
        lines.push(match x % 8 {
            0 => format!("- {text}"),
            1 => format!("> {text}"),
            2 => String::new(),
            3 => pick(LONG_UNITS, x >> 4).repeat((x >> 8) as usize % 2500),
            4 => format!("```{text}"),
            _ => text,
        });
    }
    lines
}

/// A briefing file, as bytes: a third of the time anything goes (maybe a BOM, front matter
/// closed or not, TOML or YAML fences, lines of every kind), the rest a clean Markdown or
/// plain-text briefing; LF / CRLF / CR / mixed endings; sometimes an invalid UTF-8 byte.
fn briefing_file() -> impl Strategy<Value = Vec<u8>> {
    let line = (any::<u32>(), prop::collection::vec(any::<u32>(), 0..10));
    (
        any::<u32>(),
        prop::collection::vec(line.clone(), 0..8),
        prop::collection::vec(line, 0..40),
    )
        .prop_map(|(flags, fm, body)| {
            let chaos = flags % 3 == 0;
            let mut lines: Vec<String> = Vec::new();
            if !chaos {
                lines = clean_lines(flags, &fm, &body);
            } else if flags & 2 != 0 {
                let fence = if flags & 8 != 0 { "---" } else { "+++" };
                lines.push(fence.into());
                lines.extend(fm.iter().map(|(x, t)| front_matter_line(*x, t)));
                if flags & 4 != 0 {
                    lines.push(fence.into());
                }
            }
            if chaos {
                lines.extend(body.iter().map(|(x, t)| body_line(*x, t)));
            }
            let mut text = String::new();
            if flags & 1 != 0 {
                text.push('\u{feff}');
            }
            for (i, line) in lines.iter().enumerate() {
                text.push_str(line);
                let eol = match (flags >> 4) % 4 {
                    3 => (i as u32 + flags) % 3,
                    n => n,
                };
                if i + 1 < lines.len() || flags & 64 != 0 {
                    text.push_str(["\n", "\r\n", "\r"][eol as usize]);
                }
            }
            let mut bytes = text.into_bytes();
            let invalid = if chaos {
                flags & 128 != 0
            } else {
                flags & 0xC00 == 0xC00
            };
            if invalid && !bytes.is_empty() {
                let at = (flags >> 8) as usize % bytes.len();
                bytes.insert(at, [0xFF, 0xC3, 0x80][(flags >> 24) as usize % 3]);
            }
            bytes
        })
}

fn parse(bytes: &[u8], kind: SourceKind) -> Result<Briefing, Vec<briefbot::briefings::ParseError>> {
    let catalog = catalog();
    let input = ParseInput {
        id: "fuzz/briefing",
        path: "briefings/fuzz/briefing.md",
        kind,
        modified: Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap(),
        catalog: &catalog,
        default_lang: "en",
    };
    parse_briefing(&input, bytes)
}

/// The parser's contract on any input: a briefing whose sections are non-empty, within the
/// limit and free of CR and BOM, or errors that each point at a line of the file.
fn check_parse(bytes: &[u8], known: &[Known]) -> Result<(), TestCaseError> {
    let only_leading_bom = !String::from_utf8_lossy(bytes)
        .trim_start_matches('\u{feff}')
        .contains('\u{feff}');
    for kind in [SourceKind::Markdown, SourceKind::Text] {
        match parse(bytes, kind) {
            Ok(b) => {
                prop_assert!(!b.sections.is_empty());
                prop_assert_eq!(&b.id, "fuzz/briefing");
                for s in &b.sections {
                    let len = s.body.chars().count();
                    prop_assert!(!s.body.trim().is_empty(), "empty section {:?}", s.heading);
                    prop_assert!(len <= MAX_SECTION_CHARS, "section of {len} chars");
                    prop_assert!(!s.heading.trim().is_empty());
                    for text in [&s.body, &s.heading] {
                        prop_assert!(!text.contains('\r'), "CR in {:?}", cut(text, 80));
                        prop_assert!(
                            !(only_leading_bom && text.contains('\u{feff}')),
                            "BOM in {:?}",
                            cut(text, 80)
                        );
                    }
                }
                prop_assert!(!b.title.starts_with('\u{feff}'), "BOM in the title");
                prop_assert!(b
                    .tags
                    .iter()
                    .all(|t| Tag::new(t.as_str()).as_ref() == Some(t)));
                if let Some(source) = &b.source {
                    prop_assert!(source.starts_with("https://") || source.starts_with("http://"));
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                let lines = editor_lines(bytes);
                for e in &errors {
                    let known_past_end = e.line == lines + 1
                        && e.reason.starts_with("no sections found")
                        && known.contains(&Known::LinePastEnd);
                    prop_assert!(
                        (1..=lines).contains(&e.line) || known_past_end,
                        "{:?} error at line {} of a {}-line file: {}",
                        kind,
                        e.line,
                        lines,
                        e
                    );
                    prop_assert_eq!(&e.path, "briefings/fuzz/briefing.md");
                    prop_assert!(!e.reason.is_empty());
                }
                prop_assert!(errors.windows(2).all(|w| w[0].line <= w[1].line));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn parser_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_parse(&bytes, &[Known::LinePastEnd])?;
    }

    #[test]
    fn parser_survives_arbitrary_text(text in any::<String>()) {
        check_parse(text.as_bytes(), &[Known::LinePastEnd])?;
    }

    #[test]
    fn parser_survives_hostile_briefing_files(bytes in briefing_file()) {
        check_parse(&bytes, &[Known::LinePastEnd])?;
    }
}

/// Cases the generators found or that are worth pinning down by name.
#[test]
fn parser_edge_cases() {
    let cases: &[&[u8]] = &[
        b"",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf## What's Next?\r\nSoon.\r\n",
        b"+++",
        b"+++\n",
        b"+++\n+++",
        b"+++\n+++\n",
        b"+++\r\n+++\r\n## What's Next?\r\nSoon.",
        b"---\ntitle: x\n---\n",
        b"## What's Next?\n\0\n",
        b"## What's Next?\n\xff",
        b"\r\r\r## What's Next?\rSoon.\r",
        b"What's Next?\n\n",
        b"What's Next?\nA\nWhat's Next?\nB\n",
        b"```\n## What's Next?\n```\n",
        b"+++\ndate = 9999-12-31T23:59:59-23:59\n+++\n## What's Next?\nA.\n",
        b"+++\ndate = 0000-01-01T00:00:00+23:59\n+++\n## What's Next?\nA.\n",
        b"+++\ntitle = \"\"\"\n+++\n\"\"\"\n+++\n## A\nB\n",
    ];
    for bytes in cases {
        if let Err(e) = check_parse(bytes, &[Known::LinePastEnd]) {
            panic!("{:?}: {e}", String::from_utf8_lossy(bytes));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The config loader
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
const TABLES: &[&str] = &[
    "[discord]", "[briefings]", "[storage]", "[permissions]", "[schedule]", "[sections]",
    "[sections.aliases]", "[[sections.custom]]", "[[guild]]", "[[digest]]", "[[digest]]", "[ops]",
    "[limits]", "[digest]", "[[discord]]", "[", "[a.b.c]", "[discord", "[[]]", "[\"\u{202e}\"]",
];

#[rustfmt::skip]
const CONFIG_VALUES: &[&str] = &[
    "0", "-1", "1", "9223372036854775807", "9223372036854775808", "\"18446744073709551616\"",
    "\"910000000000000001\"", "1.5", "1e400", "inf", "true", "[]", "[1, \"2\", [3], { a = 1 }]",
    "{ a = 1 }", "2026-11-27", "2026-11-27T08:00:00Z", "\"0 8 * * MON-FRI\"", "\"*/0 * * * *\"",
    "\"@daily\"", "\"@never\"", "\"60 * * * *\"", "\"* * * * * * * *\"", "\"0 0 30 2 *\"",
    "\"0 0 29 2 MON\"", "\"L W # ? /\"", "\"0-59/99999999999 * * * *\"", "\"Europe/Paris\"",
    "\"Mars/Olympus\"", "\"UTC+25\"", "\"\"", "\" \"", "\"0s\"", "\"99999999999999999999h\"",
    "\"1x\"", "\"-1s\"", "\"1h 30m\"", "\"127.0.0.1:99999\"", "\"[::1]:80\"",
    "\"https://discord.com/\"", "\"ftp://x\"", "\"auto\"", "\"once\"", "\"all\"", "\"notice\"",
    "\"whats_next\"", "[\"whats_next\", \"whats_next\", \"What's Next\", \"\"]", "\":memory:\"",
    "\"../../etc/passwd\"", "\"", "'''", "= =",
];

/// Every key the config accepts, as leaf names and dotted paths, plus near misses.
fn config_keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = config::known_keys();
        let leaves: Vec<String> = keys
            .iter()
            .filter_map(|k| k.rsplit('.').next().map(str::to_string))
            .collect();
        keys.extend(leaves);
        for odd in [
            "tokenenv",
            "TOKEN_ENV",
            "",
            "\"quoted key\"",
            "a.b",
            "名前",
            "\u{200b}name",
        ] {
            keys.push(odd.to_string());
        }
        keys
    })
}

fn config_line(x: u32, tokens: &[u32]) -> String {
    let keys = config_keys();
    let key = &keys[(x >> 4) as usize % keys.len()];
    let text = line_from(tokens);
    match x % 16 {
        0..=2 => pick(TABLES, x >> 4).to_string(),
        3 => format!("# {text}"),
        4 => String::new(),
        5 => text,
        6 => format!("{key} = {}", toml_string(&text)),
        7 => format!("{key} = \"{text}\""),
        8 => format!("{key} = [{}]", toml_string(&text)),
        _ => format!("{key} = {}", pick(CONFIG_VALUES, x >> 12)),
    }
}

/// Syntactically valid TOML values for each kind of setting, right and wrong ones; `{}` is
/// replaced by hostile text, escaped.
#[rustfmt::skip]
const SETTING_VALUES: &[(&str, &[&str])] = &[
    ("text", &["\"{}\"", "\"DISCORD_TOKEN\"", "\"\"", "\"token with spaces\""]),
    ("id", &["910000000000000001", "0", "-1", "\"123\"", "\"abc\"", "9223372036854775807",
        "\"99999999999999999999\"", "\"{}\""]),
    ("ids", &["[]", "[910000000000000001, \"2\"]", "[0]", "[\"{}\"]", "[1, 1]"]),
    ("bool", &["true", "false", "\"yes\"", "1"]),
    ("url", &["\"https://discord.com\"", "\"http://127.0.0.1:1/\"", "\"ftp://x\"", "\"{}\""]),
    ("lang", &["\"en\"", "\"pt-BR\"", "\"english\"", "\"{}\""]),
    ("zone", &["\"Europe/Paris\"", "\"UTC\"", "\"Europe/Pariss\"", "\"{}\""]),
    ("cron", &["\"0 8 * * MON-FRI\"", "\"@daily\"", "\"0 0 30 2 *\"", "\"*/0 * * * *\"",
        "\"0 0 0 * * *\"", "\"0 0 29 2 MON\"", "\"{}\""]),
    ("duration", &["\"90s\"", "\"1h 30m\"", "\"0s\"", "\"1x\"", "\"99999999999999999999h\"",
        "\"{}\""]),
    ("count", &["0", "1", "5", "25", "26", "-1", "6000", "6001", "9223372036854775807"]),
    ("listen", &["\"127.0.0.1:9100\"", "\"[::1]:80\"", "\"localhost:80\"", "\"{}\""]),
    ("shards", &["\"auto\"", "1", "0", "65536", "\"two\""]),
    ("catch_up", &["\"once\"", "\"skip\"", "\"all\"", "\"onse\"", "\"{}\""]),
    ("when_empty", &["\"skip\"", "\"notice\"", "\"notise\"", "\"{}\""]),
    ("sections", &["[\"whats_next\"]", "[\"whats_next\", \"whats_next\"]", "[\"What's Next\"]",
        "[\"nope\"]", "[]", "[\"\"]", "[\"{}\"]"]),
    ("tags", &["[\"sahel\"]", "[\"\", \" \"]", "[\"{}\"]"]),
    ("name", &["\"morning\"", "\"Morning-News_2\"", "\"\"", "\"{}\"",
        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""]),
    ("path", &["\"briefings\"", "\":memory:\"", "\"\"", "\"../../etc\"", "\"{}\""]),
    ("headings", &["[\"Looking Ahead\"]", "[\"What's Next\"]", "[\"\"]", "[\"{}\"]"]),
    ("key", &["\"by_the_numbers\"", "\"whats_next\"", "\"Bad Key\"", "\"{}\""]),
];

/// The tables of a config and the kind of value each key takes; `[[...]]` tables may repeat.
#[rustfmt::skip]
const SCHEMA: &[(&str, &[(&str, &str)])] = &[
    ("[discord]", &[("token_env", "text"), ("guild_ids", "ids"), ("api_base", "url"),
        ("shards", "shards")]),
    ("[briefings]", &[("dir", "path"), ("watch", "bool"), ("default_lang", "lang")]),
    ("[storage]", &[("path", "path")]),
    ("[permissions]", &[("moderator_role_ids", "ids"), ("admin_user_ids", "ids")]),
    ("[schedule]", &[("default_timezone", "zone"), ("catch_up", "catch_up"),
        ("grace", "duration")]),
    ("[limits]", &[("cooldown", "duration"), ("max_query_len", "count"),
        ("search_results", "count"), ("page_size", "count")]),
    ("[ops]", &[("listen", "listen")]),
    ("[sections.aliases]", &[("whats_next", "headings"), ("nope", "headings"),
        ("by_the_numbers", "headings")]),
    ("[[sections.custom]]", &[("key", "key"), ("title", "text"), ("aliases", "headings")]),
    ("[[guild]]", &[("id", "id"), ("alert_channel_id", "id")]),
    ("[[digest]]", &[("name", "name"), ("channel_id", "id"), ("guild_id", "id"),
        ("schedule", "cron"), ("timezone", "zone"), ("sections", "sections"), ("tags", "tags"),
        ("max_briefings", "count"), ("only_new", "bool"), ("when_empty", "when_empty"),
        ("silent", "bool"), ("mention_role", "id"), ("catch_up", "catch_up"),
        ("grace", "duration")]),
];

/// A config that TOML accepts, with every key at most once per table, so that cases reach the
/// validation of each setting rather than stopping at the first syntax error.
fn clean_config(seeds: &[(u32, Vec<u32>)]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut seen = HashSet::new();
    for (x, tokens) in seeds {
        let (table, keys) = SCHEMA[*x as usize % SCHEMA.len()];
        if !table.starts_with("[[") && !seen.insert(table) {
            continue;
        }
        lines.push(table.to_string());
        let text = line_from(tokens);
        let escaped = toml_string(&text);
        let escaped = &escaped[1..escaped.len() - 1];
        for (i, (key, kind)) in keys.iter().enumerate() {
            let bits = x.rotate_left(i as u32 * 3);
            if bits % 3 == 0 {
                continue;
            }
            let pool = SETTING_VALUES.iter().find(|(k, _)| k == kind).unwrap().1;
            let value = pick(pool, bits >> 2).replace("{}", escaped);
            lines.push(format!("{key} = {value}"));
        }
    }
    lines
}

/// A config file: mostly well-formed TOML with right and wrong settings, sometimes anything at
/// all; LF or CRLF, maybe a BOM.
fn config_file() -> impl Strategy<Value = String> {
    let line = (any::<u32>(), prop::collection::vec(any::<u32>(), 0..6));
    (any::<u8>(), prop::collection::vec(line, 0..30)).prop_map(|(flags, lines)| {
        let eol = if flags & 1 != 0 { "\r\n" } else { "\n" };
        let body: Vec<String> = match flags % 4 {
            0 => lines.iter().map(|(x, t)| config_line(*x, t)).collect(),
            _ => clean_config(&lines),
        };
        let bom = if flags & 2 != 0 { "\u{feff}" } else { "" };
        format!("{bom}{}", body.join(eol))
    })
}

/// The loader's contract: a config within its documented ranges, or problems that each name
/// the file and a line and column inside the text.
fn check_config(text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("/nonexistent/briefbot/config.toml");
    match config::parse(text, path) {
        Ok(c) => {
            prop_assert!((1..=25).contains(&c.limits.page_size));
            prop_assert!((1..=25).contains(&c.limits.search_results));
            prop_assert!((1..=6000).contains(&c.limits.max_query_len));
        }
        Err(ConfigError::Invalid { problems }) => {
            prop_assert!(!problems.is_empty());
            let shown = text.strip_prefix('\u{feff}').unwrap_or(text);
            let lines: Vec<&str> = shown.split('\n').collect();
            for p in &problems {
                prop_assert_eq!(&p.path, path);
                prop_assert!(!p.message.is_empty());
                prop_assert!(
                    (1..=lines.len()).contains(&p.line),
                    "line {} of {}: {}",
                    p.line,
                    lines.len(),
                    p
                );
                let width = lines[p.line - 1].chars().count();
                prop_assert!(
                    (1..=width + 1).contains(&p.col),
                    "col {} of {}: {}",
                    p.col,
                    width,
                    p
                );
            }
        }
        Err(e) => prop_assert!(false, "parse read a file: {e}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn config_survives_arbitrary_text(text in any::<String>()) {
        check_config(&text)?;
    }

    #[test]
    fn config_survives_hostile_toml(text in config_file()) {
        check_config(&text)?;
    }
}

// ---------------------------------------------------------------------------------------------
// The renderer
// ---------------------------------------------------------------------------------------------

/// Parser-shaped or worse: anything a `Briefing` can hold, bodies up to the parser's limit.
fn any_briefing() -> impl Strategy<Value = Briefing> {
    let key = select(vec![
        "whats_happening",
        "why_it_matters",
        "whats_next",
        "beyond_the_headlines",
        "by_the_numbers",
        "a_custom_one",
    ]);
    let section =
        (key, hostile_text(12, 400), hostile_text(400, 6000)).prop_map(|(k, h, b)| Section {
            key: SectionKey::new(k),
            heading: h,
            body: cut(&b, MAX_SECTION_CHARS),
        });
    let source = prop::option::of(prop_oneof![
        Just("https://example.org/a".to_string()),
        Just("https://exa mple.org".to_string()),
        Just("http://".to_string()),
        hostile_text(6, 50).prop_map(|t| format!("https://example.org/{t}")),
        hostile_text(6, 50),
    ]);
    (
        (hostile_text(40, 3000), "[a-z0-9/-]{1,200}"),
        prop::collection::vec(hostile_text(4, 200), 0..60),
        source,
        (-62_167_219_200i64..=253_402_300_799, any::<bool>()),
        prop::collection::vec(section, 0..6),
    )
        .prop_map(
            |((title, id), tags, source, (secs, date_only), sections)| Briefing {
                id,
                title,
                date: DateTime::from_timestamp(secs, 0).unwrap(),
                date_only,
                tags: Tag::all(tags.iter().map(String::as_str)),
                source,
                lang: "en".into(),
                sections,
            },
        )
}

proptest! {
    #![proptest_config(cases(150))]

    #[test]
    fn rendered_briefings_and_sections_fit_and_ping_nobody(b in any_briefing()) {
        for p in render::render_briefing(&b) {
            assert_sendable(&p, &[])?;
            prop_assert!(p.allowed_mentions.roles.is_empty());
        }
        for s in &b.sections {
            for p in render::render_section(&b, s) {
                assert_sendable(&p, &[])?;
                prop_assert!(p.allowed_mentions.roles.is_empty());
            }
        }
    }

    #[test]
    fn rendered_digests_fit_and_ping_only_their_role(
        briefings in prop::collection::vec(any_briefing(), 0..3),
        name in hostile_text(60, 3000),
        role in prop::option::of(any::<u64>()),
        only in prop::option::of(select(vec!["whats_next", "a_custom_one"])),
        silent in any::<bool>(),
    ) {
        let entries: Vec<DigestEntry> = briefings
            .iter()
            .map(|b| DigestEntry {
                briefing: b,
                sections: b
                    .sections
                    .iter()
                    .filter(|s| only.is_none_or(|k| s.key.as_str() == k))
                    .collect(),
            })
            .collect();
        let fire_time = Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap();
        let view = DigestView { name: &name, fire_time, entries, mention_role: role, silent, nothing_new: "Nothing new to post." };
        let out = render::render_digest(&view);
        prop_assert!(!out.is_empty());
        for (i, p) in out.iter().enumerate() {
            assert_sendable(p, &[])?;
            match role {
                Some(r) if i == 0 && !p.embeds.is_empty() => {
                    prop_assert_eq!(&p.allowed_mentions.roles, &vec![r.to_string()]);
                }
                _ => prop_assert!(
                    p.allowed_mentions.roles.is_empty(),
                    "message {i}: {:?}",
                    p.allowed_mentions
                ),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The query layer, over a library on disk with secrets beside it
// ---------------------------------------------------------------------------------------------

/// In every file outside the briefings folder; no answer may ever contain it.
const SECRET: &str = "SECRET-7f3a9c-outside-the-briefings-folder";

/// A briefings folder full of awkward files, and files outside it that must stay unread.
struct Fixture {
    _root: tempfile::TempDir,
    root: PathBuf,
    library: Library,
    index: SearchIndex,
    ids: HashSet<String>,
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build_fixture)
}

/// A Markdown briefing with `front` matter lines and one `## What's Next?` section.
fn md(front: &str, next: &str) -> String {
    format!("+++\n{front}\n+++\n## What's Next?\n{next}\n")
}

fn build_fixture() -> Fixture {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    let secret = md(&format!("title = \"{SECRET}\""), SECRET);
    for outside in [
        "secret.md",
        "etc/passwd.md",
        "briefings-evil/evil.md",
        "windows/win.md",
    ] {
        write(&r.join(outside), &secret);
    }
    write(&r.join("etc/passwd"), &format!("root:x:0:0:{SECRET}\n"));

    let b = r.join("briefings");
    // A legitimate briefing whose id is `etc/passwd`: traversal may find this one only.
    write(
        &b.join("etc/passwd.md"),
        &md("title = \"Inside\"", "Inside the folder."),
    );
    let normal = md(
        "title = \"Normal\"\ndate = 2026-11-27\ntags = [\"sahel\"]",
        "A flood.",
    );
    write(&b.join("normal.md"), &normal);
    let long_path = format!(
        "{}/{}/{}.md",
        "d".repeat(120),
        "e".repeat(120),
        "f".repeat(120)
    );
    write(&b.join(long_path), "## What's Next?\nLong path.\n");
    write(
        &b.join(format!("{}.md", "a".repeat(200))),
        "## What's Next?\nLong name.\n",
    );
    write(
        &b.join("a/b/c/d/e/f/g/h/deep.md"),
        "## What's Next?\nDeep.\n",
    );
    write(
        &b.join("%2e%2e%2fsecret.md"),
        "## What's Next?\nPercent name.\n",
    );
    write(
        &b.join("Ünïcode Ñame 😀.txt"),
        "Title line\nWhat's Next?\nUnicode name.\n",
    );

    // Long everything: title, 60 tags, 25 sections with long headings.
    let tags: Vec<String> = (0..60)
        .map(|i| format!("\"{i}-{}\"", "t".repeat(95)))
        .collect();
    let title = format!("{} \u{202e}@everyone", "Ω".repeat(300));
    let mut hostile = format!(
        "+++\ntitle = \"{title}\"\ntags = [{}]\n+++\n",
        tags.join(", ")
    );
    for i in 0..25 {
        let heading = format!("{i} {}", "h".repeat(250));
        hostile.push_str(&format!("## {heading}\nflood {}\n\n", "word ".repeat(300)));
    }
    write(&b.join("hostile.md"), &hostile);

    // Many matches for one word, with long titles: what a full /search page looks like.
    for i in 0..30 {
        let title = format!("title = \"{i} {}\"", "Flooding on the river ".repeat(12));
        let text = format!(
            "The flood {}\n## Why It Matters\nFlood again.",
            "rises, ".repeat(40)
        );
        write(&b.join(format!("flood/{i:02}.md")), &md(&title, &text));
    }

    let (library, report) = Library::load(&b, &catalog(), "en", Symlinks::InsideOnly).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    for b in library.newest_first() {
        assert!(
            !format!("{b:?}").contains(SECRET),
            "loaded from outside: {}",
            b.id
        );
    }
    let index = SearchIndex::build(&library).unwrap();
    let ids = library.newest_first().map(|b| b.id.clone()).collect();
    let root_path = r.to_path_buf();
    Fixture {
        _root: root,
        root: root_path,
        library,
        index,
        ids,
    }
}

/// Pieces of paths an attacker would try, in several encodings.
#[rustfmt::skip]
const PATH_BITS: &[&str] = &[
    "..", ".", "/", "\\", "%2e", "%2E", "%2f", "%2F", "%5c", "%252e", "%00", "\0", "etc", "passwd",
    "secret", "briefings", "briefings-evil", "evil", "windows", "win.ini", "~", ".md", ".txt",
    "file:", "C:", "\u{2215}", "\u{ff0f}", "\u{ff0e}", " ", "normal", "flood", "00",
];

fn path_like() -> impl Strategy<Value = String> {
    prop::collection::vec(select(PATH_BITS), 0..10).prop_map(|bits| bits.concat())
}

/// What a member might type as a briefing id or a tag.
fn member_input() -> impl Strategy<Value = String> {
    let known: Vec<String> = fixture().ids.iter().cloned().collect();
    prop_oneof![
        any::<String>(),
        hostile_text(10, 300),
        path_like(),
        (select(known), path_like()).prop_map(|(id, p)| format!("{p}{id}")),
        Just("../../etc/passwd".to_string()),
        Just("/etc/passwd".to_string()),
        Just("..\\..\\windows\\win.ini".to_string()),
        Just("..%2F..%2Fetc%2Fpasswd".to_string()),
        Just("%2e%2e%2f%2e%2e%2fsecret".to_string()),
        Just("briefings/../secret".to_string()),
        Just("../briefings-evil/evil".to_string()),
    ]
}

/// No answer may carry a secret or say where the files live.
fn assert_discreet(text: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !text.contains(SECRET),
        "a secret leaked: {}",
        cut(text, 300)
    );
    let root = fixture().root.display().to_string();
    prop_assert!(
        !text.contains(&root),
        "the folder's path leaked: {}",
        cut(text, 300)
    );
    Ok(())
}

fn check_payloads(
    result: Result<Vec<MessagePayload>, UserError>,
    known: &[Known],
) -> Result<(), TestCaseError> {
    match result {
        Ok(payloads) => {
            prop_assert!(!payloads.is_empty());
            for p in &payloads {
                assert_sendable(p, known)?;
                assert_discreet(&serde_json::to_string(p).unwrap())?;
            }
        }
        Err(e) => {
            assert_refusal_fits(&e, known)?;
            assert_discreet(&e.0)?;
        }
    }
    Ok(())
}

// Each query answer, checked with the tolerances its known bugs need and no others.

/// `/brief` and the section commands answer from a cache of prepared messages: what they send
/// is those messages as Discord reads them.
fn sent(answer: Result<Prepared, UserError>) -> Result<Vec<MessagePayload>, UserError> {
    answer.map(|prepared| prepared.payloads())
}

fn check_brief(lib: &Library, id: Option<&str>) -> Result<(), TestCaseError> {
    let answer = query::brief(&Words::english(), lib, &AnswerCache::new(lib), id);
    check_payloads(sent(answer), &[Known::LongRefusal])
}

fn check_section(lib: &Library, id: Option<&str>, name: &str) -> Result<(), TestCaseError> {
    let answer = query::section(
        &Words::english(),
        lib,
        &AnswerCache::new(lib),
        &catalog(),
        id,
        name,
    );
    check_payloads(sent(answer), &[Known::LongRefusal])
}

fn check_list(
    lib: &Library,
    tag: Option<&str>,
    page: usize,
    size: usize,
) -> Result<(), TestCaseError> {
    let answer = query::list_page(&Words::english(), lib, tag, page, size).map(|p| vec![p]);
    check_payloads(answer, &[Known::ListPageDescription, Known::LongRefusal])
}

fn check_search(
    q: &str,
    tag: Option<&str>,
    limit: usize,
    max_len: usize,
) -> Result<(), TestCaseError> {
    let answer =
        query::search(&Words::english(), &fixture().index, q, tag, limit, max_len).map(|p| vec![p]);
    check_payloads(answer, &[Known::SearchTotal])
}

fn check_section_choices(
    lib: &Library,
    id: Option<&str>,
    partial: &str,
) -> Result<(), TestCaseError> {
    let choices = query::complete_sections(lib, &catalog(), id, partial);
    assert_choices(&choices, &[Known::SectionChoiceValue])
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn ids_never_resolve_outside_the_library(id in member_input()) {
        let f = fixture();
        match query::find_briefing(&Words::english(), &f.library, Some(&id)) {
            Ok(b) => {
                prop_assert!(f.ids.contains(&b.id), "{id:?} found {}", b.id);
                assert_discreet(&format!("{b:?}"))?;
            }
            Err(e) => {
                assert_refusal_fits(&e, &[Known::LongRefusal])?;
                assert_discreet(&e.0)?;
            }
        }
        check_brief(&f.library, Some(&id))?;
    }

    #[test]
    fn section_answers_fit_for_any_names(
        id in prop::option::of(member_input()),
        name in member_input(),
    ) {
        let f = fixture();
        check_section(&f.library, id.as_deref(), &name)?;
        for key in ["whats_next", "why_it_matters", "whats_happening"] {
            check_section(&f.library, id.as_deref(), key)?;
        }
        check_section_choices(&f.library, id.as_deref(), &name)?;
    }

    #[test]
    fn list_pages_and_buttons_fit_for_any_tag_and_page(
        tag in prop::option::of(member_input()),
        page in prop_oneof![1usize..5, any::<usize>()],
        page_size in 1usize..=25,
    ) {
        let f = fixture();
        check_list(&f.library, tag.as_deref(), page, page_size)?;
        // Every button on a page must lead to a page that fits too.
        let first = query::list_page(&Words::english(), &f.library, tag.as_deref(), page, page_size);
        for button in first.iter().flat_map(|p| &p.components).flat_map(|r| &r.components) {
            prop_assert!(limits::check_custom_id(&button.custom_id).is_ok());
            let (page, tag) = query::parse_list_button(&button.custom_id)
                .ok_or_else(|| TestCaseError::fail(format!("unreadable {:?}", button.custom_id)))?;
            check_list(&f.library, tag.as_deref(), page, page_size)?;
        }
    }

    #[test]
    fn forged_button_ids_are_refused_or_lead_to_a_page_that_fits(
        custom_id in prop_oneof![
            any::<String>(),
            member_input().prop_map(|t| format!("brf:list:1:{t}")),
            (any::<i64>(), member_input()).prop_map(|(p, t)| format!("brf:list:{p}:{t}")),
            path_like().prop_map(|p| format!("brf:list:{p}:")),
        ],
        page_size in 1usize..=25,
    ) {
        let f = fixture();
        if let Some((page, tag)) = query::parse_list_button(&custom_id) {
            prop_assert!((1..=100_000).contains(&page));
            check_list(&f.library, tag.as_deref(), page, page_size)?;
        }
    }

    #[test]
    fn search_answers_fit_for_any_query(
        q in prop_oneof![member_input(), hostile_text(80, 300), Just("flood".to_string())],
        tag in prop::option::of(member_input()),
        limit in 1usize..=25,
        max_len in 1usize..=6000,
    ) {
        check_search(&q, tag.as_deref(), limit, max_len)?;
    }

    #[test]
    fn autocomplete_choices_fit_for_any_partial(partial in member_input()) {
        let f = fixture();
        assert_choices(&query::complete_briefings(&f.library, &partial), &[])?;
        assert_choices(&query::complete_tags(&f.library, &partial), &[])?;
        check_section_choices(&f.library, None, &partial)?;
        check_section_choices(&f.library, Some(&partial), "")?;
        for c in query::complete_briefings(&f.library, &partial) {
            prop_assert!(f.ids.contains(&c.value));
        }
    }

    #[test]
    fn an_empty_library_refuses_politely(
        id in prop::option::of(member_input()),
        tag in prop::option::of(member_input()),
    ) {
        let empty = Library::default();
        let cache = AnswerCache::new(&empty);
        check_payloads(sent(query::brief(&Words::english(), &empty, &cache, id.as_deref())), &[])?;
        let section = query::section(&Words::english(), &empty, &cache, &catalog(), id.as_deref(), "whats_next");
        check_payloads(sent(section), &[])?;
        check_payloads(query::list_page(&Words::english(), &empty, tag.as_deref(), 1, 10).map(|p| vec![p]), &[])?;
        assert_choices(&query::complete_briefings(&empty, id.as_deref().unwrap_or("")), &[])?;
        assert_choices(&query::complete_sections(&empty, &catalog(), id.as_deref(), ""), &[])?;
    }
}

/// The classic traversal ids (relative, absolute, Windows, percent-encoded), one by one: each is
/// refused or finds a briefing that is in the folder, and none of them ever shows a secret.
#[test]
fn named_traversal_ids_stay_inside() {
    let f = fixture();
    for id in [
        "../../etc/passwd",
        "/etc/passwd",
        "..\\..\\windows\\win.ini",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e/%2e%2e/secret",
        "../secret",
        "../briefings-evil/evil",
        "briefings/../../secret",
    ] {
        match query::find_briefing(&Words::english(), &f.library, Some(id)) {
            Ok(b) => {
                assert!(f.ids.contains(&b.id), "{id} -> {}", b.id);
                assert!(!format!("{b:?}").contains(SECRET), "{id} read a secret");
            }
            Err(e) => assert!(!e.0.contains(SECRET), "{e}"),
        }
    }
    // `etc/passwd` inside the folder is the only one `../../etc/passwd` can reach.
    let inside =
        query::find_briefing(&Words::english(), &f.library, Some("../../etc/passwd")).unwrap();
    assert_eq!(inside.title, "Inside");
}

// ---------------------------------------------------------------------------------------------
// Generated libraries: hostile titles, tags, headings and ids, as the parser lets them through
// ---------------------------------------------------------------------------------------------

fn library_briefing() -> impl Strategy<Value = Briefing> {
    let section = (hostile_text(30, 200), hostile_text(30, 300)).prop_map(|(h, b)| {
        let heading = cut(h.replace(['\n', '\r'], " ").trim(), 400);
        let heading = if heading.is_empty() {
            "Heading".to_string()
        } else {
            heading
        };
        let body = if b.trim().is_empty() {
            "Body.".to_string()
        } else {
            b
        };
        Section {
            key: catalog().key_for(&heading),
            heading,
            body,
        }
    });
    (
        "[a-z0-9-]{1,80}(/[a-z0-9-]{1,80}){0,3}",
        hostile_text(30, 300),
        prop::collection::vec(
            hostile_text(3, 120).prop_map(|t| t.trim().to_lowercase()),
            0..30,
        ),
        0i64..4_000_000_000,
        prop::collection::vec(section, 1..12),
    )
        .prop_map(|(id, title, tags, secs, sections)| Briefing {
            id,
            title: cut(title.trim(), 500),
            date: DateTime::from_timestamp(secs, 0).unwrap(),
            date_only: secs % 2 == 0,
            tags: Tag::all(tags.iter().map(String::as_str)),
            source: None,
            lang: "en".into(),
            sections,
        })
}

proptest! {
    #![proptest_config(cases(96))]

    #[test]
    fn answers_over_hostile_libraries_fit(
        briefings in prop::collection::vec(library_briefing(), 1..30),
        pick_id in any::<prop::sample::Index>(),
        name in hostile_text(6, 200),
        page in 1usize..4,
        page_size in 1usize..=25,
    ) {
        let library = Library::from_briefings(briefings);
        let ids: Vec<String> = library.newest_first().map(|b| b.id.clone()).collect();
        let id = pick_id.get(&ids).clone();
        check_brief(&library, Some(&id))?;
        check_brief(&library, Some("not-there"))?;
        check_section(&library, Some(&id), &name)?;
        check_list(&library, None, page, page_size)?;
        check_list(&library, Some("no-such-tag"), 1, page_size)?;
        let tags: Vec<String> = library.tags().map(|(t, _)| t.to_string()).collect();
        if let Some(tag) = tags.first() {
            check_list(&library, Some(tag), page, page_size)?;
        }
        assert_choices(&query::complete_briefings(&library, ""), &[])?;
        assert_choices(&query::complete_tags(&library, ""), &[])?;
        check_section_choices(&library, Some(&id), "")?;
        check_section_choices(&library, Some(&id), &name)?;
    }
}

// ---------------------------------------------------------------------------------------------
// The `/digest add` options: names, cron expressions, zones and section lists as typed
// ---------------------------------------------------------------------------------------------

fn cron_like() -> impl Strategy<Value = String> {
    #[rustfmt::skip]
    const BITS: &[&str] = &[
        "*", "*/", "0", "59", "60", "-1", "1-5", ",", "/", "L", "W", "#", "?", "MON", "FRI-MON",
        "JAN", "@daily", "@", " ", "  ", "\t", "99999999999999999999", "0-0/0",
    ];
    prop_oneof![
        prop::collection::vec(select(BITS), 0..16).prop_map(|b| b.concat()),
        hostile_text(8, 100),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(cases(384))]

    #[test]
    fn digest_options_are_refused_in_a_message_that_fits(
        name in prop_oneof![hostile_text(8, 100), any::<String>()],
        expr in cron_like(),
        zone in prop::option::of(prop_oneof![
            hostile_text(4, 80),
            Just("Europe/Paris".to_string()),
            any::<String>(),
        ]),
        sections in prop::option::of(prop_oneof![member_input(), hostile_text(20, 100)]),
    ) {
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap();
        let en = Words::english();
        if let Err(e) = answers::check_name(&en, &name) { assert_refusal_fits(&e, &[])?; }
        let zone = zone.as_deref();
        if let Err(e) = answers::check_schedule(&en, &expr, zone, chrono_tz::UTC, now) {
            assert_refusal_fits(&e, &[])?;
        }
        if let Err(e) = answers::parse_sections(&en, sections.as_deref(), &catalog()) {
            assert_refusal_fits(&e, &[])?;
        }
        assert_choices(&answers::complete_timezones(&name, chrono_tz::UTC, now), &[])?;
    }
}

/// Shared state is built once; make sure building it did not hide a failure.
#[test]
fn the_fixture_loads_every_file_inside_and_nothing_outside() {
    let f = fixture();
    assert!(f.ids.contains("etc/passwd") && f.ids.contains("normal"));
    assert!(f
        .ids
        .iter()
        .all(|id| !id.contains("..") && !id.starts_with('/')));
}

// ---------------------------------------------------------------------------------------------
// Known bugs, each on a minimal input (see `Known`)
// ---------------------------------------------------------------------------------------------

fn briefing(id: &str, title: &str, tags: &[String], headings: &[String]) -> Briefing {
    let catalog = catalog();
    Briefing {
        id: id.into(),
        title: title.into(),
        date: Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap(),
        date_only: true,
        tags: Tag::all(tags.iter().map(String::as_str)),
        source: None,
        lang: "en".into(),
        sections: headings
            .iter()
            .map(|h| Section {
                key: catalog.key_for(h),
                heading: h.clone(),
                body: "The river floods again; officials expect more rain in the coming weeks, \
                       and aid groups warn of cholera in the camps along the banks."
                    .repeat(2),
            })
            .collect(),
    }
}

fn next() -> Vec<String> {
    vec!["What's Next?".to_string()]
}

#[test]
fn bug_list_page_overflows() {
    let headline = "A rather long headline about the floods on the Niger river ".repeat(3);
    let long_titles = Library::from_briefings(
        (0..25)
            .map(|i| {
                briefing(
                    &format!("2026/story-{i:02}"),
                    &format!("{i} {headline}"),
                    &[],
                    &next(),
                )
            })
            .collect(),
    );
    let titles_page = query::list_page(&Words::english(), &long_titles, None, 1, 25).unwrap();
    let long_ids = Library::from_briefings(
        (0..10)
            .map(|i| {
                let id = format!("2026/{i}-{}", "a-very-long-file-name".repeat(11));
                briefing(&id, &"T".repeat(150), &[], &next())
            })
            .collect(),
    );
    let ids_page = query::list_page(&Words::english(), &long_ids, None, 1, 10).unwrap();
    let checks = (limits::check(&titles_page), limits::check(&ids_page));
    assert_eq!(checks, (Ok(()), Ok(())), "(25 long titles, 10 long ids)");
}

#[test]
fn bug_search_page_overflows() {
    let library = Library::from_briefings(
        (0..30)
            .map(|i| {
                let title = format!("Niger river floods displace thousands {i}");
                briefing(&format!("2026/story-{i:02}"), &title, &[], &next())
            })
            .collect(),
    );
    let index = SearchIndex::build(&library).unwrap();
    let page = query::search(&Words::english(), &index, "floods", None, 25, 200).unwrap();
    assert_eq!(limits::check(&page), Ok(()));
}

#[test]
fn bug_refusals_naming_what_exists_overflow() {
    let fits = |e: UserError| {
        let n = e.0.chars().count();
        assert!(n <= limits::CONTENT, "{n} characters: {}…", cut(&e.0, 200));
    };
    let headings: Vec<String> = (0..15)
        .map(|i| format!("Heading {i} {}", "with many words ".repeat(10)))
        .collect();
    let many_headings = Library::from_briefings(vec![briefing("a", "A", &[], &headings)]);
    let cache = AnswerCache::new(&many_headings);
    let refusal = query::section(
        &Words::english(),
        &many_headings,
        &cache,
        &catalog(),
        Some("a"),
        "whats_next",
    );
    fits(refusal.unwrap_err());
    let tags: Vec<String> = (0..15)
        .map(|i| format!("{i}-{}", "longtag".repeat(20)))
        .collect();
    let many_tags = Library::from_briefings(vec![briefing("a", "A", &tags, &next())]);
    fits(query::list_page(&Words::english(), &many_tags, Some("nope"), 1, 10).unwrap_err());
    let long_ids = Library::from_briefings(
        (0..5)
            .map(|i| briefing(&format!("{i}/{}", "x".repeat(400)), "T", &[], &next()))
            .collect(),
    );
    fits(query::find_briefing(&Words::english(), &long_ids, Some("nope")).unwrap_err());
}

#[test]
fn bug_section_choices_out_of_range() {
    let headings = vec!["???".to_string(), format!("Key {}", "numbers ".repeat(20))];
    let library = Library::from_briefings(vec![briefing("a", "A", &[], &headings)]);
    let choices = query::complete_sections(&library, &catalog(), Some("a"), "");
    for c in &choices {
        assert!((1..=100).contains(&c.value.chars().count()), "{c:?}");
    }
}

#[test]
fn bug_no_sections_error_points_past_the_end() {
    let errors = parse(b"+++\n+++", SourceKind::Markdown).unwrap_err();
    assert!(errors.iter().all(|e| e.line <= 2), "{errors:?}");
}
