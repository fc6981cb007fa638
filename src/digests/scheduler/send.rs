//! The one path by which the scheduler sends a message, digest or alert: one attempt at a time
//! through the `Poster`, 429 waited out for its Retry-After, 5xx and connection errors retried
//! with backoff within the retry policy (a nonce-less step looked for before it is sent
//! again), and shutdown honoured.

use super::ports::{PostError, Sent};
use super::state::Inner;
use crate::digests::steps::{Place, Step, Via};
use crate::digests::{nonce, DigestSpec};
use crate::render::MessagePayload;
use chrono::{DateTime, Utc};

/// Why sending one message stopped.
pub(super) enum SendStop {
    Failed(PostError),
    Interrupted,
}

/// Sends one step: 429 waited out for its Retry-After, 5xx and connection errors retried
/// with exponential backoff, within the retry policy. Shutdown interrupts the waits at once
/// and the send itself when the shutdown grace is over.
///
/// A step without a nonce is never sent again blindly: after an answer that leaves open
/// whether Discord took it (5xx, timeout, connection error), and from the start when `look_since`
/// says a call may have happened since then (a resumed delivery), the message is looked for
/// first, and a found one is the answer.
pub(super) async fn send(
    inner: &Inner,
    step: &Step,
    mut look_since: Option<DateTime<Utc>>,
    attempts: &mut u32,
) -> Result<Sent, SendStop> {
    let mut tries = Tries::default();
    let poster = &inner.deps.poster;
    let lookup = !step.has_nonce();
    loop {
        let since = look_since.filter(|_| lookup);
        let result = match since {
            Some(since) => match timed(inner, poster.find(step, since)).await? {
                Ok(Some(sent)) => {
                    tracing::info!(
                        message_id = sent.message_id,
                        "the earlier send had gone through; not sent again"
                    );
                    crate::metrics::digest_message(step.kind(), "found");
                    return Ok(sent);
                }
                Ok(None) => {
                    crate::metrics::digest_message(step.kind(), "not_found");
                    // Nothing there: send, and look again only if this send is uncertain too.
                    look_since = None;
                    continue;
                }
                Err(e) => {
                    crate::metrics::digest_message(step.kind(), "lookup_failed");
                    Err(e)
                }
            },
            None => {
                *attempts += 1;
                let started = inner.now();
                let result = timed(inner, poster.send(step)).await?;
                if matches!(result, Err(PostError::Server { .. } | PostError::Other(_))) {
                    look_since = Some(started);
                }
                result
            }
        };
        let error = match result {
            Ok(sent) => {
                crate::metrics::digest_message(step.kind(), "sent");
                return Ok(sent);
            }
            Err(e) => e,
        };
        let looks_first = look_since.is_some() && lookup;
        let wait = retry_wait(inner, error, &mut tries, step.kind(), looks_first)?;
        pause(inner, wait).await?;
    }
}

/// Failures and 429s met so far by one call tried again.
#[derive(Default)]
pub(super) struct Tries {
    failures: u32,
    rate_limits: u32,
}

/// How long to wait before trying a failed call again, within the retry policy: a 429 for
/// its Retry-After, a 5xx or connection error with exponential backoff; anything else, or
/// the policy spent, stops it.
pub(super) fn retry_wait(
    inner: &Inner,
    error: PostError,
    tries: &mut Tries,
    what: &str,
    looks_first: bool,
) -> Result<std::time::Duration, SendStop> {
    let policy = &inner.options.retry;
    match error {
        PostError::RateLimited {
            retry_after,
            global,
        } if tries.rate_limits < policy.max_rate_limit_waits => {
            tries.rate_limits += 1;
            tracing::warn!(?retry_after, global, what, "rate limited; waiting");
            Ok(retry_after)
        }
        e @ (PostError::Server { .. } | PostError::Other(_))
            if tries.failures + 1 < policy.max_attempts =>
        {
            tries.failures += 1;
            let wait = policy.backoff_after(tries.failures);
            tracing::warn!(error = %e, what, attempt = tries.failures, ?wait, looks_first, "failed; retrying");
            Ok(wait)
        }
        e => Err(SendStop::Failed(e)),
    }
}

/// The wait before a retry; shutdown ends it at once.
pub(super) async fn pause(inner: &Inner, wait: std::time::Duration) -> Result<(), SendStop> {
    tokio::select! {
        _ = tokio::time::sleep(wait) => Ok(()),
        _ = inner.stop.cancelled() => Err(SendStop::Interrupted),
    }
}

/// One call to Discord within the attempt timeout; shutdown's kill abandons it.
pub(super) async fn timed<T>(
    inner: &Inner,
    call: impl std::future::Future<Output = Result<T, PostError>>,
) -> Result<Result<T, PostError>, SendStop> {
    let attempt = tokio::time::timeout(inner.options.retry.attempt_timeout, call);
    tokio::select! {
        r = attempt => Ok(r.unwrap_or_else(|_| Err(PostError::Other("no answer in time".into())))),
        _ = inner.kill.cancelled() => Err(SendStop::Interrupted),
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
    let step = Step {
        place: Place::Channel(channel),
        via: Via::Bot,
        payload,
        open_thread: None,
    };
    match send(inner, &step, None, &mut 0).await {
        Ok(_) => tracing::info!(alert_channel = channel, "alert posted"),
        Err(_) => tracing::error!(alert_channel = channel, "could not post the alert"),
    }
}
