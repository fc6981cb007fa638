//! The one path by which the scheduler sends a message, digest or alert: one attempt at a time
//! through the `Poster`, 429 waited out for its Retry-After, 5xx and connection errors retried
//! with backoff within the retry policy, and shutdown honoured.

use super::ports::PostError;
use super::state::Inner;
use crate::digests::{nonce, DigestSpec};
use crate::render::MessagePayload;
use chrono::{DateTime, Utc};

/// Why sending one message stopped.
pub(super) enum SendStop {
    Failed(PostError),
    Interrupted,
}

/// Sends one message: 429 waited out for its Retry-After, 5xx and connection errors retried
/// with exponential backoff, within the retry policy. Shutdown interrupts the waits at once
/// and the send itself when the shutdown grace is over.
pub(super) async fn send(
    inner: &Inner,
    channel_id: u64,
    payload: &MessagePayload,
    attempts: &mut u32,
) -> Result<u64, SendStop> {
    let policy = &inner.options.retry;
    let (mut failures, mut rate_limits) = (0u32, 0u32);
    loop {
        *attempts += 1;
        let attempt = tokio::time::timeout(
            policy.attempt_timeout,
            inner.deps.poster.post(channel_id, payload),
        );
        let result = tokio::select! {
            r = attempt => r.unwrap_or_else(|_| Err(PostError::Other("no answer in time".into()))),
            _ = inner.kill.cancelled() => return Err(SendStop::Interrupted),
        };
        let wait = match result {
            Ok(id) => return Ok(id),
            Err(PostError::RateLimited {
                retry_after,
                global,
            }) if rate_limits < policy.max_rate_limit_waits => {
                rate_limits += 1;
                tracing::warn!(?retry_after, global, "rate limited; waiting");
                retry_after
            }
            Err(e @ (PostError::Server { .. } | PostError::Other(_)))
                if failures + 1 < policy.max_attempts =>
            {
                failures += 1;
                let wait = policy.backoff_after(failures);
                tracing::warn!(error = %e, attempt = failures, ?wait, "send failed; retrying");
                wait
            }
            Err(e) => return Err(SendStop::Failed(e)),
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = inner.stop.cancelled() => return Err(SendStop::Interrupted),
        }
    }
}

/// Posts `text` to the digest's guild alert channel, if one is configured. Best effort:
/// a failure is logged, and the cause is in the ledger and `/digest list` anyway.
pub(super) async fn alert(inner: &Inner, spec: &DigestSpec, fire: DateTime<Utc>, text: String) {
    let channel = spec
        .guild_id
        .and_then(|g| inner.settings().alerts.get(&g).copied());
    let Some(channel) = channel else {
        tracing::warn!("no alert channel configured for this digest's guild");
        return;
    };
    let payload = MessagePayload::with_content(text).with_nonce(nonce(
        &format!("{}!alert", spec.key),
        fire,
        0,
    ));
    match send(inner, channel, &payload, &mut 0).await {
        Ok(_) => tracing::info!(alert_channel = channel, "alert posted"),
        Err(_) => tracing::error!(alert_channel = channel, "could not post the alert"),
    }
}
