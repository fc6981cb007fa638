//! A fake Discord for end-to-end tests: REST under `/api/v10` and a gateway websocket on
//! 127.0.0.1, enough for a real serenity 0.12.5 + poise bot to connect, register commands and
//! answer interactions, while the test injects interactions and faults and reads what the bot
//! sent.
//!
//! ```ignore
//! # async fn example() {
//! use fake_discord::FakeDiscord;
//! use std::time::Duration;
//!
//! let fake = FakeDiscord::start().await;
//! // … start the bot with `discord.api_base = fake.base_url()` and `DISCORD_TOKEN = fake.token()`
//! let ix = fake.command("whats-next").option("briefing", "latest").send().await;
//! let answer = fake.wait_for_answer(&ix, Duration::from_secs(5)).await.unwrap();
//! assert!(!answer.is_ephemeral());
//! # }
//! ```
//!
//! Point a serenity bot at it with `HttpBuilder::new(token).proxy(fake.base_url())
//! .ratelimiter_disabled(true)` (serenity ignores the proxy while its ratelimiter is on); the
//! fake's `GET /gateway` then hands out its own websocket URL. [`bare_bot::http_for`] builds such
//! a client.
//!
//! Everything the test does goes through [`FakeDiscord`]: it starts the server, injects
//! interactions ([`FakeDiscord::command`], [`FakeDiscord::autocomplete`],
//! [`FakeDiscord::component`]), reads back how the bot answered ([`InteractionView`]), every
//! request it made ([`RecordedRequest`]) and what happened on the gateway ([`GatewayLog`]), arms
//! REST faults ([`FakeDiscord::rate_limit`], [`FakeDiscord::server_error`], …) and gateway faults
//! ([`FakeDiscord::drop_connection`], [`FakeDiscord::invalidate_session`], …), and waits for any of
//! it without sleeping on a guess. The guilds, channels, roles and members it knows are a
//! [`FakeConfig`].
//!
//! Besides, [`raw_client`] speaks the protocol frame by frame (to test the fake itself), and
//! [`bare_bot`] is a minimal serenity + poise bot: the smoke test of the fake and the floor of the
//! load benchmark.
//!
//! Inside: `config` and `channel_spec` (the guilds, channels and people); `payloads`,
//! `rest_payloads`, `target_payloads` and `interaction_json` (JSON serenity accepts); `rest`,
//! which routes to `commands`, `messages`, `channels` (with `threads` and `webhooks`), `guilds`,
//! `validate` and `target_checks` (the HTTP side); `permissions` (the bot's, per channel);
//! `gateway` and `gateway_control` (the websocket, and the test's handle on it);
//! `interactions` (injection) and `answers` (how the bot replied); `members` (roles changed
//! mid-test); `faults`; `identify` (the identify limits); `limits` (Discord's rate limits, when
//! enforced); `record` (every request, and waiting for one); `state` (shared state); `ids`. The
//! crate's README lists what it imitates and what it does not yet.

#![warn(missing_docs)]

mod answers;
pub mod bare_bot;
mod channel_spec;
mod channels;
mod commands;
mod config;
mod faults;
mod gateway;
mod gateway_control;
mod guilds;
mod identify;
mod ids;
mod interaction_json;
mod interactions;
mod limits;
mod members;
mod messages;
mod payloads;
mod permissions;
pub mod raw_client;
mod record;
mod rest;
mod rest_payloads;
mod state;
mod target_checks;
mod target_payloads;
mod threads;
mod validate;
mod webhooks;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::any;
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;

pub use answers::{Injected, InteractionView};
pub use channel_spec::*;
pub use commands::Scope;
pub use config::*;
pub use gateway::GatewayLog;
pub use identify::{IdentifyLimit, IdentifyRefusal};
pub use interactions::InteractionBuilder;
pub use limits::{RateLimitCounts, RateLimits, CHANNEL_MESSAGES_BUCKET};
pub use record::{RecordedRequest, WaitError};

use state::Shared;

/// A running fake Discord. Dropping it stops the server and ends open gateway connections.
pub struct FakeDiscord {
    shared: Arc<Shared>,
}

impl FakeDiscord {
    /// Starts with `FakeConfig::default()`: one guild, an admin, a moderator and a member.
    pub async fn start() -> Self {
        Self::start_with(FakeConfig::default()).await
    }

    /// Starts with `cfg` on a free port of 127.0.0.1, serving until dropped or
    /// [`shutdown`](Self::shutdown). Must run inside a tokio runtime, which the server lives on.
    pub async fn start_with(cfg: FakeConfig) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("bound address");
        let shared = Arc::new(Shared::new(
            cfg,
            format!("http://{addr}"),
            format!("ws://{addr}/ws"),
        ));
        let app = Router::new()
            .route("/ws", any(gateway::ws_handler))
            .fallback(rest::handle)
            // axum's 2 MB default would refuse attachments Discord accepts (up to 10 MiB).
            .layer(DefaultBodyLimit::max(25 * 1024 * 1024))
            .with_state(Arc::clone(&shared));
        let mut stop = shared.shutdown.subscribe();
        // Without TCP_NODELAY, small answers wait on Nagle's algorithm (40 ms stalls under load).
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        // Graceful shutdown also closes idle keep-alive connections, so after `shutdown()` the
        // bot's HTTP client finds nobody home instead of a lingering connection.
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        });
        tokio::spawn(async move {
            // An error here means the listener died with the test runtime; nothing to report to.
            let _ = server.await;
        });
        Self { shared }
    }

    /// The REST base for the bot: `http://127.0.0.1:PORT` (serenity appends `/api/v10/...`).
    /// This is what `discord.api_base` is set to.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The websocket URL `GET /gateway` hands out: `ws://127.0.0.1:PORT/ws`.
    pub fn gateway_url(&self) -> String {
        self.shared.ws_url.clone()
    }

    /// The config the fake started with (member changes made since are not in it).
    pub fn config(&self) -> &FakeConfig {
        &self.shared.cfg
    }

    /// The bot token the fake accepts.
    pub fn token(&self) -> &str {
        &self.shared.cfg.token
    }

    /// Stops the server and closes every gateway connection, as a Discord outage would.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.shutdown();
    }
}
