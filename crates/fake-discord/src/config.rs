//! What the fake Discord knows before the bot connects: the bot's identity, its guilds with their
//! channels, roles and members, the timing knobs tests shrink (heartbeat, interaction deadline),
//! and whether Discord's rate limits are enforced.
//!
//! `FakeConfig::default()` is one guild with an admin, a moderator and a plain member, so most
//! tests name nobody and still get a realistic cast.

use std::time::Duration;

use super::channel_spec::ChannelSpec;
use super::limits::RateLimits;

/// Permission bits as Discord numbers them (only the ones tests reason about).
pub mod perms {
    /// Every permission, and no channel overwrite applies.
    pub const ADMINISTRATOR: u64 = 1 << 3;
    /// "Manage Server"; the default guild's Moderator role holds it.
    pub const MANAGE_GUILD: u64 = 1 << 5;
    /// See the channel.
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    /// Send messages in the channel.
    pub const SEND_MESSAGES: u64 = 1 << 11;
    /// Links show as embeds.
    pub const EMBED_LINKS: u64 = 1 << 14;
    /// Upload files.
    pub const ATTACH_FILES: u64 = 1 << 15;
    /// Read the channel's earlier messages.
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    /// Create, edit and delete the channel's webhooks.
    pub const MANAGE_WEBHOOKS: u64 = 1 << 29;
    /// Open public threads (and forum posts need only Send Messages).
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    /// Send messages in threads.
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
    /// Use slash commands and other application commands.
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    /// Every bit Discord defined at the time of writing; what an administrator or owner holds.
    pub const ALL: u64 = (1 << 51) - 1;
    /// What `@everyone` may do in a fresh guild, near enough for permission checks.
    pub const EVERYONE_DEFAULT: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS;
    /// What the bot's own role holds when it was invited with the permissions its features
    /// need: see and post in channels and threads, open threads, embed, attach, read history,
    /// manage its webhooks.
    pub const BOT_DEFAULT: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | SEND_MESSAGES_IN_THREADS
        | CREATE_PUBLIC_THREADS
        | EMBED_LINKS
        | READ_MESSAGE_HISTORY
        | MANAGE_WEBHOOKS
        | ATTACH_FILES;
}

/// The bot's application id in `FakeConfig::default()`.
pub const APPLICATION_ID: u64 = 900_000_000_000_000_001;
/// Bot users share their application's id on Discord; keeping that here catches code that mixes
/// them up only where Discord would too.
pub const BOT_USER_ID: u64 = APPLICATION_ID;
/// The token `FakeConfig::default()` accepts.
pub const BOT_TOKEN: &str = "fake-bot-token.not-a-secret";
/// The default guild ([`GuildSpec::default_guild`]).
pub const GUILD_ID: u64 = 910_000_000_000_000_001;
/// The default guild's first text channel, `#general`, where interactions happen by default.
pub const CHANNEL_ID: u64 = 920_000_000_000_000_001;
/// The default guild's second text channel, `#digests`.
pub const SECOND_CHANNEL_ID: u64 = 920_000_000_000_000_002;
/// The default guild's owner, so an administrator.
pub const ADMIN_USER_ID: u64 = 930_000_000_000_000_001;
/// A member of the default guild with the Moderator role (Manage Server).
pub const MODERATOR_USER_ID: u64 = 930_000_000_000_000_002;
/// A member of the default guild without roles: whom interactions come from by default.
pub const MEMBER_USER_ID: u64 = 930_000_000_000_000_003;
/// The default guild's Moderator role, which holds Manage Server.
pub const MODERATOR_ROLE_ID: u64 = 940_000_000_000_000_001;

