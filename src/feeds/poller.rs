//! The running feed reader: one task per feed, polling at its period (backing off when it
//! fails), at most a few fetches at a time. After a poll that changed files it tells its owner
//! (who reloads the briefings); a feed failing for longer than `alert_after` is announced
//! once through the alert sink, and its recovery once more. `apply` takes a new config and
//! polls every feed at once.

use super::folder::{remove_unconfigured, FeedFolder, State};
use super::health::{next_wait, FeedHealth};
use super::poll::{poll, PollContext, Polled};
use super::Fetcher;
use crate::config::{Config, FeedConfig};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Fetches in flight at once, across every feed.
const CONCURRENT_POLLS: usize = 16;

/// What a feed's failure or recovery says, for the owner to word and post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedAlert {
    Failing {
        feed: String,
        since: DateTime<Utc>,
        error: String,
    },
    Recovered {
        feed: String,
    },
}

/// Where the reader reports: files changed, and alerts. Implemented by the program's wiring.
#[async_trait::async_trait]
pub trait FeedEvents: Send + Sync + 'static {
    /// Some feed's files changed: the briefings should be loaded again.
    fn changed(&self);
    /// Returns whether the alert was delivered (it is tried again at the next poll if not).
    async fn alert(&self, alert: FeedAlert) -> bool;
}

/// A cheap handle on the reader.
#[derive(Clone)]
pub struct FeedReader {
    inner: Arc<Inner>,
}

struct Inner {
    events: Arc<dyn FeedEvents>,
    health: Mutex<BTreeMap<String, FeedHealth>>,
    running: Mutex<Option<CancellationToken>>,
    limiter: Arc<Semaphore>,
}

impl FeedReader {
    pub fn new(events: Arc<dyn FeedEvents>) -> FeedReader {
        FeedReader {
            inner: Arc::new(Inner {
                events,
                health: Mutex::default(),
                running: Mutex::default(),
                limiter: Arc::new(Semaphore::new(CONCURRENT_POLLS)),
            }),
        }
    }

    /// Stops the feeds of the previous config and starts those of `config`, each polled at
    /// once. Folders of feeds no longer configured are removed.
    pub fn apply(&self, config: &Config) {
        let settings = Arc::new(config.feeds.clone());
        let names: Vec<&str> = settings.list.iter().map(|f| f.name.as_str()).collect();
        match remove_unconfigured(&settings.dir, &names) {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(removed = n, "folders of feeds no longer configured removed");
                self.inner.events.changed();
            }
            Err(e) => tracing::warn!(error = %e, "could not tidy the feeds folder"),
        }
        let cx = PollContext {
            fetcher: Fetcher::new(settings.timeout, settings.max_bytes),
            settings: Arc::clone(&settings),
            catalog: Arc::new(config.sections.clone()),
            default_lang: config.briefings.default_lang.clone(),
        };
        let stop = CancellationToken::new();
        if let Some(old) = self.inner.lock_running().replace(stop.clone()) {
            old.cancel();
        }
        {
            let mut health = self.inner.lock_health();
            health.retain(|name, _| names.contains(&name.as_str()));
            for feed in &settings.list {
                let h = health
                    .entry(feed.name.clone())
                    .or_insert_with(|| FeedHealth::new(&feed.name, &feed.url));
                h.url = feed.url.clone();
            }
        }
        for feed in &settings.list {
            let task = FeedTask {
                inner: Arc::clone(&self.inner),
                cx: cx.clone(),
                feed: feed.clone(),
                stop: stop.clone(),
            };
            tokio::spawn(task.run());
        }
    }

    /// Stops every feed.
    pub fn stop(&self) {
        if let Some(old) = self.inner.lock_running().take() {
            old.cancel();
        }
    }

    /// Every configured feed's health, by name.
    pub fn health(&self) -> Vec<FeedHealth> {
        self.inner.lock_health().values().cloned().collect()
    }
}

