//! Shared by the `scheduler_*` tests: an in-memory Discord that records what the scheduler
//! posts, deduplicates by nonce as Discord does with `enforce_nonce`, and fails on request; and
//! a helper that builds a scheduler from a config snippet. A new case is a config string, a
//! start and a look at `discord.messages()`.

use briefbot::answer::Tag;
use briefbot::briefings::{Briefing, Library, Section, SectionKey};
use briefbot::config::{self, Config};
use briefbot::digests::scheduler::{
    fixed_library, Clock, PostError, Poster, SchedulerDeps, SchedulerHandle, SchedulerOptions,
    SystemClock, TokioClock,
};
use briefbot::render::MessagePayload;
use briefbot::store::AsyncStore;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// One message Discord accepted.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: u64,
    pub channel_id: u64,
    pub payload: MessagePayload,
    /// When it was posted, by the scheduler's clock.
    pub at: DateTime<Utc>,
}

impl Message {
    /// The fire time the message names (`<t:UNIX:f>`), if any.
    pub fn fire_time(&self) -> Option<DateTime<Utc>> {
        let content = &self.payload.content;
        let start = content.find("<t:")? + 3;
        let end = start + content[start..].find(':')?;
        DateTime::from_timestamp(content[start..end].parse().ok()?, 0)
    }
}

#[derive(Default)]
struct State {
    messages: Vec<Message>,
    /// Every call: channel and nonce, accepted or not.
    calls: Vec<(u64, Option<String>)>,
    by_nonce: HashMap<String, u64>,
    /// Errors to answer, per channel, before accepting again.
    failures: HashMap<u64, VecDeque<PostError>>,
    /// Accept the n-th new message (1-based, counted from now) and then never answer: the
    /// process "dies" between the send and the ledger update.
    hang_on: Option<usize>,
    next_id: u64,
}

/// The fake Discord. Clones share one state, so a "restarted" bot sees what was posted.
#[derive(Clone)]
pub struct FakeDiscord {
    state: Arc<Mutex<State>>,
    changed: Arc<tokio::sync::Notify>,
    clock: Arc<dyn Clock>,
}

impl FakeDiscord {
    pub fn new() -> FakeDiscord {
        FakeDiscord {
            state: Arc::default(),
            changed: Arc::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same Discord seen through another clock (after a simulated restart).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> FakeDiscord {
        FakeDiscord {
            clock,
            ..self.clone()
        }
    }

    pub fn fail(&self, channel_id: u64, errors: impl IntoIterator<Item = PostError>) {
        let mut state = self.state.lock().unwrap();
        state.failures.entry(channel_id).or_default().extend(errors);
    }

    pub fn hang_on_next(&self, nth: usize) {
        let mut state = self.state.lock().unwrap();
        state.hang_on = Some(nth);
    }

    pub fn messages(&self) -> Vec<Message> {
        self.state.lock().unwrap().messages.clone()
    }

    pub fn calls(&self) -> Vec<(u64, Option<String>)> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Waits until at least `n` messages were accepted, at most `within` (virtual) time.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Message> {
        let wait = async {
            loop {
                let changed = self.changed.notified();
                if self.state.lock().unwrap().messages.len() >= n {
                    return;
                }
                changed.await;
            }
        };
        let got = tokio::time::timeout(within, wait).await;
        let messages = self.messages();
        assert!(got.is_ok(), "waited for {n} messages, got {messages:#?}");
        messages
    }
}

#[async_trait::async_trait]
impl Poster for FakeDiscord {
    async fn post(&self, channel_id: u64, payload: &MessagePayload) -> Result<u64, PostError> {
        let (id, hang) = {
            let mut state = self.state.lock().unwrap();
            state.calls.push((channel_id, payload.nonce.clone()));
            self.changed.notify_waiters();
            if let Some(e) = state
                .failures
                .get_mut(&channel_id)
                .and_then(VecDeque::pop_front)
            {
                return Err(e);
            }
            if let Some(id) = payload.nonce.as_ref().and_then(|n| state.by_nonce.get(n)) {
                return Ok(*id); // Discord answers a repeated nonce with the first message
            }
            state.next_id += 1;
            let id = state.next_id;
            if let Some(nonce) = &payload.nonce {
                state.by_nonce.insert(nonce.clone(), id);
            }
            let message = Message {
                id,
                channel_id,
                payload: payload.clone(),
                at: self.clock.now(),
            };
            state.messages.push(message);
            self.changed.notify_waiters();
            let hang = state.hang_on.map(|n| n - 1);
            state.hang_on = hang.filter(|&n| n > 0);
            (id, hang == Some(0))
        };
        if hang {
            std::future::pending::<()>().await;
        }
        Ok(id)
    }
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
    discord: &FakeDiscord,
    start: &str,
) -> (SchedulerHandle, FakeDiscord, AsyncStore) {
    scheduler_with(config, db, discord, start, library()).await
}

/// `scheduler` with a library of the test's choosing.
pub async fn scheduler_with(
    config: &Config,
    db: &Path,
    discord: &FakeDiscord,
    start: &str,
    library: Library,
) -> (SchedulerHandle, FakeDiscord, AsyncStore) {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(at(start)));
    let discord = discord.with_clock(Arc::clone(&clock));
    let store = AsyncStore::open(db).await.unwrap();
    let deps = SchedulerDeps {
        store: store.clone(),
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
