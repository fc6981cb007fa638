//! Channel webhooks: created, listed and deleted by the bot (Manage Webhooks in the channel),
//! executed by anyone holding the token (no bot token), under their own name or the username a
//! message asks for, into the channel, into one of its threads (`thread_id`), or, in a forum,
//! as a new post (`thread_name`). `wait=true` answers the message; without it, 204.
//!
//! Execution takes no `nonce` (one in the body is neither honoured nor echoed): a retried
//! execution is a second message. An unknown webhook id is 404 Unknown Webhook (10015), a wrong
//! token 401 Invalid Webhook Token (50027), as Discord answers both.
//!
//! Not imitated: webhook rate limits (per webhook, and the 30 messages a minute per channel),
//! webhook edits (`PATCH /webhooks/{id}`), attachments, components on webhook messages (which
//! Discord allows only for application-owned webhooks), which message flags a webhook may set,
//! `thread_name` outside forum and media channels beyond the refusal, and the `url` field.

use std::collections::BTreeMap;

use serde_json::Value;

use super::channel_spec::channel_kind;
use super::channels::{locate, Place};
use super::config::{perms, FakeConfig};
use super::ids::snowflake;
use super::payloads::id;
use super::rest::{Reply, Req};
use super::rest_payloads::{self, MessageOrigin};
use super::state::Inner;
use super::target_checks::{self as checks, WEBHOOKS_PER_CHANNEL};
use super::{messages, permissions, target_payloads, threads, validate, FakeDiscord};

/// A webhook the bot created.
#[derive(Clone, Debug)]
pub(crate) struct Webhook {
    pub id: u64,
    pub token: String,
    pub guild_id: u64,
    pub channel_id: u64,
    pub name: String,
    pub avatar: Option<String>,
}

#[derive(Default)]
pub(crate) struct Webhooks(pub BTreeMap<u64, Webhook>);

/// `GET` and `POST /channels/{id}/webhooks`.
pub(crate) fn channel_route(
    cfg: &FakeConfig,
    inner: &mut Inner,
    place: &Place<'_>,
    method: &str,
    body: &Value,
) -> Reply {
    if place.is_thread() {
        return Reply::error(400, 50024, "Cannot execute action on this channel type");
    }
    let (guild, channel) = (place.guild, place.perm_channel);
    if let Err(refused) = permissions::require(
        cfg,
        &inner.overwrites,
        guild,
        channel,
        perms::MANAGE_WEBHOOKS,
    ) {
        return refused;
    }
    let in_channel = |inner: &Inner| {
        inner
            .webhooks
            .0
            .values()
            .filter(|w| w.channel_id == place.id)
            .map(|w| target_payloads::webhook(cfg, w, true))
            .collect::<Vec<Value>>()
    };
    if method == "GET" {
        return Reply::ok(Value::Array(in_channel(inner)));
    }
    if let Err(e) = checks::webhook_name(body.get("name"), "name") {
        return e.reply();
    }
    let avatar = match body.get("avatar").filter(|a| !a.is_null()) {
        None => None,
        Some(Value::String(data)) if data.starts_with("data:image/") => {
            Some(target_payloads::image_hash(data))
        }
        Some(_) => {
            return validate::coded("avatar", "IMAGE_INVALID", "Invalid image data").reply();
        }
    };
    if in_channel(inner).len() >= WEBHOOKS_PER_CHANNEL {
        return Reply::error(400, 30007, "Maximum number of webhooks reached (15)");
    }
    let hook = Webhook {
        id: snowflake(),
        token: format!("fake-webhook-token-{}", snowflake()),
        guild_id: guild.id,
        channel_id: place.id,
        name: body["name"].as_str().unwrap_or("").to_owned(),
        avatar,
    };
    let answer = target_payloads::webhook(cfg, &hook, true);
    inner.webhooks.0.insert(hook.id, hook);
    Reply::ok(answer)
}

/// `/webhooks/{id}` (with the bot token) and `/webhooks/{id}/{token}/...` (without).
pub(crate) fn route(cfg: &FakeConfig, inner: &mut Inner, req: &Req<'_>) -> Reply {
    let [_, hook_id, rest @ ..] = req.segments.as_slice() else {
        return Reply::not_found();
    };
    let Some(hook) = hook_id
        .parse()
        .ok()
        .and_then(|id: u64| inner.webhooks.0.get(&id).cloned())
    else {
        return Reply::error(404, 10015, "Unknown Webhook");
    };
    let empty = Value::Object(Default::default());
    let body = req.body.unwrap_or(&empty);
    match (req.method, rest) {
        ("GET" | "DELETE", []) => by_bot(cfg, inner, &hook, req.method),
        (_, [token, ..]) if *token != hook.token => {
            Reply::error(401, 50027, "Invalid Webhook Token")
        }
        ("GET", [_]) => {
            let mut answer = target_payloads::webhook(cfg, &hook, true);
            answer.as_object_mut().map(|m| m.remove("user"));
            Reply::ok(answer)
        }
        ("POST", [_]) => execute(
            cfg,
            inner,
            &hook,
            req.param("wait"),
            req.param("thread_id"),
            body,
        ),
        (method @ ("GET" | "PATCH" | "DELETE"), [_, "messages", message]) => {
            let message_id: u64 = message.parse().unwrap_or(0);
            // A message in a thread is found only with that `thread_id`, as on Discord.
            let channel = req.param("thread_id").and_then(|t| t.parse().ok());
            let channel = channel.unwrap_or(hook.channel_id);
            let own = inner
                .messages
                .get(&message_id)
                .is_some_and(|m| m.channel_id == channel && m.value["webhook_id"] == id(hook.id));
            if !own {
                return Reply::error(404, 10008, "Unknown Message");
            }
            messages::existing_message(cfg, inner, method, message_id, body)
        }
        _ => Reply::not_found(),
    }
}

