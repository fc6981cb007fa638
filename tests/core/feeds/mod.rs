//! Feeds read over real HTTP on 127.0.0.1 from servers the tests start (axum), through the
//! same poll the bot runs, and the files it writes loaded by the real library.

mod fetching;
mod formats;
mod hostile;

use axum::Router;
use briefbot::briefings::{Library, LoadReport, Symlinks};
use briefbot::config::{Config, FeedConfig};
use briefbot::feeds::{poll, FeedError, PollContext, Polled, State};
use chrono::{DateTime, TimeZone, Utc};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// Serves `router` on an ephemeral port for the rest of the test.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// A config with one feed per `(name, url)`, its briefings folder in `dir`.
pub fn config(dir: &Path, feeds: &[(&str, String)], extra: &str) -> Config {
    let mut text = format!("[briefings]\ndir = \"briefings\"\n[feeds]\ntimeout = \"2s\"\nmax_bytes = 1048576\n{extra}\n");
    for (name, url) in feeds {
        text.push_str(&format!("[[feed]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
    }
    std::fs::create_dir_all(dir.join("briefings")).unwrap();
    briefbot::config::parse(&text, &dir.join("config.toml")).unwrap_or_else(|e| panic!("{e}"))
}

pub fn context(config: &Config) -> PollContext {
    let settings = Arc::new(config.feeds.clone());
    PollContext {
        fetcher: briefbot::feeds::Fetcher::new(settings.timeout, settings.max_bytes),
        settings,
        catalog: Arc::new(config.sections.clone()),
        default_lang: config.briefings.default_lang.clone(),
    }
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

pub async fn poll_feed(config: &Config, feed: &FeedConfig) -> (State, Result<Polled, FeedError>) {
    poll(&context(config), feed, now()).await
}

/// The briefings folder as the bot would load it.
pub fn library(config: &Config) -> (Library, LoadReport) {
    Library::load(
        &config.briefings.dir,
        &config.sections,
        &config.briefings.default_lang,
        Symlinks::InsideOnly,
    )
    .unwrap()
}
