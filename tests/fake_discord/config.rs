//! What the fake Discord knows before the bot connects: the bot's identity, its guilds with their
//! channels, roles and members, and the timing knobs tests shrink (heartbeat, interaction deadline).
//!
//! `FakeConfig::default()` is one guild with an admin, a moderator and a plain member, so most
//! tests name nobody and still get a realistic cast.

use std::time::Duration;

/// Permission bits as Discord numbers them (only the ones tests reason about).
pub mod perms {
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const MENTION_EVERYONE: u64 = 1 << 17;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    /// Every bit Discord defined at the time of writing; what an administrator or owner holds.
    pub const ALL: u64 = (1 << 51) - 1;
    /// What `@everyone` may do in a fresh guild, near enough for permission checks.
    pub const EVERYONE_DEFAULT: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS;
}

pub const APPLICATION_ID: u64 = 900_000_000_000_000_001;
/// Bot users share their application's id on Discord; keeping that here catches code that mixes
/// them up only where Discord would too.
pub const BOT_USER_ID: u64 = APPLICATION_ID;
pub const BOT_TOKEN: &str = "fake-bot-token.not-a-secret";
pub const GUILD_ID: u64 = 910_000_000_000_000_001;
pub const CHANNEL_ID: u64 = 920_000_000_000_000_001;
pub const SECOND_CHANNEL_ID: u64 = 920_000_000_000_000_002;
pub const ADMIN_USER_ID: u64 = 930_000_000_000_000_001;
pub const MODERATOR_USER_ID: u64 = 930_000_000_000_000_002;
pub const MEMBER_USER_ID: u64 = 930_000_000_000_000_003;
pub const MODERATOR_ROLE_ID: u64 = 940_000_000_000_000_001;

#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// The token the bot must present (`Authorization: Bot …` and Identify); anything else is
    /// refused the way Discord refuses it (401, close code 4004).
    pub token: String,
    pub application_id: u64,
    pub bot_user_id: u64,
    pub bot_name: String,
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
}

/// Gateway intents Discord treats as privileged: GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT.
pub const PRIVILEGED_INTENTS: u64 = (1 << 1) | (1 << 8) | (1 << 15);

#[derive(Clone, Debug)]
pub struct GuildSpec {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub preferred_locale: String,
    pub channels: Vec<ChannelSpec>,
    /// Roles besides `@everyone`, whose id is the guild id (as on Discord).
    pub roles: Vec<RoleSpec>,
    pub everyone_permissions: u64,
    pub members: Vec<MemberSpec>,
}

#[derive(Clone, Debug)]
pub struct ChannelSpec {
    pub id: u64,
    pub name: String,
    /// Discord channel type: 0 text, 2 voice, 4 category, 5 announcement.
    pub kind: u8,
}

#[derive(Clone, Debug)]
pub struct RoleSpec {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
}

#[derive(Clone, Debug)]
pub struct MemberSpec {
    pub user_id: u64,
    pub username: String,
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
        }
    }
}

impl FakeConfig {
    pub fn guild(&self, id: u64) -> Option<&GuildSpec> {
        self.guilds.iter().find(|g| g.id == id)
    }

    /// The guild holding a channel, for routes that only name the channel.
    pub fn guild_of_channel(&self, channel_id: u64) -> Option<&GuildSpec> {
        self.guilds
            .iter()
            .find(|g| g.channels.iter().any(|c| c.id == channel_id))
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

    pub fn with_channel(mut self, id: u64, name: &str) -> Self {
        self.channels.push(ChannelSpec {
            id,
            name: name.to_owned(),
            kind: 0,
        });
        self
    }

    pub fn with_role(mut self, id: u64, name: &str, permissions: u64) -> Self {
        self.roles.push(RoleSpec {
            id,
            name: name.to_owned(),
            permissions,
        });
        self
    }

    pub fn with_member(mut self, member: MemberSpec) -> Self {
        self.members.push(member);
        self
    }

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
    pub fn new(user_id: u64, username: &str, roles: &[u64]) -> Self {
        Self {
            user_id,
            username: username.to_owned(),
            roles: roles.to_vec(),
            permissions: None,
        }
    }

    pub fn with_permissions(mut self, permissions: u64) -> Self {
        self.permissions = Some(permissions);
        self
    }
}
