//! The fake's shared state and the one primitive tests build on: wait until a probe over that
//! state succeeds, or time out.
//!
//! All state sits behind one std `Mutex` that is never held across an await; every mutation goes
//! through `Shared::update`, which wakes the waiters, so a waiter cannot miss a change.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;

use super::commands::CommandRegistry;
use super::config::FakeConfig;
use super::faults::RestFault;
use super::gateway::GatewayState;
use super::limits::Limiter;
use super::members::MemberChanges;
use super::permissions::OverwriteChanges;
use super::record::RecordedRequest;
use super::threads::Threads;
use super::webhooks::Webhooks;

pub(crate) struct Shared {
    pub cfg: FakeConfig,
    pub base_url: String,
    pub ws_url: String,
    inner: Mutex<Inner>,
    changes: watch::Sender<u64>,
    /// Flipped on drop so websocket tasks end with the fake instead of outliving it.
    pub shutdown: watch::Sender<bool>,
}

#[derive(Default)]
pub(crate) struct Inner {
    pub requests: Vec<RecordedRequest>,
    pub commands: CommandRegistry,
    /// Every message the bot created (channel, `@original`, follow-ups), by message id.
    pub messages: HashMap<u64, StoredMessage>,
    /// Injected interactions by token, the key webhook routes carry.
    pub interactions: HashMap<String, InteractionState>,
    pub faults: Vec<RestFault>,
    pub gateway: GatewayState,
    /// Roles and permissions changed since the start (`members.rs`).
    pub member_changes: MemberChanges,
    /// What the enforced rate limits let through, and the 429s they answered.
    pub limiter: Limiter,
    /// Threads by id, configured and created (`threads.rs`).
    pub threads: Threads,
    /// Channel webhooks by id (`webhooks.rs`).
    pub webhooks: Webhooks,
    /// Permission overwrites set since the start (`permissions.rs`).
    pub overwrites: OverwriteChanges,
}

pub(crate) struct StoredMessage {
    pub channel_id: u64,
    pub value: Value,
    pub created: Instant,
    /// `nonce` of a channel message sent with `enforce_nonce`, for deduplication.
    pub enforced_nonce: Option<String>,
}

/// What the fake remembers of one injected interaction and how the bot answered it.
pub(crate) struct InteractionState {
    pub id: u64,
    /// Interaction type: 2 command, 3 component, 4 autocomplete.
    pub kind: u8,
    pub guild_id: Option<u64>,
    pub channel_id: u64,
    pub sent_at: Instant,
    /// The body of the first accepted callback.
    pub callback: Option<Value>,
    /// Message id of the response (`@original`), once there is one.
    pub original: Option<u64>,
    pub followups: Vec<u64>,
    /// For components: the message the clicked component sits on (type 7 edits it).
    pub source_message: Option<u64>,
}

impl Shared {
    pub fn new(cfg: FakeConfig, base_url: String, ws_url: String) -> Self {
        let inner = Inner {
            threads: Threads::from_config(&cfg),
            ..Inner::default()
        };
        Self {
            cfg,
            base_url,
            ws_url,
            inner: Mutex::new(inner),
            changes: watch::channel(0).0,
            shutdown: watch::channel(false).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A test that panicked mid-update must not turn every later assertion into a poison error.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the state without waking waiters.
    pub fn read<R>(&self, f: impl FnOnce(&Inner) -> R) -> R {
        f(&self.lock())
    }

    /// Mutates the state and wakes everyone waiting on it.
    pub fn update<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let out = f(&mut self.lock());
        self.changes.send_modify(|n| *n += 1);
        out
    }

    /// Runs `probe` now and after every change until it yields a value or `timeout` passes.
    /// `probe` gets the `Shared`, not the locked state: it copies what it needs with `read` and
    /// judges it outside the lock, so a test predicate may call back into the fake.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut probe: impl FnMut(&Self) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = self.changes.subscribe();
        loop {
            // Mark the current version seen before probing, so a change racing the probe still
            // wakes the next `changed()`.
            rx.borrow_and_update();
            if let Some(v) = probe(self) {
                return Some(v);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return None,
            }
        }
    }
}

impl Inner {
    pub fn message(&self, id: u64) -> Option<&Value> {
        self.messages.get(&id).map(|m| &m.value)
    }
}
