//! Connecting: the token and gateway checks ([`Api`]), the serenity client with poise's
//! framework ([`Bot`]), what happens on the first READY, and the digest scheduler's poster.

use super::http::{ApplicationReply, ChannelReply, GatewayReply, Route};
use super::rest::{Rest, RetryPolicy};
use super::state::Data;
use super::{commands, events, poster, register, shards};
use crate::app::App;
use crate::config::{Config, DiscordConfig, Shards};
use crate::digests::scheduler::Poster;
use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use std::sync::Arc;
use std::time::Duration;

/// Discord's own REST base; anything else is a proxy or a test server.
const DISCORD: &str = "https://discord.com";

/// A REST client whose token Discord accepted, and the application it belongs to.
pub struct Api {
    pub rest: Rest,
    application_id: u64,
    api_base: String,
    /// The websocket address `api_base` gave; the only one the bot connects to.
    gateway_url: String,
}

impl Api {
    /// Checks the token and that the gateway address comes from `api_base`: serenity would
    /// otherwise fall back to Discord's own gateway, a surprise with a proxy or test server.
    pub async fn connect(config: &DiscordConfig, token: &str) -> anyhow::Result<Api> {
        let api_base = config.api_base.clone();
        let rest = Rest::new(&api_base, token)?;
        let application_id = application_id(&rest, config, RetryPolicy::PATIENT).await?;
        let gateway = rest.get(Route::Gateway, RetryPolicy::PATIENT).await.map_err(|e| {
            anyhow::anyhow!("cannot get the gateway address from {api_base}/api/v10/gateway: {e}; not connecting anywhere else")
        })?;
        let gateway_url = serde_json::from_value::<GatewayReply>(gateway)
            .map(|g| g.url)
            .with_context(|| format!("{api_base}/api/v10/gateway sent no gateway address"))?;
        Ok(Api {
            rest,
            application_id,
            api_base,
            gateway_url,
        })
    }
}

/// The id of the application the token belongs to, which also checks the token.
pub async fn application_id(
    rest: &Rest,
    config: &DiscordConfig,
    policy: RetryPolicy,
) -> anyhow::Result<u64> {
    let app = rest
        .get(Route::CurrentApplication, policy)
        .await
        .map_err(|e| match e.status() {
            Some(401) => anyhow::anyhow!(
                "Discord rejected the bot token (401): check {}",
                config.token_env
            ),
            _ => anyhow::anyhow!("cannot reach Discord's API at {}: {e}", config.api_base),
        })?;
    serde_json::from_value::<ApplicationReply>(app)
        .ok()
        .and_then(|a| a.id.parse().ok())
        .context("Discord sent no application id")
}

/// Config digests may leave out `guild_id`; their channel's guild is what decides who sees them
/// in `/digest list` and where failures are alerted, so ask Discord for it. A channel that
/// cannot be read keeps `None`: its first delivery will fail, pause and log why.
pub async fn resolve_digest_guilds(rest: &Rest, config: &mut Config) {
    for digest in config.digests.iter_mut().filter(|d| d.guild_id.is_none()) {
        let route = Route::Channel(digest.channel_id);
        match rest.get(route, RetryPolicy::PATIENT).await {
            Ok(channel) => {
                digest.guild_id = serde_json::from_value::<ChannelReply>(channel)
                    .ok()
                    .and_then(|c| c.guild_id?.parse().ok());
            }
            Err(e) => {
                tracing::warn!(digest = %digest.name, error = %e, "cannot look up the digest's channel")
            }
        }
    }
}

/// The digest scheduler's way to post a message to a channel.
pub fn digest_poster(rest: Rest) -> Arc<dyn Poster> {
    Arc::new(poster::DiscordPoster { rest })
}

/// The way corrections edit a posted digest message.
pub fn digest_editor(rest: Rest) -> Arc<dyn crate::digests::scheduler::Editor> {
    Arc::new(poster::DiscordPoster { rest })
}

