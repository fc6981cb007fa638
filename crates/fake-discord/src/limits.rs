//! Discord's rate limits, enforced when [`FakeConfig::rate_limits`](super::FakeConfig) asks for
//! them: the bot's global limit as a sliding window over every request authorised by the bot
//! token (interaction callbacks and webhook tokens' calls are exempt, as on Discord), and the
//! per-channel bucket of message creation. Both count exactly, with no tolerance at the edges,
//! so a bot that passes here passes a fixed-window or bucket counter too. Every 429 answered is
//! counted, so a test can assert that the bot provoked none.
//!
//! A request over a limit does not take effect and does not use up the window. Successful
//! message creations carry the bucket's `X-RateLimit-*` headers; `X-RateLimit-Reset-After` is
//! when the bucket is full again.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::rest::Reply;
use super::FakeDiscord;

/// The opaque bucket id Discord gives `POST /channels/{id}/messages` (one for every channel;
/// the channel id tells the buckets apart).
pub const CHANNEL_MESSAGES_BUCKET: &str = "fake0channel0messages";

/// Limits the fake enforces; [`RateLimits::discord`] has Discord's numbers.
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// Requests the bot may make in any `global_window` (Discord: 50 in 1 s).
    pub global: u32,
    /// The sliding window of the global limit.
    pub global_window: Duration,
    /// Messages the bot may create in one channel in any `channel_window` (Discord: 5 in 5 s).
    pub channel_messages: u32,
    /// The sliding window of the per-channel limit.
    pub channel_window: Duration,
}

impl RateLimits {
    /// Discord's limits for a bot: 50 requests a second, 5 messages per channel in 5 seconds.
    pub fn discord() -> Self {
        Self {
            global: 50,
            global_window: Duration::from_secs(1),
            channel_messages: 5,
            channel_window: Duration::from_secs(5),
        }
    }
}

/// The 429s the fake answered because a limit was reached (armed `rate_limit` faults aside).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateLimitCounts {
    /// Over the global limit.
    pub global: u64,
    /// Over a channel's message bucket.
    pub channel: u64,
}

impl RateLimitCounts {
    /// Every rate-limit 429 answered.
    pub fn total(&self) -> u64 {
        self.global + self.channel
    }
}

/// What was let through, per window.
#[derive(Default)]
pub(crate) struct Limiter {
    global: VecDeque<Instant>,
    channels: HashMap<u64, VecDeque<Instant>>,
    answered: RateLimitCounts,
}

/// The limit a request is admitted under, for the headers of its answer.
pub(crate) struct Admitted {
    channel: Option<(u32, u32, Duration)>,
}

impl Admitted {
    /// Adds the bucket headers Discord sends with an answer on a limited route.
    pub fn headers(&self, mut reply: Reply) -> Reply {
        if let Some((limit, remaining, reset_after)) = self.channel {
            reply = bucket_headers(reply, limit, remaining, reset_after);
        }
        reply
    }
}

/// Admits the request, or answers 429 without letting it take effect.
pub(crate) fn admit(
    limits: &RateLimits,
    limiter: &mut Limiter,
    method: &str,
    segments: &[&str],
    now: Instant,
) -> Result<Admitted, Reply> {
    // Calls authorised by a webhook's token (the interaction's or a channel webhook's) are not
    // the bot's requests; a channel webhook's own limits are not imitated.
    if matches!(segments, ["interactions", ..] | ["webhooks", _, _, ..]) {
        return Ok(Admitted { channel: None });
    }
    let channel = match (method, segments) {
        ("POST", ["channels", id, "messages"]) => id.parse::<u64>().ok(),
        _ => None,
    };
    let global = &mut limiter.global;
    forget_before(global, now, limits.global_window);
    if global.len() >= limits.global as usize {
        limiter.answered.global += 1;
        let wait = until_free(global, now, limits.global_window);
        return Err(too_many(wait, true));
    }
    let mut admitted = Admitted { channel: None };
    if let Some(id) = channel {
        let sent = limiter.channels.entry(id).or_default();
        forget_before(sent, now, limits.channel_window);
        if sent.len() >= limits.channel_messages as usize {
            limiter.answered.channel += 1;
            let wait = until_free(sent, now, limits.channel_window);
            let reply = too_many(wait, false);
            return Err(bucket_headers(reply, limits.channel_messages, 0, wait));
        }
        sent.push_back(now);
        let remaining = limits.channel_messages - sent.len() as u32;
        admitted.channel = Some((limits.channel_messages, remaining, limits.channel_window));
    }
    limiter.global.push_back(now);
    Ok(admitted)
}

fn forget_before(sent: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while sent.front().is_some_and(|t| *t + window <= now) {
        sent.pop_front();
    }
}

/// How long until the oldest request in the window leaves it.
fn until_free(sent: &VecDeque<Instant>, now: Instant, window: Duration) -> Duration {
    sent.front().map_or(Duration::ZERO, |t| {
        (*t + window).saturating_duration_since(now)
    })
}

/// Seconds as Discord writes them, rounded up to the millisecond so that waiting exactly that
/// long is enough.
fn seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).ceil() / 1000.0
}

/// Discord's documented 429: the JSON body, `Retry-After` in whole seconds and the scope.
fn too_many(wait: Duration, global: bool) -> Reply {
    let retry_after = seconds(wait);
    let reply = Reply::json(
        429,
        json!({
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": global,
        }),
    )
    .header("retry-after", (retry_after.ceil() as u64).to_string());
    if global {
        reply
            .header("x-ratelimit-global", "true".to_owned())
            .header("x-ratelimit-scope", "global".to_owned())
    } else {
        reply.header("x-ratelimit-scope", "user".to_owned())
    }
}

fn bucket_headers(reply: Reply, limit: u32, remaining: u32, reset_after: Duration) -> Reply {
    let epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    reply
        .header("x-ratelimit-limit", limit.to_string())
        .header("x-ratelimit-remaining", remaining.to_string())
        .header(
            "x-ratelimit-reset",
            format!("{:.3}", seconds(epoch + reset_after)),
        )
        .header(
            "x-ratelimit-reset-after",
            format!("{:.3}", seconds(reset_after)),
        )
        .header("x-ratelimit-bucket", CHANNEL_MESSAGES_BUCKET.to_owned())
}

impl FakeDiscord {
    /// The 429s the fake answered because the bot went over an enforced limit.
    pub fn rate_limited(&self) -> RateLimitCounts {
        self.shared.read(|s| s.limiter.answered)
    }
}
