//! Injecting interactions as a user would trigger them (`answers.rs` reads back the reply).
//!
//! ```ignore
//! let ix = fake.command("brief").option("briefing", "latest").send().await;
//! let answer = fake.wait_for_answer(&ix, Duration::from_secs(5)).await.unwrap();
//! assert!(answer.contents().concat().contains("What's happening"));
//! ```
//! Guild, channel and user default to the first guild, its first channel and a member without
//! moderator or admin rights.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::answers::Injected;
use super::config::perms;
use super::ids::snowflake;
use super::interaction_json::{self, Context};
use super::rest_payloads::{self, MessageOrigin};
use super::state::{Inner, InteractionState};
use super::FakeDiscord;
use super::{channels, permissions};

/// How long `send` waits for the bot to be connected before giving up.
const CONNECT_WAIT: Duration = Duration::from_secs(15);

/// An interaction to inject, from [`FakeDiscord::command`], [`FakeDiscord::autocomplete`] or
/// [`FakeDiscord::component`]; [`send`](Self::send) dispatches it.
#[must_use = "nothing is sent until `.send().await`"]
pub struct InteractionBuilder<'a> {
    fake: &'a FakeDiscord,
    kind: u8,
    /// Command name (with subcommands: `"briefbot status"`) or component `custom_id`.
    name: String,
    /// `None`: the default guild; `Some(None)`: a DM.
    guild: Option<Option<u64>>,
    channel: Option<u64>,
    user: Option<u64>,
    locale: String,
    options: Value,
    focused: Option<String>,
    message: Option<Value>,
    component_type: u8,
    values: Option<Vec<String>>,
}

impl<'a> InteractionBuilder<'a> {
    fn new(fake: &'a FakeDiscord, kind: u8, name: &str) -> Self {
        Self {
            fake,
            kind,
            name: name.to_owned(),
            guild: None,
            channel: None,
            user: None,
            locale: "en-US".to_owned(),
            options: json!({}),
            focused: None,
            message: None,
            component_type: 2,
            values: None,
        }
    }

    /// Sent from this guild (which must be in the config) instead of the first one.
    pub fn guild(mut self, guild_id: u64) -> Self {
        self.guild = Some(Some(guild_id));
        self
    }

    /// Sent from the bot's DM instead of a guild.
    pub fn dm(mut self) -> Self {
        self.guild = Some(None);
        self
    }

    /// Sent from this channel instead of the guild's first one.
    pub fn channel(mut self, channel_id: u64) -> Self {
        self.channel = Some(channel_id);
        self
    }

    /// Sent by this user (in a guild: one of its members) instead of a member without moderator
    /// or admin rights.
    pub fn user(mut self, user_id: u64) -> Self {
        self.user = Some(user_id);
        self
    }

    /// The user's client locale (`"fr"`), for localized answers.
    pub fn locale(mut self, locale: &str) -> Self {
        self.locale = locale.to_owned();
        self
    }

    /// All options at once: an object (`{"name": value}`, typed from the registered command) or
    /// a raw Discord options array.
    pub fn options(mut self, options: Value) -> Self {
        self.options = options;
        self
    }

    /// One option, typed from the registered command like [`options`](Self::options) with an
    /// object.
    pub fn option(mut self, name: &str, value: impl Into<Value>) -> Self {
        if !self.options.is_object() {
            self.options = json!({});
        }
        self.options[name] = value.into();
        self
    }

    /// For components: the message the component sits on. By default, the newest message the
    /// bot sent that carries this `custom_id`.
    pub fn message(mut self, message: Value) -> Self {
        self.message = Some(message);
        self
    }

    /// For select menus: the component type (3 string select…) and the chosen values.
    pub fn select(mut self, component_type: u8, values: &[&str]) -> Self {
        self.component_type = component_type;
        self.values = Some(values.iter().map(|v| (*v).to_owned()).collect());
        self
    }

    /// Sends INTERACTION_CREATE in the session of the shard the guild belongs to (a DM's: shard
    /// 0) once the bot holds it; panics if it never does.
    pub async fn send(self) -> Injected {
        let shard = self.fake.shard_for(self.guild_id());
        if let Err(e) = self.fake.wait_for_shard(shard, CONNECT_WAIT).await {
            panic!("cannot inject an interaction: the bot never connected shard {shard}\n{e:?}");
        }
        self.fake.shared.update(|inner| {
            let (id, token) = (
                snowflake(),
                format!("fake-interaction-token-{}", snowflake()),
            );
            let (payload, state) = self.build(inner, id, &token);
            inner.interactions.insert(token.clone(), state);
            let guild_id = self.guild_id();
            inner
                .gateway
                .dispatch_for(guild_id, "INTERACTION_CREATE", payload);
            Injected {
                id,
                token,
                kind: self.kind,
                sent_at: Instant::now(),
            }
        })
    }

