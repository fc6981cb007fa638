//! The bot's permissions in a channel, asked of Discord through the bot's REST client: the
//! channel (a thread's permissions are its parent's), the guild's owner and roles, and the bot's
//! own member, then computed as Discord does (`compute.rs`). `/digest add` and `briefbot check`
//! use it to name what a digest's target lacks before a delivery finds out.

mod compute;

pub use compute::{in_channel, GuildRoles, Member, Overwrite, OverwriteFor};

use super::http::{ChannelReply, GuildReply, MemberReply, OverwriteReply, Route, UserReply};
use super::rest::{Rest, RestError, RetryPolicy};
use crate::digests::Target;
use crate::permissions::Permissions;
use std::collections::HashMap;

/// Discord's thread channel types (announcement, public, private).
const THREAD_TYPES: [u8; 3] = [10, 11, 12];

/// What stands between the bot and a channel, or why it could not be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Missing {
    /// The bot lacks these permissions in the channel (View Channels included when it cannot
    /// see it at all).
    #[error("the bot lacks {permissions} in channel {channel_id}")]
    Permissions {
        channel_id: u64,
        permissions: Permissions,
    },
    /// Discord knows no such channel, or it is not in a server.
    #[error("channel {channel_id} does not exist in a server the bot is in")]
    Channel { channel_id: u64 },
    /// Discord could not be asked, or answered what cannot be read.
    #[error("cannot ask Discord: {0}")]
    Unchecked(String),
}

/// Whether the bot may deliver `target` in `channel_id` (the digest's channel: the text
/// channel, the forum, or the thread's parent).
pub async fn check_target(rest: &Rest, channel_id: u64, target: &Target) -> Result<(), Missing> {
    Probe::new(rest, RetryPolicy::INTERACTION)
        .check(channel_id, target.permissions())
        .await
}

/// Asks Discord about several channels, fetching the bot's user, each guild and the bot's
/// member in it once.
pub struct Probe<'a> {
    rest: &'a Rest,
    policy: RetryPolicy,
    bot_user: Option<u64>,
    guilds: HashMap<u64, (GuildRoles, Member)>,
}

impl<'a> Probe<'a> {
    pub fn new(rest: &'a Rest, policy: RetryPolicy) -> Probe<'a> {
        Probe {
            rest,
            policy,
            bot_user: None,
            guilds: HashMap::new(),
        }
    }

    /// `Ok` when the bot holds every permission of `needed` in the channel.
    pub async fn check(&mut self, channel_id: u64, needed: Permissions) -> Result<(), Missing> {
        let held = self.held_in(channel_id, needed).await?;
        let lacking = needed.missing_from(held);
        if lacking.is_empty() {
            Ok(())
        } else {
            Err(Missing::Permissions {
                channel_id,
                permissions: lacking,
            })
        }
    }

    /// The bot's permissions in the channel. `needed` is what a channel the bot cannot even
    /// read is said to lack.
    async fn held_in(
        &mut self,
        channel_id: u64,
        needed: Permissions,
    ) -> Result<Permissions, Missing> {
        let no_view = || Missing::Permissions {
            channel_id,
            permissions: needed | Permissions::VIEW_CHANNEL,
        };
        let mut channel: ChannelReply = match self.get(Route::Channel(channel_id)).await {
            Err(RestError::Status { status: 403, .. }) => return Err(no_view()),
            Err(RestError::Status { status: 404, .. }) => {
                return Err(Missing::Channel { channel_id })
            }
            other => read(other?, "channel")?,
        };
        if THREAD_TYPES.contains(&channel.kind) {
            let parent = channel.parent_id.as_deref().and_then(|p| p.parse().ok());
            let parent = parent.ok_or_else(|| unreadable("thread without a parent"))?;
            channel = match self.get(Route::Channel(parent)).await {
                Err(RestError::Status { status: 403, .. }) => return Err(no_view()),
                other => read(other?, "channel")?,
            };
        }
        let guild_id = channel.guild_id.as_deref().and_then(|g| g.parse().ok());
        let guild_id = guild_id.ok_or(Missing::Channel { channel_id })?;
        let overwrites = overwrites(&channel.permission_overwrites)?;
        let (guild, member) = self.guild(guild_id).await?;
        Ok(in_channel(guild, member, &overwrites))
    }

    async fn guild(&mut self, guild_id: u64) -> Result<&(GuildRoles, Member), Missing> {
        if !self.guilds.contains_key(&guild_id) {
            let user = self.bot_user().await?;
            let guild: GuildReply = read(self.get(Route::Guild(guild_id)).await?, "guild")?;
            let route = Route::GuildMember {
                guild: guild_id,
                user,
            };
            let member: MemberReply = read(self.get(route).await?, "member")?;
            let facts = (guild_roles(guild_id, &guild)?, bot_member(user, &member)?);
            self.guilds.insert(guild_id, facts);
        }
        Ok(&self.guilds[&guild_id])
    }

    async fn bot_user(&mut self) -> Result<u64, Missing> {
        if let Some(id) = self.bot_user {
            return Ok(id);
        }
        let user: UserReply = read(self.get(Route::CurrentUser).await?, "user")?;
        let id = snowflake(&user.id)?;
        self.bot_user = Some(id);
        Ok(id)
    }

    async fn get(&self, route: Route<'_>) -> Result<serde_json::Value, RestError> {
        self.rest.get(route, self.policy).await
    }
}

impl From<RestError> for Missing {
    fn from(e: RestError) -> Missing {
        match e.status() {
            Some(401) => Missing::Unchecked("Discord rejected the bot token (401)".into()),
            _ => Missing::Unchecked(e.to_string()),
        }
    }
}

fn read<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    what: &str,
) -> Result<T, Missing> {
    serde_json::from_value(value).map_err(|e| unreadable(&format!("{what}: {e}")))
}

