//! INTERACTION_CREATE payloads: commands, autocomplete and components, with every field
//! serenity 0.12.5 insists on (`locale`, `entitlements`, `attachment_size_limit`, …).
//!
//! Options given as a JSON object (`{"briefing": "latest"}`) are typed from the command the bot
//! registered, the way Discord's client types them, and channel/user/role options get their
//! `resolved` entries; options given as an array are sent as they are.

use serde_json::{json, Map, Value};

use super::config::{perms, FakeConfig, GuildSpec};
use super::ids::snowflake;
use super::payloads::{self, id};
use super::state::Inner;

/// Where an interaction happens and who triggers it, defaults already applied.
pub(crate) struct Context<'a> {
    pub guild: Option<&'a GuildSpec>,
    pub channel_id: u64,
    pub user_id: u64,
    pub locale: &'a str,
    /// The bot's permissions in the channel (`app_permissions`).
    pub app_permissions: u64,
}

/// The fields every interaction type shares.
pub(crate) fn envelope(
    cfg: &FakeConfig,
    ctx: &Context<'_>,
    kind: u8,
    ix_id: u64,
    token: &str,
) -> Value {
    let mut ix = json!({
        "id": id(ix_id),
        "application_id": id(cfg.application_id),
        "type": kind,
        "token": token,
        "version": 1,
        "channel_id": id(ctx.channel_id),
        "locale": ctx.locale,
        "app_permissions": ctx.app_permissions.to_string(),
        "entitlements": [],
        "attachment_size_limit": 10_485_760,
    });
    match ctx.guild {
        Some(g) => {
            let member = g.member(ctx.user_id).unwrap_or_else(|| {
                panic!(
                    "user {} is not a member of guild {}: add a MemberSpec to the FakeConfig",
                    ctx.user_id, g.id
                )
            });
            let spec = g.channels.iter().find(|c| c.id == ctx.channel_id);
            payloads::merge(
                &mut ix,
                json!({
                    "guild_id": id(g.id),
                    "guild": {"id": id(g.id), "locale": g.preferred_locale, "features": []},
                    "guild_locale": g.preferred_locale,
                    "member": payloads::member(g, member),
                    "channel": {
                        "id": id(ctx.channel_id),
                        "type": spec.map_or(0, |c| c.kind),
                        "name": spec.map(|c| c.name.clone()),
                        "guild_id": id(g.id),
                        "permissions": g.member_permissions(member).to_string(),
                        "parent_id": null,
                        "flags": 0,
                    },
                    "authorizing_integration_owners": {"0": id(g.id)},
                    "context": 0,
                }),
            );
        }
        None => {
            let name = cfg
                .guilds
                .iter()
                .find_map(|g| g.member(ctx.user_id))
                .map_or_else(|| format!("user-{}", ctx.user_id), |m| m.username.clone());
            payloads::merge(
                &mut ix,
                json!({
                    "user": payloads::user(ctx.user_id, &name, false),
                    "channel": {"id": id(ctx.channel_id), "type": 1, "name": null, "flags": 0},
                    // A guild-installed app used in its DM: the guild owner id is "0".
                    "authorizing_integration_owners": {"0": "0"},
                    "context": 1,
                }),
            );
        }
    }
    ix
}

/// `data` for a slash command (type 2) or its autocomplete (type 4). `name` may name a
/// subcommand path (`"digest add"`); `focused` marks the option being typed.
pub(crate) fn command_data(
    cfg: &FakeConfig,
    inner: &Inner,
    ctx: &Context<'_>,
    name: &str,
    options: &Value,
    focused: Option<&str>,
) -> Value {
    let mut words = name.split_whitespace();
    let top = words.next().unwrap_or_default();
    let registered = inner.commands.find(ctx.guild.map(|g| g.id), top);
    let command_id = registered
        .and_then(|c| c["id"].as_str())
        .map_or_else(|| snowflake().to_string(), str::to_owned);
    let mut defs: Vec<Value> = registered.map(options_of).unwrap_or_default();
    let rest: Vec<&str> = words.collect();
    let mut path = Vec::new();
    for (i, word) in rest.iter().enumerate() {
        let def = defs.iter().find(|d| d["name"] == *word).cloned();
        let is_last = i + 1 == rest.len();
        let kind = def
            .as_ref()
            .and_then(|d| d["type"].as_u64())
            .unwrap_or(if is_last { 1 } else { 2 });
        path.push((word.to_string(), kind));
        defs = def.map(|d| options_of(&d)).unwrap_or_default();
    }
    let mut resolved = Map::new();
    let mut opts = leaf_options(cfg, ctx, options, &defs, focused, &mut resolved);
    for (sub, kind) in path.into_iter().rev() {
        opts = json!([{"type": kind, "name": sub, "options": opts}]);
    }
    let mut data = json!({"id": command_id, "name": top, "type": 1, "options": opts});
    if !resolved.is_empty() {
        data["resolved"] = Value::Object(resolved);
    }
    if let Some(g) = registered.and_then(|c| c.get("guild_id")) {
        data["guild_id"] = g.clone();
    }
    data
}