    /// The guild it is sent from; `None` for a DM.
    fn guild_id(&self) -> Option<u64> {
        let first = || self.fake.shared.cfg.guilds.first().map(|g| g.id);
        self.guild.unwrap_or_else(first)
    }

    fn build(&self, inner: &Inner, id: u64, token: &str) -> (Value, InteractionState) {
        let cfg = &self.fake.shared.cfg;
        let guild_id = self.guild_id();
        let guild = guild_id.map(|g| {
            cfg.guild(g)
                .unwrap_or_else(|| panic!("guild {g} is not in the FakeConfig"))
        });
        // Roles and permissions as they are now, after any `set_member_roles`.
        let current = guild.map(|g| inner.member_changes.apply(g));
        let guild = current.as_deref();
        let source = (self.kind == 3 && self.message.is_none())
            .then(|| newest_with_custom_id(inner, &self.name))
            .flatten();
        let channel_id = self
            .channel
            .or(source.map(|(_, ch)| ch))
            .or_else(|| guild.and_then(|g| g.channels.first()).map(|c| c.id))
            .unwrap_or_else(snowflake);
        let plain_member = guild.and_then(|g| {
            let plain = |m: &&super::config::MemberSpec| {
                g.member_permissions(m) & (perms::ADMINISTRATOR | perms::MANAGE_GUILD) == 0
            };
            g.members
                .iter()
                .find(plain)
                .or(g.members.first())
                .map(|m| m.user_id)
        });
        let user_id = self.user.or(plain_member).or_else(|| {
            cfg.guilds
                .iter()
                .flat_map(|g| &g.members)
                .next()
                .map(|m| m.user_id)
        });
        // As Discord computes it for the channel; outside a known guild channel (a DM) the
        // defaults of a fresh guild.
        let app_permissions = channels::locate(cfg, inner, channel_id)
            .map_or(perms::EVERYONE_DEFAULT, |place| {
                permissions::bot_in(cfg, &inner.overwrites, place.guild, place.perm_channel)
            });
        let ctx = Context {
            guild,
            channel_id,
            user_id: user_id.unwrap_or(1),
            locale: &self.locale,
            app_permissions,
        };
        let mut payload = interaction_json::envelope(cfg, &ctx, self.kind, id, token);
        let mut source_message = None;
        if self.kind == 3 {
            let message = match (&self.message, source) {
                (Some(m), _) => m.clone(),
                (None, Some((msg_id, _))) => inner.message(msg_id).cloned().unwrap_or(Value::Null),
                (None, None) => rest_payloads::message(
                    cfg,
                    snowflake(),
                    channel_id,
                    guild_id,
                    MessageOrigin::Channel,
                    &json!({"content": "…"}),
                ),
            };
            source_message = message["id"].as_str().and_then(|s| s.parse().ok());
            let mut data = json!({"custom_id": self.name, "component_type": self.component_type});
            if let Some(values) = &self.values {
                data["values"] = json!(values);
            }
            payload["data"] = data;
            payload["message"] = message;
        } else {
            let focused = self.focused.as_deref();
            payload["data"] = interaction_json::command_data(
                cfg,
                inner,
                &ctx,
                &self.name,
                &self.options,
                focused,
            );
        }
        let state = InteractionState {
            id,
            kind: self.kind,
            guild_id,
            channel_id,
            sent_at: Instant::now(),
            callback: None,
            original: None,
            followups: Vec::new(),
            source_message,
        };
        (payload, state)
    }
}

/// The newest stored message whose components carry `custom_id`, with its channel.
fn newest_with_custom_id(inner: &Inner, custom_id: &str) -> Option<(u64, u64)> {
    inner
        .messages
        .iter()
        .filter(|(_, m)| interaction_json::has_custom_id(&m.value["components"], custom_id))
        .max_by_key(|(id, _)| **id)
        .map(|(id, m)| (*id, m.channel_id))
}

impl FakeDiscord {
    /// A slash command; `name` may include subcommands (`"briefbot status"`).
    pub fn command(&self, name: &str) -> InteractionBuilder<'_> {
        InteractionBuilder::new(self, 2, name)
    }

    /// Autocomplete for `command` while the user types in option `focused`.
    pub fn autocomplete(&self, command: &str, focused: &str) -> InteractionBuilder<'_> {
        let mut b = InteractionBuilder::new(self, 4, command);
        b.focused = Some(focused.to_owned());
        b
    }

    /// A click on a button (or, with `.select(..)`, a select menu) with this `custom_id`.
    pub fn component(&self, custom_id: &str) -> InteractionBuilder<'_> {
        InteractionBuilder::new(self, 3, custom_id)
    }
}
