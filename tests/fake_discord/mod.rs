//! A fake Discord for end-to-end tests: REST under `/api/v10` and a gateway websocket on
//! 127.0.0.1, enough for a real serenity 0.12.5 + poise bot to connect, register commands and
//! answer interactions, while the test injects interactions and faults and reads what the bot sent.
//!
//! Point the bot at it with `HttpBuilder::new(token).proxy(fake.base_url())
//! .ratelimiter_disabled(true)` (serenity ignores the proxy while its ratelimiter is on); the
//! fake's `GET /gateway` then hands out its own websocket URL.
//!
//! Layout: `config` (the guilds and people); `payloads`, `rest_payloads`, `interaction_json`
//! (JSON serenity accepts); `rest` → `commands` / `messages` / `validate` (HTTP side);
//! `gateway` + `gateway_control` (websocket, and the test's handle on it); `interactions`
//! (injection) and `answers` (how the bot replied); `members` (roles changed mid-test);
//! `faults`; `record` (every request, and waiting for one); `state` (shared state); `ids`;
//! `raw_client` (frame-level clients for testing the fake itself); `bare_bot` (a minimal poise
//! bot: smoke test and benchmark floor).
#![allow(dead_code, unused_imports)]

pub mod answers;
pub mod bare_bot;
pub mod commands;
pub mod config;
pub mod faults;
pub mod gateway;
pub mod gateway_control;
pub mod ids;
pub mod interaction_json;
pub mod interactions;
pub mod members;
pub mod messages;
pub mod payloads;
pub mod raw_client;
pub mod record;
pub mod rest;
pub mod rest_payloads;
pub mod state;
pub mod validate;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::any;
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;

pub use answers::{Injected, InteractionView};
pub use commands::Scope;
pub use config::*;
pub use gateway::GatewayLog;
pub use interactions::InteractionBuilder;
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
