//! The JSON of what digests can target besides a text channel: threads (with their metadata),
//! forum tags, permission overwrites, webhooks and webhook authors, plus the guild as
//! `GET /guilds/{id}` shows it and the bot's managed role. `tests/fake/targets.rs` reads each
//! with serenity's model types.

use serde_json::{json, Value};

use super::channel_spec::{ForumTagSpec, OverwriteSpec};
use super::config::{FakeConfig, GuildSpec, RoleSpec};
use super::payloads::{self, id, merge, user};
use super::threads::Thread;
use super::webhooks::Webhook;

/// A thread channel (type 11).
pub fn thread(t: &Thread) -> Value {
    json!({
        "id": id(t.id),
        "type": 11,
        "guild_id": id(t.guild_id),
        "parent_id": id(t.parent_id),
        "owner_id": id(t.owner_id),
        "name": t.name,
        "last_message_id": t.last_message_id.map(id),
        "rate_limit_per_user": 0,
        "message_count": t.message_count,
        "total_message_sent": t.message_count,
        "member_count": t.member_count,
        "thread_metadata": {
            "archived": false,
            "auto_archive_duration": t.auto_archive_duration,
            "archive_timestamp": t.created,
            "locked": false,
            "create_timestamp": t.created,
        },
        "flags": 0,
        "applied_tags": t.applied_tags.iter().map(|tag| id(*tag)).collect::<Vec<_>>(),
        // Threads take their parent's overwrites; Discord sends none of their own.
        "permission_overwrites": [],
        "nsfw": false,
    })
}

pub fn forum_tag(tag: &ForumTagSpec) -> Value {
    json!({
        "id": id(tag.id),
        "name": tag.name,
        "moderated": false,
        "emoji_id": null,
        "emoji_name": null,
    })
}

/// Overwrites as Discord writes them: bit sets as strings.
pub fn overwrites(list: &[OverwriteSpec]) -> Value {
    list.iter()
        .map(|o| {
            json!({
                "id": id(o.target),
                "type": o.kind.code(),
                "allow": o.allow.to_string(),
                "deny": o.deny.to_string(),
            })
        })
        .collect()
}

/// The bot's managed role: Discord creates it when the bot joins and tags it with the bot.
pub fn bot_role(cfg: &FakeConfig, g: &GuildSpec, position: usize) -> Value {
    let spec = RoleSpec {
        id: g.bot_role_id,
        name: "briefbot".to_owned(),
        permissions: g.bot_permissions,
    };
    let mut role = payloads::role(&spec, position);
    merge(
        &mut role,
        json!({"managed": true, "tags": {"bot_id": id(cfg.bot_user_id)}}),
    );
    role
}

/// `GET /guilds/{id}`: the guild without what only GUILD_CREATE carries.
pub fn partial_guild(cfg: &FakeConfig, g: &GuildSpec) -> Value {
    let mut guild = payloads::guild(cfg, g);
    if let Some(map) = guild.as_object_mut() {
        for key in [
            "joined_at",
            "large",
            "lazy",
            "unavailable",
            "member_count",
            "voice_states",
            "members",
            "channels",
            "threads",
            "presences",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
            "embedded_activities",
            "nsfw",
        ] {
            map.remove(key);
        }
    }
    guild
}

/// A webhook object; `token` only where Discord shows it (to whoever may manage it).
pub fn webhook(cfg: &FakeConfig, w: &Webhook, with_token: bool) -> Value {
    json!({
        "id": id(w.id),
        "type": 1,
        "guild_id": id(w.guild_id),
        "channel_id": id(w.channel_id),
        "user": user(cfg.bot_user_id, &cfg.bot_name, true),
        "name": w.name,
        "avatar": w.avatar,
        "token": if with_token { Value::String(w.token.clone()) } else { Value::Null },
        "application_id": id(cfg.application_id),
    })
}

/// The author Discord shows on a webhook's message: the webhook's id, the username the
/// message asked for (else the webhook's name), its avatar.
pub fn webhook_author(webhook_id: u64, username: &str, avatar: Option<String>) -> Value {
    let mut author = user(webhook_id, username, true);
    author["avatar"] = avatar.map_or(Value::Null, Value::String);
    author["discriminator"] = "0000".into();
    author["global_name"] = Value::Null;
    author
}

/// A stand-in for the hash Discord gives an uploaded image: 32 hex digits derived from the
/// data, so the same image gets the same hash and serenity's `ImageHash` parses it.
pub fn image_hash(data: &str) -> String {
    let fnv = |seed: u64| {
        data.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x84222325cbf29ce4)
    )
}
