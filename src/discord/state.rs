//! The state every command and event handler shares, and the types poise is instantiated with:
//! the running [`App`] plus what only the adapter needs (its REST client, the application id,
//! the answers in flight).

use super::rest::Rest;
use crate::answer::Cooldowns;
use crate::app::App;
use crate::briefings::Content;
use crate::config::Config;
use crate::digests::scheduler::SchedulerHandle;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub type Error = anyhow::Error;
pub type Ctx<'a> = poise::Context<'a, Arc<Data>, Error>;
pub type FrameworkError<'a> = poise::FrameworkError<'a, Arc<Data>, Error>;

pub struct Data {
    pub app: Arc<App>,
    pub rest: Rest,
    pub application_id: u64,
    in_flight: AtomicUsize,
    idle: tokio::sync::Notify,
    /// Shards that have had a READY: a shard's first is its start, later ones re-identifies.
    readied: std::sync::Mutex<std::collections::HashSet<u32>>,
}

impl Data {
    pub fn new(app: Arc<App>, rest: Rest, application_id: u64) -> Self {
        Data {
            app,
            rest,
            application_id,
            in_flight: AtomicUsize::new(0),
            idle: tokio::sync::Notify::new(),
            readied: Default::default(),
        }
    }

    /// Notes a READY of `shard`; false when the shard had one before (it identified again).
    pub fn first_ready(&self, shard: u32) -> bool {
        let mut readied = self.readied.lock().unwrap_or_else(|e| e.into_inner());
        readied.insert(shard)
    }

    pub fn config(&self) -> Arc<Config> {
        self.app.config()
    }

    pub fn content(&self) -> Arc<Content> {
        self.app.content()
    }

    pub fn scheduler(&self) -> &SchedulerHandle {
        self.app.scheduler()
    }

    pub fn cooldowns(&self) -> &Cooldowns {
        &self.app.cooldowns
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
