//! Turning byte spans and serde/toml messages into problems an admin can act on: 1-based
//! line and column, "did you mean" for misspelt names, and type errors phrased in TOML's words
//! ("expected a list of ids, found a string") without echoing the value, which could be a
//! token pasted into the wrong place.

use super::raw::RawConfig;
use super::Problem;
use std::path::Path;

/// Beyond this many, an unknown-key message stops listing the keys the table accepts.
const MAX_LISTED_KEYS: usize = 10;

/// A problem at byte `offset` of `text`.
pub(crate) fn problem_at(path: &Path, text: &str, offset: usize, message: String) -> Problem {
    let (line, col) = line_col(text, offset);
    Problem {
        path: path.to_path_buf(),
        line,
        col,
        message,
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// The one problem a syntax or type error makes (toml stops at the first).
pub(super) fn toml_problem(error: &toml::de::Error, text: &str, path: &Path) -> Problem {
    let span = error.span().unwrap_or(0..0);
    let snippet = text.get(span.clone()).unwrap_or("");
    problem_at(path, text, span.start, explain(error.message(), snippet))
}

fn explain(message: &str, snippet: &str) -> String {
    let message = message.trim();
    if let Some((name, known)) = unknown_field(message) {
        return unknown_key(&name, &known);
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.rsplit_once(", expected ") {
            return format!(
                "expected {}, found {}",
                expected_words(expected),
                found_words(found, snippet)
            );
        }
    }
    if message == "duplicate key" && !snippet.is_empty() {
        return format!("duplicate key `{snippet}`");
    }
    message.to_string()
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a` or `b`",
/// or "there are no fields") into the name and the accepted names.
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (name, expected) = rest.split_once('`')?;
    let known = expected.split('`').skip(1).step_by(2).map(String::from);
    Some((name.to_string(), known.collect()))
}

fn unknown_key(name: &str, known: &[String]) -> String {
    if let Some(best) = did_you_mean(name, known.iter().map(String::as_str)) {
        return format!("unknown field `{name}`, did you mean `{best}`?");
    }
    // Not a typo of a key here but a key of another table (`token_env` at the top level):
    // a misplaced line.
    let homes: Vec<String> = known_keys()
        .iter()
        .filter_map(|key| key.strip_suffix(name)?.strip_suffix('.'))
        .map(header)
        .collect();
    if !homes.is_empty() {
        return format!(
            "unknown field `{name}` here, it belongs in {}",
            homes.join(" or ")
        );
    }
    let listed = quoted_list(known.iter().take(MAX_LISTED_KEYS));
    match known.len() {
        0 => format!("unknown field `{name}`, this table takes no keys"),
        n if n <= MAX_LISTED_KEYS => format!("unknown field `{name}`, expected one of {listed}"),
        n => format!(
            "unknown field `{name}`, expected one of {listed}, … ({n} keys, all in config.toml.example)"
        ),
    }
}

/// `` `a`, `b`, `c` ``
pub(super) fn quoted_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let quoted: Vec<String> = items
        .into_iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect();
    quoted.join(", ")
}

/// The candidate closest to `word` when it is close enough to be what was meant.
pub(super) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (similarity(&word, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn similarity(word: &str, candidate: &str) -> f64 {
    // `timezone` for `default_timezone`, `channel` for `channel_id`: a long enough part of a
    // name is as good a hint as a typo.
    let part = word.len() >= 4 && (candidate.contains(word) || word.contains(candidate));
    let score = strsim::jaro_winkler(word, candidate);
    if part {
        score.max(0.9)
    } else {
        score
    }
}

fn expected_words(expected: &str) -> String {
    match expected {
        "a sequence" => "a list".into(),
        "a map" => "a table".into(),
        "i64" | "u64" | "i32" | "u32" | "usize" => "an integer".into(),
        s if s.starts_with("struct ") => "a table".into(),
        s => s.into(),
    }
}

fn found_words(found: &str, snippet: &str) -> &'static str {
    match found.split(' ').next().unwrap_or("") {
        "string" | "character" => "a string",
        "integer" => "an integer",
        "floating" => "a number with a fraction",
        "boolean" => "a boolean",
        "sequence" => "a list",
        // toml hands dates to serde as a map; a table starts with `[` or `{`.
        "map" if snippet.starts_with(|c: char| c.is_ascii_digit()) => "a date",
        "map" => "a table",
        _ => "a value of another type",
    }
}

/// How the table at `path` is written: `[discord]`, or `[[digest]]` for an array of tables.
fn header(path: &str) -> String {
    match toml::from_str::<RawConfig>(&format!("[[{path}]]")) {
        Ok(_) => format!("`[[{path}]]`"),
        Err(_) => format!("`[{path}]`"),
    }
}

/// Every key the config accepts, as dotted paths (`discord.token_env`, `digest.name`,
/// `sections.custom.key`). Read from the raw structs themselves: each table is fed an unknown
/// key and serde's "expected one of" list names its keys, so this cannot drift from the code.
pub fn known_keys() -> Vec<String> {
    let mut keys = Vec::new();
    collect_keys("", &mut keys);
    keys
}

fn collect_keys(prefix: &str, out: &mut Vec<String>) {
    let Some(children) = child_keys(prefix) else {
        out.push(prefix.to_string());
        return;
    };
    for child in children {
        match prefix {
            "" => collect_keys(&child, out),
            _ => collect_keys(&format!("{prefix}.{child}"), out),
        }
    }
}

/// The keys of the table at `prefix`, or `None` when it is a value, not a table.
fn child_keys(prefix: &str) -> Option<Vec<String>> {
    let probes = match prefix {
        "" => vec!["__probe__ = 0".to_string()],
        _ => vec![
            format!("[{prefix}]\n__probe__ = 0"),
            format!("[[{prefix}]]\n__probe__ = 0"),
        ],
    };
    probes.iter().find_map(|probe| {
        let error = toml::from_str::<RawConfig>(probe).err()?;
        unknown_field(error.message()).map(|(_, known)| known)
    })
}