/// Everything the fake knows before the bot connects; see [`FakeConfig::default`].
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// The token the bot must present (`Authorization: Bot …` and Identify); anything else is
    /// refused the way Discord refuses it (401, close code 4004).
    pub token: String,
    /// The application, whose commands the bot registers.
    pub application_id: u64,
    /// The bot's user id (READY, `GET /users/@me`, message authors).
    pub bot_user_id: u64,
    /// The bot's username.
    pub bot_name: String,
    /// The guilds the bot is in, each sent as GUILD_CREATE after READY. Interactions happen in
    /// the first one unless told otherwise.
    pub guilds: Vec<GuildSpec>,
    /// Sent in Hello; serenity checks it about every 500 ms, so values below that act as 500 ms.
    pub heartbeat_interval: Duration,
    /// Discord forgets an interaction that is not answered in 3 s; the fake does the same so a
    /// slow answer fails a test instead of passing silently.
    pub interaction_deadline: Duration,
    /// How long `nonce` + `enforce_nonce` deduplicate a channel message (Discord: "a few minutes").
    pub nonce_window: Duration,
    /// Privileged intents switched on in the (imaginary) developer portal; Identify asking for
    /// others is closed with 4014, as on Discord. None by default, like a new application.
    pub privileged_intents_enabled: u64,
    /// The shard count `GET /gateway/bot` recommends.
    pub recommended_shards: u32,
    /// Identifies allowed per interval and rate-limit key (`shard_id % max_concurrency`); 1 for
    /// most bots, as on Discord.
    pub max_concurrency: u32,
    /// Identifies allowed a day (`session_start_limit.total`).
    pub session_start_total: u32,
    /// How far apart two identifies of one rate-limit key must be (Discord: 5 s, less 100 ms
    /// for arrival jitter); a closer one gets op 9 and is counted in
    /// [`GatewayLog::identify_refusals`](crate::GatewayLog).
    /// `Duration::ZERO` stops enforcing it, for tests that identify by hand in quick succession.
    pub identify_interval: Duration,
    /// Discord's rate limits, enforced with 429s when set ([`RateLimits::discord`]); off by
    /// default, so a test that is not about pacing is not slowed by it.
    pub rate_limits: Option<RateLimits>,
}

/// Gateway intents Discord treats as privileged: GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT.
pub const PRIVILEGED_INTENTS: u64 = (1 << 1) | (1 << 8) | (1 << 15);

/// The shard whose session receives a guild's events when the bot runs `total` shards:
/// Discord's `(guild_id >> 22) % total`.
pub fn shard_of(guild_id: u64, total: u32) -> u32 {
    ((guild_id >> 22) % u64::from(total.max(1))) as u32
}

/// A guild the bot is in.
#[derive(Clone, Debug)]
pub struct GuildSpec {
    /// The guild id, which is also the id of its `@everyone` role.
    pub id: u64,
    /// The guild's name.
    pub name: String,
    /// The owner, who holds every permission.
    pub owner_id: u64,
    /// The guild's locale (`guild_locale` in interactions), e.g. `en-US`.
    pub preferred_locale: String,
    /// Channels, in display order; the first is where interactions happen by default.
    pub channels: Vec<ChannelSpec>,
    /// Roles besides `@everyone`, whose id is the guild id (as on Discord).
    pub roles: Vec<RoleSpec>,
    /// What `@everyone` may do ([`perms::EVERYONE_DEFAULT`] by default).
    pub everyone_permissions: u64,
    /// The members who can trigger interactions.
    pub members: Vec<MemberSpec>,
    /// The id of the bot's managed role, "briefbot", which the bot holds in this guild
    /// (derived from the guild id by [`GuildSpec::new`]).
    pub bot_role_id: u64,
    /// What the bot's role grants ([`perms::BOT_DEFAULT`] by default;
    /// [`GuildSpec::with_bot_permissions`]).
    pub bot_permissions: u64,
}

/// A role of a guild.
#[derive(Clone, Debug)]
pub struct RoleSpec {
    /// The role id.
    pub id: u64,
    /// The role's name.
    pub name: String,
    /// The permission bits it grants ([`perms`]).
    pub permissions: u64,
}

/// A member of a guild.
#[derive(Clone, Debug)]
pub struct MemberSpec {
    /// The user id.
    pub user_id: u64,
    /// The username (also the global name).
    pub username: String,
    /// Ids of the roles the member holds, besides `@everyone`.
    pub roles: Vec<u64>,
    /// Channel permissions as Discord would compute them; `None` derives them from the roles.
    pub permissions: Option<u64>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            token: BOT_TOKEN.to_owned(),
            application_id: APPLICATION_ID,
            bot_user_id: BOT_USER_ID,
            bot_name: "briefbot-test".to_owned(),
            guilds: vec![GuildSpec::default_guild()],
            heartbeat_interval: Duration::from_millis(1_000),
            interaction_deadline: Duration::from_secs(3),
            nonce_window: Duration::from_secs(300),
            privileged_intents_enabled: 0,
            recommended_shards: 1,
            max_concurrency: 1,
            session_start_total: 1000,
            identify_interval: Duration::from_secs(5),
            rate_limits: None,
        }
    }
}

