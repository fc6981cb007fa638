//! What the digest poster learns from Discord and keeps: the bot's own user (the author of its
//! messages and forum posts), each forum's guild and tags (a few minutes: moderators edit
//! tags), and the bot's webhook in each channel (until Discord says it is gone).

use super::http::{ForumReply, Route, UserReply, WebhookReply};
use super::poster::{forbidden, post_error};
use super::rest::{Rest, RestError, RetryPolicy};
use crate::digests::scheduler::PostError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a forum's tags are trusted.
const FORUM_TTL: Duration = Duration::from_secs(300);
/// The webhook's name when the bot's own cannot be used: Discord refuses names with
/// "discord" or "clyde" in them.
const FALLBACK_NAME: &str = "briefbot";

/// The bot's webhook in one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub id: u64,
    pub token: String,
}

/// A forum's guild and its tags (id, name), moderated ones left out: applying those needs
/// Manage Threads, which a digest does not ask for.
#[derive(Debug, Clone)]
pub struct Forum {
    pub guild_id: Option<u64>,
    pub tags: Vec<(u64, String)>,
}

#[derive(Default)]
pub struct Known {
    me: tokio::sync::OnceCell<(u64, String)>,
    forums: Mutex<HashMap<u64, (Instant, Forum)>>,
    hooks: Mutex<HashMap<u64, Hook>>,
}

impl Known {
    /// The bot's user id and name, asked once.
    pub async fn me(&self, rest: &Rest) -> Result<(u64, String), PostError> {
        let me = self.me.get_or_try_init(|| async {
            let user = get::<UserReply>(rest, Route::CurrentUser).await?;
            Ok::<_, PostError>((id(&user.id)?, user.username))
        });
        me.await.cloned()
    }

    pub async fn forum(&self, rest: &Rest, forum: u64) -> Result<Forum, PostError> {
        if let Some((at, f)) = self.forums.lock().unwrap().get(&forum) {
            if at.elapsed() < FORUM_TTL {
                return Ok(f.clone());
            }
        }
        let reply = get::<ForumReply>(rest, Route::Channel(forum)).await?;
        let f = Forum {
            guild_id: reply.guild_id.as_deref().and_then(|g| g.parse().ok()),
            tags: (reply.available_tags.into_iter())
                .filter(|t| !t.moderated)
                .filter_map(|t| Some((t.id.parse().ok()?, t.name)))
                .collect(),
        };
        let mut forums = self.forums.lock().unwrap();
        forums.insert(forum, (Instant::now(), f.clone()));
        Ok(f)
    }

    /// The bot's webhook in `channel`: remembered, else found among the channel's webhooks
    /// (one the bot made), else made. A refusal names Manage Webhooks, which both need.
    pub async fn hook(&self, rest: &Rest, channel: u64) -> Result<Hook, PostError> {
        if let Some(hook) = self.hooks.lock().unwrap().get(&channel) {
            return Ok(hook.clone());
        }
        let (me, name) = self.me(rest).await?;
        let route = Route::ChannelWebhooks(channel);
        let listed = rest.get(route, RetryPolicy::ONCE).await;
        let hooks: Vec<WebhookReply> = parse(listed.map_err(manage_webhooks)?)?;
        let mine = hooks.into_iter().find(|h| {
            let by_me = h.user.as_ref().is_some_and(|u| u.id == me.to_string());
            let ours = h.application_id.as_deref() == Some(&me.to_string());
            h.token.is_some() && (by_me || ours)
        });
        let hook = match mine {
            Some(h) => h,
            None => {
                let body = serde_json::json!({ "name": webhook_name(&name) });
                let made = rest.post(route, &body, RetryPolicy::ONCE).await;
                tracing::info!(channel, "made the bot's webhook in the channel");
                parse(made.map_err(manage_webhooks)?)?
            }
        };
        let hook = Hook {
            id: id(&hook.id)?,
            token: hook
                .token
                .ok_or_else(|| PostError::Other("Discord gave the webhook no token".into()))?,
        };
        self.hooks.lock().unwrap().insert(channel, hook.clone());
        Ok(hook)
    }

    /// Forgets `channel`'s webhook (Discord says it no longer exists).
    pub fn forget_hook(&self, channel: u64) {
        self.hooks.lock().unwrap().remove(&channel);
    }
}

/// The bot's name as a webhook name Discord accepts.
fn webhook_name(bot: &str) -> String {
    crate::digests::target::check_username(bot).unwrap_or_else(|_| FALLBACK_NAME.into())
}

/// A 403 on a channel's webhooks is the missing permission; say which.
fn manage_webhooks(e: RestError) -> PostError {
    forbidden(e, "the bot lacks Manage Webhooks in the channel")
}

async fn get<T: serde::de::DeserializeOwned>(
    rest: &Rest,
    route: Route<'_>,
) -> Result<T, PostError> {
    parse(
        rest.get(route, RetryPolicy::ONCE)
            .await
            .map_err(post_error)?,
    )
}

pub fn parse<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, PostError> {
    serde_json::from_value(value)
        .map_err(|e| PostError::Other(format!("unexpected answer from Discord: {e}")))
}

pub fn id(s: &str) -> Result<u64, PostError> {
    s.parse()
        .map_err(|_| PostError::Other(format!("`{s}` is not a Discord id")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_names_avoid_what_discord_refuses() {
        assert_eq!(webhook_name("Sahel Brief"), "Sahel Brief");
        assert_eq!(webhook_name("DiscordNews"), FALLBACK_NAME);
        assert_eq!(webhook_name(""), FALLBACK_NAME);
    }
}
