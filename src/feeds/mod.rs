//! Feeds (RSS 0.9x/1.0/2.0, Atom, JSON Feed) read into briefings. Each `[[feed]]` is polled
//! politely (`fetch`), parsed (`parse`), and each item turned into a Markdown briefing file
//! (`html`, `item`) in a folder the bot owns, `<briefings dir>/feeds/<feed>/<slug>.md`
//! (`folder`). Files, rather than store rows, because the library already loads, watches,
//! indexes and serves that folder: a feed item is found by every command, autocomplete,
//! `/search` and digests with no second read path, and survives restarts. Each replica polls
//! and writes its own folder; ids are derived from the items, so replicas agree on them.
//! `poller` runs the feeds; `health` says how they are doing.

mod fetch;
mod folder;
mod health;
mod html;
mod item;
mod parse;
mod poll;
mod poller;

pub use fetch::{FetchError, Fetched, Fetcher, Validators};
pub use folder::{Applied, FeedFolder, State};
pub use health::{next_wait, status_line, FeedHealth};
pub use item::{slug_of, to_file, ItemFile};
pub use parse::{parse, ParseError, Parsed, RawItem};
pub use poll::{convert, poll, FeedError, PollContext, Polled};
pub use poller::{FeedAlert, FeedEvents, FeedReader};

use crate::config::Config;
use std::sync::Arc;

/// The folder under the briefings folder that the bot owns: one subfolder per feed.
pub const FOLDER: &str = "feeds";

/// What one feed holds right now, for `briefbot check --feeds`.
#[derive(Debug)]
pub struct Inspection {
    pub items: usize,
    pub skipped: Vec<String>,
}

/// Fetches and converts `feed` without writing anything (no validators: the whole body).
pub async fn inspect(
    config: &Config,
    feed: &crate::config::FeedConfig,
) -> Result<Inspection, FeedError> {
    let settings = Arc::new(config.feeds.clone());
    let cx = PollContext {
        fetcher: Fetcher::new(settings.timeout, settings.max_bytes),
        settings,
        catalog: Arc::new(config.sections.clone()),
        default_lang: config.briefings.default_lang.clone(),
    };
    let bytes = match cx.fetcher.fetch(&feed.url, &Validators::default()).await? {
        Fetched::Body { bytes, .. } => bytes,
        Fetched::NotModified => Vec::new(),
    };
    let parsed = parse(&bytes)?;
    let (files, skipped) = convert(&cx, feed, parsed, &State::default(), chrono::Utc::now());
    Ok(Inspection {
        items: files.len().min(feed.max_items),
        skipped,
    })
}