impl FakeConfig {
    /// The guild with this id.
    pub fn guild(&self, id: u64) -> Option<&GuildSpec> {
        self.guilds.iter().find(|g| g.id == id)
    }

    /// The guild holding a channel, for routes that only name the channel.
    pub fn guild_of_channel(&self, channel_id: u64) -> Option<&GuildSpec> {
        self.channel(channel_id).map(|(g, _)| g)
    }

    /// A configured channel (or thread) and its guild.
    pub fn channel(&self, channel_id: u64) -> Option<(&GuildSpec, &ChannelSpec)> {
        self.guilds
            .iter()
            .find_map(|g| g.channel(channel_id).map(|c| (g, c)))
    }

    /// The id of the tag called `name` on forum `forum_id`, in whichever guild holds it.
    pub fn forum_tag_id(&self, forum_id: u64, name: &str) -> Option<u64> {
        let (guild, _) = self.channel(forum_id)?;
        guild.forum_tag_id(forum_id, name)
    }
}

impl GuildSpec {
    /// A guild with no roles, channels or members but `@everyone`: a blank to fill.
    pub fn new(id: u64, name: &str) -> Self {
        Self {
            id,
            name: name.to_owned(),
            owner_id: ADMIN_USER_ID,
            preferred_locale: "en-US".to_owned(),
            channels: Vec::new(),
            roles: Vec::new(),
            everyone_permissions: perms::EVERYONE_DEFAULT,
            members: Vec::new(),
            bot_role_id: id ^ (1 << 21),
            bot_permissions: perms::BOT_DEFAULT,
        }
    }

    /// `GUILD_ID` with two text channels, a Moderator role (Manage Server) and three members:
    /// the owner (admin), a moderator and a plain member.
    pub fn default_guild() -> Self {
        Self::new(GUILD_ID, "Briefbot Test Guild")
            .with_channel(CHANNEL_ID, "general")
            .with_channel(SECOND_CHANNEL_ID, "digests")
            .with_role(MODERATOR_ROLE_ID, "Moderator", perms::MANAGE_GUILD)
            .with_member(MemberSpec::new(ADMIN_USER_ID, "alice-admin", &[]))
            .with_member(MemberSpec::new(
                MODERATOR_USER_ID,
                "mo-moderator",
                &[MODERATOR_ROLE_ID],
            ))
            .with_member(MemberSpec::new(MEMBER_USER_ID, "pat-member", &[]))
    }

    /// Adds a text channel.
    pub fn with_channel(mut self, id: u64, name: &str) -> Self {
        self.channels.push(ChannelSpec::new(id, name, 0));
        self
    }

    /// Adds a role granting `permissions` ([`perms`]).
    pub fn with_role(mut self, id: u64, name: &str, permissions: u64) -> Self {
        self.roles.push(RoleSpec {
            id,
            name: name.to_owned(),
            permissions,
        });
        self
    }

    /// Adds a member.
    pub fn with_member(mut self, member: MemberSpec) -> Self {
        self.members.push(member);
        self
    }

    /// The member with this user id.
    pub fn member(&self, user_id: u64) -> Option<&MemberSpec> {
        self.members.iter().find(|m| m.user_id == user_id)
    }

    /// What Discord puts in an interaction's `member.permissions`: the owner and administrators
    /// hold everything, everyone else the union of `@everyone` and their roles.
    pub fn member_permissions(&self, member: &MemberSpec) -> u64 {
        if let Some(explicit) = member.permissions {
            return explicit;
        }
        let from_roles = self
            .roles
            .iter()
            .filter(|r| member.roles.contains(&r.id))
            .fold(self.everyone_permissions, |acc, r| acc | r.permissions);
        if member.user_id == self.owner_id || from_roles & perms::ADMINISTRATOR != 0 {
            perms::ALL
        } else {
            from_roles
        }
    }
}

impl MemberSpec {
    /// A member holding `roles`, with permissions derived from them.
    pub fn new(user_id: u64, username: &str, roles: &[u64]) -> Self {
        Self {
            user_id,
            username: username.to_owned(),
            roles: roles.to_vec(),
            permissions: None,
        }
    }
}
