//! The scheduler's shared state: the timer queue, the config-derived settings, the shutdown
//! tokens and the task tracker, with the operations that deliveries and the handle share
//! (pausing a digest, alerting its guild, putting a spec on the timer).

use super::deliver;
use super::queue::TimerQueue;
use super::{SchedulerDeps, SchedulerOptions};
use crate::config::{Config, ScheduleConfig};
use crate::digest::{nonce, DigestSpec};
use crate::render::MessagePayload;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What the config contributes, replaced on reload.
pub(super) struct Settings {
    pub defaults: ScheduleConfig,
    /// Guild id to alert channel id.
    pub alerts: HashMap<u64, u64>,
    pub config_digests: Vec<DigestSpec>,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            defaults: config.schedule.clone(),
            alerts: (config.guilds.iter())
                .filter_map(|g| Some((g.id, g.alert_channel_id?)))
                .collect(),
            config_digests: DigestSpec::all_from_config(config),
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
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.deps.clock.now()
    }

    /// The queue; held only for quick, non-blocking work.
    pub fn queue(&self) -> MutexGuard<'_, TimerQueue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn settings(&self) -> std::sync::RwLockReadGuard<'_, Settings> {
        self.settings.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn spec(&self, key: &str) -> Option<Arc<DigestSpec>> {
        self.queue().get(key).map(|e| Arc::clone(&e.spec))
    }

    /// Pauses a digest in the store and takes it off the timer.
    pub async fn pause(&self, key: &str, reason: &str) -> Result<(), StoreError> {
        let (k, r, now) = (key.to_string(), reason.to_string(), self.now());
        self.deps
            .store
            .call(move |s| s.set_paused(&k, Some(&r), now))
            .await?;
        let mut queue = self.queue();
        if let Some(entry) = queue.get(key) {
            let mut spec = DigestSpec::clone(&entry.spec);
            spec.paused = true;
            queue.insert(Arc::new(spec), None);
        }
        Ok(())
    }

    /// Posts `text` to the digest's guild alert channel, if one is configured. Best effort:
    /// a failure is logged, and the cause is in the ledger and `/digest list` anyway.
    pub async fn alert(&self, spec: &DigestSpec, fire: DateTime<Utc>, text: String) {
        let channel = spec
            .guild_id
            .and_then(|g| self.settings().alerts.get(&g).copied());
        let Some(channel) = channel else {
            tracing::warn!("no alert channel configured for this digest's guild");
            return;
        };
        let payload = MessagePayload::with_content(text).with_nonce(nonce(
            &format!("{}!alert", spec.key),
            fire,
            0,
        ));
        match deliver::send(self, channel, &payload, &mut 0).await {
            Ok(_) => tracing::info!(alert_channel = channel, "alert posted"),
            Err(_) => tracing::error!(alert_channel = channel, "could not post the alert"),
        }
    }

    /// Puts `spec` on the timer: a digest new to the store is marked seen (it will not catch up
    /// on earlier fires); a paused one stays paused; an unchanged schedule keeps its next fire.
    pub async fn upsert(&self, mut spec: DigestSpec) -> Result<Arc<DigestSpec>, StoreError> {
        let (key, now) = (spec.key.clone(), self.now());
        let state = self
            .deps
            .store
            .call(move |s| {
                let state = s.state(&key)?;
                if state.is_none() {
                    s.mark_seen([key.as_str()], now)?;
                }
                Ok(state)
            })
            .await?;
        spec.paused = state.is_some_and(|s| s.paused);
        let spec = Arc::new(spec);
        let mut queue = self.queue();
        let keep = queue.get(&spec.key).and_then(|old| {
            let same = old.spec.same_schedule(&spec) && !old.spec.paused;
            same.then(|| queue.next_fire(&spec.key))
        });
        let next = match (spec.paused, keep) {
            (true, _) => None,
            (false, Some(next)) => next,
            (false, None) => spec.schedule.next_after(now),
        };
        queue.insert(Arc::clone(&spec), next);
        drop(queue);
        self.wake.notify_one();
        Ok(spec)
    }
}
