//! When this process may identify its gateway shards, so that replicas sharing one bot stay
//! within Discord's identify limits.
//!
//! Discord allows `max_concurrency` identifies per 5 s, one for each rate-limit key
//! (`shard_id % max_concurrency`), for the whole bot: a closer identify is refused with op 9
//! and spends a session start all the same (1,000 a day). Within one process serenity already
//! spaces identifies: its shard queuer starts one shard at a time, at least 5 s after the
//! previous start, whatever `max_concurrency` says (it never reads it). Across processes nothing
//! does, so replicas started together would identify their first shards at the same moment.
//!
//! The rule here: a process whose range starts at shard `first` waits `first` slots of a little
//! more than 5 s before its first identify, so shard `k` identifies about `k` slots after the
//! common start, wherever it runs, as if one process ran them all. Between two processes'
//! shards the gap is then at least one slot. When every shard has its own rate-limit key
//! (`max_concurrency >= total`), no two shards can collide and nobody waits.
//!
//! This holds for replicas started together (a deploy), not for a replica that re-identifies
//! later while another is starting: Discord answers that with op 9, serenity waits 5 s and
//! identifies again. A shared identify queue would close that gap.

use std::time::Duration;

use super::http::{GatewayBotReply, Route};
use super::rest::{Rest, RetryPolicy};

/// One identify slot: Discord's 5 s, plus a second for replicas that did not start at exactly
/// the same moment and for serenity's own gaps, which run a little over 5 s.
pub const IDENTIFY_SLOT: Duration = Duration::from_secs(6);

/// How long a process running shards `first..` of `total` waits before its first identify.
pub fn identify_delay(first: u32, total: u32, max_concurrency: u32) -> Duration {
    if max_concurrency >= total {
        Duration::ZERO
    } else {
        IDENTIFY_SLOT * first
    }
}

/// Asks Discord for the identify budget and says how long to wait before identifying shards
/// `first..=last` of `total`. Without an answer it waits as if `max_concurrency` were 1, the
/// value of nearly every bot.
pub async fn wait_before_identifying(rest: &Rest, first: u32, last: u32, total: u32) -> Duration {
    let max_concurrency = match rest.get(Route::GatewayBot, RetryPolicy::PATIENT).await {
        Ok(reply) => match serde_json::from_value::<GatewayBotReply>(reply) {
            Ok(bot) => {
                let limit = bot.session_start_limit;
                let needed = last - first + 1;
                if limit.remaining < needed {
                    tracing::warn!(
                        remaining = limit.remaining,
                        needed,
                        reset_after_ms = limit.reset_after,
                        "Discord allows fewer session starts today than this process has shards"
                    );
                }
                limit.max_concurrency
            }
            Err(e) => {
                tracing::warn!(error = %e, "unreadable GET /gateway/bot; assuming max_concurrency 1");
                1
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot read GET /gateway/bot; assuming max_concurrency 1");
            1
        }
    };
    let delay = identify_delay(first, total, max_concurrency);
    tracing::info!(
        shards = %format!("{first}-{last}/{total}"),
        max_concurrency,
        wait_ms = delay.as_millis() as u64,
        "identify slot of this replica"
    );
    delay
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When shard `k` identifies if processes with the given ranges start together and each
    /// spaces its own identifies 5 s apart (serenity's queuer), in seconds.
    fn identify_times(ranges: &[(u32, u32)], total: u32, max_concurrency: u32) -> Vec<(u32, f64)> {
        let mut times = Vec::new();
        for &(first, last) in ranges {
            let start = identify_delay(first, total, max_concurrency).as_secs_f64();
            for k in first..=last {
                times.push((k, start + 5.0 * f64::from(k - first)));
            }
        }
        times
    }

    /// The smallest gap between two identifies of one rate-limit key, if any key has two.
    fn closest_same_key(times: &[(u32, f64)], max_concurrency: u32) -> f64 {
        let mut closest = f64::INFINITY;
        for (i, (a, ta)) in times.iter().enumerate() {
            for (b, tb) in &times[i + 1..] {
                if a % max_concurrency == b % max_concurrency {
                    closest = closest.min((ta - tb).abs());
                }
            }
        }
        closest
    }

    #[test]
    fn replicas_started_together_never_identify_one_key_within_5_s() {
        let layouts: &[(&[(u32, u32)], u32)] = &[
            (&[(0, 0), (1, 1)], 2),
            (&[(0, 3), (4, 7)], 8),
            (&[(0, 0), (1, 6), (7, 7)], 8),
            (&[(0, 3), (4, 5), (6, 15)], 16),
        ];
        for &(ranges, total) in layouts {
            for max_concurrency in [1, 2, 4, 16] {
                let times = identify_times(ranges, total, max_concurrency);
                let gap = closest_same_key(&times, max_concurrency);
                assert!(
                    gap >= 5.0,
                    "{ranges:?} of {total}, max_concurrency {max_concurrency}: {gap} s"
                );
            }
        }
    }

    #[test]
    fn the_first_range_and_bots_with_a_key_per_shard_do_not_wait() {
        assert_eq!(identify_delay(0, 8, 1), Duration::ZERO);
        assert_eq!(identify_delay(4, 8, 16), Duration::ZERO);
        assert_eq!(identify_delay(4, 8, 1), IDENTIFY_SLOT * 4);
        assert_eq!(identify_delay(1, 2, 1), Duration::from_secs(6));
    }
}
