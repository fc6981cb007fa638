//! The channels a guild is configured with: text channels, forum channels with their tags,
//! public threads under a channel, and each channel's permission overwrites, with the
//! `GuildSpec` builders that add them.
//!
//! ```ignore
//! let guild = GuildSpec::default_guild()
//!     .with_forum(FORUM_ID, "news", &["Sahel", "Climate"])
//!     .with_thread(THREAD_ID, CHANNEL_ID, "discussion")
//!     .with_overwrite(CHANNEL_ID, GUILD_ID, OverwriteKind::Role, 0, perms::SEND_MESSAGES);
//! let sahel = guild.forum_tag_id(FORUM_ID, "Sahel").unwrap();
//! ```

use super::config::GuildSpec;

/// Channel types as Discord numbers them (only the ones the fake gives meaning to).
pub mod channel_kind {
    /// A text channel.
    pub const TEXT: u8 = 0;
    /// An announcement channel.
    pub const ANNOUNCEMENT: u8 = 5;
    /// A public thread, under a text or forum channel.
    pub const PUBLIC_THREAD: u8 = 11;
    /// A forum channel: every message starts a post (a thread).
    pub const FORUM: u8 = 15;
}

/// `ChannelFlags::REQUIRE_TAG`: a forum post must carry at least one tag.
pub const REQUIRE_TAG: u64 = 1 << 4;

/// A channel of a guild.
#[derive(Clone, Debug)]
pub struct ChannelSpec {
    /// The channel id.
    pub id: u64,
    /// The channel's name, without `#`.
    pub name: String,
    /// Discord channel type ([`channel_kind`]): 0 text, 2 voice, 4 category, 5 announcement,
    /// 11 public thread, 15 forum.
    pub kind: u8,
    /// A thread's parent channel.
    pub parent_id: Option<u64>,
    /// A forum's tags, which posts may apply.
    pub available_tags: Vec<ForumTagSpec>,
    /// Channel flags, e.g. [`REQUIRE_TAG`] on a forum.
    pub flags: u64,
    /// Permission overwrites, applied over the guild's roles; a thread has none of its own (its
    /// parent's apply).
    pub overwrites: Vec<OverwriteSpec>,
}

/// A tag of a forum channel.
#[derive(Clone, Debug)]
pub struct ForumTagSpec {
    /// The tag id, assigned by [`GuildSpec::with_forum`] (see [`GuildSpec::forum_tag_id`]).
    pub id: u64,
    /// The tag's name.
    pub name: String,
}

/// Whom a permission overwrite is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverwriteKind {
    /// A role (`type` 0); the guild id is `@everyone`'s role.
    Role,
    /// A member (`type` 1).
    Member,
}

impl OverwriteKind {
    /// The `type` Discord writes in JSON.
    pub fn code(self) -> u8 {
        match self {
            Self::Role => 0,
            Self::Member => 1,
        }
    }
}

/// One permission overwrite of a channel: bits allowed and denied for a role or a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverwriteSpec {
    /// The role or user id.
    pub target: u64,
    /// Role or member.
    pub kind: OverwriteKind,
    /// Bits granted ([`perms`](crate::perms)).
    pub allow: u64,
    /// Bits taken away.
    pub deny: u64,
}

impl ChannelSpec {
    /// A channel of `kind` with nothing else set.
    pub fn new(id: u64, name: &str, kind: u8) -> Self {
        Self {
            id,
            name: name.to_owned(),
            kind,
            parent_id: None,
            available_tags: Vec::new(),
            flags: 0,
            overwrites: Vec::new(),
        }
    }

    /// Whether this is a thread (its parent's overwrites apply).
    pub fn is_thread(&self) -> bool {
        matches!(self.kind, 10..=12)
    }
}

impl GuildSpec {
    /// Adds a forum channel whose tags are `tags`, in order. Tag ids are derived from the forum
    /// id and the tag's position, so they are the same in every run; read them back with
    /// [`forum_tag_id`](Self::forum_tag_id).
    pub fn with_forum(mut self, id: u64, name: &str, tags: &[&str]) -> Self {
        let mut forum = ChannelSpec::new(id, name, channel_kind::FORUM);
        forum.available_tags = tags
            .iter()
            .enumerate()
            .map(|(i, tag)| ForumTagSpec {
                id: tag_id(id, i),
                name: (*tag).to_owned(),
            })
            .collect();
        self.channels.push(forum);
        self
    }

    /// Adds a public thread under `parent_id` (a channel of this guild), as if a member had
    /// opened it before the bot started.
    pub fn with_thread(mut self, id: u64, parent_id: u64, name: &str) -> Self {
        assert!(
            self.channel(parent_id).is_some(),
            "thread {id}: add its parent channel {parent_id} first"
        );
        let mut thread = ChannelSpec::new(id, name, channel_kind::PUBLIC_THREAD);
        thread.parent_id = Some(parent_id);
        self.channels.push(thread);
        self
    }

    /// Sets `flags` on a channel of this guild, e.g. [`REQUIRE_TAG`] on a forum.
    pub fn with_channel_flags(mut self, channel_id: u64, flags: u64) -> Self {
        self.channel_mut(channel_id).flags = flags;
        self
    }

    /// Adds (or replaces) the overwrite for `target` on a channel of this guild.
    pub fn with_overwrite(
        mut self,
        channel_id: u64,
        target: u64,
        kind: OverwriteKind,
        allow: u64,
        deny: u64,
    ) -> Self {
        let channel = self.channel_mut(channel_id);
        assert!(
            !channel.is_thread(),
            "channel {channel_id} is a thread: its parent's overwrites apply"
        );
        let overwrite = OverwriteSpec {
            target,
            kind,
            allow,
            deny,
        };
        channel.overwrites.retain(|o| o.target != target);
        channel.overwrites.push(overwrite);
        self
    }

    /// The bot's role permissions in this guild (the "briefbot" role), instead of
    /// [`perms::BOT_DEFAULT`](crate::perms::BOT_DEFAULT). `@everyone`'s permissions still add
    /// to them, as on Discord.
    pub fn with_bot_permissions(mut self, bits: u64) -> Self {
        self.bot_permissions = bits;
        self
    }

    /// The channel (or configured thread) with this id.
    pub fn channel(&self, id: u64) -> Option<&ChannelSpec> {
        self.channels.iter().find(|c| c.id == id)
    }

    /// The id of the tag called `name` on forum `forum_id`.
    pub fn forum_tag_id(&self, forum_id: u64, name: &str) -> Option<u64> {
        let forum = self.channel(forum_id)?;
        let tag = forum.available_tags.iter().find(|t| t.name == name)?;
        Some(tag.id)
    }

    fn channel_mut(&mut self, id: u64) -> &mut ChannelSpec {
        let guild = self.id;
        self.channels
            .iter_mut()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("channel {id} is not in guild {guild}: add it first"))
    }
}

/// Tag ids sit in the low bits of a snowflake, where no configured channel of a test lands.
fn tag_id(forum_id: u64, position: usize) -> u64 {
    forum_id ^ ((position as u64 + 1) << 12)
}
