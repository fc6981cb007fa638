//! The state every command and event handler shares, and the types poise is instantiated with.

use super::rest::Rest;
use crate::config::Config;
use crate::content::Content;
use crate::scheduler::SchedulerHandle;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

pub type Error = anyhow::Error;
pub type Ctx<'a> = poise::Context<'a, Arc<Data>, Error>;
pub type FrameworkError<'a> = poise::FrameworkError<'a, Arc<Data>, Error>;

pub struct Data {
    config: RwLock<Arc<Config>>,
    content: RwLock<Arc<Content>>,
    pub config_path: PathBuf,
    pub rest: Rest,
    pub application_id: u64,
    /// Set once, right after `Data` is built (the scheduler reads briefings through `Data`).
    scheduler: std::sync::OnceLock<SchedulerHandle>,
    pub started: Instant,
    in_flight: AtomicUsize,
    idle: tokio::sync::Notify,
    pub cooldowns: crate::cooldown::Cooldowns,
    /// READY events seen: the first is the start, later ones are re-identifies.
    pub readies: AtomicUsize,
}

impl Data {
    pub fn new(
        config: Arc<Config>,
        content: Arc<Content>,
        config_path: PathBuf,
        rest: Rest,
        application_id: u64,
    ) -> Self {
        Data {
            cooldowns: crate::cooldown::Cooldowns::new(config.limits.cooldown),
            readies: AtomicUsize::new(0),
            config: RwLock::new(config),
            content: RwLock::new(content),
            config_path,
            rest,
            application_id,
            scheduler: std::sync::OnceLock::new(),
            started: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle: tokio::sync::Notify::new(),
        }
    }

    pub fn set_scheduler(&self, scheduler: SchedulerHandle) {
        let _ = self.scheduler.set(scheduler);
    }

    pub fn scheduler(&self) -> &SchedulerHandle {
        self.scheduler
            .get()
            .expect("the scheduler is set before the bot connects")
    }

    /// The config as of now; hold the `Arc`, not the lock.
    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.config.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn content(&self) -> Arc<Content> {
        Arc::clone(&self.content.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn set_content(&self, content: Arc<Content>) {
        *self.content.write().unwrap_or_else(|e| e.into_inner()) = content;
    }

    pub fn set_config(&self, config: Arc<Config>) {
        self.cooldowns.set_period(config.limits.cooldown);
        *self.config.write().unwrap_or_else(|e| e.into_inner()) = config;
    }

    /// Marks an interaction as being answered until the guard drops, so shutdown can wait.
    pub fn begin_interaction(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(self))
    }

    /// Waits until no interaction is being answered (used on shutdown, with a timeout).
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

pub struct InFlight(Arc<Data>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
