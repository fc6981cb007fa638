//! What `/briefbot status`, `/metrics` and `briefbot check --feeds` say about a feed, and how
//! long a feed waits before its next poll: its `poll` when healthy; after failures, longer and
//! longer with jitter (so feeds failing together do not retry together), and never sooner
//! than the server's `Retry-After`.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// The longest a failing feed waits between polls.
const BACKOFF_CAP: Duration = Duration::from_secs(6 * 60 * 60);

/// One feed's health as of its last poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedHealth {
    pub name: String,
    pub url: String,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Since when every poll failed.
    pub failing_since: Option<DateTime<Utc>>,
    /// Items kept (served as briefings).
    pub items: usize,
    pub next_poll: Option<DateTime<Utc>>,
    pub polls: u64,
    pub not_modified: u64,
    /// Polls that failed in a row.
    pub failures: u32,
}

impl FeedHealth {
    pub fn new(name: &str, url: &str) -> FeedHealth {
        FeedHealth {
            name: name.to_string(),
            url: url.to_string(),
            last_success: None,
            last_error: None,
            failing_since: None,
            items: 0,
            next_poll: None,
            polls: 0,
            not_modified: 0,
            failures: 0,
        }
    }
}

/// One line of `/briefbot status` for a feed.
pub fn status_line(words: &crate::locales::Words, h: &FeedHealth) -> String {
    let name = ("name", h.name.clone().into());
    let items = ("items", h.items.to_string().into());
    let next = (
        "next",
        h.next_poll.map_or(0, |t| t.timestamp()).to_string().into(),
    );
    match (h.failing_since, h.last_success) {
        (Some(since), _) => {
            let error = h.last_error.clone().unwrap_or_default();
            let error: String = error.chars().take(120).collect();
            let since = ("since", since.timestamp().to_string().into());
            words.t(
                "status-feed-failing",
                &[name, since, ("error", error.into()), items, next],
            )
        }
        (None, Some(at)) => {
            let at = ("at", at.timestamp().to_string().into());
            words.t("status-feed-ok", &[name, items, at, next])
        }
        (None, None) => words.t("status-feed-new", &[name]),
    }
}

/// The wait before the next poll after `failures` failures in a row. `jitter` is any number;
/// it spreads the wait over [1, 1.25) of the backoff.
pub fn next_wait(
    poll: Duration,
    failures: u32,
    retry_after: Option<Duration>,
    jitter: u64,
) -> Duration {
    if failures == 0 {
        return poll.max(retry_after.unwrap_or_default());
    }
    // 1 min, 2 min, 4 min … but never more often than the feed's own period.
    let exp = Duration::from_secs(60).saturating_mul(1 << (failures - 1).min(16));
    let backoff = exp.max(poll).min(BACKOFF_CAP.max(poll));
    let spread = backoff.mul_f64(f64::from((jitter % 1000) as u32) / 4000.0);
    (backoff + spread).max(retry_after.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn a_healthy_feed_polls_at_its_period() {
        assert_eq!(next_wait(15 * MIN, 0, None, 999), 15 * MIN);
    }

    #[test]
    fn failures_back_off_exponentially_with_bounded_jitter() {
        let poll = Duration::from_secs(30);
        assert_eq!(next_wait(poll, 1, None, 0), MIN);
        assert_eq!(next_wait(poll, 3, None, 0), 4 * MIN);
        let jittered = next_wait(poll, 3, None, 999);
        assert!(jittered > 4 * MIN && jittered < 5 * MIN, "{jittered:?}");
        assert_eq!(next_wait(poll, 40, None, 0), BACKOFF_CAP);
        // Never sooner than the feed's own period.
        assert_eq!(next_wait(60 * MIN, 1, None, 0), 60 * MIN);
    }

    #[test]
    fn retry_after_is_honoured() {
        let wait = next_wait(MIN, 1, Some(90 * MIN), 0);
        assert_eq!(wait, 90 * MIN);
        assert_eq!(next_wait(MIN, 0, Some(2 * MIN), 0), 2 * MIN);
    }
}
