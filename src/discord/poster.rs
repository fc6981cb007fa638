//! The digest scheduler's `Poster` and `Editor` on Discord's REST API: one attempt per call (the
//! scheduler owns retries and the ledger), with Discord's answers mapped to what the scheduler
//! acts on. A step goes where its target says: a channel or thread message from the bot
//! (`POST /channels/{id}/messages`, with its nonce), a forum post (`POST
//! /channels/{forum}/threads`, tags mapped by name), or a message through the bot's webhook in
//! the channel (`?wait=true`, so the message id comes back; `thread_name` for a forum post,
//! `thread_id` into a thread). A webhook Discord no longer knows is made again once per send;
//! gone again, the digest pauses.

use super::http::{codes, FoundMessage, MessageReply, Route, ThreadReply};
use super::known::{id, parse, Known};
use super::rest::{Rest, RestError, RetryPolicy};
use crate::digests::scheduler::{Editor, PostError, PostedAt, Poster, Sent};
use crate::digests::steps::{match_tags, Place, Step, ThreadRef, Via};
use crate::digests::Identity;
use crate::render::MessagePayload;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::sync::Arc;

/// How long a thread opened under a digest message stays active without activity: a day.
const AUTO_ARCHIVE_MINUTES: u32 = 1440;

pub struct DiscordPoster {
    pub(super) rest: Rest,
    pub(super) known: Arc<Known>,
}

impl DiscordPoster {
    pub fn new(rest: Rest) -> DiscordPoster {
        DiscordPoster {
            rest,
            known: Arc::default(),
        }
    }

    /// `POST /channels/{id}/messages`, nonce and all.
    async fn create_message(
        &self,
        channel: u64,
        payload: &MessagePayload,
    ) -> Result<Sent, PostError> {
        let route = Route::ChannelMessages(channel);
        let message = self.rest.post(route, payload, RetryPolicy::ONCE).await;
        let reply: MessageReply = parse(message.map_err(post_error)?)?;
        Ok(Sent {
            message_id: id(&reply.id)?,
            channel_id: channel,
        })
    }

    /// The forum's tags named like `wanted`, as ids; none asked, none fetched.
    async fn tags(
        &self,
        forum: u64,
        wanted: &[crate::answer::Tag],
    ) -> Result<Vec<String>, PostError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let forum = self.known.forum(&self.rest, forum).await?;
        let ids = match_tags(wanted, &forum.tags);
        Ok(ids.into_iter().map(|t| t.to_string()).collect())
    }

    async fn forum_post(
        &self,
        forum: u64,
        title: &str,
        applied_tags: Vec<String>,
        payload: &MessagePayload,
    ) -> Result<Sent, PostError> {
        let body = json!({
            "name": title,
            "applied_tags": applied_tags,
            "message": message_body(payload),
        });
        let route = Route::ForumThreads(forum);
        let made = self.rest.post(route, &body, RetryPolicy::ONCE).await;
        let thread: ThreadReply = parse(made.map_err(post_error)?)?;
        // The starter message has the thread's id.
        let thread = id(&thread.id)?;
        Ok(Sent {
            message_id: thread,
            channel_id: thread,
        })
    }

    /// Executes the bot's webhook in `channel`, making it again once if Discord no longer
    /// knows it.
    async fn execute(
        &self,
        channel: u64,
        thread: Option<u64>,
        body: Value,
    ) -> Result<Sent, PostError> {
        let mut made_again = false;
        loop {
            let hook = self.known.hook(&self.rest, channel).await?;
            let route = Route::ExecuteWebhook {
                webhook: hook.id,
                token: &hook.token,
                thread,
            };
            match self.rest.post(route, &body, RetryPolicy::ONCE).await {
                Ok(value) => {
                    let message: FoundMessage = parse(value)?;
                    return Ok(Sent {
                        message_id: id(&message.id)?,
                        channel_id: id(&message.channel_id)?,
                    });
                }
                Err(RestError::Status {
                    status: 404, code, ..
                }) if code == codes::UNKNOWN_WEBHOOK || code == 0 => {
                    self.known.forget_hook(channel);
                    if made_again {
                        return Err(PostError::Gone {
                            status: 404,
                            reason: "the bot's webhook in the channel was deleted again right after it was made".into(),
                        });
                    }
                    tracing::warn!(channel, "the channel's webhook is gone; making it again");
                    made_again = true;
                }
                Err(e) => return Err(post_error(e)),
            }
        }
    }
}

/// A message body without what only a bot's own messages take (a nonce).
fn message_body(payload: &MessagePayload) -> Value {
    let mut body = serde_json::to_value(payload).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.remove("nonce");
        map.remove("enforce_nonce");
    }
    body
}

/// A webhook execution's body: the message, under the digest's name and avatar. Its
/// `allowed_mentions` goes as rendered: none, or the digest's own role on its first message.
fn webhook_body(payload: &MessagePayload, identity: &Identity) -> Value {
    let mut body = message_body(payload);
    if let Some(name) = &identity.username {
        body["username"] = name.as_str().into();
    }
    if let Some(url) = &identity.avatar_url {
        body["avatar_url"] = url.as_str().into();
    }
    body
}

