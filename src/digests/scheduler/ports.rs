//! The scheduler's two views of the outside world, implemented by the Discord layer: where
//! messages go (`Poster`) and where briefings come from (`LibrarySnapshot`). Tests implement
//! them in memory.

use crate::briefings::Library;
use crate::digests::steps::{Place, Step, Via};
use crate::render::MessagePayload;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

/// Where a sent message is: its id and the channel (or thread) holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub message_id: u64,
    pub channel_id: u64,
}

/// Sends the messages of a delivery, step by step. Implementations make exactly one attempt
/// per call: the scheduler owns retries, so it can keep the ledger and logs in step with them.
/// Steps come resolved (`Step::resolved`): a thread they post into is named by id.
#[async_trait::async_trait]
pub trait Poster: Send + Sync + 'static {
    /// Sends one step's message.
    async fn send(&self, step: &Step) -> Result<Sent, PostError>;

    /// The message a nonce-less step would send, if one was posted at or after `since` (less
    /// a small slack for clocks): what tells a lost answer from a send that never happened.
    /// `Ok(None)` means Discord shows no such message.
    async fn find(&self, step: &Step, since: DateTime<Utc>) -> Result<Option<Sent>, PostError>;

    /// Opens a public thread named `name` under `message` in `channel`. A thread already
    /// opened there counts as done, so a resumed delivery may simply ask again.
    async fn open_thread(&self, channel: u64, message: u64, name: &str) -> Result<(), PostError>;

    /// A plain message from the bot to a channel (alerts), returning its id.
    async fn post(&self, channel_id: u64, payload: &MessagePayload) -> Result<u64, PostError> {
        let step = Step {
            place: Place::Channel(channel_id),
            via: Via::Bot,
            payload: payload.clone(),
            open_thread: None,
        };
        Ok(self.send(&step).await?.message_id)
    }
}

/// Why a send failed, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// HTTP 429: wait `retry_after`, then try again (the bucket's or the global limit).
    #[error("rate limited{} (retry after {retry_after:?})", if *.global { " globally" } else { "" })]
    RateLimited { retry_after: Duration, global: bool },
    /// HTTP 5xx: retried with backoff.
    #[error("Discord server error (HTTP {status})")]
    Server { status: u16 },
    /// HTTP 403/404: the channel (or thread, or webhook) is gone or the bot may not post
    /// there. Not retried; the digest is paused until someone fixes it.
    #[error("channel is gone or forbidden (HTTP {status}: {reason})")]
    Gone { status: u16, reason: String },
    /// Another 4xx: Discord refused this message. Not retried.
    #[error("Discord refused the message (HTTP {status}: {reason})")]
    Rejected { status: u16, reason: String },
    /// No HTTP answer (connection reset, timeout): retried like a server error.
    #[error("{0}")]
    Other(String),
}

/// A view of the briefing library as of one moment. The Discord layer implements it for
/// whatever it swaps on reload (e.g. its `Content`); a delivery holds one snapshot throughout.
pub trait LibrarySnapshot: Send + Sync {
    fn library(&self) -> &Library;
}

impl LibrarySnapshot for Library {
    fn library(&self) -> &Library {
        self
    }
}

/// Returns the current snapshot; called once at the start of each delivery.
pub type LibrarySource = Arc<dyn Fn() -> Arc<dyn LibrarySnapshot> + Send + Sync>;

/// A source that always returns the same library (tests, benchmarks, `preview`).
pub fn fixed_library(library: Library) -> LibrarySource {
    let snapshot: Arc<dyn LibrarySnapshot> = Arc::new(library);
    Arc::new(move || Arc::clone(&snapshot))
}
