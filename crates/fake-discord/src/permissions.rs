//! The bot's permissions in a channel, computed the way Discord documents it: `@everyone` and
//! the member's roles make the base (the owner and an `ADMINISTRATOR` hold everything); then
//! the channel's overwrites apply in order, `@everyone`'s, the member's roles' combined, the
//! member's own. A thread has no overwrites of its own: its parent's apply. Without
//! `VIEW_CHANNEL` nothing else counts.
//!
//! The bot holds `@everyone` and its managed "briefbot" role ([`GuildSpec::bot_role_id`],
//! [`GuildSpec::bot_permissions`]). A test changes a channel's overwrites while the bot runs
//! with [`FakeDiscord::set_overwrite`]; the bot meets the change at its next request.
//!
//! Not imitated: the CHANNEL_UPDATE Discord would send for such a change, the implicit denials
//! Discord derives from a denied Send Messages (embed links, attach files, mentions), timeouts,
//! and the permissions of stage and voice channels.

use std::collections::HashMap;

use super::channel_spec::{ChannelSpec, OverwriteKind, OverwriteSpec};
use super::config::{perms, FakeConfig, GuildSpec};
use super::rest::Reply;
use super::FakeDiscord;

/// Overwrites set while the fake runs, by (channel, target); they replace the configured one
/// for that target.
#[derive(Default)]
pub(crate) struct OverwriteChanges(HashMap<(u64, u64), OverwriteSpec>);

impl OverwriteChanges {
    /// The channel's overwrites as they are now: configured ones, replaced or added to.
    pub(crate) fn effective(&self, channel: &ChannelSpec) -> Vec<OverwriteSpec> {
        let mut list: Vec<OverwriteSpec> = channel
            .overwrites
            .iter()
            .map(|o| *self.0.get(&(channel.id, o.target)).unwrap_or(o))
            .collect();
        let mut added: Vec<OverwriteSpec> = self
            .0
            .iter()
            .filter(|((c, t), _)| {
                *c == channel.id && !channel.overwrites.iter().any(|o| o.target == *t)
            })
            .map(|(_, o)| *o)
            .collect();
        added.sort_by_key(|o| o.target);
        list.extend(added);
        list
    }
}

/// Who holds the permissions: enough of a member to apply overwrites.
pub(crate) struct Holder<'a> {
    pub user_id: u64,
    pub roles: &'a [u64],
    /// `@everyone` and the roles' permissions together.
    pub base: u64,
    pub owner: bool,
}

/// Discord's computation of a member's permissions in a channel with `overwrites`.
pub(crate) fn compute(guild_id: u64, holder: &Holder<'_>, overwrites: &[OverwriteSpec]) -> u64 {
    if holder.owner || holder.base & perms::ADMINISTRATOR != 0 {
        return perms::ALL;
    }
    let mut bits = holder.base;
    let role_overwrite = |o: &&OverwriteSpec| o.kind == OverwriteKind::Role;
    if let Some(everyone) = overwrites
        .iter()
        .filter(role_overwrite)
        .find(|o| o.target == guild_id)
    {
        bits = (bits & !everyone.deny) | everyone.allow;
    }
    let (allow, deny) = overwrites
        .iter()
        .filter(role_overwrite)
        .filter(|o| holder.roles.contains(&o.target))
        .fold((0, 0), |(a, d), o| (a | o.allow, d | o.deny));
    bits = (bits & !deny) | allow;
    if let Some(own) = overwrites
        .iter()
        .find(|o| o.kind == OverwriteKind::Member && o.target == holder.user_id)
    {
        bits = (bits & !own.deny) | own.allow;
    }
    if bits & perms::VIEW_CHANNEL == 0 {
        return 0;
    }
    bits
}

/// The bot's permissions in `channel` (for a thread: pass its parent) of `guild`.
pub(crate) fn bot_in(
    cfg: &FakeConfig,
    changes: &OverwriteChanges,
    guild: &GuildSpec,
    channel: &ChannelSpec,
) -> u64 {
    let roles = [guild.bot_role_id];
    let holder = Holder {
        user_id: cfg.bot_user_id,
        roles: &roles,
        base: guild.everyone_permissions | guild.bot_permissions,
        owner: guild.owner_id == cfg.bot_user_id,
    };
    compute(guild.id, &holder, &changes.effective(channel))
}

/// Discord's refusal when the bot lacks `needed` in `channel`: 403 Missing Access (50001)
/// without View Channel, else 403 Missing Permissions (50013).
pub(crate) fn require(
    cfg: &FakeConfig,
    changes: &OverwriteChanges,
    guild: &GuildSpec,
    channel: &ChannelSpec,
    needed: u64,
) -> Result<(), Reply> {
    let held = bot_in(cfg, changes, guild, channel);
    if held & perms::VIEW_CHANNEL == 0 {
        return Err(Reply::error(403, 50001, "Missing Access"));
    }
    if held & needed != needed {
        return Err(Reply::error(403, 50013, "Missing Permissions"));
    }
    Ok(())
}

impl FakeDiscord {
    /// From now on `channel` carries this overwrite for `target` (a role, `@everyone` being
    /// the guild id, or a member), replacing any it had; `allow = deny = 0` neutralises it.
    /// The next request of the bot meets it. Panics if the channel is not configured or is a
    /// thread (whose parent's overwrites apply).
    pub fn set_overwrite(
        &self,
        channel: u64,
        target: u64,
        kind: OverwriteKind,
        allow: u64,
        deny: u64,
    ) {
        let (_, spec) = self
            .config()
            .channel(channel)
            .unwrap_or_else(|| panic!("channel {channel} is not in the FakeConfig"));
        assert!(
            !spec.is_thread(),
            "channel {channel} is a thread: set the overwrite on its parent"
        );
        let overwrite = OverwriteSpec {
            target,
            kind,
            allow,
            deny,
        };
        self.shared
            .update(|s| s.overwrites.0.insert((channel, target), overwrite));
    }

    /// The bot's permissions in a configured channel or any thread, as the fake enforces them
    /// now (0 for an unknown channel).
    pub fn bot_permissions_in(&self, channel: u64) -> u64 {
        let cfg = self.config();
        self.shared.read(|s| {
            super::channels::locate(cfg, s, channel).map_or(0, |place| {
                bot_in(cfg, &s.overwrites, place.guild, place.perm_channel)
            })
        })
    }
}
