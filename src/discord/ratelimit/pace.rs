//! The bot's share of Discord's global limit, paced so that no 1-second window, however it is
//! placed, holds more requests than the share: one request every `(1 s + slack) / share`, the
//! Generic Cell Rate Algorithm with no burst tolerance. Discord counts a sliding window (or
//! something at least as strict), so a fixed one-second window, which lets a whole second's
//! worth through on each side of its boundary, is not enough.
//!
//! Spacing instead of bursts also conforms to a fixed window or a leaky bucket, whichever Discord
//! really runs, and the next slot is measured from when the previous request really left (give
//! or take the timer's lateness), so a waiter that woke late never catches up with a burst.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// Discord's global limit for a bot: requests per second, across all its processes.
pub const GLOBAL_PER_SECOND: u32 = 50;
const WINDOW: Duration = Duration::from_secs(1);
/// Requests are spaced as if the window were this much longer. Clock rates differ by parts per
/// million, which is nothing; what is not nothing is the time a request takes to reach Discord,
/// which varies. With 50 requests spread over 1.05 s, a request may arrive up to 50 ms later
/// than the one 50 requests after it before Discord counts 51 in a second; the cost is 5 % of
/// the rate.
pub const SLACK: Duration = Duration::from_millis(50);

/// A request that leaves at most this long after its slot is counted from its slot, so that the
/// timer's lateness (a millisecond or so on every wake) does not add up over a burst; one that
/// leaves later starts the spacing again from when it left, so there is no catch-up burst.
/// Leaving up to 5 ms after its slot moves a request by less than the slack allows for.
const LATE_WAKE: Duration = Duration::from_millis(5);

/// The requests a window of one second may hold from this process when `live_replicas`
/// processes share the bot: `floor(50 / n)`, at least 1. Rounding down is what keeps the sum
/// within 50 whatever the replicas' phases; a fractional share would not (9 replicas at 5.6 a
/// second each put 6 each, 54 in all, in some windows).
pub fn share_of(live_replicas: u32) -> u32 {
    (GLOBAL_PER_SECOND / live_replicas.max(1)).max(1)
}

/// The time between two requests for `share` requests a window.
fn interval_for(share: u32) -> Duration {
    (WINDOW + SLACK) / share.max(1)
}

#[derive(Debug)]
pub struct Pace {
    /// Waiters queue here one at a time; tokio's mutex is fair, so they leave in arrival order.
    turn: tokio::sync::Mutex<()>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    share: u32,
    interval: Duration,
    /// When the last request left (its slot, when it left within `LATE_WAKE` of it): the next one
    /// leaves `interval` after it.
    last: Option<Instant>,
    /// Set after a global 429: nothing leaves before.
    blocked_until: Option<Instant>,
}

impl State {
    fn next_slot(&self) -> Option<Instant> {
        let paced = self.last.map(|last| last + self.interval);
        paced.max(self.blocked_until)
    }
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            turn: tokio::sync::Mutex::new(()),
            state: Mutex::new(State {
                share: share_of(1),
                interval: interval_for(share_of(1)),
                last: None,
                blocked_until: None,
            }),
        }
    }
}

impl Pace {
    /// Waits for this request's slot, behind every request that asked before it.
    pub async fn wait_turn(&self) {
        let _turn = self.turn.lock().await;
        loop {
            // Read again after every sleep: the share may have changed or a 429 blocked us.
            let slot = {
                let mut state = self.lock();
                let now = Instant::now();
                match state.next_slot() {
                    Some(slot) if slot > now => slot,
                    // Timers wake a little late: counted from the slot, that costs nothing.
                    Some(slot) if now - slot <= LATE_WAKE => {
                        state.last = Some(slot);
                        return;
                    }
                    _ => {
                        state.last = Some(now);
                        return;
                    }
                }
            };
            tokio::time::sleep_until(slot).await;
        }
    }

    /// This process's share for `live_replicas` processes; the next request is spaced by it.
    pub fn set_share(&self, live_replicas: u32) {
        let share = share_of(live_replicas);
        let mut state = self.lock();
        state.share = share;
        state.interval = interval_for(share);
    }

    /// Requests one window may hold now.
    pub fn share(&self) -> u32 {
        self.lock().share
    }

