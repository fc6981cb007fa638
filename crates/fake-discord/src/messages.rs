//! Messages the bot creates: interaction callbacks, the `@original` response, follow-ups through
//! the interaction webhook, and plain channel messages (with Discord's `enforce_nonce`
//! deduplication).
//!
//! The rules mirror Discord's where a bot can get them wrong: one callback per interaction, within
//! the deadline, of a type that fits the interaction; follow-ups only after a callback.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::config::FakeConfig;
use super::ids::snowflake;
use super::rest::{Reply, Req};
use super::rest_payloads::{self, MessageOrigin};
use super::state::{Inner, StoredMessage};
use super::{validate, FakeDiscord};

/// Interaction tokens stay valid for follow-ups this long on Discord.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// `MessageFlags::LOADING`: a deferred response still "thinking".
const LOADING: u64 = 1 << 7;
const EPHEMERAL: u64 = 1 << 6;

pub(crate) fn route_interaction(cfg: &FakeConfig, inner: &mut Inner, req: &Req<'_>) -> Reply {
    let empty = Value::Object(Default::default());
    let body = req.body.unwrap_or(&empty);
    match (req.method, req.segments.as_slice()) {
        ("POST", ["interactions", id, token, "callback"]) => callback(cfg, inner, id, token, body),
        (method, ["webhooks", app, token, rest @ ..]) => {
            if *app != cfg.application_id.to_string() || !inner.interactions.contains_key(*token) {
                return Reply::error(404, 10015, "Unknown Webhook");
            }
            webhook(cfg, inner, method, token, rest, body)
        }
        _ => Reply::not_found(),
    }
}

fn callback(cfg: &FakeConfig, inner: &mut Inner, id: &str, token: &str, body: &Value) -> Reply {
    let Some(ix) = inner
        .interactions
        .get(token)
        .filter(|ix| ix.id.to_string() == id)
    else {
        return Reply::error(404, 10062, "Unknown interaction");
    };
    if ix.sent_at.elapsed() > cfg.interaction_deadline {
        return Reply::error(404, 10062, "Unknown interaction");
    }
    if ix.callback.is_some() {
        return Reply::error(400, 40060, "Interaction has already been acknowledged.");
    }
    let kind = body.get("type").and_then(Value::as_u64).unwrap_or(0);
    let allowed: &[u64] = match ix.kind {
        4 => &[8],
        3 => &[4, 5, 6, 7, 9],
        _ => &[4, 5, 9],
    };
    if !allowed.contains(&kind) {
        return Reply::error(
            400,
            50035,
            &format!(
                "Invalid Form Body: response type {kind} does not fit interaction type {}",
                ix.kind
            ),
        );
    }
    let empty = Value::Object(Default::default());
    let data = body.get("data").unwrap_or(&empty);
    let checked = match kind {
        4 => validate::message(data, true),
        7 => validate::message(data, false),
        8 => validate::choices(data),
        _ => Ok(()),
    };
    if let Err(e) = checked {
        return e.reply();
    }
    let (channel_id, guild_id, source) = (ix.channel_id, ix.guild_id, ix.source_message);
    let original = match kind {
        4 => Some(new_original(cfg, inner, channel_id, guild_id, data)),
        5 => {
            let ephemeral = data.get("flags").and_then(Value::as_u64).unwrap_or(0) & EPHEMERAL;
            let thinking = serde_json::json!({"content": "", "flags": LOADING | ephemeral});
            Some(new_original(cfg, inner, channel_id, guild_id, &thinking))
        }
        6 => source,
        7 => {
            if let Some(m) = source.and_then(|s| inner.messages.get_mut(&s)) {
                m.value = rest_payloads::edit_message(cfg, &m.value, data);
            }
            source
        }
        _ => None,
    };
    let ix = inner.interactions.get_mut(token).expect("checked above");
    ix.callback = Some(body.clone());
    ix.original = original;
    Reply::no_content()
}

/// Stores the interaction's response message (`@original`) and returns its id.
fn new_original(
    cfg: &FakeConfig,
    inner: &mut Inner,
    channel_id: u64,
    guild_id: Option<u64>,
    body: &Value,
) -> u64 {
    let origin = MessageOrigin::InteractionOriginal;
    let msg = rest_payloads::message(cfg, snowflake(), channel_id, guild_id, origin, body);
    store(inner, channel_id, msg)
}

