//! `config.toml.example` is the admin's reference, so it is tested like code: it loads as
//! shipped and with every commented-out example switched on (and each `#or` alternative in
//! place of the setting it replaces), its values are the real defaults, and it mentions every
//! key the code accepts. That list comes from the code
//! (`config::known_keys`), so a key added without documentation fails here.

use briefbot::config;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml.example")
}

fn example() -> String {
    std::fs::read_to_string(example_path()).expect("config.toml.example is readable")
}

/// The config line in a commented-out example (`# [ops]`, `# listen = "…"`). Prose comments
/// never start with `[` or `key =`.
fn uncommented(line: &str) -> Option<&str> {
    let rest = match alternative(line) {
        Some(alt) => alt,
        None => line.trim_start().strip_prefix('#')?.trim_start(),
    };
    let is_config = rest.starts_with('[')
        || rest
            .split_once('=')
            .is_some_and(|(key, _)| is_key(key.trim()));
    is_config.then_some(rest)
}

/// An alternative to the setting above it (`#or url = "…"`), as a commented-out example.
fn alternative(line: &str) -> Option<&str> {
    line.trim_start()
        .strip_prefix("#or ")
        .map(|rest| rest.trim_start())
}

/// A commented line as the ordinary examples see it: alternatives stay commented.
fn example_line(line: &str) -> &str {
    match alternative(line) {
        Some(_) => "",
        None => uncommented(line).unwrap_or(line),
    }
}

fn is_key(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// Dotted paths of the tables and keys the example shows, commented out or not.
fn mentioned(text: &str) -> BTreeSet<String> {
    let mut table = String::new();
    let mut seen = BTreeSet::new();
    for line in text.lines() {
        let line = uncommented(line).unwrap_or(line).trim();
        if line.starts_with('[') {
            let header = line.split(']').next().unwrap_or("");
            table = header.trim_start_matches('[').trim().to_string();
            seen.insert(table.clone());
        } else if let Some((key, _)) = line.split_once('=') {
            if is_key(key.trim()) {
                seen.insert(format!("{table}.{}", key.trim()));
            }
        }
    }
    seen
}

#[test]
fn the_example_loads_as_shipped() {
    let config = config::load(&example_path()).unwrap_or_else(|e| panic!("{e}"));
    let [morning] = &config.digests[..] else {
        panic!("one example digest, found {:?}", config.digests);
    };
    assert_eq!(morning.name, "morning");
    assert_eq!(morning.channel_id, 123456789012345678);
    assert_eq!(morning.timezone, chrono_tz::Africa::Bamako);
    let sections: Vec<&str> = morning.sections.iter().map(|k| k.as_str()).collect();
    assert_eq!(sections, ["whats_happening", "why_it_matters"]);
    assert_eq!(morning.tags, ["sahel"]);
}

#[test]
fn the_example_shows_the_defaults() {
    let path = example_path();
    let example = config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let defaults = config::parse("", &path).expect("an empty config is valid");
    assert_eq!(example.discord, defaults.discord);
    assert_eq!(example.briefings, defaults.briefings);
    assert_eq!(example.storage, defaults.storage);
    assert_eq!(example.permissions, defaults.permissions);
    assert_eq!(example.schedule, defaults.schedule);
    assert_eq!(example.limits, defaults.limits);
    assert_eq!(example.sections, defaults.sections);
    assert_eq!(example.ops, defaults.ops);
    assert!(example.guilds.is_empty());
}

#[test]
fn every_commented_out_example_is_valid_too() {
    let example = example();
    let text: Vec<&str> = example.lines().map(example_line).collect();
    let text = text.join("\n");
    let config = config::parse(&text, &example_path()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(config.ops.is_some());
    assert_eq!(config.guilds.len(), 1);
    assert!(config.sections.get("by_the_numbers").is_some());
    assert_eq!(config.digests[0].mention_role, Some(123456789012345679));
}

#[test]
fn each_alternative_is_valid_in_place_of_the_setting_above_it() {
    let example = example();
    let lines: Vec<&str> = example.lines().collect();
    let mut tried = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some(alt) = alternative(line) else {
            continue;
        };
        let replaced = (0..i)
            .rev()
            .find(|&j| alternative(lines[j]).is_none() && lines[j].contains('='))
            .expect("an alternative follows the setting it replaces");
        let mut text: Vec<&str> = lines.iter().map(|l| example_line(l)).collect();
        text[replaced] = "";
        text[i] = alt;
        let text = text.join("\n");
        config::parse(&text, &example_path()).unwrap_or_else(|e| panic!("{alt}: {e}"));
        tried += 1;
    }
    assert_eq!(tried, 2, "the two PostgreSQL settings");
}

#[test]
fn the_example_mentions_every_key_the_code_accepts() {
    let mentioned = mentioned(&example());
    let keys = config::known_keys();
    assert!(keys.len() > 30, "known_keys() found only {keys:?}");
    let missing: Vec<&String> = keys.iter().filter(|k| !mentioned.contains(*k)).collect();
    assert!(missing.is_empty(), "config.toml.example lacks {missing:?}");
}