fn options_of(def: &Value) -> Vec<Value> {
    def.get("options")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn leaf_options(
    cfg: &FakeConfig,
    ctx: &Context<'_>,
    given: &Value,
    defs: &[Value],
    focused: Option<&str>,
    resolved: &mut Map<String, Value>,
) -> Value {
    let mut out: Vec<Value> = match given {
        Value::Array(raw) => raw.clone(),
        Value::Object(map) => map
            .iter()
            .map(|(name, value)| {
                let def_kind = defs
                    .iter()
                    .find(|d| d["name"] == name.as_str())
                    .and_then(|d| d["type"].as_u64());
                let kind = def_kind.unwrap_or_else(|| infer_kind(value));
                let value = typed_value(cfg, ctx, kind, value, resolved);
                json!({"name": name, "type": kind, "value": value})
            })
            .collect(),
        _ => Vec::new(),
    };
    if let Some(f) = focused {
        if !out.iter().any(|o| o["name"] == f) {
            let kind = defs
                .iter()
                .find(|d| d["name"] == f)
                .and_then(|d| d["type"].as_u64())
                .unwrap_or(3);
            out.push(json!({"name": f, "type": kind, "value": ""}));
        }
        for o in out.iter_mut().filter(|o| o["name"] == f) {
            o["focused"] = Value::Bool(true);
        }
    }
    Value::Array(out)
}

/// Option type from a bare JSON value when the command was never registered.
fn infer_kind(value: &Value) -> u64 {
    match value {
        Value::Bool(_) => 5,
        Value::Number(n) if n.is_i64() || n.is_u64() => 4,
        Value::Number(_) => 10,
        _ => 3,
    }
}

/// The option value in Discord's form; ids of users, channels and roles also land in `resolved`.
fn typed_value(
    cfg: &FakeConfig,
    ctx: &Context<'_>,
    kind: u64,
    value: &Value,
    resolved: &mut Map<String, Value>,
) -> Value {
    let as_id = || {
        value
            .as_u64()
            .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(0)
    };
    let mut add = |section: &str, key: u64, v: Value| {
        let entry = resolved
            .entry(section.to_owned())
            .or_insert_with(|| json!({}));
        entry[key.to_string()] = v;
    };
    match kind {
        3 => Value::String(
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned),
        ),
        6..=9 => {
            let target = as_id();
            for g in ctx.guild.iter().copied().chain(&cfg.guilds) {
                if let Some(c) = g.channels.iter().find(|c| c.id == target) {
                    add(
                        "channels",
                        target,
                        json!({"id": id(c.id), "name": c.name, "type": c.kind, "permissions": perms::ALL.to_string(), "parent_id": null}),
                    );
                    break;
                }
                if let Some(pos) = g.roles.iter().position(|r| r.id == target) {
                    add("roles", target, payloads::role(&g.roles[pos], pos + 1));
                    break;
                }
                if let Some(m) = g.member(target) {
                    let mut member = payloads::member(g, m);
                    let user = member
                        .as_object_mut()
                        .and_then(|o| o.remove("user"))
                        .unwrap_or(Value::Null);
                    add("users", target, user);
                    add("members", target, member);
                    break;
                }
            }
            id(target)
        }
        _ => value.clone(),
    }
}

/// Whether a message's components (at any depth) contain `custom_id`.
pub(crate) fn has_custom_id(components: &Value, custom_id: &str) -> bool {
    match components {
        Value::Array(items) => items.iter().any(|c| has_custom_id(c, custom_id)),
        Value::Object(o) => {
            o.get("custom_id").and_then(Value::as_str) == Some(custom_id)
                || o.get("components")
                    .is_some_and(|c| has_custom_id(c, custom_id))
        }
        _ => false,
    }
}