/// `GET` or `DELETE /webhooks/{id}` with the bot token: needs Manage Webhooks in its channel.
fn by_bot(cfg: &FakeConfig, inner: &mut Inner, hook: &Webhook, method: &str) -> Reply {
    let Some(place) = locate(cfg, inner, hook.channel_id) else {
        return Reply::error(404, 10015, "Unknown Webhook");
    };
    let (guild, channel) = (place.guild, place.perm_channel);
    if let Err(refused) = permissions::require(
        cfg,
        &inner.overwrites,
        guild,
        channel,
        perms::MANAGE_WEBHOOKS,
    ) {
        return refused;
    }
    if method == "GET" {
        return Reply::ok(target_payloads::webhook(cfg, hook, true));
    }
    inner.webhooks.0.remove(&hook.id);
    Reply::no_content()
}

/// `POST /webhooks/{id}/{token}?wait=&thread_id=`.
fn execute(
    cfg: &FakeConfig,
    inner: &mut Inner,
    hook: &Webhook,
    wait: Option<String>,
    thread_id: Option<String>,
    body: &Value,
) -> Reply {
    if let Some(username) = body.get("username").filter(|u| !u.is_null()) {
        if let Err(e) = checks::webhook_name(Some(username), "username") {
            return e.reply();
        }
    }
    if let Err(e) = validate::message(body, true) {
        return e.reply();
    }
    let Some(place) = locate(cfg, inner, hook.channel_id) else {
        return Reply::error(404, 10003, "Unknown Channel");
    };
    let forum = place.kind == channel_kind::FORUM;
    let thread_name = body.get("thread_name").filter(|n| !n.is_null());
    let message_id = snowflake();
    let answer =
        match (thread_id, thread_name) {
            (Some(_), Some(_)) => return Reply::error(
                400,
                220002,
                "Webhooks posted to forum channels cannot have both a thread_name and thread_id",
            ),
            (Some(thread), None) => {
                let thread: u64 = thread.parse().unwrap_or(0);
                let inside = inner.threads.0.get(&thread);
                if inside.is_none_or(|t| t.parent_id != hook.channel_id) {
                    return Reply::error(404, 10003, "Unknown Channel");
                }
                let msg = message(cfg, hook, message_id, thread, body);
                messages::store(inner, thread, msg.clone());
                inner.threads.count_message(thread, message_id);
                msg
            }
            (None, Some(_)) if forum => {
                let opening = match threads::opening(place.perm_channel, body, "thread_name") {
                    Ok(o) => o,
                    Err(refused) => return refused,
                };
                let msg = message(cfg, hook, message_id, message_id, body);
                let thread = threads::open(inner, &place, message_id, hook.id, opening);
                threads::post_answer(inner, thread, msg.clone());
                msg
            }
            (None, Some(_)) => {
                return Reply::error(
                    400,
                    220003,
                    "Webhooks can only create threads in forum channels",
                )
            }
            (None, None) if forum => {
                return Reply::error(
                    400,
                    220001,
                    "Webhooks posted to forum channels must have a thread_name or thread_id",
                )
            }
            (None, None) => {
                let msg = message(cfg, hook, message_id, hook.channel_id, body);
                messages::store(inner, hook.channel_id, msg.clone());
                msg
            }
        };
    if matches!(wait.as_deref(), Some("true" | "True" | "1")) {
        Reply::ok(answer)
    } else {
        Reply::no_content()
    }
}

/// The message a webhook posts: its author is the webhook under the requested username and
/// avatar; the nonce, if any, is dropped.
fn message(
    cfg: &FakeConfig,
    hook: &Webhook,
    message_id: u64,
    channel_id: u64,
    body: &Value,
) -> Value {
    let body = threads::without_nonce(body);
    let origin = MessageOrigin::Channel;
    let mut msg = rest_payloads::message(
        cfg,
        message_id,
        channel_id,
        Some(hook.guild_id),
        origin,
        &body,
    );
    let username = body["username"].as_str().unwrap_or(&hook.name);
    let avatar = body["avatar_url"]
        .as_str()
        .map(target_payloads::image_hash)
        .or_else(|| hook.avatar.clone());
    msg["author"] = target_payloads::webhook_author(hook.id, username, avatar);
    msg["webhook_id"] = id(hook.id);
    msg["application_id"] = id(cfg.application_id);
    msg
}

impl FakeDiscord {
    /// Deletes a webhook as a moderator would in Discord's client: from now on its id and token
    /// answer 404 Unknown Webhook. Returns whether it existed.
    pub fn delete_webhook(&self, webhook_id: u64) -> bool {
        self.shared
            .update(|s| s.webhooks.0.remove(&webhook_id).is_some())
    }

    /// The webhooks of `channel`, oldest first, as `GET /channels/{id}/webhooks` lists them
    /// (tokens included).
    pub fn webhooks(&self, channel: u64) -> Vec<Value> {
        let cfg = self.config();
        self.shared.read(|s| {
            s.webhooks
                .0
                .values()
                .filter(|w| w.channel_id == channel)
                .map(|w| target_payloads::webhook(cfg, w, true))
                .collect()
        })
    }
}
