//! The `/channels/{id}/...` routes: what a channel id points at (a configured channel, or a
//! thread, configured or created), the bot's permissions there, and the routes on it: the
//! channel object, messages (create, history, one message), threads and webhooks.
//!
//! Each route checks the bot's permissions in the channel (for a thread, its parent's
//! overwrites) as Discord does: View Channel first (403 Missing Access, 50001), then what the
//! route needs (403 Missing Permissions, 50013). With the default bot role every check passes.

use serde_json::{json, Value};

use super::channel_spec::{channel_kind, ChannelSpec};
use super::config::{perms, FakeConfig, GuildSpec};
use super::rest::{Reply, Req};
use super::state::Inner;
use super::{messages, payloads, permissions, target_payloads, threads, webhooks};

/// What a channel id points at.
pub(crate) struct Place<'a> {
    pub guild: &'a GuildSpec,
    pub id: u64,
    pub kind: u8,
    /// The configured channel whose overwrites apply: the channel itself, or a thread's parent.
    pub perm_channel: &'a ChannelSpec,
}

impl Place<'_> {
    pub fn is_thread(&self) -> bool {
        self.kind == channel_kind::PUBLIC_THREAD
    }
}

/// The channel or thread with this id, if the fake knows it.
pub(crate) fn locate<'a>(cfg: &'a FakeConfig, inner: &Inner, id: u64) -> Option<Place<'a>> {
    let (guild, perm_channel, kind) = match inner.threads.0.get(&id) {
        Some(thread) => {
            let (guild, parent) = cfg.channel(thread.parent_id)?;
            (guild, parent, channel_kind::PUBLIC_THREAD)
        }
        None => {
            let (guild, spec) = cfg.channel(id)?;
            (guild, spec, spec.kind)
        }
    };
    Some(Place {
        guild,
        id,
        kind,
        perm_channel,
    })
}

pub(crate) fn route(cfg: &FakeConfig, inner: &mut Inner, req: &Req<'_>) -> Reply {
    let [_, channel, rest @ ..] = req.segments.as_slice() else {
        return Reply::not_found();
    };
    let Some(place) = locate(cfg, inner, channel.parse().unwrap_or(0)) else {
        return Reply::error(404, 10003, "Unknown Channel");
    };
    let empty = Value::Object(Default::default());
    let body = req.body.unwrap_or(&empty);
    let needed = match (req.method, rest) {
        ("POST", ["messages"]) if place.is_thread() => perms::SEND_MESSAGES_IN_THREADS,
        ("POST", ["messages"]) => perms::SEND_MESSAGES,
        ("GET", ["messages", ..]) => perms::READ_MESSAGE_HISTORY,
        // The thread routes and webhook routes check what they need themselves.
        (_, ["threads"] | ["messages", _, "threads"] | ["webhooks"]) => 0,
        _ => perms::VIEW_CHANNEL,
    };
    if needed != 0 {
        if let Err(refused) = permissions::require(
            cfg,
            &inner.overwrites,
            place.guild,
            place.perm_channel,
            needed,
        ) {
            return refused;
        }
    }
    match (req.method, rest) {
        ("GET", []) => Reply::ok(channel_object(inner, &place)),
        ("POST", ["messages"]) => {
            if place.kind == channel_kind::FORUM {
                return Reply::error(400, 50008, "Cannot send messages in a non-text channel");
            }
            messages::create_channel_message(cfg, inner, place.id, place.guild.id, body)
        }
        ("GET", ["messages"]) => history(inner, place.id, req),
        ("POST", ["threads"]) => threads::create(cfg, inner, &place, body),
        ("POST", ["messages", id, "threads"]) => {
            threads::from_message(cfg, inner, &place, id, body)
        }
        (method @ ("GET" | "POST"), ["webhooks"]) => {
            webhooks::channel_route(cfg, inner, &place, method, body)
        }
        (method, ["messages", id]) => {
            let id = id.parse().unwrap_or(0);
            match inner.messages.get(&id) {
                Some(m) if m.channel_id == place.id => {
                    messages::existing_message(cfg, inner, method, id, body)
                }
                _ => Reply::error(404, 10008, "Unknown Message"),
            }
        }
        _ => Reply::not_found(),
    }
}

/// `GET /channels/{id}`: a thread's object, or the configured channel with its overwrites as
/// they are now.
fn channel_object(inner: &Inner, place: &Place<'_>) -> Value {
    if let Some(thread) = inner.threads.0.get(&place.id) {
        return target_payloads::thread(thread);
    }
    let guild = place.guild;
    let pos = guild
        .channels
        .iter()
        .position(|c| c.id == place.id)
        .unwrap_or(0);
    let spec = &guild.channels[pos];
    payloads::channel(guild.id, spec, pos, &inner.overwrites.effective(spec))
}

/// `GET /channels/{id}/messages?limit=&before=&after=`: newest first, `limit` 1 to 100 (50 by
/// default). With `after`, the messages just after it; otherwise the newest (before `before`).
/// Ephemeral messages are not in a channel's history.
fn history(inner: &Inner, channel_id: u64, req: &Req<'_>) -> Reply {
    let limit = match req.param("limit").map(|v| v.parse::<u64>()) {
        None => 50,
        Some(Ok(n)) if (1..=100).contains(&n) => n as usize,
        Some(_) => {
            let e = super::validate::coded(
                "limit",
                "NUMBER_TYPE_MAX",
                "int value should be between 1 and 100.",
            );
            return e.reply();
        }
    };
    let id_param = |name: &str| req.param(name).and_then(|v| v.parse::<u64>().ok());
    let (after, before) = (id_param("after"), id_param("before"));
    let mut ids: Vec<u64> = inner
        .messages
        .iter()
        .filter(|(_, m)| m.channel_id == channel_id)
        .filter(|(_, m)| m.value["flags"].as_u64().unwrap_or(0) & 64 == 0)
        .map(|(id, _)| *id)
        .filter(|id| after.is_none_or(|a| *id > a) && before.is_none_or(|b| *id < b))
        .collect();
    ids.sort_unstable();
    let picked: Vec<u64> = if after.is_some() {
        ids.into_iter().take(limit).rev().collect()
    } else {
        ids.into_iter().rev().take(limit).collect()
    };
    let list: Vec<Value> = picked
        .iter()
        .filter_map(|id| inner.message(*id).cloned())
        .collect();
    Reply::ok(json!(list))
}
