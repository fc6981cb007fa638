//! The digest scheduler's `Poster` and `Editor` on Discord's REST API: one attempt per call (the
//! scheduler owns retries and the ledger), with Discord's answers mapped to what the scheduler
//! acts on.

use super::http::{MessageReply, Route};
use super::rest::{Rest, RestError, RetryPolicy};
use crate::digests::scheduler::{Editor, PostError, Poster};
use crate::render::MessagePayload;

pub struct DiscordPoster {
    pub rest: Rest,
}

#[async_trait::async_trait]
impl Poster for DiscordPoster {
    async fn post(&self, channel_id: u64, payload: &MessagePayload) -> Result<u64, PostError> {
        let route = Route::ChannelMessages(channel_id);
        match self.rest.post(route, payload, RetryPolicy::ONCE).await {
            Ok(message) => serde_json::from_value::<MessageReply>(message)
                .ok()
                .and_then(|m| m.id.parse().ok())
                .ok_or_else(|| PostError::Other("Discord returned no message id".into())),
            Err(e) => Err(post_error(e)),
        }
    }
}

#[async_trait::async_trait]
impl Editor for DiscordPoster {
    async fn edit(
        &self,
        channel_id: u64,
        message_id: u64,
        payload: &MessagePayload,
    ) -> Result<(), PostError> {
        let route = Route::ChannelMessage {
            channel: channel_id,
            message: message_id,
        };
        // An edit replaces only the fields it names: empty content or embeds must be said, or
        // the old ones would stay.
        let mut body =
            serde_json::to_value(payload).map_err(|e| PostError::Other(e.to_string()))?;
        body["content"] = payload.content.clone().into();
        if payload.embeds.is_empty() {
            body["embeds"] = serde_json::json!([]);
        }
        match self.rest.patch(route, &body, RetryPolicy::ONCE).await {
            Ok(_) => Ok(()),
            Err(e) => Err(post_error(e)),
        }
    }
}

fn post_error(e: RestError) -> PostError {
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
