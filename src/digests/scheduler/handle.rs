//! The handle the rest of the bot holds: start and stop the scheduler, add, remove, pause,
//! resume and send digests now, list them with their state. Every change to a digest goes
//! through the store first and then the timer, and wakes the loop so it re-plans its sleep.

use super::changes;
use super::deliver;
use super::error::SchedulerError;
use super::options::{SchedulerDeps, SchedulerOptions};
use super::outcome::DeliveryOutcome;
use super::run;
use super::state::PendingRetry;
use super::state::{Inner, Settings};
use crate::config::Config;
use crate::digests::{select_content, DigestSpec};
use crate::render::{render_digest, DigestView, MessagePayload};
use crate::store::{config_key, runtime_key, DigestRow, DigestState, NewDigest};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Arc;

/// A digest as `/digest list` shows it.
#[derive(Debug, Clone)]
pub struct DigestStatus {
    pub spec: Arc<DigestSpec>,
    pub next_fire: Option<DateTime<Utc>>,
    pub paused: bool,
    pub paused_reason: Option<String>,
    pub last_delivery: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// A delivery that failed and waits to be tried again.
    pub retrying: Option<PendingRetry>,
}

/// What `resume` did: when the digest fires next, and the fire times its pause skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumed {
    pub next_fire: Option<DateTime<Utc>>,
    /// `None` when the pause began before briefbot recorded when pauses begin.
    pub skipped: Option<SkippedFires>,
}

/// Fire times that passed while a digest was paused; not caught up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkippedFires {
    pub count: usize,
    /// The count stopped at its cap (a long pause of a frequent schedule).
    pub at_least: bool,
}

/// Skipped fire times counted at most (a seconds schedule paused for weeks has millions).
const SKIPPED_COUNTED: usize = 10_000;

/// Cheap to clone; all clones drive the same scheduler.
#[derive(Clone)]
pub struct SchedulerHandle {
    pub(super) inner: Arc<Inner>,
}

impl SchedulerHandle {
    /// A scheduler for the config's digests and the store's; nothing runs until `start`.
    pub fn new(deps: SchedulerDeps, config: &Config, options: SchedulerOptions) -> Self {
        SchedulerHandle {
            inner: Arc::new(Inner::new(deps, config, options)),
        }
    }

    /// Loads every digest, resumes interrupted deliveries, catches up missed fires and starts
    /// the timer. Only the first call does anything (READY comes again after each reconnect);
    /// it returns whether this call started the scheduler.
    pub async fn start(&self) -> Result<bool, SchedulerError> {
        let mut started = self.inner.started.lock().await;
        if *started || self.inner.stop.is_cancelled() {
            return Ok(false);
        }
        run::load(&self.inner).await?;
        self.inner
            .tracker
            .spawn(run::run_loop(Arc::clone(&self.inner)));
        *started = true;
        Ok(true)
    }