#[async_trait::async_trait]
impl Poster for DiscordPoster {
    async fn send(&self, step: &Step) -> Result<Sent, PostError> {
        let payload = &step.payload;
        match (&step.place, &step.via) {
            (Place::Channel(channel), Via::Bot) => self.create_message(*channel, payload).await,
            (
                Place::IntoThread {
                    thread: ThreadRef::Known(thread),
                    ..
                },
                Via::Bot,
            ) => self.create_message(*thread, payload).await,
            (Place::NewForumPost { forum, title, tags }, Via::Bot) => {
                let applied = self.tags(*forum, tags).await?;
                self.forum_post(*forum, title, applied, payload).await
            }
            (Place::Channel(channel), Via::Webhook(identity)) => {
                let body = webhook_body(payload, identity);
                self.execute(*channel, None, body).await
            }
            (
                Place::IntoThread {
                    parent,
                    thread: ThreadRef::Known(thread),
                },
                Via::Webhook(identity),
            ) => {
                let body = webhook_body(payload, identity);
                self.execute(*parent, Some(*thread), body).await
            }
            (Place::NewForumPost { forum, title, tags }, Via::Webhook(identity)) => {
                let mut body = webhook_body(payload, identity);
                body["thread_name"] = title.as_str().into();
                body["applied_tags"] = self.tags(*forum, tags).await?.into();
                self.execute(*forum, None, body).await
            }
            (Place::IntoThread { .. }, _) => Err(PostError::Rejected {
                status: 0,
                reason: "a step into a thread not created yet".into(),
            }),
        }
    }

    async fn find(&self, step: &Step, since: DateTime<Utc>) -> Result<Option<Sent>, PostError> {
        super::lookup::find(self, step, since).await
    }

    async fn open_thread(&self, channel: u64, message: u64, name: &str) -> Result<(), PostError> {
        let route = Route::MessageThread { channel, message };
        let body = json!({ "name": name, "auto_archive_duration": AUTO_ARCHIVE_MINUTES });
        match self.rest.post(route, &body, RetryPolicy::ONCE).await {
            Ok(_) => Ok(()),
            // Opened by an earlier attempt whose answer was lost: done.
            Err(RestError::Status {
                status: 400,
                code: codes::THREAD_ALREADY_CREATED,
                ..
            }) => Ok(()),
            Err(e) => Err(post_error(e)),
        }
    }
}

#[async_trait::async_trait]
impl Editor for DiscordPoster {
    async fn edit(&self, at: PostedAt, payload: &MessagePayload) -> Result<(), PostError> {
        // An edit replaces only the fields it names: empty content or embeds must be said, or
        // the old ones would stay.
        let mut body =
            serde_json::to_value(payload).map_err(|e| PostError::Other(e.to_string()))?;
        body["content"] = payload.content.clone().into();
        if payload.embeds.is_empty() {
            body["embeds"] = json!([]);
        }
        let result = match at.webhook_of {
            None => {
                let route = Route::ChannelMessage {
                    channel: at.channel_id,
                    message: at.message_id,
                };
                self.rest.patch(route, &body, RetryPolicy::ONCE).await
            }
            Some(channel) => {
                let hook = self.known.hook(&self.rest, channel).await?;
                let route = Route::WebhookMessage {
                    webhook: hook.id,
                    token: &hook.token,
                    message: at.message_id,
                    thread: (at.channel_id != channel).then_some(at.channel_id),
                };
                self.rest.patch(route, &body, RetryPolicy::ONCE).await
            }
        };
        result.map(|_| ()).map_err(post_error)
    }
}

/// A 403 is a permission the bot lacks: `why` says which, with Discord's words after it.
pub(super) fn forbidden(e: RestError, why: &str) -> PostError {
    match e {
        RestError::Status {
            status: 403,
            message,
            ..
        } => PostError::Gone {
            status: 403,
            reason: format!("{why} ({message})"),
        },
        e => post_error(e),
    }
}

pub(super) fn post_error(e: RestError) -> PostError {
    match e {
        RestError::RateLimited {
            retry_after,
            global,
        } => PostError::RateLimited {
            retry_after,
            global,
        },
        RestError::Status {
            status, message, ..
        } if status == 403 || status == 404 => PostError::Gone {
            status,
            reason: message,
        },
        RestError::Status { status, .. } if status >= 500 => PostError::Server { status },
        RestError::Status {
            status, message, ..
        } => PostError::Rejected {
            status,
            reason: message,
        },
        RestError::Transport(e) => PostError::Other(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::AllowedMentions;

    #[test]
    fn webhook_bodies_carry_the_identity_and_the_mentions_but_no_nonce() {
        let mut payload = MessagePayload::with_content("<@&7> **morning**").with_nonce("n1");
        payload.allowed_mentions = AllowedMentions::only_role(7);
        let identity = Identity {
            username: Some("Sahel Brief".into()),
            avatar_url: Some("https://example.org/a.png".into()),
        };
        let body = webhook_body(&payload, &identity);
        assert_eq!(body["username"], "Sahel Brief");
        assert_eq!(body["avatar_url"], "https://example.org/a.png");
        assert_eq!(
            body["allowed_mentions"],
            json!({"parse": [], "roles": ["7"]})
        );
        assert!(body.get("nonce").is_none() && body.get("enforce_nonce").is_none());
        let plain = webhook_body(&MessagePayload::with_content("x"), &Identity::default());
        assert_eq!(plain["allowed_mentions"], json!({"parse": []}));
        assert!(plain.get("username").is_none());
    }
}
