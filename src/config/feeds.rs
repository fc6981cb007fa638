//! `[feeds]` and `[[feed]]`: the feeds whose items become briefings. A feed's name is its
//! folder under `<briefings dir>/feeds/` and the middle of its items' ids, so it follows the
//! digest-name rules and is unique ignoring case.

use super::raw::{RawFeed, RawFeeds, Tables, Text};
use super::validate::Checker;
use super::{FeedConfig, FeedsConfig};
use crate::briefings::{SectionCatalog, SectionKey};
use crate::locales::is_lang_tag;
use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

const NAME_MAX: usize = 50;
const POLL: Duration = Duration::from_secs(15 * 60);
/// Faster than this is impolite to the publisher and gains nothing for a digest.
const POLL_MIN: Duration = Duration::from_secs(30);
const TIMEOUT: Duration = Duration::from_secs(20);
const MAX_BYTES: RangeInclusive<i64> = 1024..=(64 << 20);
const DEFAULT_MAX_BYTES: usize = 5 << 20;
const MAX_AGE: Duration = Duration::from_secs(30 * 24 * 60 * 60);
const ALERT_AFTER: Duration = Duration::from_secs(60 * 60);
const MAX_ITEMS: RangeInclusive<i64> = 1..=1000;
const DEFAULT_MAX_ITEMS: usize = 50;
const SECTION: &str = "whats_happening";

impl Checker<'_> {
    pub(super) fn feeds(
        &mut self,
        settings: Option<&RawFeeds>,
        raw: &Tables<RawFeed>,
        briefings_dir: &Path,
        catalog: &SectionCatalog,
    ) -> FeedsConfig {
        let s = settings.map_or_else(RawFeeds::default, |s| RawFeeds {
            timeout: s.timeout.clone(),
            max_bytes: s.max_bytes.clone(),
            max_age: s.max_age.clone(),
            alert_after: s.alert_after.clone(),
        });
        let timeout = s.timeout.as_ref().and_then(|t| self.positive(t, "timeout"));
        let max_age = s.max_age.as_ref().and_then(|t| self.positive(t, "max_age"));
        let alert_after = s.alert_after.as_ref().and_then(|t| self.duration(t));
        let mut names = HashMap::new();
        let list = raw
            .0
            .iter()
            .filter_map(|f| self.feed(f, &mut names, catalog))
            .collect();
        FeedsConfig {
            dir: briefings_dir.join(crate::feeds::FOLDER),
            timeout: timeout.unwrap_or(TIMEOUT),
            max_bytes: self.count(
                s.max_bytes.as_ref(),
                "max_bytes",
                MAX_BYTES,
                DEFAULT_MAX_BYTES,
            ),
            max_age: max_age.unwrap_or(MAX_AGE),
            alert_after: alert_after.unwrap_or(ALERT_AFTER),
            list,
        }
    }

    fn positive(&mut self, raw: &Text, key: &str) -> Option<Duration> {
        let d = self.duration(raw)?;
        if d.is_zero() {
            self.report(&raw.span(), format!("`{key}` must be longer than 0s"));
            return None;
        }
        Some(d)
    }

    fn feed(
        &mut self,
        entry: &Spanned<RawFeed>,
        names: &mut HashMap<String, usize>,
        catalog: &SectionCatalog,
    ) -> Option<FeedConfig> {
        let f = entry.get_ref();
        let name = self.feed_name(entry, names);
        let url = match &f.url {
            None => {
                let message = "this `[[feed]]` has no `url` (the feed to read)";
                self.report(&entry.span(), message.to_string());
                None
            }
            Some(url) if !is_http(url.get_ref()) => {
                let message = format!(
                    "`url` must be an http(s) URL such as `https://example.org/feed.xml`, found `{}`",
                    url.get_ref()
                );
                self.report(&url.span(), message);
                None
            }
            Some(url) => Some(url.get_ref().clone()),
        };
        let poll = f.poll.as_ref().and_then(|p| {
            let d = self.duration(p)?;
            if d < POLL_MIN {
                let message = format!("`poll` must be at least 30s, found `{}`", p.get_ref());
                self.report(&p.span(), message);
                return None;
            }
            Some(d)
        });
        let lang = f.lang.as_ref().and_then(|l| {
            if is_lang_tag(l.get_ref()) {
                return Some(l.get_ref().clone());
            }
            let message = format!(
                "`lang` must be a language code such as \"en\" or \"fr\", found `{}`",
                l.get_ref()
            );
            self.report(&l.span(), message);
            None
        });
        let section = match &f.section {
            Some(s) if catalog.get(s.get_ref()).is_none() => {
                let message = format!(
                    "unknown section `{}`; an item without headings goes into a known section \
                     such as `{SECTION}`",
                    s.get_ref()
                );
                self.report(&s.span(), message);
                None
            }
            Some(s) => Some(SectionKey::new(s.get_ref().clone())),
            None => Some(SectionKey::new(SECTION)),
        };
        let tags = f
            .tags
            .as_ref()
            .map(|t| self.feed_tags(t))
            .unwrap_or_default();
        let max_items = self.count(
            f.max_items.as_ref(),
            "max_items",
            MAX_ITEMS,
            DEFAULT_MAX_ITEMS,
        );
        Some(FeedConfig {
            name: name?,
            url: url?,
            poll: poll.unwrap_or(POLL),
            tags,
            lang,
            max_items,
            section: section?,
        })
    }

    fn feed_tags(&mut self, list: &[Text]) -> Vec<String> {
        let mut tags = Vec::new();
        for tag in list {
            if tag.get_ref().trim().is_empty() {
                self.report(&tag.span(), "a tag must not be empty".to_string());
            } else {
                tags.push(tag.get_ref().clone());
            }
        }
        tags
    }

    fn feed_name(
        &mut self,
        entry: &Spanned<RawFeed>,
        names: &mut HashMap<String, usize>,
    ) -> Option<String> {
        let Some(raw) = entry.get_ref().name.as_ref() else {
            let message = "this `[[feed]]` has no `name` (its folder and the middle of its ids)";
            self.report(&entry.span(), message.to_string());
            return None;
        };
        // Folder names and ids are lower case, whatever case the admin typed.
        self.entry_name("feed", raw, NAME_MAX, names)
            .then(|| raw.get_ref().to_lowercase())
    }
}

fn is_http(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.split('/').next().unwrap_or("").is_empty())
        && !url.contains(char::is_whitespace)
}