    /// Nothing leaves before `wait` has passed (a longer block already set stays).
    pub fn block(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.lock();
        state.blocked_until = state.blocked_until.max(Some(until));
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// The most requests any window of `WINDOW` holds, wherever it starts.
    fn busiest_window(times: &[Instant]) -> usize {
        (0..times.len())
            .map(|i| {
                times[i..]
                    .iter()
                    .take_while(|t| **t < times[i] + WINDOW)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    async fn release(pace: &Pace, n: usize) -> Vec<Instant> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            pace.wait_turn().await;
            times.push(Instant::now());
        }
        times
    }

    #[test]
    fn replicas_divide_the_budget_without_exceeding_it() {
        for n in 1..=50 {
            assert!(share_of(n) * n <= GLOBAL_PER_SECOND, "{n} replicas");
        }
        assert_eq!(
            (share_of(0), share_of(1), share_of(3), share_of(80)),
            (50, 50, 16, 1)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_window_holds_more_than_the_share_yet_the_rate_stays_above_90_percent() {
        let pace = Pace::default();
        let start = Instant::now();
        let times = release(&pace, 300).await;
        assert!(busiest_window(&times) <= 50, "{}", busiest_window(&times));
        // 50 spread over 1.05 s: 48 in the busiest second (a fixed window allowed 100).
        assert_eq!(busiest_window(&times), 48);
        let took = start.elapsed().as_secs_f64();
        assert!(took <= 300.0 / 45.0, "300 requests took {took} s");
    }

    #[tokio::test(start_paused = true)]
    async fn a_slightly_late_request_keeps_the_schedule_and_a_very_late_one_restarts_it() {
        let pace = Pace::default();
        let t = interval_for(50);
        pace.wait_turn().await;
        let start = Instant::now();
        tokio::time::sleep(t + Duration::from_millis(3)).await;
        pace.wait_turn().await;
        pace.wait_turn().await;
        assert_eq!(start.elapsed(), 2 * t);
        tokio::time::sleep(t + Duration::from_millis(30)).await;
        let late = Instant::now();
        pace.wait_turn().await;
        pace.wait_turn().await;
        assert_eq!(late.elapsed(), t);
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_share_paces_the_next_request() {
        let pace = Pace::default();
        release(&pace, 60).await;
        pace.set_share(3);
        assert_eq!(pace.share(), 16);
        let after = release(&pace, 60).await;
        assert!(busiest_window(&after) <= 16, "{}", busiest_window(&after));
        // Spaced by the new interval, give or take the timer's millisecond.
        let spacing = interval_for(16) - LATE_WAKE;
        assert!(after.windows(2).all(|w| w[1] - w[0] >= spacing));
        pace.set_share(1);
        let back = release(&pace, 120).await;
        assert_eq!(busiest_window(&back), 48);
    }

    #[tokio::test(start_paused = true)]
    async fn a_smaller_share_reaches_a_request_already_waiting() {
        let pace = Arc::new(Pace::default());
        pace.wait_turn().await;
        let first = Instant::now();
        let waiter = tokio::spawn({
            let pace = Arc::clone(&pace);
            async move {
                pace.wait_turn().await;
                Instant::now()
            }
        });
        tokio::task::yield_now().await; // the waiter now sleeps until 21 ms
        pace.set_share(50); // one request per window each
        assert_eq!(waiter.await.unwrap() - first, WINDOW + SLACK);
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_leave_in_the_order_they_came() {
        let pace = Arc::new(Pace::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let (pace, order) = (Arc::clone(&pace), Arc::clone(&order));
                tokio::spawn(async move {
                    pace.wait_turn().await;
                    order.lock().unwrap().push(i);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), (0..40).collect::<Vec<_>>());
    }

    #[tokio::test(start_paused = true)]
    async fn a_block_holds_the_next_request_even_one_already_waiting() {
        let pace = Arc::new(Pace::default());
        pace.wait_turn().await;
        let start = Instant::now();
        let waiter = tokio::spawn({
            let pace = Arc::clone(&pace);
            async move {
                pace.wait_turn().await;
                Instant::now()
            }
        });
        tokio::task::yield_now().await;
        pace.block(Duration::from_secs(3));
        pace.block(Duration::from_secs(1)); // a shorter block does not shorten it
        assert_eq!(waiter.await.unwrap() - start, Duration::from_secs(3));
    }
}
