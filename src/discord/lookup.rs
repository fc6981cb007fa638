//! Finding a message the bot may have sent without a nonce (a forum post, a webhook message)
//! when Discord's answer was lost: the scheduler asks before sending such a step again.
//!
//! The marker is the message itself. A digest's first message names the digest and its fire
//! time (`**name** · <t:FIRE:f>`), unique per digest and fire, and each later message carries
//! its own embeds: a message matches when its content and first embed's title and description
//! are what the step sends, it was made after the ledger's "sending" time less `SLACK` (by its
//! snowflake), by the bot (or, through a webhook, by the bot's webhook), in the right place:
//! - a forum post: among the guild's active threads (`GET /guilds/{id}/threads/active`) one in
//!   the forum with the step's title, whose starter message matches;
//! - a message in a channel or thread: among the 100 messages after that time
//!   (`GET /channels/{id}/messages?after=`).
//!
//! The window this covers: from the "sending" record to the id's record, any crash, timeout or
//! lost connection. What Discord leaves impossible: a post deleted (or a thread archived and
//! gone from the active list) between the send and the lookup is not found and is sent
//! again; more than 100 messages in the channel since the send hide it the same way. When
//! the bot may not read the history (403), it cannot tell whether the message went out: it
//! sends nothing and the digest pauses with an alert naming Read Message History, because a
//! post doubled in a community's channel cannot be taken back and a paused digest can.

use super::http::{ActiveThreadsReply, FoundMessage, Route};
use super::known::{id, parse};
use super::poster::{forbidden, DiscordPoster};
use super::rest::{RestError, RetryPolicy};
use crate::digests::scheduler::{PostError, Sent};
use crate::digests::steps::{same_message, Place, Step, ThreadRef, Via};
use chrono::{DateTime, Utc};

/// Clocks differ: Discord's snowflake time against the ledger's.
const SLACK: chrono::TimeDelta = chrono::TimeDelta::seconds(30);
/// Discord's epoch, in Unix milliseconds.
const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

/// The smallest snowflake made at `at`.
fn snowflake_at(at: DateTime<Utc>) -> u64 {
    let ms = (at.timestamp_millis() - DISCORD_EPOCH_MS).max(0) as u64;
    ms << 22
}

pub(super) async fn find(
    poster: &DiscordPoster,
    step: &Step,
    since: DateTime<Utc>,
) -> Result<Option<Sent>, PostError> {
    let after = snowflake_at(since - SLACK);
    let webhook = match &step.via {
        Via::Webhook(_) => {
            let channel = match step.place {
                Place::Channel(c) | Place::NewForumPost { forum: c, .. } => c,
                Place::IntoThread { parent, .. } => parent,
            };
            Some(poster.known.hook(&poster.rest, channel).await?.id)
        }
        Via::Bot => None,
    };
    let (me, _) = poster.known.me(&poster.rest).await?;
    let ours = |m: &FoundMessage| match webhook {
        Some(hook) => m.webhook_id.as_deref() == Some(&hook.to_string()),
        None => m.webhook_id.is_none() && m.author.as_ref().is_some_and(|a| a.id == me.to_string()),
    };
    let matches = |m: &FoundMessage| {
        ours(m)
            && same_message(
                &step.payload,
                &m.content,
                m.embeds
                    .first()
                    .map(|e| (e.title.as_deref(), e.description.as_deref())),
            )
    };
    let channel = match &step.place {
        Place::Channel(c) => *c,
        Place::IntoThread {
            thread: ThreadRef::Known(t),
            ..
        } => *t,
        Place::IntoThread { .. } => return Ok(None),
        Place::NewForumPost { forum, title, .. } => {
            let Some(guild) = poster.known.forum(&poster.rest, *forum).await?.guild_id else {
                return Ok(None);
            };
            let active = poster
                .rest
                .get(Route::ActiveThreads(guild), RetryPolicy::ONCE);
            let active: ActiveThreadsReply = parse(active.await.map_err(unreadable)?)?;
            for thread in active.threads {
                let thread_id = id(&thread.id)?;
                let here = thread.parent_id.as_deref() == Some(&forum.to_string());
                if !here || thread.name != *title || thread_id < after {
                    continue;
                }
                let route = Route::ChannelMessage {
                    channel: thread_id,
                    message: thread_id,
                };
                let starter = poster.rest.get(route, RetryPolicy::ONCE).await;
                let starter: FoundMessage = match starter {
                    Ok(v) => parse(v)?,
                    // The starter message was deleted: not this one.
                    Err(RestError::Status { status: 404, .. }) => continue,
                    Err(e) => return Err(unreadable(e)),
                };
                if matches(&starter) {
                    return Ok(Some(Sent {
                        message_id: thread_id,
                        channel_id: thread_id,
                    }));
                }
            }
            return Ok(None);
        }
    };
    let route = Route::MessagesAfter { channel, after };
    let recent = poster.rest.get(route, RetryPolicy::ONCE).await;
    let recent: Vec<FoundMessage> = parse(recent.map_err(unreadable)?)?;
    match recent.iter().find(|m| matches(m)) {
        Some(m) => Ok(Some(Sent {
            message_id: id(&m.id)?,
            channel_id: id(&m.channel_id).unwrap_or(channel),
        })),
        None => Ok(None),
    }
}

/// History the bot may not read: it cannot tell, and says which permission would let it.
fn unreadable(e: RestError) -> PostError {
    let why = "cannot tell whether the last message went out: the bot lacks Read Message History";
    forbidden(e, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes_follow_discords_epoch() {
        // Discord's documented example: 175928847299117063 was made at 1462015105796 ms.
        let at = DateTime::from_timestamp_millis(1_462_015_105_796).unwrap();
        let made = 175_928_847_299_117_063u64;
        assert!(snowflake_at(at) <= made && made < snowflake_at(at) + (1 << 22));
    }
}
