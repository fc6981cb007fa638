//! The scheduler's shared state, as data: the timer queue, the config-derived settings, the
//! shutdown tokens and the task tracker. What changes a digest on the timer is in `changes`,
//! what sends is in `send`.

use super::buckets::Ownership;
use super::options::{SchedulerDeps, SchedulerOptions};
use super::queue::TimerQueue;
use crate::config::{Config, ScheduleConfig};
use crate::digests::DigestSpec;
use crate::locales::{Locales, Words};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What the config contributes, replaced on reload.
/// A delivery waiting to be tried again, as `/digest list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRetry {
    pub fire: DateTime<Utc>,
    pub error: String,
    pub next_try: DateTime<Utc>,
    /// The end of its catch-up grace: the last try is then, and a failure then is final.
    pub until: DateTime<Utc>,
}

pub(super) struct Settings {
    pub defaults: ScheduleConfig,
    /// Guild id to alert channel id.
    pub alerts: HashMap<u64, u64>,
    pub config_digests: Vec<DigestSpec>,
    /// The words of digests and alerts.
    pub locales: Arc<Locales>,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            defaults: config.schedule.clone(),
            alerts: (config.guilds.iter())
                .filter_map(|g| Some((g.id, g.alert_channel_id?)))
                .collect(),
            config_digests: DigestSpec::all_from_config(config),
            locales: Arc::clone(&config.locales),
        }
    }
}

pub(super) struct Inner {
    pub deps: SchedulerDeps,
    pub options: SchedulerOptions,
    pub settings: RwLock<Settings>,
    pub queue: Mutex<TimerQueue>,
    pub wake: Notify,
    /// No new fires from here on.
    pub stop: CancellationToken,
    /// Abandon sends in flight (the shutdown grace is over).
    pub kill: CancellationToken,
    pub tracker: TaskTracker,
    pub limiter: Semaphore,
    /// Times the loop woke up (a sleep ended, a change or a shutdown), for tests and metrics.
    pub wakeups: std::sync::atomic::AtomicU64,
    /// Set by the first `start`.
    pub started: tokio::sync::Mutex<bool>,
    /// Deliveries waiting to be tried again, by digest key (one at a time per digest).
    retrying: Mutex<HashMap<String, PendingRetry>>,
    /// Each guild's locale as Discord last told it (its `preferred_locale`): the language of
    /// digests that name none, and of the guild's alerts.
    pub guild_locales: RwLock<HashMap<u64, String>>,
    /// Which digests this scheduler fires (every one, unless replicas share the work).
    ownership: RwLock<Ownership>,
}

impl Inner {
    pub fn new(deps: SchedulerDeps, config: &Config, options: SchedulerOptions) -> Inner {
        let concurrency = options.concurrency.max(1);
        Inner {
            deps,
            options,
            settings: RwLock::new(Settings::from_config(config)),
            queue: Mutex::default(),
            wake: Notify::new(),
            stop: CancellationToken::new(),
            kill: CancellationToken::new(),
            tracker: TaskTracker::new(),
            limiter: Semaphore::new(concurrency),
            wakeups: Default::default(),
            started: tokio::sync::Mutex::new(false),
            retrying: Mutex::default(),
            guild_locales: RwLock::default(),
            ownership: RwLock::new(Ownership::All),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.deps.clock.now()
    }

    /// The queue; held only for quick, non-blocking work.
    pub fn queue(&self) -> MutexGuard<'_, TimerQueue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn ownership(&self) -> std::sync::RwLockReadGuard<'_, Ownership> {
        self.ownership.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces what this scheduler fires; returns what it fired before, as of `now`.
    pub fn set_ownership(
        &self,
        to: Ownership,
        now: DateTime<Utc>,
    ) -> std::collections::BTreeSet<u32> {
        let mut own = self.ownership.write().unwrap_or_else(|p| p.into_inner());
        let before = own.held_at(now);
        *own = to;
        before
    }

    pub fn settings(&self) -> std::sync::RwLockReadGuard<'_, Settings> {
        self.settings.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The words a digest posts in: its own `lang`, else its guild's locale, else English.
    pub fn words_for(&self, spec: &DigestSpec) -> Words {
        let guild = self.guild_locale(spec.guild_id);
        let locales = Arc::clone(&self.settings().locales);
        locales.words(&[spec.lang.as_deref(), guild.as_deref()])
    }

    /// Alerts are read by the guild's admins: the guild's locale first, then the digest's.
    pub fn alert_words(&self, spec: &DigestSpec) -> Words {
        let guild = self.guild_locale(spec.guild_id);
        let locales = Arc::clone(&self.settings().locales);
        locales.words(&[guild.as_deref(), spec.lang.as_deref()])
    }

    fn guild_locale(&self, guild: Option<u64>) -> Option<String> {
        let locales = self.guild_locales.read().unwrap_or_else(|p| p.into_inner());
        locales.get(&guild?).cloned()
    }

    pub fn spec(&self, key: &str) -> Option<Arc<DigestSpec>> {
        self.queue().get(key).map(|e| Arc::clone(&e.spec))
    }

    fn retries(&self) -> MutexGuard<'_, HashMap<String, PendingRetry>> {
        self.retrying.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn note_retry(&self, key: &str, pending: PendingRetry) {
        self.retries().insert(key.to_string(), pending);
    }

    /// Ends what `note_retry` noted for this fire (not a later fire's retry).
    pub fn forget_retry(&self, key: &str, fire: DateTime<Utc>) {
        let mut retries = self.retries();
        if retries.get(key).is_some_and(|p| p.fire == fire) {
            retries.remove(key);
        }
    }

    /// The delivery of this digest waiting to be tried again, if any.
    pub fn pending_retry(&self, key: &str) -> Option<PendingRetry> {
        self.retries().get(key).cloned()
    }
}
