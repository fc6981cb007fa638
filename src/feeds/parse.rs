//! A feed's bytes (RSS 0.9x/1.0/2.0, Atom, JSON Feed) as plain items, or why not. An item
//! that cannot become a briefing (no id, link or title to name it; the same id twice) is
//! reported and skipped; the others still count.

use chrono::{DateTime, Utc};

/// One entry as the rest of the feed code sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawItem {
    /// The feed's id for it (guid, Atom id), else its link; never empty.
    pub key: String,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub categories: Vec<String>,
    pub link: Option<String>,
    pub lang: Option<String>,
    /// HTML (or text) of the content, else of the summary.
    pub html: String,
}

/// The items and the problems with the ones skipped.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<RawItem>,
    pub skipped: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("not a feed: {0}")]
pub struct ParseError(String);

pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    // A generated id would change when the title does: an item with neither id nor link is
    // named by the empty string, and skipped below.
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|links, _, _| links.first().map(|l| l.href.clone()).unwrap_or_default())
        .build();
    let feed = parser.parse(bytes).map_err(|e| ParseError(e.to_string()))?;
    let feed_lang = feed.language.clone();
    let mut parsed = Parsed::default();
    let mut seen = std::collections::HashSet::new();
    for (n, entry) in feed.entries.into_iter().enumerate() {
        let link = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(entry.links.first())
            .map(|l| l.href.trim().to_string())
            .filter(|l| l.starts_with("https://") || l.starts_with("http://"));
        let key = entry.id.trim().to_string();
        let title = entry
            .title
            .map(|t| t.content.trim().to_string())
            .filter(|t| !t.is_empty());
        if key.is_empty() {
            parsed
                .skipped
                .push(format!("item {}: no id, no link: nothing names it", n + 1));
            continue;
        }
        if !seen.insert(key.clone()) {
            parsed.skipped.push(format!(
                "item {}: duplicate id `{key}`, kept the first",
                n + 1
            ));
            continue;
        }
        let html = entry
            .content
            .and_then(|c| c.body)
            .filter(|b| !b.trim().is_empty())
            .or_else(|| entry.summary.map(|s| s.content))
            .unwrap_or_default();
        parsed.items.push(RawItem {
            key,
            title,
            published: entry.published,
            updated: entry.updated,
            categories: entry
                .categories
                .into_iter()
                .map(|c| c.label.unwrap_or(c.term))
                .collect(),
            link,
            lang: entry.language.or_else(|| feed_lang.clone()),
            html,
        });
    }
    Ok(parsed)
}
