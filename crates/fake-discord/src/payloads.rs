//! The JSON objects of the gateway side (users, members, roles, channels, guilds, READY, the
//! opcode envelopes) and the application info, built with every field serenity 0.12.5 requires.
//! Messages and commands are in `rest_payloads.rs`.
//!
//! serenity drops a gateway event it cannot deserialize with only a WARN log, so a missing field
//! here shows up as a bot that "never answered". `tests/fake/payloads_deserialize.rs` feeds each
//! builder's output to serenity's own model types to keep this file honest.

use serde_json::{json, Value};

use super::channel_spec::{channel_kind, ChannelSpec, OverwriteSpec};
use super::config::{shard_of, FakeConfig, GuildSpec, MemberSpec, RoleSpec};
use super::target_payloads;
use super::threads;

/// Discord sends ids as strings (they overflow JavaScript numbers).
pub fn id(v: u64) -> Value {
    Value::String(v.to_string())
}

pub fn user(user_id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": null,
        "bot": bot,
        "system": false,
        "public_flags": 0,
        "flags": 0,
        "banner": null,
        "accent_color": null,
        "avatar_decoration_data": null,
        "collectibles": null,
        "primary_guild": null,
    })
}

/// The bot as `GET /users/@me` and READY show it (a `CurrentUser`).
pub fn bot_user(cfg: &FakeConfig) -> Value {
    let mut u = user(cfg.bot_user_id, &cfg.bot_name, true);
    let extra = json!({"verified": true, "mfa_enabled": false, "email": null, "locale": "en-US"});
    merge(&mut u, extra);
    u
}

pub fn member(guild: &GuildSpec, spec: &MemberSpec) -> Value {
    json!({
        "user": user(spec.user_id, &spec.username, false),
        "nick": null,
        "avatar": null,
        "banner": null,
        "roles": spec.roles.iter().map(|r| id(*r)).collect::<Vec<_>>(),
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
        "unusual_dm_activity_until": null,
        "permissions": guild.member_permissions(spec).to_string(),
    })
}

/// The bot as a member of `guild`: it holds its managed role.
pub fn bot_member(cfg: &FakeConfig, guild: &GuildSpec) -> Value {
    json!({
        "user": user(cfg.bot_user_id, &cfg.bot_name, true),
        "nick": null,
        "avatar": null,
        "banner": null,
        "roles": [id(guild.bot_role_id)],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
    })
}

pub fn role(spec: &RoleSpec, position: usize) -> Value {
    json!({
        "id": id(spec.id),
        "name": spec.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": position,
        "permissions": spec.permissions.to_string(),
        "managed": false,
        "mentionable": false,
        "flags": 0,
    })
}

/// A configured channel (not a thread: see `target_payloads::thread`) with `overwrites`; a
/// forum carries its tags and flags.
pub fn channel(
    guild_id: u64,
    spec: &ChannelSpec,
    position: usize,
    overwrites: &[OverwriteSpec],
) -> Value {
    let mut channel = json!({
        "id": id(spec.id),
        "type": spec.kind,
        "guild_id": id(guild_id),
        "name": spec.name,
        "position": position,
        "permission_overwrites": target_payloads::overwrites(overwrites),
        "topic": null,
        "nsfw": false,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "parent_id": spec.parent_id.map(id),
        "flags": spec.flags,
    });
    if spec.kind == channel_kind::FORUM {
        let tags: Vec<Value> = spec
            .available_tags
            .iter()
            .map(target_payloads::forum_tag)
            .collect();
        merge(
            &mut channel,
            json!({
                "available_tags": tags,
                "default_auto_archive_duration": null,
                "default_reaction_emoji": null,
                "default_thread_rate_limit_per_user": 0,
                "default_sort_order": null,
                "default_forum_layout": 0,
            }),
        );
    }
    channel
}

