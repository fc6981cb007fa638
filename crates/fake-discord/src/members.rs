//! Members whose roles or permissions change while the bot runs, as when a moderator is demoted
//! between two commands. The change shows in every interaction injected afterwards (its
//! `member.roles` and `member.permissions`); the `FakeConfig` itself stays as it was built.
//!
//! ```ignore
//! fake.set_member_roles(GUILD_ID, MODERATOR_USER_ID, &[]); // no longer a moderator
//! ```
//! Discord sends no gateway event for this to a bot with only the GUILDS intent, so neither
//! does the fake: a bot learns a member's rights from each interaction, or not at all.

use std::borrow::Cow;
use std::collections::HashMap;

use super::config::GuildSpec;
use super::FakeDiscord;

/// What changed for one member; `None` keeps the configured value.
#[derive(Clone, Debug, Default)]
struct MemberChange {
    roles: Option<Vec<u64>>,
    /// `Some(None)` drops an explicit permission override, so they derive from roles again.
    permissions: Option<Option<u64>>,
}

/// The changes made so far, by (guild, user).
#[derive(Clone, Debug, Default)]
pub(crate) struct MemberChanges(HashMap<(u64, u64), MemberChange>);

impl MemberChanges {
    /// `guild` with the changes to its members applied (borrowed when there are none).
    pub(crate) fn apply<'a>(&self, guild: &'a GuildSpec) -> Cow<'a, GuildSpec> {
        if !self.0.keys().any(|(g, _)| *g == guild.id) {
            return Cow::Borrowed(guild);
        }
        let mut changed = guild.clone();
        for member in &mut changed.members {
            let Some(change) = self.0.get(&(guild.id, member.user_id)) else {
                continue;
            };
            if let Some(roles) = &change.roles {
                member.roles = roles.clone();
            }
            if let Some(permissions) = change.permissions {
                member.permissions = permissions;
            }
        }
        Cow::Owned(changed)
    }
}

impl FakeDiscord {
    /// From now on `user` holds exactly `roles` in `guild`; their permissions derive from them
    /// (unless an explicit override is set). Panics if the member or a role is unknown.
    pub fn set_member_roles(&self, guild: u64, user: u64, roles: &[u64]) {
        let spec = self.known_member(guild, user);
        for role in roles {
            assert!(
                spec.roles.iter().any(|r| r.id == *role),
                "role {role} is not in guild {guild}: add a RoleSpec to the FakeConfig"
            );
        }
        self.shared.update(|s| {
            s.member_changes.0.entry((guild, user)).or_default().roles = Some(roles.to_vec());
        });
    }

    /// From now on `user`'s permissions in `guild` are `permissions` (`None`: derived from their
    /// roles again), whatever their roles say. Panics if the member is unknown.
    pub fn set_member_permissions(&self, guild: u64, user: u64, permissions: Option<u64>) {
        self.known_member(guild, user);
        self.shared.update(|s| {
            s.member_changes
                .0
                .entry((guild, user))
                .or_default()
                .permissions = Some(permissions);
        });
    }

    fn known_member(&self, guild: u64, user: u64) -> &GuildSpec {
        let spec = self
            .config()
            .guild(guild)
            .unwrap_or_else(|| panic!("guild {guild} is not in the FakeConfig"));
        assert!(
            spec.member(user).is_some(),
            "user {user} is not a member of guild {guild}: add a MemberSpec to the FakeConfig"
        );
        spec
    }
}
