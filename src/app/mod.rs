//! The running program, apart from Discord: what it serves now ([`App`]: config, briefings,
//! digest scheduler, cooldowns), how it starts ([`run`]), how it reloads (`reload`, the one entry
//! point for the folder watcher, the config watcher and `/briefbot reload`), the ops endpoint
//! and the signals that stop it. The Discord adapter (`crate::discord`) is one of its parts.
//!
//! Start-up: check the token and the gateway endpoint through `discord.api_base` (so a test
//! server or proxy is never silently bypassed), open the database, load the briefings, on
//! PostgreSQL join the replicas (`replica.rs`: a first bucket round), connect; on the first READY
//! only, register commands (one replica among several) and start the digest scheduler. On
//! SIGINT/SIGTERM: stop the replica rounds, stop firing digests, leave the replicas, disconnect,
//! let in-flight answers finish (at most 10 s), return.

mod corrections;
mod feeds;
pub mod ops;
mod reload;
pub mod replica;
mod watch;

pub use reload::{reload, Reload};

use crate::answer::Cooldowns;
use crate::briefings::Content;
use crate::config::Config;
use crate::digests::scheduler::{SchedulerDeps, SchedulerHandle, SchedulerOptions, SystemClock};
use crate::discord::{self, Rest};
use crate::store::{new_replica_id, Lease, SINGLE_PROCESS_OWNER};
use anyhow::Context as _;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// How long shutdown waits for answers already being sent.
const DRAIN: Duration = Duration::from_secs(10);

/// What the bot serves at this moment. Readers take the `Arc` they need and let go of the
/// lock; a reload swaps config and content whole.
pub struct App {
    config: RwLock<Arc<Config>>,
    content: RwLock<Arc<Content>>,
    pub config_path: PathBuf,
    /// Resolves config digests' guilds on reload.
    pub rest: Rest,
    /// Set once, right after the `App` is built (the scheduler reads briefings through it).
    scheduler: OnceLock<SchedulerHandle>,
    pub started: Instant,
    pub cooldowns: Cooldowns,
    /// True while this process is the one that registers slash commands: always with SQLite,
    /// the holder of the registrar lock among PostgreSQL replicas (`replica.rs`).
    pub registrar: Arc<tokio::sync::watch::Sender<bool>>,
    /// Set once at start-up, like the scheduler.
    feeds: OnceLock<crate::feeds::FeedReader>,
    /// Wakes the corrections worker (set once at start-up).
    corrections: OnceLock<Arc<tokio::sync::Notify>>,
}

impl App {
    pub fn new(
        config: Arc<Config>,
        content: Arc<Content>,
        config_path: PathBuf,
        rest: Rest,
    ) -> Self {
        App {
            cooldowns: Cooldowns::new(config.limits.cooldown),
            config: RwLock::new(config),
            content: RwLock::new(content),
            config_path,
            rest,
            scheduler: OnceLock::new(),
            started: Instant::now(),
            registrar: Arc::new(tokio::sync::watch::channel(true).0),
            feeds: OnceLock::new(),
            corrections: OnceLock::new(),
        }
    }

