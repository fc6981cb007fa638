//! The briefing model: plain values shared by the parser, the renderer and the scheduler.

use crate::answer::Tag;
use chrono::{DateTime, Utc};
use std::fmt;

/// Canonical key of a section: a built-in (`whats_next`) or a slug of a custom heading.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionKey(pub String);

impl SectionKey {
    pub fn new(key: impl Into<String>) -> Self {
        SectionKey(key.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SectionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One section of a briefing. `body` holds paragraphs separated by a blank line (`"\n\n"`);
/// soft-wrapped lines are already joined, so the text is ready for Discord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub key: SectionKey,
    /// The heading as the author wrote it (e.g. "What's Next?" or "Et après").
    pub heading: String,
    pub body: String,
}

/// A parsed briefing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Briefing {
    /// Path relative to the briefings folder, without extension, slugged: `2026/sahel-alliance`.
    pub id: String,
    pub title: String,
    pub date: DateTime<Utc>,
    /// True when the date came as a calendar date without a time of day.
    pub date_only: bool,
    /// In their normal form, each once.
    pub tags: Vec<Tag>,
    pub source: Option<String>,
    pub lang: String,
    pub sections: Vec<Section>,
}

impl Briefing {
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key.as_str() == key)
    }

    /// The date as shown to readers: `2026-11-27`, or with the time in UTC when one was given.
    pub fn date_label(&self) -> String {
        if self.date_only {
            self.date.format("%Y-%m-%d").to_string()
        } else {
            self.date.format("%Y-%m-%d %H:%M UTC").to_string()
        }
    }
}