    /// Stops firing, waits up to `shutdown_grace` for deliveries in flight, then abandons the
    /// rest (left pending in the ledger, resumed at the next start with the same nonces).
    pub async fn shutdown(&self) {
        let inner = &self.inner;
        inner.stop.cancel();
        inner.wake.notify_one();
        inner.tracker.close();
        let grace = inner.options.shutdown_grace;
        if tokio::time::timeout(grace, inner.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                ?grace,
                "deliveries still running; abandoning them until next start"
            );
            inner.kill.cancel();
            let _ = tokio::time::timeout(grace, inner.tracker.wait()).await;
        }
        tracing::info!("scheduler stopped");
    }

    /// Stores and schedules a digest made with `/digest add`. The command has checked the
    /// sections against the catalogue; schedule and zone are checked here too.
    pub async fn add(&self, new: NewDigest) -> Result<Arc<DigestSpec>, SchedulerError> {
        let now = self.inner.now();
        let row = DigestRow {
            key: runtime_key(new.guild_id, &new.name),
            digest: new,
            created_at: now,
            paused: false,
            paused_reason: None,
        };
        let spec = DigestSpec::from_row(&row, &self.inner.settings().defaults)?;
        self.inner
            .deps
            .store
            .insert_digest(&row.digest, now)
            .await?;
        let spec = changes::upsert(&self.inner, spec).await?;
        changes::announce(&self.inner, &spec.key).await;
        Ok(spec)
    }

    /// Removes a runtime digest (store and timer). Config digests are refused: the file
    /// would bring them back.
    pub async fn remove(&self, guild_id: u64, name: &str) -> Result<(), SchedulerError> {
        let spec = self
            .find(guild_id, name)
            .ok_or_else(|| SchedulerError::NotFound(name.into()))?;
        if spec.is_config() {
            return Err(SchedulerError::ConfigDigest(spec.name.clone()));
        }
        let stored_name = spec.name.clone();
        self.inner
            .deps
            .store
            .delete_digest(guild_id, &stored_name)
            .await?;
        self.inner.queue().remove(&spec.key);
        self.inner.wake.notify_one();
        changes::announce(&self.inner, &spec.key).await;
        Ok(())
    }

    /// Pauses a digest (runtime or config) with a reason shown in `/digest list`.
    pub async fn pause(&self, key: &str, reason: &str) -> Result<(), SchedulerError> {
        self.get(key)
            .ok_or_else(|| SchedulerError::NotFound(key.into()))?;
        changes::pause(&self.inner, key, reason).await?;
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Resumes a paused digest from its next fire time; fires missed while paused are not
    /// caught up, now or after a restart. Says when it fires next and how many fire times the
    /// pause skipped.
    pub async fn resume(&self, key: &str) -> Result<Resumed, SchedulerError> {
        let spec = self
            .get(key)
            .ok_or_else(|| SchedulerError::NotFound(key.into()))?;
        let (k, now) = (key.to_string(), self.inner.now());
        let store = &self.inner.deps.store;
        let before = store.state(&k).await?;
        store.set_paused(&k, None, now).await?;
        changes::announce(&self.inner, &k).await;
        let paused_at = before.and_then(|st| st.paused_at);
        let mut resumed = DigestSpec::clone(&spec);
        resumed.paused = false;
        let next = resumed.schedule.next_after(now);
        let skipped = paused_at.map(|since| {
            let fires = resumed.schedule.fires_between(since, now, SKIPPED_COUNTED);
            SkippedFires {
                count: fires.len(),
                at_least: fires.len() == SKIPPED_COUNTED,
            }
        });
        self.inner.queue().insert(Arc::new(resumed), next);
        self.inner.wake.notify_one();
        Ok(Resumed {
            next_fire: next,
            skipped,
        })
    }

    /// Delivers a digest now, as a fire at the current second (paused or not). Returns once it
    /// is delivered, skipped or failed, or once it failed its immediate retries and is being
    /// retried (`Retrying`, the delivery goes on). Refused while an earlier delivery of the
    /// digest is being retried: this one would only wait behind it.
    pub async fn send_now(&self, key: &str) -> Result<DeliveryOutcome, SchedulerError> {
        if self.inner.stop.is_cancelled() {
            return Err(SchedulerError::Stopped);
        }
        let gate = self.inner.queue().get(key).map(|e| Arc::clone(&e.gate));
        let gate = gate.ok_or_else(|| SchedulerError::NotFound(key.into()))?;
        if let Some(pending) = self.inner.pending_retry(key) {
            return Err(SchedulerError::Retrying(pending));
        }
        let fire = DateTime::from_timestamp(self.inner.now().timestamp(), 0).expect("in range");
        let (first, outcome) = tokio::sync::oneshot::channel();
        let task = deliver::deliver_fires(
            Arc::clone(&self.inner),
            key.into(),
            gate,
            vec![fire],
            true,
            Some(first),
        );
        self.inner.tracker.spawn(task);
        outcome.await.map_err(|_| SchedulerError::Stopped)
    }

    /// Applies a reloaded config: its digests replace the previous config digests (a digest
    /// whose schedule is unchanged keeps its next fire), alert channels and `[schedule]`
    /// defaults are updated.
    pub async fn apply_config(&self, config: &Config) -> Result<(), SchedulerError> {
        let settings = Settings::from_config(config);
        let specs = settings.config_digests.clone();
        let (catch_up, grace) = (settings.defaults.catch_up, settings.defaults.grace);
        *self
            .inner
            .settings
            .write()
            .unwrap_or_else(|p| p.into_inner()) = settings;
        let keep: HashSet<&str> = specs.iter().map(|s| s.key.as_str()).collect();
        {
            let mut queue = self.inner.queue();
            let entries: Vec<Arc<DigestSpec>> =
                queue.entries().map(|e| Arc::clone(&e.spec)).collect();
            for spec in entries {
                if spec.is_config() && !keep.contains(spec.key.as_str()) {
                    queue.remove(&spec.key);
                } else if !spec.is_config() && (spec.catch_up, spec.grace) != (catch_up, grace) {
                    let next = queue.next_fire(&spec.key);
                    let mut updated = DigestSpec::clone(&spec);
                    (updated.catch_up, updated.grace) = (catch_up, grace);
                    queue.insert(Arc::new(updated), next);
                }
            }
        }
        for spec in specs {
            changes::upsert(&self.inner, spec).await?;
        }
        Ok(())
    }

    /// Schedules a digest or replaces one with the same key (lower level than `add`).
    pub async fn upsert(&self, spec: DigestSpec) -> Result<Arc<DigestSpec>, SchedulerError> {
        Ok(changes::upsert(&self.inner, spec).await?)
    }

    /// What the digest would post now (`/digest preview`, shown only to the caller): the
    /// current library, `only_new` applied, headed with its next fire time. Without nonces, and
    /// with the "nothing new" notice when empty so the caller sees why nothing would be sent.
    pub async fn preview(&self, key: &str) -> Result<Vec<MessagePayload>, SchedulerError> {
        let spec = self
            .get(key)
            .ok_or_else(|| SchedulerError::NotFound(key.into()))?;
        let posted = if spec.only_new {
            let (key, channel) = (spec.key.clone(), spec.channel_id);
            self.inner.deps.store.posted_ids(&key, channel).await?
        } else {
            HashSet::new()
        };
        let snapshot = (self.inner.deps.library)();
        let entries = select_content(&spec, snapshot.library(), &posted);
        let fire = self.next_fire(key).unwrap_or_else(|| self.inner.now());
        let nothing_new = self.inner.words_for(&spec).text("digest-nothing-new");
        Ok(render_digest(&DigestView {
            name: &spec.name,
            fire_time: fire,
            entries,
            mention_role: spec.mention_role,
            silent: spec.silent,
            nothing_new: &nothing_new,
        }))
    }

    /// Remembers a guild's locale (from its GUILD_CREATE, or an interaction's `guild_locale`):
    /// digests without a `lang`, and the guild's alerts, are in it.
    pub fn note_guild_locale(&self, guild_id: u64, locale: &str) {
        let locales = &self.inner.guild_locales;
        let known = locales.read().unwrap_or_else(|p| p.into_inner());
        if known.get(&guild_id).is_some_and(|l| l == locale) {
            return;
        }
        drop(known);
        let mut locales = locales.write().unwrap_or_else(|p| p.into_inner());
        locales.insert(guild_id, locale.to_string());
    }

    pub fn get(&self, key: &str) -> Option<Arc<DigestSpec>> {
        self.inner.spec(key)
    }

    /// A digest by the name a member typed: the guild's runtime digest, else a config digest
    /// of that guild.
    pub fn find(&self, guild_id: u64, name: &str) -> Option<Arc<DigestSpec>> {
        self.get(&runtime_key(guild_id, name)).or_else(|| {
            self.get(&config_key(name))
                .filter(|s| s.guild_id == Some(guild_id))
        })
    }

    pub fn next_fire(&self, key: &str) -> Option<DateTime<Utc>> {
        self.inner.queue().next_fire(key)
    }

    /// Number of digests on the timer (paused ones included).
    pub fn len(&self) -> usize {
        self.inner.queue().len()
    }

    /// How often the loop has woken up: with nothing due, once per `max_sleep` at most.
    pub fn wakeups(&self) -> u64 {
        self.inner
            .wakeups
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The guild's digests (config digests that name the guild, and runtime ones), by name,
    /// with their next fire, pause state, last delivery and last error.
    pub async fn list(&self, guild_id: u64) -> Result<Vec<DigestStatus>, SchedulerError> {
        let mut found: Vec<(Arc<DigestSpec>, Option<DateTime<Utc>>)> = {
            let queue = self.inner.queue();
            let mine = queue
                .entries()
                .filter(|e| e.spec.guild_id == Some(guild_id));
            mine.map(|e| (Arc::clone(&e.spec), queue.next_fire(&e.spec.key)))
                .collect()
        };
        found.sort_by_key(|(spec, _)| spec.name.to_lowercase());
        let keys: Vec<String> = found.iter().map(|(s, _)| s.key.clone()).collect();
        let mut states = Vec::with_capacity(keys.len());
        for key in &keys {
            states.push(self.inner.deps.store.state(key).await?);
        }
        Ok(found
            .into_iter()
            .zip(states)
            .map(|((spec, next_fire), state)| {
                let state = state.unwrap_or_else(|| DigestState {
                    key: spec.key.clone(),
                    seen_at: DateTime::UNIX_EPOCH,
                    paused: spec.paused,
                    paused_reason: None,
                    paused_at: None,
                    resumed_at: None,
                    last_delivery: None,
                    last_error: None,
                    last_error_at: None,
                });
                DigestStatus {
                    retrying: self.inner.pending_retry(&spec.key),
                    next_fire,
                    paused: state.paused,
                    paused_reason: state.paused_reason,
                    last_delivery: state.last_delivery,
                    last_error: state.last_error,
                    last_error_at: state.last_error_at,
                    spec,
                }
            })
            .collect())
    }
}
