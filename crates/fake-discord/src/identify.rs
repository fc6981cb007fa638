//! Discord's limits on starting sessions: 1,000 identifies a day (`session_start_limit`, which
//! `GET /gateway/bot` reports) and `max_concurrency` identifies per 5 s for each rate-limit key
//! (`shard_id % max_concurrency`). An identify over either limit is answered with op 9, as on
//! Discord, and recorded so a test can assert that a bot never provoked one.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::config::FakeConfig;

/// How long `remaining` takes to come back to `total`, counted from the first identify.
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Libraries (serenity, twilight, discord.py) space identifies by exactly 5 s on their side,
/// so on arrival two of them are 5 s give or take scheduling and network jitter, and Discord
/// accepts that. The fake allows the same slack instead of refusing a gap of 4.998 s.
const ARRIVAL_SLACK: Duration = Duration::from_millis(100);

/// An identify the fake refused because of a limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentifyRefusal {
    /// `[shard_id, total]` as the identify asked.
    pub shard: [u32; 2],
    /// Which limit it broke.
    pub limit: IdentifyLimit,
}

/// The limit an identify broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentifyLimit {
    /// Another identify of the same rate-limit key came this long before, less than the
    /// interval.
    Concurrency(Duration),
    /// No session starts left today.
    Daily,
}

/// The fake's count of session starts and of when each rate-limit key last identified.
#[derive(Default)]
pub(crate) struct IdentifyBudget {
    used: u32,
    first: Option<Instant>,
    last_by_key: HashMap<u32, Instant>,
}

impl IdentifyBudget {
    /// Counts one identify of `shard` now; `Err` names the limit it broke.
    pub fn take(&mut self, cfg: &FakeConfig, shard: u32) -> Result<(), IdentifyLimit> {
        let now = Instant::now();
        if self.first.is_some_and(|f| now.duration_since(f) >= DAY) {
            *self = Self::default();
        }
        if self.used >= cfg.session_start_total {
            return Err(IdentifyLimit::Daily);
        }
        // Every identify with a valid token spends a session start, refused or not.
        self.used += 1;
        self.first.get_or_insert(now);
        let key = shard % cfg.max_concurrency.max(1);
        let since = self
            .last_by_key
            .get(&key)
            .map(|last| now.duration_since(*last));
        let interval = cfg.identify_interval.saturating_sub(ARRIVAL_SLACK);
        if let Some(since) = since.filter(|s| *s < interval) {
            return Err(IdentifyLimit::Concurrency(since));
        }
        self.last_by_key.insert(key, now);
        Ok(())
    }

    /// The `session_start_limit` object of `GET /gateway/bot`.
    pub fn session_start_limit(&self, cfg: &FakeConfig) -> Value {
        let reset_after = self
            .first
            .map_or(DAY, |f| DAY.saturating_sub(f.elapsed()))
            .as_millis() as u64;
        json!({
            "total": cfg.session_start_total,
            "remaining": cfg.session_start_total.saturating_sub(self.used),
            "reset_after": reset_after,
            "max_concurrency": cfg.max_concurrency,
        })
    }
}