impl Inner {
    fn lock_health(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, FeedHealth>> {
        self.health.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_running(&self) -> std::sync::MutexGuard<'_, Option<CancellationToken>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct FeedTask {
    inner: Arc<Inner>,
    cx: PollContext,
    feed: FeedConfig,
    stop: CancellationToken,
}

impl FeedTask {
    async fn run(self) {
        let mut failures = 0u32;
        let mut polls = 0u64;
        loop {
            let permit = tokio::select! {
                p = Arc::clone(&self.inner.limiter).acquire_owned() => p,
                _ = self.stop.cancelled() => return,
            };
            let now = Utc::now();
            let (state, result) = tokio::select! {
                r = poll(&self.cx, &self.feed, now) => r,
                _ = self.stop.cancelled() => return,
            };
            drop(permit);
            polls += 1;
            let retry_after = result.as_ref().err().and_then(|e| e.retry_after());
            failures = if result.is_ok() { 0 } else { failures + 1 };
            let jitter =
                crate::digests::fnv1a(format!("{}{polls}{now}", self.feed.name).as_bytes());
            let wait = next_wait(self.feed.poll, failures, retry_after, jitter);
            self.record(&state, &result, failures, now + wait);
            if let Ok(polled) = &result {
                if polled.applied.written + polled.applied.removed > 0 {
                    self.inner.events.changed();
                }
            }
            self.alert_if_due(state, now).await;
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.stop.cancelled() => return,
            }
        }
    }

    fn record(
        &self,
        state: &State,
        result: &Result<Polled, super::FeedError>,
        failures: u32,
        next: DateTime<Utc>,
    ) {
        let name = &self.feed.name;
        let outcome = match result {
            Ok(p) if p.not_modified => "not_modified",
            Ok(_) => "ok",
            Err(_) => "error",
        };
        match result {
            Ok(p) => {
                for reason in &p.skipped {
                    tracing::warn!(feed = %name, %reason, "feed item skipped");
                }
                tracing::debug!(feed = %name, outcome, written = p.applied.written, "feed polled");
            }
            Err(e) => tracing::warn!(feed = %name, error = %e, failures, "feed poll failed"),
        }
        crate::metrics::feed_polled(name, outcome, state.items.len(), state.last_success);
        let mut health = self.inner.lock_health();
        // A newer config may have dropped this feed while it polled.
        if self.stop.is_cancelled() {
            return;
        }
        let h = health
            .entry(name.clone())
            .or_insert_with(|| FeedHealth::new(name, &self.feed.url));
        h.last_success = state.last_success;
        h.last_error = state.last_error.clone();
        h.failing_since = state.failing_since;
        h.items = state.items.len();
        h.next_poll = Some(next);
        h.polls += 1;
        h.not_modified += u64::from(outcome == "not_modified");
        h.failures = failures;
    }

    /// Failing for `alert_after` and not yet told: tell. Told and now healthy: tell again.
    /// Whether it was told is in the feed's state, so a restart neither repeats nor forgets.
    async fn alert_if_due(&self, mut state: State, now: DateTime<Utc>) {
        let alert = match (state.failing_since, state.alerted) {
            (Some(since), false) => {
                let after = chrono::Duration::from_std(self.cx.settings.alert_after)
                    .unwrap_or(chrono::Duration::MAX);
                if now - since < after {
                    return;
                }
                FeedAlert::Failing {
                    feed: self.feed.name.clone(),
                    since,
                    error: state.last_error.clone().unwrap_or_default(),
                }
            }
            (None, true) => FeedAlert::Recovered {
                feed: self.feed.name.clone(),
            },
            _ => return,
        };
        if !self.inner.events.alert(alert).await {
            return;
        }
        state.alerted = !state.alerted;
        let folder = FeedFolder::new(&self.cx.settings.dir, &self.feed.name);
        if let Err(e) = folder.save_state(&state) {
            tracing::warn!(feed = %self.feed.name, error = %e, "could not save the feed's state");
        }
    }
}
