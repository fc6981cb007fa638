//! An in-memory [`Poster`] for tests and benchmarks: it behaves as Discord does for what the
//! scheduler relies on (a repeated nonce is answered with the first message's id), records every
//! call and message with the time it was made, and can be told to fail or to hang.

use super::clock::{Clock, SystemClock};
use super::ports::{PostError, Poster};
use crate::render::MessagePayload;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One message Discord accepted.
#[derive(Debug, Clone)]
pub struct PostedMessage {
    pub id: u64,
    pub channel_id: u64,
    pub payload: MessagePayload,
    /// When it was posted, by the scheduler's clock.
    pub at: DateTime<Utc>,
}

impl PostedMessage {
    /// The fire time the message names (`<t:UNIX:f>`), if any.
    pub fn fire_time(&self) -> Option<DateTime<Utc>> {
        let content = &self.payload.content;
        let start = content.find("<t:")? + 3;
        let end = start + content[start..].find(':')?;
        DateTime::from_timestamp(content[start..end].parse().ok()?, 0)
    }
}

#[derive(Default)]
struct State {
    messages: Vec<PostedMessage>,
    /// Every call: channel and nonce, accepted or not.
    calls: Vec<(u64, Option<String>)>,
    by_nonce: HashMap<String, u64>,
    /// Every edit accepted: message id and the payload it was given.
    edits: Vec<(u64, MessagePayload)>,
    /// Errors to answer, per channel, before accepting again.
    failures: HashMap<u64, VecDeque<PostError>>,
    /// Accept the n-th new message (1-based, counted from now) and then never answer: the
    /// process "dies" between the send and the ledger update.
    hang_on: Option<usize>,
    next_id: u64,
}

/// Clones share one state, so a "restarted" scheduler sees what was posted.
#[derive(Clone)]
pub struct MemoryPoster {
    state: Arc<Mutex<State>>,
    changed: Arc<tokio::sync::Notify>,
    clock: Arc<dyn Clock>,
}

impl MemoryPoster {
    /// Accepts every message, timed by the system clock.
    pub fn new() -> MemoryPoster {
        MemoryPoster {
            state: Arc::default(),
            changed: Arc::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same Discord seen through another clock (after a simulated restart).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> MemoryPoster {
        MemoryPoster {
            clock,
            ..self.clone()
        }
    }

    /// Answers the next posts to `channel_id` with these errors, in order, then accepts again.
    pub fn fail(&self, channel_id: u64, errors: impl IntoIterator<Item = PostError>) {
        let mut state = self.state.lock().unwrap();
        state.failures.entry(channel_id).or_default().extend(errors);
    }

    /// Accepts the `nth` next new message and never answers: a process that died between
    /// Discord's acceptance and the ledger update.
    pub fn hang_on_next(&self, nth: usize) {
        let mut state = self.state.lock().unwrap();
        state.hang_on = Some(nth);
    }

    /// Every message accepted, in order.
    pub fn messages(&self) -> Vec<PostedMessage> {
        self.state.lock().unwrap().messages.clone()
    }

    /// Every edit accepted, in order.
    pub fn edits(&self) -> Vec<(u64, MessagePayload)> {
        self.state.lock().unwrap().edits.clone()
    }

    pub fn in_channel(&self, channel_id: u64) -> Vec<PostedMessage> {
        let messages = self.messages().into_iter();
        messages.filter(|m| m.channel_id == channel_id).collect()
    }

    /// Every call, accepted or not: channel and nonce.
    pub fn calls(&self) -> Vec<(u64, Option<String>)> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Waits until `post` was called at least `n` times, at most `within` (virtual) time.
    /// Panics with the calls seen when that time runs out: it is a test's assertion.
    pub async fn wait_for_calls(&self, n: usize, within: Duration) -> Vec<(u64, Option<String>)> {
        let got = self.wait_until(within, |s| s.calls.len() >= n).await;
        let calls = self.calls();
        assert!(got, "waited for {n} calls, got {calls:?}");
        calls
    }

    /// Waits until at least `n` messages were accepted, at most `within` (virtual) time.
    /// Panics with the messages seen when that time runs out: it is a test's assertion.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<PostedMessage> {
        let got = self.wait_until(within, |s| s.messages.len() >= n).await;
        let messages = self.messages();
        assert!(got, "waited for {n} messages, got {messages:#?}");
        messages
    }

    /// Whether `done` held within `within`, checked after every post.
    async fn wait_until(&self, within: Duration, done: impl Fn(&State) -> bool) -> bool {
        let wait = async {
            loop {
                let changed = self.changed.notified();
                if done(&self.state.lock().unwrap()) {
                    return;
                }
                changed.await;
            }
        };
        tokio::time::timeout(within, wait).await.is_ok()
    }
}

#[async_trait::async_trait]
impl Poster for MemoryPoster {
    async fn post(&self, channel_id: u64, payload: &MessagePayload) -> Result<u64, PostError> {
        let (id, hang) = {
            let mut state = self.state.lock().unwrap();
            state.calls.push((channel_id, payload.nonce.clone()));
            self.changed.notify_waiters();
            if let Some(e) = state
                .failures
                .get_mut(&channel_id)
                .and_then(VecDeque::pop_front)
            {
                return Err(e);
            }
            if let Some(id) = payload.nonce.as_ref().and_then(|n| state.by_nonce.get(n)) {
                return Ok(*id); // Discord answers a repeated nonce with the first message
            }
            state.next_id += 1;
            let id = state.next_id;
            if let Some(nonce) = &payload.nonce {
                state.by_nonce.insert(nonce.clone(), id);
            }
            let message = PostedMessage {
                id,
                channel_id,
                payload: payload.clone(),
                at: self.clock.now(),
            };
            state.messages.push(message);
            self.changed.notify_waiters();
            let hang = state.hang_on.map(|n| n - 1);
            state.hang_on = hang.filter(|&n| n > 0);
            (id, hang == Some(0))
        };
        if hang {
            std::future::pending::<()>().await;
        }
        Ok(id)
    }
}

/// Edits replace the message's payload, as a PATCH naming every field does.
#[async_trait::async_trait]
impl super::Editor for MemoryPoster {
    async fn edit(
        &self,
        channel_id: u64,
        message_id: u64,
        payload: &MessagePayload,
    ) -> Result<(), PostError> {
        let mut state = self.state.lock().unwrap();
        let found = state
            .messages
            .iter_mut()
            .find(|m| m.id == message_id && m.channel_id == channel_id);
        let Some(message) = found else {
            return Err(PostError::Gone {
                status: 404,
                reason: "Unknown Message".into(),
            });
        };
        message.payload = payload.clone();
        state.edits.push((message_id, payload.clone()));
        Ok(())
    }
}

impl Default for MemoryPoster {
    fn default() -> Self {
        MemoryPoster::new()
    }
}