/// The connected bot: serenity's client with poise's framework and briefbot's commands.
pub struct Bot {
    client: serenity::Client,
    data: Arc<Data>,
    /// Set when the bot is told to stop, which may come while it still waits to identify.
    stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

/// Ends the gateway connections, from another task.
pub struct Disconnector {
    manager: Arc<serenity::ShardManager>,
    stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Disconnector {
    pub async fn disconnect(&self) {
        self.stopping.send_replace(true);
        self.manager.shutdown_all().await;
    }
}

impl Bot {
    /// Builds the client. On the first READY only (a re-identify must not repeat it) the
    /// commands are registered and the digest scheduler is started.
    pub async fn build(app: Arc<App>, api: Api, token: &str) -> anyhow::Result<Bot> {
        let Api {
            rest,
            application_id,
            api_base,
            gateway_url,
        } = api;
        let locales = Arc::clone(&app.config().locales);
        let data = Arc::new(Data::new(app, rest, application_id));
        let http = if api_base == DISCORD {
            serenity::HttpBuilder::new(token)
        } else {
            // Serenity only honours a proxy with its own rate limiter off; `rest` retries instead.
            serenity::HttpBuilder::new(token)
                .proxy(api_base.as_str())
                .ratelimiter_disabled(true)
        }
        .application_id(application_id.into())
        .build();

        let setup_data = Arc::clone(&data);
        let framework = poise::Framework::builder()
            .options(poise::FrameworkOptions {
                commands: commands::all(&locales),
                on_error: events::on_error,
                pre_command: events::pre_command,
                command_check: Some(events::command_check),
                event_handler: events::event_handler,
                ..Default::default()
            })
            // poise runs this on the first READY only.
            .setup(move |_ctx, ready, framework| {
                Box::pin(async move {
                    on_first_ready(&setup_data, ready, framework).await;
                    Ok(setup_data)
                })
            })
            .build();
        // Autocompletes are answered through `rest` too (see `framework.rs`).
        let framework = super::framework::Framework::new(framework);

        let client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
            .framework(framework)
            .await
            .context("cannot create the Discord client")?;
        // Serenity asks for the gateway again, without our rate limiting, and falls back to
        // Discord's own address if that request fails (a 429 when replicas start together):
        // the address checked in `Api::connect` is the one used.
        *client.ws_url.lock().await = gateway_url;
        let stopping = Arc::new(tokio::sync::watch::channel(false).0);
        Ok(Bot {
            client,
            data,
            stopping,
        })
    }

    pub fn disconnector(&self) -> Disconnector {
        Disconnector {
            manager: Arc::clone(&self.client.shard_manager),
            stopping: Arc::clone(&self.stopping),
        }
    }

    /// Runs the gateway connections until they end (a disconnect, or a fatal error). A range
    /// of shards first waits for its identify slot (`shards.rs`), so replicas started together
    /// stay within Discord's identify limits.
    pub async fn run(&mut self, shards: Shards) -> serenity::Result<()> {
        match shards {
            Shards::Auto => self.client.start_autosharded().await,
            Shards::Count(n) => self.client.start_shards(n).await,
            Shards::Range { first, last, total } => {
                let mut stopping = self.stopping.subscribe();
                let wait = async {
                    let delay =
                        shards::wait_before_identifying(&self.data.rest, first, last, total).await;
                    tokio::time::sleep(delay).await;
                };
                tokio::select! {
                    _ = wait => {}
                    _ = stopping.wait_for(|s| *s) => return Ok(()),
                }
                // serenity's range is inclusive despite its `Range` type (it starts
                // `end - start + 1` shards): `first..last` runs `first` to `last`, both included.
                self.client.start_shard_range(first..last, total).await
            }
        }
    }

    /// Waits until no interaction is being answered.
    pub async fn wait_idle(&self) {
        self.data.wait_idle().await
    }
}

async fn register_commands(
    data: &Data,
    commands: &[serenity::CreateCommand],
    ready_guilds: &[u64],
) {
    let config = data.config();
    let registered = register::register(
        &data.rest,
        data.application_id,
        commands,
        &config.discord.guild_ids,
        ready_guilds,
    );
    match registered.await {
        Ok(()) => tracing::info!(
            commands = commands.len(),
            "this replica registered the commands"
        ),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "registering commands failed; existing registrations stay")
        }
    }
}

async fn on_first_ready(
    data: &Arc<Data>,
    ready: &serenity::Ready,
    framework: &poise::Framework<Arc<Data>, anyhow::Error>,
) {
    let commands = poise::builtins::create_application_commands(&framework.options().commands);
    let ready_guilds: Vec<u64> = ready.guilds.iter().map(|g| g.id.get()).collect();
    // With several shards, one shard's READY lists only its own guilds.
    let sole_shard = ready.shard.is_none_or(|s| s.total <= 1);
    if ready_guilds.is_empty() && sole_shard {
        let invite = crate::invite::Invite::for_config(&data.config());
        let url = invite.url(ready.application.id.get());
        tracing::warn!(
            %url,
            "briefbot is in no server yet: open this URL to add it (`briefbot invite` says why each permission is asked)"
        );
    }
    // One registrar among replicas (always this process on SQLite): a bulk overwrite is
    // idempotent, but N replicas doing it N times spends the shared rate budget for nothing.
    let mut registrar = data.app.registrar.subscribe();
    if *registrar.borrow_and_update() {
        register_commands(data, &commands, &ready_guilds).await;
    } else {
        tracing::info!("commands are registered by another replica");
    }
    // Should this replica become the registrar later (the holder died or left), it registers
    // its own commands then, so a restart with new commands does not depend on who held it.
    let (later, commands) = (Arc::clone(data), commands.clone());
    tokio::spawn(async move {
        while registrar.changed().await.is_ok() {
            if *registrar.borrow_and_update() {
                register_commands(&later, &commands, &ready_guilds).await;
            }
        }
    });
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
    match data.scheduler().start().await {
        Ok(_) => {
            tracing::info!(digests = data.scheduler().len(), "digest scheduler started");
            // Briefings changed while the bot was down correct what it posted before.
            data.app.request_corrections();
        }
        Err(e) => tracing::error!(error = %e, "digest scheduler failed to start"),
    }
}
