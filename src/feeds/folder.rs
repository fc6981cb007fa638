//! The folder the bot owns for one feed, `<briefings dir>/feeds/<name>/`: one briefing file
//! per kept item and a hidden `.state.json` (validators for the next conditional GET, each
//! kept item's date and revision, the feed's health), so a restart neither refetches a body
//! nor rewrites a file that did not change. Files are replaced by rename: the library never
//! reads half a file.

use super::fetch::Validators;
use super::item::ItemFile;
use crate::digests::fnv1a;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

const STATE: &str = ".state.json";

/// One kept item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub date: DateTime<Utc>,
    pub first_seen: DateTime<Utc>,
    /// Of the file's text: a changed item is written again, an unchanged one is not.
    pub revision: String,
}

/// What a feed's folder remembers between polls and restarts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub validators: Validators,
    #[serde(default)]
    pub items: BTreeMap<String, Kept>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Since when every poll failed; `None` while the feed is healthy.
    pub failing_since: Option<DateTime<Utc>>,
    /// Whether the admins were told about the current failure (told once, and once again
    /// when it recovers).
    #[serde(default)]
    pub alerted: bool,
}

/// What writing a poll's items changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub written: usize,
    pub removed: usize,
    pub kept: usize,
}

pub struct FeedFolder {
    dir: PathBuf,
}

impl FeedFolder {
    pub fn new(feeds_dir: &Path, name: &str) -> FeedFolder {
        FeedFolder {
            dir: feeds_dir.join(name),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The state, or a fresh one when there is none or it is unreadable (the next poll then
    /// fetches the whole feed once, which is safe).
    pub fn load_state(&self) -> State {
        match std::fs::read(self.dir.join(STATE)) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(dir = %self.dir.display(), error = %e, "feed state unreadable; starting afresh");
                State::default()
            }),
            Err(_) => State::default(),
        }
    }

    pub fn save_state(&self, state: &State) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let bytes = serde_json::to_vec_pretty(state).map_err(io::Error::other)?;
        self.replace(STATE, &bytes)
    }

    /// Writes the items that are new or changed, then keeps at most `max_items` of all
    /// kept items, none older than `max_age`, removing the others' files. An item the feed no
    /// longer lists stays: feeds show their latest few, and leaving the list is no withdrawal.
    pub fn apply(
        &self,
        state: &mut State,
        files: Vec<ItemFile>,
        max_items: usize,
        max_age: Duration,
        now: DateTime<Utc>,
    ) -> io::Result<Applied> {
        std::fs::create_dir_all(&self.dir)?;
        let oldest = now - chrono::Duration::from_std(max_age).unwrap_or(chrono::Duration::MAX);
        let mut applied = Applied::default();
        for file in files {
            if file.date < oldest {
                continue;
            }
            let revision = format!("{:016x}", fnv1a(file.text.as_bytes()));
            let name = format!("{}.md", file.slug);
            let unchanged = state
                .items
                .get(&file.slug)
                .is_some_and(|k| k.revision == revision)
                && self.dir.join(&name).exists();
            if !unchanged {
                self.replace(&name, file.text.as_bytes())?;
                applied.written += 1;
            }
            let first_seen = state.items.get(&file.slug).map_or(now, |k| k.first_seen);
            state.items.insert(
                file.slug,
                Kept {
                    date: file.date,
                    first_seen,
                    revision,
                },
            );
        }
        let mut by_date: Vec<(&String, &Kept)> = state.items.iter().collect();
        by_date.sort_by(|a, b| b.1.date.cmp(&a.1.date).then_with(|| a.0.cmp(b.0)));
        let dropped: Vec<String> = by_date
            .iter()
            .enumerate()
            .filter(|(n, (_, k))| *n >= max_items || k.date < oldest)
            .map(|(_, (slug, _))| (*slug).clone())
            .collect();
        for slug in dropped {
            state.items.remove(&slug);
            match std::fs::remove_file(self.dir.join(format!("{slug}.md"))) {
                Ok(()) => applied.removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        applied.kept = state.items.len();
        Ok(applied)
    }

    /// The first time an item was seen, for an item that gives no date.
    pub fn first_seen(state: &State, slug: &str, now: DateTime<Utc>) -> DateTime<Utc> {
        state.items.get(slug).map_or(now, |k| k.first_seen)
    }

    fn replace(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        // Hidden, so a load that runs meanwhile ignores it.
        let tmp = self.dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, self.dir.join(name))
    }
}

/// Removes the folders of feeds no longer configured, so their items stop being served.
pub fn remove_unconfigured(feeds_dir: &Path, names: &[&str]) -> io::Result<usize> {
    let entries = match std::fs::read_dir(feeds_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if entry.file_type()?.is_dir() && !names.contains(&name.as_str()) {
            std::fs::remove_dir_all(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}