fn unreadable(what: &str) -> Missing {
    Missing::Unchecked(format!("Discord sent an unreadable {what}"))
}

fn snowflake(s: &str) -> Result<u64, Missing> {
    s.parse().map_err(|_| unreadable("id"))
}

fn bits(s: &str) -> Result<Permissions, Missing> {
    s.parse()
        .map(Permissions)
        .map_err(|_| unreadable("permission set"))
}

fn overwrites(replies: &[OverwriteReply]) -> Result<Vec<Overwrite>, Missing> {
    replies
        .iter()
        .map(|o| {
            let id = snowflake(&o.id)?;
            let target = match o.kind {
                0 => OverwriteFor::Role(id),
                1 => OverwriteFor::Member(id),
                _ => return Err(unreadable("overwrite type")),
            };
            Ok(Overwrite {
                target,
                allow: bits(&o.allow)?,
                deny: bits(&o.deny)?,
            })
        })
        .collect()
}

fn guild_roles(guild_id: u64, reply: &GuildReply) -> Result<GuildRoles, Missing> {
    let roles = reply
        .roles
        .iter()
        .map(|r| Ok((snowflake(&r.id)?, bits(&r.permissions)?)))
        .collect::<Result<_, Missing>>()?;
    Ok(GuildRoles {
        guild_id,
        owner_id: snowflake(&reply.owner_id)?,
        roles,
    })
}

fn bot_member(user_id: u64, reply: &MemberReply) -> Result<Member, Missing> {
    let roles = reply
        .roles
        .iter()
        .map(|r| snowflake(r))
        .collect::<Result<_, _>>()?;
    Ok(Member { user_id, roles })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discords_json_reads_into_the_computation() {
        let guild: GuildReply = serde_json::from_str(
            r#"{"id":"1","name":"g","owner_id":"2","roles":[
                {"id":"1","name":"@everyone","permissions":"1024"},
                {"id":"10","name":"briefbot","permissions":"536873984","managed":true}]}"#,
        )
        .unwrap();
        let member: MemberReply =
            serde_json::from_str(r#"{"roles":["10"],"user":{"id":"3"},"joined_at":null}"#).unwrap();
        let channel: ChannelReply = serde_json::from_str(
            r#"{"id":"5","type":0,"guild_id":"1","permission_overwrites":[
                {"id":"3","type":1,"allow":"0","deny":"536870912"}]}"#,
        )
        .unwrap();
        let held = in_channel(
            &guild_roles(1, &guild).unwrap(),
            &bot_member(3, &member).unwrap(),
            &overwrites(&channel.permission_overwrites).unwrap(),
        );
        // 536873984 = Manage Webhooks | Send Messages | View Channels; the member overwrite
        // takes Manage Webhooks away in this channel.
        assert_eq!(held, Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES);
    }

    #[test]
    fn an_unknown_overwrite_type_is_unreadable_not_ignored() {
        let odd = OverwriteReply {
            id: "1".into(),
            kind: 7,
            allow: "0".into(),
            deny: "0".into(),
        };
        assert!(matches!(overwrites(&[odd]), Err(Missing::Unchecked(_))));
    }
}
