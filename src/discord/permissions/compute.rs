//! A member's permissions in a channel, computed the way Discord does: the guild owner holds
//! everything; otherwise `@everyone` and the member's roles give the base, Administrator
//! holds everything, then the channel's overwrites apply in Discord's order (`@everyone`'s, the
//! member's roles' combined, the member's own), each removing its denies before adding its
//! allows. Plain values in and out, so every rule is tested without Discord.

use crate::permissions::Permissions;
use std::collections::HashMap;

/// Everything, as Discord grants an owner or an administrator (bits Discord adds later too).
pub const ALL: Permissions = Permissions(u64::MAX);

/// Whom an overwrite is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverwriteFor {
    Role(u64),
    Member(u64),
}

/// One of a channel's permission overwrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overwrite {
    pub target: OverwriteFor,
    pub allow: Permissions,
    pub deny: Permissions,
}

/// What the guild decides before any channel: its owner and each role's permissions. The
/// `@everyone` role's id is the guild's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuildRoles {
    pub guild_id: u64,
    pub owner_id: u64,
    pub roles: HashMap<u64, Permissions>,
}

/// A member: their user id and role ids (`@everyone` not listed, as Discord sends it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: u64,
    pub roles: Vec<u64>,
}

/// `member`'s permissions in a channel with `overwrites` (a thread's are its parent's).
pub fn in_channel(guild: &GuildRoles, member: &Member, overwrites: &[Overwrite]) -> Permissions {
    if member.user_id == guild.owner_id {
        return ALL;
    }
    let role = |id: u64| guild.roles.get(&id).copied().unwrap_or_default();
    let base = member
        .roles
        .iter()
        .fold(role(guild.guild_id), |held, id| held | role(*id));
    if base.contains(Permissions::ADMINISTRATOR) {
        return ALL;
    }
    let apply = |held: Permissions, allow: Permissions, deny: Permissions| (held - deny) | allow;
    let mut held = base;
    let everyone = OverwriteFor::Role(guild.guild_id);
    if let Some(o) = overwrites.iter().find(|o| o.target == everyone) {
        held = apply(held, o.allow, o.deny);
    }
    // The member's roles count as one: an allow on any of them beats a deny on another.
    let (allow, deny) = overwrites
        .iter()
        .filter(|o| match o.target {
            OverwriteFor::Role(id) => id != guild.guild_id && member.roles.contains(&id),
            OverwriteFor::Member(_) => false,
        })
        .fold((Permissions::empty(), Permissions::empty()), |(a, d), o| {
            (a | o.allow, d | o.deny)
        });
    held = apply(held, allow, deny);
    let own = OverwriteFor::Member(member.user_id);
    if let Some(o) = overwrites.iter().find(|o| o.target == own) {
        held = apply(held, o.allow, o.deny);
    }
    // A channel the member cannot see grants nothing else, whatever its other bits say.
    if !held.contains(Permissions::VIEW_CHANNEL) {
        return Permissions::empty();
    }
    held
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permissions as P;

    const GUILD: u64 = 1;
    const OWNER: u64 = 2;
    const BOT: u64 = 3;
    const BOT_ROLE: u64 = 10;
    const OTHER_ROLE: u64 = 11;

    fn guild(everyone: P, bot_role: P) -> GuildRoles {
        GuildRoles {
            guild_id: GUILD,
            owner_id: OWNER,
            roles: HashMap::from([
                (GUILD, everyone),
                (BOT_ROLE, bot_role),
                (OTHER_ROLE, P::empty()),
            ]),
        }
    }

    fn bot(roles: &[u64]) -> Member {
        Member {
            user_id: BOT,
            roles: roles.to_vec(),
        }
    }

    fn ow(target: OverwriteFor, allow: P, deny: P) -> Overwrite {
        Overwrite {
            target,
            allow,
            deny,
        }
    }

    const SEE_AND_SEND: P = P(P::VIEW_CHANNEL.0 | P::SEND_MESSAGES.0);

    #[test]
    fn base_is_everyone_and_the_members_roles() {
        let g = guild(P::VIEW_CHANNEL, P::SEND_MESSAGES | P::MANAGE_WEBHOOKS);
        let held = in_channel(&g, &bot(&[BOT_ROLE]), &[]);
        assert_eq!(held, SEE_AND_SEND | P::MANAGE_WEBHOOKS);
        assert_eq!(in_channel(&g, &bot(&[]), &[]), P::VIEW_CHANNEL);
    }

    #[test]
    fn owner_and_administrator_hold_everything_whatever_the_overwrites() {
        let deny_all = [ow(OverwriteFor::Member(OWNER), P::empty(), SEE_AND_SEND)];
        let owner = Member {
            user_id: OWNER,
            roles: vec![],
        };
        assert_eq!(
            in_channel(&guild(P::empty(), P::empty()), &owner, &deny_all),
            ALL
        );
        let g = guild(P::empty(), P::ADMINISTRATOR);
        let deny_bot = [ow(OverwriteFor::Member(BOT), P::empty(), SEE_AND_SEND)];
        assert_eq!(in_channel(&g, &bot(&[BOT_ROLE]), &deny_bot), ALL);
    }

    #[test]
    fn overwrites_apply_everyone_then_roles_then_member() {
        let g = guild(SEE_AND_SEND, P::empty());
        let everyone_denies = ow(OverwriteFor::Role(GUILD), P::empty(), P::SEND_MESSAGES);
        let role_allows = ow(OverwriteFor::Role(BOT_ROLE), P::SEND_MESSAGES, P::empty());
        let member_denies = ow(OverwriteFor::Member(BOT), P::empty(), P::SEND_MESSAGES);
        let me = bot(&[BOT_ROLE]);
        assert_eq!(in_channel(&g, &me, &[everyone_denies]), P::VIEW_CHANNEL);
        // Order in the list does not matter; the kind of overwrite does.
        assert_eq!(
            in_channel(&g, &me, &[role_allows, everyone_denies]),
            SEE_AND_SEND
        );
        let all_three = [member_denies, role_allows, everyone_denies];
        assert_eq!(in_channel(&g, &me, &all_three), P::VIEW_CHANNEL);
        // A member overwrite allowing beats a role denying.
        let role_denies = ow(OverwriteFor::Role(BOT_ROLE), P::empty(), P::SEND_MESSAGES);
        let member_allows = ow(OverwriteFor::Member(BOT), P::SEND_MESSAGES, P::empty());
        assert_eq!(
            in_channel(&g, &me, &[role_denies, member_allows]),
            SEE_AND_SEND
        );
    }

    #[test]
    fn roles_overwrites_combine_allow_winning_and_others_roles_do_not_count() {
        let g = guild(P::VIEW_CHANNEL, P::empty());
        let allow = ow(OverwriteFor::Role(BOT_ROLE), P::MANAGE_WEBHOOKS, P::empty());
        let deny = ow(
            OverwriteFor::Role(OTHER_ROLE),
            P::empty(),
            P::MANAGE_WEBHOOKS,
        );
        let both = bot(&[BOT_ROLE, OTHER_ROLE]);
        let held = in_channel(&g, &both, &[deny, allow]);
        assert!(held.contains(P::MANAGE_WEBHOOKS));
        // An overwrite for a role the bot lacks, or another member, changes nothing.
        let elsewhere = [
            ow(
                OverwriteFor::Role(OTHER_ROLE),
                P::MANAGE_WEBHOOKS,
                P::empty(),
            ),
            ow(OverwriteFor::Member(OWNER), P::MANAGE_WEBHOOKS, P::empty()),
        ];
        assert_eq!(
            in_channel(&g, &bot(&[BOT_ROLE]), &elsewhere),
            P::VIEW_CHANNEL
        );
    }

    #[test]
    fn a_channel_the_bot_cannot_see_grants_nothing() {
        let g = guild(SEE_AND_SEND | P::EMBED_LINKS, P::empty());
        let hidden = [ow(OverwriteFor::Role(GUILD), P::empty(), P::VIEW_CHANNEL)];
        assert_eq!(in_channel(&g, &bot(&[]), &hidden), P::empty());
    }
}
