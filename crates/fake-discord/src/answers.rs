//! How the bot answered an injected interaction: the callback, the `@original` message after any
//! edits, and the follow-ups, with the waits tests use instead of sleeping.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::record::{RecordedRequest, WaitError};
use super::state::Inner;
use super::FakeDiscord;

/// `MessageFlags::LOADING`: a deferred response still "thinking".
const LOADING: u64 = 1 << 7;

/// An interaction the fake sent; its id and token name the bot's callback route.
#[derive(Clone, Debug)]
pub struct Injected {
    /// The interaction's id (a snowflake).
    pub id: u64,
    /// The interaction token, valid for callbacks and follow-ups.
    pub token: String,
    /// 2 command, 3 component, 4 autocomplete.
    pub kind: u8,
    /// When the fake queued the INTERACTION_CREATE; with the callback's `received_at` this gives
    /// the bot's answer latency (what the load benchmark measures).
    pub sent_at: Instant,
}

/// How the bot has answered an interaction so far.
#[derive(Clone, Debug, Default)]
pub struct InteractionView {
    /// The accepted callback body (`{"type": 4, "data": {...}}`).
    pub callback: Option<Value>,
    /// The response message (`@original`), after any edits.
    pub original: Option<Value>,
    /// Follow-up messages through the interaction webhook, oldest first, after any edits.
    pub followups: Vec<Value>,
}

impl InteractionView {
    /// The accepted callback's `type`: 4 message, 5 deferred message, 6 deferred update,
    /// 7 update, 8 autocomplete result, 9 modal.
    pub fn callback_type(&self) -> Option<u64> {
        self.callback.as_ref()?.get("type")?.as_u64()
    }

    /// The texts the user sees, in order: the response, then each follow-up.
    pub fn contents(&self) -> Vec<String> {
        let text = |m: &Value| {
            m.get("content")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        self.original
            .iter()
            .chain(&self.followups)
            .map(text)
            .collect()
    }

    /// Whether the response is shown only to the caller (flag 64).
    pub fn is_ephemeral(&self) -> bool {
        let flags = self
            .original
            .as_ref()
            .and_then(|m| m["flags"].as_u64())
            .unwrap_or(0);
        flags & 64 != 0
    }

    /// Autocomplete choices (callback type 8).
    pub fn choices(&self) -> Vec<Value> {
        let data = self.callback.as_ref().and_then(|c| c.get("data"));
        data.and_then(|d| d["choices"].as_array())
            .cloned()
            .unwrap_or_default()
    }

    /// Answered as the user would see it: a deferral counts once `@original` has been edited.
    pub fn is_answered(&self) -> bool {
        let edited = self
            .original
            .as_ref()
            .is_some_and(|m| !m["edited_timestamp"].is_null());
        match self.callback_type() {
            None => false,
            Some(5) => self
                .original
                .as_ref()
                .is_some_and(|m| m["flags"].as_u64().unwrap_or(0) & LOADING == 0),
            Some(6) => edited || !self.followups.is_empty(),
            Some(_) => true,
        }
    }
}

impl FakeDiscord {
    /// How the bot has answered `ix` so far.
    pub fn interaction(&self, ix: &Injected) -> InteractionView {
        self.shared.read(|s| view(s, &ix.token))
    }

    /// The bot's callback request for `ix`, whatever status the fake gave it.
    pub async fn wait_for_callback(
        &self,
        ix: &Injected,
        timeout: Duration,
    ) -> Result<RecordedRequest, WaitError> {
        let path = format!("/api/v10/interactions/{}/{}/callback", ix.id, ix.token);
        self.wait_for(|r| r.method == "POST" && r.path == path, timeout)
            .await
    }

    /// Waits until `pred` holds for the interaction's answer.
    pub async fn wait_for_interaction(
        &self,
        ix: &Injected,
        what: &str,
        pred: impl Fn(&InteractionView) -> bool,
        timeout: Duration,
    ) -> Result<InteractionView, WaitError> {
        let found = self
            .shared
            .wait_until(timeout, |_| Some(self.interaction(ix)).filter(|v| pred(v)))
            .await;
        found.ok_or_else(|| self.wait_error(format!("{what} for interaction {}", ix.id), timeout))
    }

    /// Waits until the bot has answered `ix` (see [`InteractionView::is_answered`]).
    pub async fn wait_for_answer(
        &self,
        ix: &Injected,
        timeout: Duration,
    ) -> Result<InteractionView, WaitError> {
        self.wait_for_interaction(ix, "an answer", InteractionView::is_answered, timeout)
            .await
    }
}

fn view(s: &Inner, token: &str) -> InteractionView {
    let Some(ix) = s.interactions.get(token) else {
        return InteractionView::default();
    };
    InteractionView {
        callback: ix.callback.clone(),
        original: ix.original.and_then(|id| s.message(id).cloned()),
        followups: ix
            .followups
            .iter()
            .filter_map(|id| s.message(*id).cloned())
            .collect(),
    }
}
