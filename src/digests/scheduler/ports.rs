//! The scheduler's two views of the outside world, implemented by the Discord layer: where
//! messages go (`Poster`) and where briefings come from (`LibrarySnapshot`). Tests implement
//! them in memory.

use crate::briefings::Library;
use crate::render::MessagePayload;
use std::sync::Arc;
use std::time::Duration;

/// Sends one message to a channel, returning its id. Implementations make exactly one
/// attempt: the scheduler owns retries, so it can keep the ledger and logs in step with them.
#[async_trait::async_trait]
pub trait Poster: Send + Sync + 'static {
    async fn post(&self, channel_id: u64, payload: &MessagePayload) -> Result<u64, PostError>;
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
    /// HTTP 403/404: the channel is gone or the bot may not post there. Not retried; the
    /// digest is paused until someone fixes it.
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
