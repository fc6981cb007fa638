//! One feed item as a briefing file: TOML front matter (title, date, `updated`, tags, lang,
//! source) and `## ` sections. Headings the section catalogue knows become sections, exactly
//! as in a file an editor wrote; text outside them goes into the feed's `section`.

use super::html;
use super::parse::RawItem;
use crate::answer::Tag;
use crate::briefings::{SectionCatalog, SectionKey, MAX_SECTION_CHARS};
use crate::config::FeedConfig;
use crate::digests::fnv1a;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// Room left below the parser's section limit for the "continued at the source" line.
const SECTION_BUDGET: usize = MAX_SECTION_CHARS - 200;
const SLUG_WORDS_MAX: usize = 60;

/// A briefing file to write: `<slug>.md` in the feed's folder.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFile {
    pub slug: String,
    /// Published, else updated, else when the bot first saw it.
    pub date: DateTime<Utc>,
    pub text: String,
}

#[derive(Serialize)]
struct Front<'a> {
    title: &'a str,
    date: toml::value::Datetime,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<toml::value::Datetime>,
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

/// The stable file name of an item: readable words from its link or id, and a hash of the
/// whole id so two items never share a file.
pub fn slug_of(key: &str) -> String {
    let tail = key
        .trim_end_matches('/')
        .rsplit(['/', '?', '=', ':'])
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let mut words = slug::slugify(tail.trim_end_matches(".html").trim_end_matches(".htm"));
    if words.len() > SLUG_WORDS_MAX {
        let cut = words[..SLUG_WORDS_MAX].rfind('-').unwrap_or(SLUG_WORDS_MAX);
        words.truncate(cut);
    }
    let hash = format!("{:08x}", fnv1a(key.as_bytes()) as u32);
    if words.is_empty() {
        hash
    } else {
        format!("{words}-{hash}")
    }
}

pub fn to_file(
    item: &RawItem,
    feed: &FeedConfig,
    catalog: &SectionCatalog,
    first_seen: DateTime<Utc>,
) -> ItemFile {
    let markdown = html::to_markdown(&item.html);
    let title = item
        .title
        .as_deref()
        .map(html::plain)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| first_words(&markdown).unwrap_or_else(|| "Untitled".into()));
    let mut sections = sections(&markdown, feed, catalog);
    if sections.is_empty() {
        // An item with no text still says what it is and where to read it.
        let body = item.link.clone().unwrap_or_else(|| title.clone());
        sections.push((
            feed.section.clone(),
            heading_of(&feed.section, catalog),
            body,
        ));
    }
    let date = item.published.or(item.updated).unwrap_or(first_seen);
    let mut tags: Vec<String> = Vec::new();
    for raw in item.categories.iter().chain(&feed.tags) {
        if let Some(tag) = Tag::new(raw) {
            if !tags.iter().any(|t| t == tag.as_str()) {
                tags.push(tag.as_str().to_string());
            }
        }
    }
    let lang = feed
        .lang
        .clone()
        .or_else(|| item.lang.as_deref().and_then(primary_lang));
    let front = Front {
        title: &title,
        date: toml_date(date),
        updated: item.updated.map(toml_date),
        tags,
        lang,
        source: item.link.as_deref(),
    };
    let mut text = String::from("+++\n");
    text.push_str(&toml::to_string(&front).expect("front matter serializes"));
    text.push_str("+++\n");
    for (_, heading, body) in &sections {
        text.push_str(&format!(
            "\n## {heading}\n\n{}\n",
            clip(body, item.link.as_deref())
        ));
    }
    ItemFile {
        slug: slug_of(&item.key),
        date,
        text,
    }
}

/// `(key, heading, body)` in order of first appearance; a heading seen twice adds to the
/// section it named first, and unknown headings become bold lines in the current section.
fn sections(
    markdown: &str,
    feed: &FeedConfig,
    catalog: &SectionCatalog,
) -> Vec<(SectionKey, String, String)> {
    let mut out: Vec<(SectionKey, String, String)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let heading = (!in_fence)
            .then(|| heading_text(line))
            .flatten()
            .filter(|h| !h.is_empty());
        let known = heading.as_deref().and_then(|h| catalog.lookup(h));
        let line = match (known, &heading) {
            (Some(def), Some(text)) => {
                current = Some(section_index(&mut out, &def.key, text));
                continue;
            }
            (None, Some(text)) => format!("**{text}**"),
            _ => line.to_string(),
        };
        if line.trim().is_empty() && current.is_none() {
            continue;
        }
        let idx = *current.get_or_insert_with(|| {
            let heading = heading_of(&feed.section, catalog);
            section_index(&mut out, &feed.section, &heading)
        });
        let body = &mut out[idx].2;
        body.push_str(&line);
        body.push('\n');
    }
    out.retain_mut(|(_, _, body)| {
        *body = body.trim().to_string();
        !body.is_empty()
    });
    out
}

fn section_index(
    out: &mut Vec<(SectionKey, String, String)>,
    key: &SectionKey,
    heading: &str,
) -> usize {
    if let Some(i) = out.iter().position(|(k, _, _)| k == key) {
        out[i].2.push('\n');
        return i;
    }
    out.push((key.clone(), heading.to_string(), String::new()));
    out.len() - 1
}

/// The text of a Markdown heading line (`#` to `######`), emphasis and escapes removed.
fn heading_text(line: &str) -> Option<String> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
        return None;
    }
    let text = line[hashes..].trim().trim_end_matches('#').trim();
    Some(text.replace(['*', '_', '\\'], "").trim().to_string())
}

fn heading_of(key: &SectionKey, catalog: &SectionCatalog) -> String {
    catalog
        .get(key.as_str())
        .map_or_else(|| key.to_string(), |d| d.title.clone())
}

/// A section longer than a briefing may hold ends with a pointer to the rest.
fn clip(body: &str, link: Option<&str>) -> String {
    if body.chars().count() <= SECTION_BUDGET {
        return body.to_string();
    }
    let cut: String = body.chars().take(SECTION_BUDGET).collect();
    match link {
        Some(link) => format!("{cut}…\n\n[Continued at the source]({link})"),
        None => format!("{cut}…"),
    }
}

fn first_words(markdown: &str) -> Option<String> {
    let line = markdown.lines().map(str::trim).find(|l| !l.is_empty())?;
    let words: String = line.chars().take(80).collect();
    Some(words.trim_start_matches('#').trim().to_string())
}

/// `en-US` -> `en`: the language the search and the locales know.
fn primary_lang(lang: &str) -> Option<String> {
    let primary = lang.split(['-', '_']).next()?.trim().to_ascii_lowercase();
    crate::locales::is_lang_tag(&primary).then_some(primary)
}

fn toml_date(at: DateTime<Utc>) -> toml::value::Datetime {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
        .parse()
        .expect("an RFC 3339 date is a TOML date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_stable_and_distinct() {
        let a = slug_of("https://example.org/2026/11/talks-resume/");
        assert!(a.starts_with("talks-resume-"), "{a}");
        assert_eq!(a, slug_of("https://example.org/2026/11/talks-resume/"));
        assert_ne!(a, slug_of("https://example.org/2025/11/talks-resume/"));
        assert_eq!(slug_of("tag:example.org,2026:42").len(), "42-".len() + 8);
    }
}