fn webhook(
    cfg: &FakeConfig,
    inner: &mut Inner,
    method: &str,
    token: &str,
    rest: &[&str],
    body: &Value,
) -> Reply {
    let ix = &inner.interactions[token];
    if ix.sent_at.elapsed() > TOKEN_LIFETIME {
        return Reply::error(401, 50027, "Invalid Webhook Token");
    }
    if ix.callback.is_none() {
        // Discord only opens the interaction webhook once the interaction is acknowledged.
        return Reply::error(404, 10015, "Unknown Webhook");
    }
    let (channel_id, guild_id) = (ix.channel_id, ix.guild_id);
    let target = match rest {
        [] if method == "POST" => {
            if let Err(e) = validate::message(body, true) {
                return e.reply();
            }
            let msg = rest_payloads::message(
                cfg,
                snowflake(),
                channel_id,
                guild_id,
                MessageOrigin::Followup,
                body,
            );
            let id = store(inner, channel_id, msg.clone());
            inner
                .interactions
                .get_mut(token)
                .expect("present")
                .followups
                .push(id);
            return Reply::ok(msg);
        }
        ["messages", "@original"] => ix.original,
        ["messages", id] => id
            .parse()
            .ok()
            .filter(|id| ix.followups.contains(id) || ix.original == Some(*id)),
        _ => return Reply::not_found(),
    };
    let Some(id) = target.filter(|id| inner.messages.contains_key(id)) else {
        return Reply::error(404, 10008, "Unknown Message");
    };
    existing_message(cfg, inner, method, id, body)
}

/// GET, PATCH or DELETE of a message the fake already holds.
pub(crate) fn existing_message(
    cfg: &FakeConfig,
    inner: &mut Inner,
    method: &str,
    id: u64,
    body: &Value,
) -> Reply {
    match method {
        "GET" => Reply::ok(inner.messages[&id].value.clone()),
        "PATCH" => {
            if let Err(e) = validate::message(body, false) {
                return e.reply();
            }
            let stored = inner.messages.get_mut(&id).expect("checked by caller");
            let mut edited = rest_payloads::edit_message(cfg, &stored.value, body);
            let flags = edited.get("flags").and_then(Value::as_u64).unwrap_or(0);
            edited["flags"] = (flags & !LOADING).into();
            stored.value = edited.clone();
            Reply::ok(edited)
        }
        "DELETE" => {
            // The thread opened from it, if any, stays, as on Discord.
            inner.messages.remove(&id);
            Reply::no_content()
        }
        _ => Reply::not_found(),
    }
}

pub(crate) fn store(inner: &mut Inner, channel_id: u64, value: Value) -> u64 {
    let id = value["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("rest_payloads::message sets an id");
    inner.messages.insert(
        id,
        StoredMessage {
            channel_id,
            value,
            created: Instant::now(),
            enforced_nonce: None,
        },
    );
    id
}

/// `POST /channels/{id}/messages` (the channel's route checked it exists and the bot may post):
/// a new message, or with `enforce_nonce` the one an earlier send with the same nonce made.
pub(crate) fn create_channel_message(
    cfg: &FakeConfig,
    inner: &mut Inner,
    channel_id: u64,
    guild_id: u64,
    body: &Value,
) -> Reply {
    if let Err(e) = validate::message(body, true) {
        return e.reply();
    }
    let nonce = body
        .get("nonce")
        .map(|n| n.as_str().map_or_else(|| n.to_string(), str::to_owned));
    let enforced =
        nonce.filter(|_| body.get("enforce_nonce").and_then(Value::as_bool) == Some(true));
    if let Some(n) = &enforced {
        // Discord checks the nonce per author, not per channel; every message here is the bot's.
        let earlier = inner.messages.values().find(|m| {
            m.enforced_nonce.as_ref() == Some(n) && m.created.elapsed() < cfg.nonce_window
        });
        if let Some(m) = earlier {
            return Reply::ok(m.value.clone());
        }
    }
    let msg = rest_payloads::message(
        cfg,
        snowflake(),
        channel_id,
        Some(guild_id),
        MessageOrigin::Channel,
        body,
    );
    let id = store(inner, channel_id, msg.clone());
    inner
        .messages
        .get_mut(&id)
        .expect("just stored")
        .enforced_nonce = enforced;
    inner.threads.count_message(channel_id, id);
    Reply::ok(msg)
}

impl FakeDiscord {
    /// Messages currently in a channel (created and not deleted), oldest first. Interaction
    /// responses count, as they do in Discord's client; filter on `flags` for ephemeral ones.
    pub fn channel_messages(&self, channel_id: u64) -> Vec<Value> {
        let mut msgs: Vec<(u64, Value)> = self.shared.read(|s| {
            s.messages
                .iter()
                .filter(|(_, m)| m.channel_id == channel_id)
                .map(|(id, m)| (*id, m.value.clone()))
                .collect()
        });
        msgs.sort_by_key(|(id, _)| *id);
        msgs.into_iter().map(|(_, v)| v).collect()
    }

    /// A message the bot created, as it is now (after edits); `None` if unknown or deleted.
    pub fn message(&self, message_id: u64) -> Option<Value> {
        self.shared.read(|s| s.message(message_id).cloned())
    }
}
