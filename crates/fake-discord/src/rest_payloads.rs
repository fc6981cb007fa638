//! The JSON objects the REST side answers with: messages, application commands, gateway URLs
//! and Discord's error shape, each with the fields serenity 0.12.5 requires to read it back.

use serde_json::{json, Value};

use super::config::FakeConfig;
use super::ids;
use super::payloads::{id, user};

/// Where a message came from, which decides `type`, `author` and `webhook_id`.
pub enum MessageOrigin {
    /// `POST /channels/{id}/messages` by the bot.
    Channel,
    /// The response to an interaction (`@original`), type 20 (chat input command).
    InteractionOriginal,
    /// A follow-up through the interaction webhook, type 0 sent by the application's webhook.
    Followup,
}

/// The message object Discord answers with, built from what the bot sent (`body`): content,
/// embeds, components, flags and nonce are echoed; the rest is filled in.
pub fn message(
    cfg: &FakeConfig,
    message_id: u64,
    channel_id: u64,
    guild_id: Option<u64>,
    origin: MessageOrigin,
    body: &Value,
) -> Value {
    let kind = match origin {
        MessageOrigin::InteractionOriginal => 20,
        MessageOrigin::Channel | MessageOrigin::Followup => 0,
    };
    // Interaction responses and follow-ups are sent by the application's webhook.
    let app = match origin {
        MessageOrigin::Channel => Value::Null,
        _ => id(cfg.application_id),
    };
    let mut msg = json!({
        "id": id(message_id),
        "channel_id": id(channel_id),
        "author": user(cfg.bot_user_id, &cfg.bot_name, true),
        "content": body.get("content").and_then(Value::as_str).unwrap_or(""),
        "timestamp": ids::now_timestamp(),
        "edited_timestamp": null,
        "tts": body.get("tts").and_then(Value::as_bool).unwrap_or(false),
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": [],
        "embeds": body.get("embeds").cloned().unwrap_or(json!([])),
        "components": body.get("components").cloned().unwrap_or(json!([])),
        "pinned": false,
        "type": kind,
        "flags": body.get("flags").and_then(Value::as_u64).unwrap_or(0),
        "webhook_id": app,
        "application_id": app,
    });
    if let Some(g) = guild_id {
        msg["guild_id"] = id(g);
    }
    if let Some(nonce) = body.get("nonce") {
        msg["nonce"] = nonce.clone();
    }
    set_mentions(cfg, &mut msg, body);
    msg
}

/// Fills `mention_everyone`, `mention_roles` and `mentions` the way Discord decides who gets
/// pinged: from the content, filtered by `allowed_mentions` (absent: everything pings). Tests
/// read these to prove that briefing text cannot ping `@everyone` or a role.
fn set_mentions(cfg: &FakeConfig, msg: &mut Value, body: &Value) {
    let content = msg["content"].as_str().unwrap_or("").to_owned();
    let allowed = body.get("allowed_mentions").filter(|a| a.is_object());
    let parses = |kind: &str| {
        allowed.is_none_or(|a| {
            a["parse"]
                .as_array()
                .is_some_and(|p| p.iter().any(|k| k == kind))
        })
    };
    let listed = |kind: &str, target: u64| {
        let list = allowed.and_then(|a| a[kind].as_array());
        list.is_some_and(|l| {
            l.iter()
                .any(|v| v.as_str() == Some(target.to_string().as_str()))
        })
    };
    let everyone = content.contains("@everyone") || content.contains("@here");
    msg["mention_everyone"] = (everyone && parses("everyone")).into();
    let roles = mention_ids(&content, "<@&").filter(|r| parses("roles") || listed("roles", *r));
    msg["mention_roles"] = roles.map(id).collect();
    let users = mention_ids(&content, "<@").filter(|u| parses("users") || listed("users", *u));
    let name = |u: u64| {
        let member = cfg.guilds.iter().find_map(|g| g.member(u));
        member.map_or_else(|| format!("user-{u}"), |m| m.username.clone())
    };
    msg["mentions"] = users.map(|u| user(u, &name(u), false)).collect();
}

/// Ids in `<@123>` / `<@!123>` (prefix `<@`) or `<@&123>` (prefix `<@&`) mentions.
fn mention_ids<'a>(content: &'a str, prefix: &'a str) -> impl Iterator<Item = u64> + 'a {
    content.match_indices(prefix).filter_map(move |(at, _)| {
        let rest = &content[at + prefix.len()..];
        let rest = rest.strip_prefix('!').unwrap_or(rest);
        let end = rest.find('>')?;
        rest[..end].parse().ok()
    })
}

/// A message after `PATCH`: the fields the bot sent replace the old ones, as on Discord.
pub fn edit_message(cfg: &FakeConfig, old: &Value, patch: &Value) -> Value {
    let mut msg = old.clone();
    for key in ["content", "embeds", "components", "flags"] {
        if let Some(v) = patch.get(key) {
            msg[key] = v.clone();
        }
    }
    if patch.get("content").is_some() {
        set_mentions(cfg, &mut msg, patch);
    }
    msg["edited_timestamp"] = Value::String(ids::now_timestamp());
    msg
}

/// The command object Discord returns for a registered command, from the bot's create payload.
pub fn command(
    app_id: u64,
    guild_id: Option<u64>,
    command_id: u64,
    version: u64,
    body: &Value,
) -> Value {
    let field = |k: &str| body.get(k).cloned().unwrap_or(Value::Null);
    let mut cmd = json!({
        "id": id(command_id),
        "application_id": id(app_id),
        "version": id(version),
        "type": body.get("type").cloned().unwrap_or(json!(1)),
        "name": field("name"),
        "name_localizations": field("name_localizations"),
        "description": body.get("description").cloned().unwrap_or(json!("")),
        "description_localizations": field("description_localizations"),
        "options": body.get("options").cloned().unwrap_or(json!([])),
        "default_member_permissions": field("default_member_permissions"),
        "nsfw": body.get("nsfw").cloned().unwrap_or(json!(false)),
        "contexts": field("contexts"),
        "integration_types": body.get("integration_types").cloned().unwrap_or(json!([0])),
    });
    if let Some(g) = guild_id {
        cmd["guild_id"] = id(g);
    }
    cmd
}

/// Discord's JSON error shape; `code` 0 for generic HTTP failures.
pub fn error(code: u64, message: &str) -> Value {
    json!({"code": code, "message": message})
}

pub fn gateway(ws_url: &str) -> Value {
    json!({"url": ws_url})
}

/// `GET /gateway/bot`: the recommended shard count and what is left of the identify budget.
pub fn gateway_bot(ws_url: &str, shards: u32, session_start_limit: Value) -> Value {
    json!({
        "url": ws_url,
        "shards": shards,
        "session_start_limit": session_start_limit,
    })
}