/// A full guild as GUILD_CREATE carries it. Without the GUILD_MEMBERS intent Discord lists only
/// the bot itself among the members, so the fake does too.
pub fn guild(cfg: &FakeConfig, g: &GuildSpec) -> Value {
    let everyone = RoleSpec {
        id: g.id,
        name: "@everyone".to_owned(),
        permissions: g.everyone_permissions,
    };
    let mut roles: Vec<Value> = std::iter::once(&everyone)
        .chain(&g.roles)
        .enumerate()
        .map(|(i, r)| role(r, i))
        .collect();
    roles.push(target_payloads::bot_role(cfg, g, roles.len()));
    // Discord lists threads apart from channels.
    let channels: Vec<Value> = g
        .channels
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_thread())
        .map(|(i, c)| channel(g.id, c, i, &c.overwrites))
        .collect();
    let threads: Vec<Value> = g
        .channels
        .iter()
        .filter(|c| c.is_thread())
        .map(|c| target_payloads::thread(&threads::configured(g, c)))
        .collect();
    // Two literals because one this size exceeds `json!`'s macro recursion limit.
    let mut guild = json!({
        "id": id(g.id),
        "name": g.name,
        "icon": null, "icon_hash": null, "splash": null, "discovery_splash": null, "banner": null,
        "owner_id": id(g.owner_id),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": g.channels.first().map(|c| id(c.id)),
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "public_updates_channel_id": null,
        "safety_alerts_channel_id": null,
    });
    // The fields only GUILD_CREATE carries, plus limits and tiers.
    let create_only = json!({
        "max_presences": null,
        "max_members": 500_000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "vanity_url_code": null,
        "description": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": false,
        "preferred_locale": g.preferred_locale,
        "nsfw_level": 0,
        "nsfw": false,
        "incidents_data": null,
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "large": false,
        "lazy": true,
        "unavailable": false,
        "member_count": g.members.len() + 1,
        "voice_states": [],
        "members": [bot_member(cfg, g)],
        "channels": channels,
        "threads": threads,
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "embedded_activities": [],
    });
    merge(&mut guild, create_only);
    guild
}

/// READY's `d`: the guilds of this shard, unavailable until their GUILD_CREATE. `shard` echoes
/// what Identify asked for, as Discord does.
pub fn ready(cfg: &FakeConfig, session_id: &str, resume_url: &str, shard: [u32; 2]) -> Value {
    let guilds: Vec<Value> = cfg
        .guilds
        .iter()
        .filter(|g| shard_of(g.id, shard[1]) == shard[0])
        .map(|g| json!({"id": id(g.id), "unavailable": true}))
        .collect();
    json!({
        "v": 10,
        "user": bot_user(cfg),
        "guilds": guilds,
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "shard": shard,
        "application": {"id": id(cfg.application_id), "flags": 0},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "geo_ordered_rtc_regions": [],
        "guild_join_requests": [],
        "user_settings": {},
        "_trace": ["fake-discord"],
    })
}

/// `GET /oauth2/applications/@me`, which poise reads at start to learn the bot's owners.
pub fn application_info(cfg: &FakeConfig) -> Value {
    let owner = cfg
        .guilds
        .first()
        .and_then(|g| g.member(g.owner_id))
        .map(|m| user(m.user_id, &m.username, false));
    json!({
        "id": id(cfg.application_id),
        "name": cfg.bot_name,
        "icon": null,
        "description": "",
        "summary": "",
        "type": null,
        "hook": true,
        "bot_public": true,
        "bot_require_code_grant": false,
        "verify_key": "0".repeat(64),
        "owner": owner,
        "team": null,
        "flags": 0,
        "bot": user(cfg.bot_user_id, &cfg.bot_name, true),
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
        "tags": [],
    })
}

// Gateway envelopes. Dispatches carry a sequence number; serenity rejects one without `s`.

pub fn dispatch(event: &str, seq: u64, d: Value) -> Value {
    json!({"op": 0, "t": event, "s": seq, "d": d})
}

pub fn hello(heartbeat_interval_ms: u64) -> Value {
    json!({"op": 10, "d": {"heartbeat_interval": heartbeat_interval_ms, "_trace": ["fake-discord"]}, "s": null, "t": null})
}

pub fn heartbeat_ack() -> Value {
    json!({"op": 11, "d": null, "s": null, "t": null})
}

pub fn heartbeat_request() -> Value {
    json!({"op": 1, "d": null, "s": null, "t": null})
}

pub fn reconnect() -> Value {
    json!({"op": 7, "d": null, "s": null, "t": null})
}

pub fn invalid_session(resumable: bool) -> Value {
    json!({"op": 9, "d": resumable, "s": null, "t": null})
}

pub fn resumed() -> Value {
    json!({"_trace": ["fake-discord"]})
}

/// Shallow merge of `extra`'s keys into `target` (both objects).
pub fn merge(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
        t.extend(e);
    }
}
