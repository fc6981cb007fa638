//! Application commands per scope (global, or one guild), so tests can assert "registered exactly
//! these, in this scope, and none in the other".
//!
//! Like Discord, a bulk overwrite keeps a command's id when its name and type are unchanged and
//! only bumps its version.

use std::collections::BTreeMap;

use serde_json::Value;

use super::config::FakeConfig;
use super::ids::snowflake;
use super::rest::{Reply, Req};
use super::state::Inner;
use super::{payloads, rest_payloads, validate, FakeDiscord};

/// Where application commands are registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `/applications/{app}/commands`: every guild and DMs.
    Global,
    /// `/applications/{app}/guilds/{guild}/commands`: that guild only.
    Guild(u64),
}

#[derive(Default)]
pub(crate) struct CommandRegistry {
    global: Vec<Value>,
    guilds: BTreeMap<u64, Vec<Value>>,
}

impl CommandRegistry {
    pub fn list(&self, scope: Scope) -> &[Value] {
        match scope {
            Scope::Global => &self.global,
            Scope::Guild(g) => self.guilds.get(&g).map_or(&[], Vec::as_slice),
        }
    }

    fn list_mut(&mut self, scope: Scope) -> &mut Vec<Value> {
        match scope {
            Scope::Global => &mut self.global,
            Scope::Guild(g) => self.guilds.entry(g).or_default(),
        }
    }

    /// The command a user in `guild` would invoke by `name`: guild commands shadow global ones.
    pub fn find(&self, guild: Option<u64>, name: &str) -> Option<&Value> {
        let by_name = |c: &&Value| c.get("name").and_then(Value::as_str) == Some(name);
        guild
            .and_then(|g| self.list(Scope::Guild(g)).iter().find(by_name))
            .or_else(|| self.global.iter().find(by_name))
    }
}

/// `/applications/{app}/commands[/{id}]` and `/applications/{app}/guilds/{guild}/commands[/{id}]`.
pub(crate) fn route(cfg: &FakeConfig, inner: &mut Inner, req: &Req<'_>) -> Reply {
    let (app, scope, rest) = match req.segments.as_slice() {
        ["applications", app, "commands", rest @ ..] => (*app, Scope::Global, rest),
        ["applications", app, "guilds", guild, "commands", rest @ ..] => match guild.parse() {
            Ok(g) if cfg.guild(g).is_some() => (*app, Scope::Guild(g), rest),
            _ => return Reply::error(403, 50001, "Missing Access"),
        },
        _ => return Reply::not_found(),
    };
    if app != cfg.application_id.to_string() {
        return Reply::error(403, 50001, "Missing Access");
    }
    let list = inner.commands.list_mut(scope);
    match (req.method, rest) {
        ("GET", []) => Reply::ok(Value::Array(list.clone())),
        ("PUT", []) => overwrite(cfg, list, scope, req.body),
        ("POST", []) => upsert(cfg, list, scope, req.body),
        (method, [id]) => one(cfg, list, scope, method, id, req.body),
        _ => Reply::not_found(),
    }
}

fn guild_of(scope: Scope) -> Option<u64> {
    match scope {
        Scope::Global => None,
        Scope::Guild(g) => Some(g),
    }
}

fn same_command(a: &Value, b: &Value) -> bool {
    let kind = |v: &Value| v.get("type").and_then(Value::as_u64).unwrap_or(1);
    a.get("name") == b.get("name") && kind(a) == kind(b)
}

fn overwrite(cfg: &FakeConfig, list: &mut Vec<Value>, scope: Scope, body: Option<&Value>) -> Reply {
    let Some(bodies) = body.and_then(Value::as_array) else {
        return Reply::error(
            400,
            50035,
            "Invalid Form Body: expected an array of commands",
        );
    };
    for (i, b) in bodies.iter().enumerate() {
        if let Err(e) = validate::command(b, &i.to_string()) {
            return e.reply();
        }
        if bodies[..i].iter().any(|earlier| same_command(earlier, b)) {
            return Reply::error(400, 50035, "Application command names must be unique");
        }
    }
    let next: Vec<Value> = bodies
        .iter()
        .map(|b| {
            let id = list
                .iter()
                .find(|old| same_command(old, b))
                .and_then(command_id)
                .unwrap_or_else(snowflake);
            rest_payloads::command(cfg.application_id, guild_of(scope), id, snowflake(), b)
        })
        .collect();
    *list = next;
    Reply::ok(Value::Array(list.clone()))
}

/// `POST` creates a command, or replaces the one with the same name (200 instead of 201).
fn upsert(cfg: &FakeConfig, list: &mut Vec<Value>, scope: Scope, body: Option<&Value>) -> Reply {
    let Some(b) = body else {
        return Reply::error(400, 50035, "Invalid Form Body");
    };
    if let Err(e) = validate::command(b, "") {
        return e.reply();
    }
    let existing = list.iter().position(|old| same_command(old, b));
    let id = existing
        .and_then(|i| command_id(&list[i]))
        .unwrap_or_else(snowflake);
    let cmd = rest_payloads::command(cfg.application_id, guild_of(scope), id, snowflake(), b);
    match existing {
        Some(i) => {
            list[i] = cmd.clone();
            Reply::ok(cmd)
        }
        None => {
            list.push(cmd.clone());
            Reply::json(201, cmd)
        }
    }
}

fn one(
    cfg: &FakeConfig,
    list: &mut Vec<Value>,
    scope: Scope,
    method: &str,
    id: &str,
    body: Option<&Value>,
) -> Reply {
    let Some(pos) = list
        .iter()
        .position(|c| c.get("id").and_then(Value::as_str) == Some(id))
    else {
        return Reply::error(404, 10063, "Unknown application command");
    };
    match method {
        "GET" => Reply::ok(list[pos].clone()),
        "DELETE" => {
            list.remove(pos);
            Reply::no_content()
        }
        "PATCH" => {
            let mut merged = list[pos].clone();
            if let Some(patch) = body {
                payloads::merge(&mut merged, patch.clone());
            }
            if let Err(e) = validate::command(&merged, "") {
                return e.reply();
            }
            let id = command_id(&merged).unwrap_or_else(snowflake);
            list[pos] = rest_payloads::command(
                cfg.application_id,
                guild_of(scope),
                id,
                snowflake(),
                &merged,
            );
            Reply::ok(list[pos].clone())
        }
        _ => Reply::not_found(),
    }
}

fn command_id(cmd: &Value) -> Option<u64> {
    cmd.get("id")?.as_str()?.parse().ok()
}

impl FakeDiscord {
    /// The command objects registered in `scope`, as Discord would list them.
    pub fn registered_commands(&self, scope: Scope) -> Vec<Value> {
        self.shared.read(|s| s.commands.list(scope).to_vec())
    }

    /// Names registered in `scope`, sorted, for "exactly these" assertions.
    pub fn registered_command_names(&self, scope: Scope) -> Vec<String> {
        let mut names: Vec<String> = self
            .registered_commands(scope)
            .iter()
            .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        names.sort();
        names
    }

    /// Every scope that currently holds at least one command.
    pub fn scopes_with_commands(&self) -> Vec<Scope> {
        self.shared.read(|s| {
            let mut scopes: Vec<Scope> = s
                .commands
                .guilds
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(g, _)| Scope::Guild(*g))
                .collect();
            if !s.commands.global.is_empty() {
                scopes.insert(0, Scope::Global);
            }
            scopes
        })
    }
}
