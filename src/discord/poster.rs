//! The digest scheduler's `Poster` on Discord's REST API: one attempt per call (the scheduler owns
//! retries and the ledger), with Discord's answers mapped to what the scheduler acts on.

use super::http::{MessageReply, Route};
use super::rest::{Rest, RestError, RetryPolicy};
use crate::digests::scheduler::{PostError, Poster};
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
            Err(RestError::RateLimited {
                retry_after,
                global,
            }) => Err(PostError::RateLimited {
                retry_after,
                global,
            }),
            Err(RestError::Status {
                status, message, ..
            }) if status == 403 || status == 404 => Err(PostError::Gone {
                status,
                reason: message,
            }),
            Err(RestError::Status { status, .. }) if status >= 500 => {
                Err(PostError::Server { status })
            }
            Err(RestError::Status {
                status, message, ..
            }) => Err(PostError::Rejected {
                status,
                reason: message,
            }),
            Err(RestError::Transport(e)) => Err(PostError::Other(e)),
        }
    }
}
