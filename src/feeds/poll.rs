//! One poll of one feed: a conditional fetch, and only on a new body the parse, the
//! conversion of each item (each checked by the briefing parser, so what is written always
//! loads) and the folder update. The feed's state records the result either way.

use super::fetch::{FetchError, Fetched, Fetcher};
use super::folder::{Applied, FeedFolder, State};
use super::item::{to_file, ItemFile};
use super::parse::{parse, ParseError, Parsed};
use crate::briefings::{parse_briefing, ParseInput, SectionCatalog, SourceKind};
use crate::config::{FeedConfig, FeedsConfig};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Why a poll failed; the feed's items stay as they were.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("fetch failed: {0}")]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Parse(#[from] ParseError),
    #[error("cannot write its folder: {0}")]
    Io(#[from] std::io::Error),
}

impl FeedError {
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            FeedError::Fetch(e) => e.retry_after(),
            _ => None,
        }
    }
}

/// What a successful poll did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Polled {
    /// 304: nothing was parsed.
    pub not_modified: bool,
    pub applied: Applied,
    /// Items skipped, each with its reason.
    pub skipped: Vec<String>,
}

/// What one poll needs besides the feed.
#[derive(Clone)]
pub struct PollContext {
    pub fetcher: Fetcher,
    pub settings: Arc<FeedsConfig>,
    pub catalog: Arc<SectionCatalog>,
    pub default_lang: String,
}

/// Polls `feed`, updating its folder and state; the state is saved whatever happened.
pub async fn poll(
    cx: &PollContext,
    feed: &FeedConfig,
    now: DateTime<Utc>,
) -> (State, Result<Polled, FeedError>) {
    let folder = FeedFolder::new(&cx.settings.dir, &feed.name);
    let mut state = folder.load_state();
    let before = state.clone();
    let result = match cx.fetcher.fetch(&feed.url, &state.validators).await {
        Ok(Fetched::NotModified) => Ok(Polled {
            not_modified: true,
            applied: Applied {
                kept: state.items.len(),
                ..Applied::default()
            },
            skipped: Vec::new(),
        }),
        Ok(Fetched::Body { bytes, validators }) => {
            let (task_cx, task_feed) = (cx.clone(), feed.clone());
            let work = tokio::task::spawn_blocking(move || {
                let result = ingest(&task_cx, &task_feed, &folder, &mut state, &bytes, now);
                if result.is_ok() {
                    // Only a body that was taken in may make the next answer a 304.
                    state.validators = validators;
                }
                (state, result)
            });
            match work.await {
                Ok((s, r)) => {
                    state = s;
                    r
                }
                Err(e) => {
                    state = FeedFolder::new(&cx.settings.dir, &feed.name).load_state();
                    Err(FeedError::Io(std::io::Error::other(e.to_string())))
                }
            }
        }
        Err(e) => Err(e.into()),
    };
    match &result {
        Ok(_) => {
            state.last_success = Some(now);
            state.last_error = None;
            state.failing_since = None;
        }
        Err(e) => {
            state.last_error = Some(e.to_string());
            state.failing_since.get_or_insert(now);
        }
    }
    // The folder is watched: writing a state that only moved `last_success` (every 304) would
    // reload the whole library for nothing.
    let moved = State {
        last_success: before.last_success,
        ..state.clone()
    };
    if moved != before {
        let folder = FeedFolder::new(&cx.settings.dir, &feed.name);
        if let Err(e) = folder.save_state(&state) {
            tracing::warn!(feed = %feed.name, error = %e, "could not save the feed's state");
        }
    }
    (state, result)
}

fn ingest(
    cx: &PollContext,
    feed: &FeedConfig,
    folder: &FeedFolder,
    state: &mut State,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Polled, FeedError> {
    let parsed = parse(bytes)?;
    let (files, skipped) = convert(cx, feed, parsed, state, now);
    let applied = folder.apply(state, files, feed.max_items, cx.settings.max_age, now)?;
    Ok(Polled {
        not_modified: false,
        applied,
        skipped,
    })
}

/// Each item as a file the briefing parser accepts; the others are skipped with its reasons.
pub fn convert(
    cx: &PollContext,
    feed: &FeedConfig,
    parsed: Parsed,
    state: &State,
    now: DateTime<Utc>,
) -> (Vec<ItemFile>, Vec<String>) {
    let mut skipped = parsed.skipped;
    let mut files = Vec::with_capacity(parsed.items.len());
    for item in &parsed.items {
        let slug = super::item::slug_of(&item.key);
        let first_seen = FeedFolder::first_seen(state, &slug, now);
        let file = to_file(item, feed, &cx.catalog, first_seen);
        let id = format!("{}/{}/{}", super::FOLDER, feed.name, file.slug);
        let input = ParseInput {
            id: &id,
            path: &id,
            kind: SourceKind::Markdown,
            modified: now,
            catalog: &cx.catalog,
            default_lang: &cx.default_lang,
        };
        match parse_briefing(&input, file.text.as_bytes()) {
            Ok(_) => files.push(file),
            Err(errors) => {
                let reasons: Vec<String> = errors.iter().map(|e| e.reason.clone()).collect();
                skipped.push(format!("item `{}`: {}", item.key, reasons.join("; ")));
            }
        }
    }
    (files, skipped)
}
