//! Shared by the `scheduler_*` tests: a helper that builds a scheduler from a config snippet,
//! posting to the library's in-memory `MemoryPoster` (which records what the scheduler posts,
//! deduplicates by nonce as Discord does with `enforce_nonce`, and fails on request). A new
//! case is a config string, a start and a look at `discord.messages()`.

use briefbot::answer::Tag;
use briefbot::briefings::{Briefing, Library, Section, SectionKey};
use briefbot::config::{self, Config};
pub use briefbot::digests::scheduler::MemoryPoster;
use briefbot::digests::scheduler::{
    fixed_library, Clock, SchedulerDeps, SchedulerHandle, SchedulerOptions, TokioClock,
};
use briefbot::store::{AsyncStore, Lease, SqliteStorage, DEFAULT_CLAIM_LEASE};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn parse_config(toml: &str) -> Config {
    config::parse(toml, Path::new("config.toml")).unwrap_or_else(|e| panic!("{e}"))
}

/// Two briefings tagged `sahel`, newest `b`.
pub fn library() -> Library {
    let briefing = |id: &str, day: u32| Briefing {
        id: id.into(),
        title: format!("Briefing {id}"),
        date: at(&format!("2025-01-{day:02}T00:00:00Z")),
        date_only: true,
        tags: Tag::all(["sahel"]),
        source: None,
        lang: "en".into(),
        sections: ["whats_happening", "whats_next"]
            .iter()
            .map(|k| Section {
                key: SectionKey::new(*k),
                heading: k.replace('_', " "),
                body: format!("{k} of {id}."),
            })
            .collect(),
    };
    Library::from_briefings(vec![briefing("a", 1), briefing("b", 2)])
}

/// Short waits, as the tests' clocks are virtual anyway.
pub fn options() -> SchedulerOptions {
    SchedulerOptions {
        shutdown_grace: Duration::from_millis(200),
        ..SchedulerOptions::default()
    }
}

/// A scheduler over `config`, the store at `db`, posting to `discord`, on a clock that
/// starts at `start` and follows tokio's (paused) time.
pub async fn scheduler(
    config: &Config,
    db: &Path,
    discord: &MemoryPoster,
    start: &str,
) -> (SchedulerHandle, MemoryPoster, AsyncStore) {
    scheduler_with(config, db, discord, start, library()).await
}

/// `scheduler` with a library of the test's choosing.
pub async fn scheduler_with(
    config: &Config,
    db: &Path,
    discord: &MemoryPoster,
    start: &str,
    library: Library,
) -> (SchedulerHandle, MemoryPoster, AsyncStore) {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(at(start)));
    let discord = discord.with_clock(Arc::clone(&clock));
    let store = AsyncStore::open(db).await.unwrap();
    let deps = SchedulerDeps {
        store: Arc::new(SqliteStorage::new(store.clone(), db.display().to_string())),
        claims: Lease::new("test", DEFAULT_CLAIM_LEASE),
        poster: Arc::new(discord.clone()),
        library: fixed_library(library),
        clock,
    };
    let handle = SchedulerHandle::new(deps, config, options());
    (handle, discord, store)
}

/// Runs `f` with a fresh temporary database path.
pub async fn with_db<F, Fut>(f: F)
where
    F: FnOnce(std::path::PathBuf) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    f(dir.path().join("briefbot.db")).await;
}