    /// The config as of now; hold the `Arc`, not the lock.
    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.config.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn content(&self) -> Arc<Content> {
        Arc::clone(&self.content.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn scheduler(&self) -> &SchedulerHandle {
        self.scheduler
            .get()
            .expect("the scheduler is set before the bot connects")
    }

    /// Every configured feed's health (none before start-up has read them).
    pub fn feed_health(&self) -> Vec<crate::feeds::FeedHealth> {
        self.feeds.get().map(|f| f.health()).unwrap_or_default()
    }

    /// Asks for a pass over posted digests whose briefings changed since.
    pub fn request_corrections(&self) {
        if let Some(wake) = self.corrections.get() {
            wake.notify_one();
        }
    }

    fn set_scheduler(&self, scheduler: SchedulerHandle) {
        let _ = self.scheduler.set(scheduler);
    }

    fn set_content(&self, content: Arc<Content>) {
        *self.content.write().unwrap_or_else(|e| e.into_inner()) = content;
    }

    fn set_config(&self, config: Arc<Config>) {
        self.cooldowns.set_period(config.limits.cooldown);
        *self.config.write().unwrap_or_else(|e| e.into_inner()) = config;
    }
}

/// Runs the bot until SIGINT or SIGTERM.
pub async fn run(mut config: Config, config_path: PathBuf, token: String) -> anyhow::Result<()> {
    let api = discord::Api::connect(&config.discord, &token).await?;
    // Replicas started together look up their channels at once, before any has seen the
    // others: each takes the share its shard range implies from the start.
    api.rest.set_share(config.discord.shards.processes());
    discord::resolve_digest_guilds(&api.rest, &mut config).await;
    let config = Arc::new(config);
    log_locale_warnings(&config);

    // The database is opened before connecting: a bad path should stop the bot at once.
    let store = crate::store::open(&config.storage).await?;
    tracing::info!(store = %store.describe(), "store opened");
    // A random id per process start among PostgreSQL replicas. An SQLite file has one process
    // at a time, so its id is fixed: a restart resumes its own interrupted claims at once.
    let replica_id = match config.storage.postgres {
        Some(_) => new_replica_id(),
        None => SINGLE_PROCESS_OWNER.to_string(),
    };
    let leaving = (Arc::clone(&store), replica_id.clone());

    let content = {
        let config = Arc::clone(&config);
        tokio::task::spawn_blocking(move || Content::load(&config, None)).await??
    };
    content.log_problems();
    tracing::info!(
        loaded = content.library.len(),
        skipped = content.report.skipped(),
        "briefings loaded"
    );
    let app = Arc::new(App::new(
        Arc::clone(&config),
        Arc::new(content),
        config_path,
        api.rest.clone(),
    ));
    let library_app = Arc::clone(&app);
    let scheduler = SchedulerHandle::new(
        SchedulerDeps {
            store,
            claims: Lease::new(replica_id, config.storage.claim_lease),
            poster: discord::digest_poster(api.rest.clone()),
            library: Content::source(move || library_app.content()),
            clock: Arc::new(SystemClock),
        },
        &config,
        SchedulerOptions::default(),
    );
    app.set_scheduler(scheduler.clone());
    // Among replicas, the first bucket round runs before the scheduler can start, so it plans
    // (and resumes the pending deliveries of) only this replica's digests.
    let replicas = match config.storage.postgres {
        Some(_) => {
            let card = replica::card(&config.discord.shards);
            let rest = api.rest.clone();
            let registrar = Arc::clone(&app.registrar);
            Some(replica::join(&scheduler, rest, card, registrar, config.discord.shards).await)
        }
        None => None,
    };
    let _ = app.corrections.set(corrections::start(
        &app,
        discord::digest_editor(api.rest.clone()),
    ));
    let _ = app
        .feeds
        .set(feeds::start(&app, discord::digest_poster(api.rest.clone())));

    let mut bot = discord::Bot::build(Arc::clone(&app), api, &token).await?;

    let _watchers = if config.briefings.watch {
        let locales = watch::locales(&app)?;
        Some((watch::briefings(&app)?, watch::config(&app)?, locales))
    } else {
        None
    };
    let (stopping, mut stop_seen) = tokio::sync::watch::channel(false);
    let disconnect = bot.disconnector();
    let feed_app = Arc::clone(&app);
    let stop = tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        stopping.send_replace(true);
        // No more lease rounds: one after `leave` would announce this replica again.
        if let Some(replicas) = replicas {
            replicas.stop().await;
        }
        if let Some(feeds) = feed_app.feeds.get() {
            feeds.stop();
        }
        // Digests in flight finish (at most 10 s) or stay pending and resume at the next start.
        scheduler.shutdown().await;
        // Claims left pending are free for another replica at once, not after their lease.
        let (store, id) = leaving;
        if let Err(e) = store.leave(&id).await {
            tracing::warn!(error = %e, "could not give up this replica's claims");
        }
        disconnect.disconnect().await;
    });
    if let Some(listen) = config.ops.as_ref().map(|o| o.listen) {
        let stopped = async move {
            let _ = stop_seen.wait_for(|s| *s).await;
        };
        tokio::spawn(async move {
            if let Err(e) = ops::serve(listen, stopped).await {
                tracing::error!(error = %format!("{e:#}"), "ops endpoint stopped");
            }
        });
    }

    let result = bot.run(config.discord.shards).await;
    stop.abort();
    if tokio::time::timeout(DRAIN, bot.wait_idle()).await.is_err() {
        tracing::warn!("some answers were still being sent after {DRAIN:?}; exiting anyway");
    }
    result.context("the gateway connection failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Keys a language lacks (said in English) and keys no one uses: worth an admin's look, not a
/// reason to stop.
fn log_locale_warnings(config: &Config) {
    for warning in config.locales.warnings() {
        tracing::warn!(%warning, "locale file");
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
