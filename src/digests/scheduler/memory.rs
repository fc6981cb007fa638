//! An in-memory [`Poster`] for tests and benchmarks: it behaves as Discord does for what the
//! scheduler relies on (a repeated nonce is answered with the first message's id; a forum
//! post's thread has its starter message's id; a nonce-less send is never deduplicated; a
//! posted message can be found again by what it shows), records every call and message with
//! the time it was made, and can be told to fail, to hang, or to lose an answer.

use super::clock::{Clock, SystemClock};
use super::ports::{PostError, Poster, Sent};
use crate::digests::steps::{same_message, Place, Step, ThreadRef, Via};
use crate::render::MessagePayload;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One message Discord accepted.
#[derive(Debug, Clone)]
pub struct PostedMessage {
    pub id: u64,
    /// Where it lives: the channel, or the thread (a forum post's thread included).
    pub channel_id: u64,
    /// Where it was sent (a forum post's title and tags), and by whom.
    pub place: Place,
    pub via: Via,
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
    /// Accept the n-th new message and answer with a connection error: the answer is lost.
    lose_on: Option<usize>,
    /// Threads opened under messages: (channel, message, name), each once.
    threads: Vec<(u64, u64, String)>,
    /// Times `find` was asked.
    finds: usize,
    /// `find` never finds anything: a scheduler that does not look, for tests proving it must.
    blind: bool,
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

    /// Accepts the `nth` next new message and answers with a connection error, as when the
    /// answer was lost on the way back.
    pub fn lose_answer_on_next(&self, nth: usize) {
        self.state.lock().unwrap().lose_on = Some(nth);
    }

    /// `find` finds nothing from now on, as if the scheduler never looked.
    pub fn blind_lookups(&self) {
        self.state.lock().unwrap().blind = true;
    }

    /// How many times the scheduler looked for a message before sending again.
    pub fn finds(&self) -> usize {
        self.state.lock().unwrap().finds
    }

    /// Threads opened under messages: (channel, message, name).
    pub fn threads(&self) -> Vec<(u64, u64, String)> {
        self.state.lock().unwrap().threads.clone()
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

/// The channel a step's failures are keyed by: the channel, forum or thread it goes to.
fn target_of(place: &Place) -> u64 {
    match place {
        Place::Channel(c) => *c,
        Place::NewForumPost { forum, .. } => *forum,
        Place::IntoThread {
            thread: ThreadRef::Known(t),
            ..
        } => *t,
        Place::IntoThread { parent, .. } => *parent,
    }
}

#[async_trait::async_trait]
impl Poster for MemoryPoster {
    async fn send(&self, step: &Step) -> Result<Sent, PostError> {
        let key = target_of(&step.place);
        let payload = &step.payload;
        let (sent, hang, lost) = {
            let mut state = self.state.lock().unwrap();
            state.calls.push((key, payload.nonce.clone()));
            self.changed.notify_waiters();
            if let Some(e) = state.failures.get_mut(&key).and_then(VecDeque::pop_front) {
                return Err(e);
            }
            if let Place::IntoThread {
                thread: ThreadRef::CreatedBy(_),
                ..
            } = step.place
            {
                return Err(PostError::Rejected {
                    status: 400,
                    reason: "step not resolved".into(),
                });
            }
            let nonce = payload.nonce.as_ref().filter(|_| step.has_nonce());
            if let Some(id) = nonce.and_then(|n| state.by_nonce.get(n)) {
                // Discord answers a repeated nonce with the first message.
                let id = *id;
                let channel_id = state
                    .messages
                    .iter()
                    .find(|m| m.id == id)
                    .unwrap()
                    .channel_id;
                return Ok(Sent {
                    message_id: id,
                    channel_id,
                });
            }
            state.next_id += 1;
            let id = state.next_id;
            if let Some(nonce) = nonce {
                state.by_nonce.insert(nonce.clone(), id);
            }
            // A forum post's thread has its starter message's id.
            let channel_id = match step.place {
                Place::NewForumPost { .. } => id,
                _ => key,
            };
            let message = PostedMessage {
                id,
                channel_id,
                place: step.place.clone(),
                via: step.via.clone(),
                payload: payload.clone(),
                at: self.clock.now(),
            };
            state.messages.push(message);
            self.changed.notify_waiters();
            let hang = state.hang_on.map(|n| n - 1);
            state.hang_on = hang.filter(|&n| n > 0);
            let lost = state.lose_on.map(|n| n - 1);
            state.lose_on = lost.filter(|&n| n > 0);
            let sent = Sent {
                message_id: id,
                channel_id,
            };
            (sent, hang == Some(0), lost == Some(0))
        };
        if hang {
            std::future::pending::<()>().await;
        }
        if lost {
            return Err(PostError::Other("connection reset; no answer".into()));
        }
        Ok(sent)
    }

    async fn find(&self, step: &Step, since: DateTime<Utc>) -> Result<Option<Sent>, PostError> {
        let mut state = self.state.lock().unwrap();
        state.finds += 1;
        if state.blind {
            return Ok(None);
        }
        let found = state.messages.iter().find(|m| {
            m.place == step.place
                && m.via == step.via
                && m.at >= since - chrono::Duration::seconds(5)
                && same_message(
                    &step.payload,
                    &m.payload.content,
                    m.payload
                        .embeds
                        .first()
                        .map(|e| (e.title.as_deref(), e.description.as_deref())),
                )
        });
        Ok(found.map(|m| Sent {
            message_id: m.id,
            channel_id: m.channel_id,
        }))
    }

    async fn open_thread(&self, channel: u64, message: u64, name: &str) -> Result<(), PostError> {
        let mut state = self.state.lock().unwrap();
        if let Some(e) = state
            .failures
            .get_mut(&channel)
            .and_then(VecDeque::pop_front)
        {
            return Err(e);
        }
        // A second ask for the same message is "already created": done.
        if !state.threads.iter().any(|t| t.1 == message) {
            state.threads.push((channel, message, name.to_string()));
        }
        self.changed.notify_waiters();
        Ok(())
    }
}

/// Edits replace the message's payload, as a PATCH naming every field does.
#[async_trait::async_trait]
impl super::Editor for MemoryPoster {
    async fn edit(&self, at: super::PostedAt, payload: &MessagePayload) -> Result<(), PostError> {
        let (channel_id, message_id) = (at.channel_id, at.message_id);
        let mut state = self.state.lock().unwrap();
        let found = state
            .messages
            .iter_mut()
            .find(|m| m.id == message_id && m.channel_id == channel_id);
        // Only the webhook that posted a message may edit it, and the bot only its own.
        let found = found.filter(|m| matches!(m.via, Via::Webhook(_)) == at.webhook_of.is_some());
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
