//! The only place serenity and poise live: connecting to the gateway, registering and
//! answering slash commands, and sending through briefbot's own REST client (`rest`).
//!
//! Start-up: check the token and the gateway endpoint through `discord.api_base` (so a test
//! server or proxy is never silently bypassed), load the briefings, connect; on the first READY
//! only, register commands and start the folder watcher. On SIGINT/SIGTERM: disconnect, let
//! in-flight answers finish (at most 10 s), return.

mod commands;
mod events;
mod poster;
mod ratelimit;
mod register;
mod reply;
pub mod rest;
mod state;

use crate::config::{Config, Shards};
use crate::content::Content;
use crate::scheduler::{SchedulerDeps, SchedulerHandle, SchedulerOptions, SystemClock};
use crate::store::AsyncStore;
use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use rest::{Rest, RetryPolicy};
use state::Data;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Discord's own REST base; anything else is a proxy or a test server.
const DISCORD: &str = "https://discord.com";
/// How long shutdown waits for answers already being sent.
const DRAIN: Duration = Duration::from_secs(10);

/// Runs the bot until SIGINT or SIGTERM.
pub async fn run(mut config: Config, config_path: PathBuf, token: String) -> anyhow::Result<()> {
    let api_base = config.discord.api_base.clone();
    let rest = Rest::new(&api_base, &token)?;

    let app = rest
        .get("/oauth2/applications/@me", RetryPolicy::PATIENT)
        .await
        .map_err(|e| match e.status() {
            Some(401) => anyhow::anyhow!(
                "Discord rejected the bot token (401): check {}",
                config.discord.token_env
            ),
            _ => anyhow::anyhow!("cannot reach Discord's API at {api_base}: {e}"),
        })?;
    let application_id: u64 = app["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("Discord sent no application id")?;
    // Serenity falls back to Discord's own gateway when this call fails; with a proxy or test
    // server configured that would be a surprise, so fail here instead.
    rest.get("/gateway", RetryPolicy::PATIENT).await.map_err(|e| {
        anyhow::anyhow!("cannot get the gateway address from {api_base}/api/v10/gateway: {e}; not connecting anywhere else")
    })?;

    resolve_digest_guilds(&rest, &mut config).await;
    let config = Arc::new(config);

    // The database is opened before connecting: a bad path should stop the bot at once.
    let store = AsyncStore::open(config.storage.path.clone()).await?;

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
    let data = Arc::new(Data::new(
        Arc::clone(&config),
        Arc::new(content),
        config_path,
        rest.clone(),
        application_id,
    ));
    let library_data = Arc::clone(&data);
    let scheduler = SchedulerHandle::new(
        SchedulerDeps {
            store,
            poster: Arc::new(poster::DiscordPoster { rest }),
            library: Content::source(move || library_data.content()),
            clock: Arc::new(SystemClock),
        },
        &config,
        SchedulerOptions::default(),
    );
    data.set_scheduler(scheduler.clone());

    let http = if api_base == DISCORD {
        serenity::HttpBuilder::new(&token)
    } else {
        // Serenity only honours a proxy with its own rate limiter off; `rest` retries instead.
        serenity::HttpBuilder::new(&token)
            .proxy(api_base.as_str())
            .ratelimiter_disabled(true)
    }
    .application_id(application_id.into())
    .build();

    let setup_data = Arc::clone(&data);
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: events::on_error,
            pre_command: events::pre_command,
            command_check: Some(events::command_check),
            event_handler: events::event_handler,
            ..Default::default()
        })
        // poise runs this on the first READY only, so a re-identify does not register again.
        .setup(move |_ctx, ready, framework| {
            Box::pin(async move {
                let commands = poise::builtins::create_application_commands(&framework.options().commands);
                let ready_guilds: Vec<u64> = ready.guilds.iter().map(|g| g.id.get()).collect();
                let config = setup_data.config();
                if let Err(e) = register::register(&setup_data.rest, application_id, &commands, &config.discord.guild_ids, &ready_guilds).await {
                    tracing::error!(error = %format!("{e:#}"), "registering commands failed; existing registrations stay");
                }
                // Gateway latency for /metrics; `status` reads it fresh.
                let shards = Arc::clone(framework.shard_manager());
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(Duration::from_secs(15));
                    loop {
                        tick.tick().await;
                        let runners = shards.runners.lock().await;
                        if let Some(latency) = runners.values().find_map(|r| r.latency) {
                            crate::metrics::gateway_latency(latency.as_secs_f64());
                        }
                    }
                });
                // Digests start only once the gateway is up, and only once (see `start`).
                match setup_data.scheduler().start().await {
                    Ok(_) => tracing::info!(digests = setup_data.scheduler().len(), "digest scheduler started"),
                    Err(e) => tracing::error!(error = %e, "digest scheduler failed to start"),
                }
                Ok(setup_data)
            })
        })
        .build();

    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await
        .context("cannot create the Discord client")?;

    let _watchers = if config.briefings.watch {
        Some((start_watcher(&data, &config)?, watch_config(&data)?))
    } else {
        None
    };
    let (stopping, mut stop_seen) = tokio::sync::watch::channel(false);
    let shard_manager = Arc::clone(&client.shard_manager);
    let stop = tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        stopping.send_replace(true);
        // Digests in flight finish (at most 10 s) or stay pending and resume at the next start.
        scheduler.shutdown().await;
        shard_manager.shutdown_all().await;
    });
    if let Some(listen) = config.ops.as_ref().map(|o| o.listen) {
        let stopped = async move {
            let _ = stop_seen.wait_for(|s| *s).await;
        };
        tokio::spawn(async move {
            if let Err(e) = crate::ops::serve(listen, stopped).await {
                tracing::error!(error = %format!("{e:#}"), "ops endpoint stopped");
            }
        });
    }

    let result = match config.discord.shards {
        Shards::Auto => client.start_autosharded().await,
        Shards::Count(n) => client.start_shards(n).await,
    };
    stop.abort();
    if tokio::time::timeout(DRAIN, data.wait_idle()).await.is_err() {
        tracing::warn!("some answers were still being sent after {DRAIN:?}; exiting anyway");
    }
    result.context("the gateway connection failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Config digests may leave out `guild_id`; their channel's guild is what decides who sees them
/// in `/digest list` and where failures are alerted, so ask Discord for it. A channel that
/// cannot be read keeps `None`: its first delivery will fail, pause and log why.
pub(crate) async fn resolve_digest_guilds(rest: &Rest, config: &mut Config) {
    for digest in config.digests.iter_mut().filter(|d| d.guild_id.is_none()) {
        let path = format!("/channels/{}", digest.channel_id);
        match rest.get(&path, RetryPolicy::PATIENT).await {
            Ok(channel) => {
                digest.guild_id = channel["guild_id"].as_str().and_then(|g| g.parse().ok())
            }
            Err(e) => {
                tracing::warn!(digest = %digest.name, error = %e, "cannot look up the digest's channel")
            }
        }
    }
}

fn start_watcher(data: &Arc<Data>, config: &Config) -> anyhow::Result<notify::RecommendedWatcher> {
    let data = Arc::clone(data);
    let dir = config.briefings.dir.clone();
    crate::watch::watch_folder(&dir, move || {
        let data = Arc::clone(&data);
        async move {
            let reloaded = tokio::task::spawn_blocking(move || {
                let old = data.content();
                Content::load(&data.config(), Some(&old)).map(|new| {
                    new.log_problems();
                    tracing::info!(changes = %new.changes_since(&old), "briefings folder changed");
                    data.set_content(Arc::new(new));
                })
            })
            .await;
            if let Ok(Err(e)) = reloaded {
                tracing::warn!(error = %format!("{e:#}"), "reload failed; serving the previous briefings");
            }
        }
    })
    .with_context(|| format!("cannot watch the briefings folder `{}`", dir.display()))
}

/// Watches the config file's folder: an edit reloads the config (digests included) and the
/// briefings; an invalid edit keeps the running config and logs why.
fn watch_config(data: &Arc<Data>) -> anyhow::Result<notify::RecommendedWatcher> {
    let path = data.config_path.clone();
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let data = Arc::clone(data);
    let last = std::sync::Mutex::new(std::fs::read(&path).ok());
    crate::watch::watch_folder(&folder, move || {
        // The folder may hold the briefings or the database too: act only on a real edit.
        let current = std::fs::read(&data.config_path).ok();
        let changed = {
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            let changed = *last != current;
            *last = current;
            changed
        };
        let data = Arc::clone(&data);
        async move {
            if changed {
                match commands::reload_all(&data).await {
                    Ok(summary) => tracing::info!(%summary, "config file changed"),
                    Err(refusal) => {
                        tracing::warn!(%refusal, "config file changed but was not applied")
                    }
                }
            }
        }
    })
    .with_context(|| format!("cannot watch the config folder `{}`", folder.display()))
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
