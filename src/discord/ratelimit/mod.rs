//! Backpressure before Discord has to push back. Requests that count against the bot's global
//! limit are paced so that no second holds more than this process's share of it (`pace`: 50 a
//! second for one process, `floor(50 / n)` for each of n replicas); interaction answers are
//! exempt, as on Discord. Each route waits for its bucket when Discord reported it empty
//! (`routes`). A burst of digests or follow-ups then queues here, in arrival order, instead of
//! collecting 429s, which Discord counts against the bot's IP.

mod pace;
mod routes;

pub use routes::RoutePermit;

use std::time::Duration;

#[derive(Debug, Default)]
pub struct RateGate {
    pace: pace::Pace,
    routes: routes::Routes,
}

impl RateGate {
    /// Waits until a request on `route` may go out; hand Discord's answer to the permit.
    pub async fn acquire(&self, route: &str, counts_globally: bool) -> RoutePermit {
        // The route first: a request waiting out its channel's reset holds no global slot.
        let permit = self.routes.acquire(route).await;
        if counts_globally {
            self.pace.wait_turn().await;
        }
        permit
    }

    /// Uses this process's share of the global limit when `live_replicas` processes run the
    /// bot, from the next request on. One process (the default) uses all of it.
    pub fn set_share(&self, live_replicas: u32) {
        self.pace.set_share(live_replicas);
    }

    /// Requests per second this process may send.
    pub fn share(&self) -> u32 {
        self.pace.share()
    }

    /// After a global 429: nothing that counts globally leaves before `wait` has passed.
    pub fn block_globally(&self, wait: Duration) {
        self.pace.block(wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn interaction_answers_pass_a_full_global_queue() {
        let gate = RateGate::default();
        let start = Instant::now();
        for _ in 0..100 {
            drop(gate.acquire("POST /channels/1/messages", true).await);
        }
        assert!(start.elapsed() >= Duration::from_secs(2));
        let before = Instant::now();
        for _ in 0..100 {
            drop(gate.acquire("POST /interactions/1/t/callback", false).await);
        }
        assert_eq!(before.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_global_429_holds_everything_that_counts_globally() {
        let gate = RateGate::default();
        gate.block_globally(Duration::from_secs(3));
        let start = Instant::now();
        drop(gate.acquire("POST /interactions/1/t/callback", false).await);
        assert_eq!(start.elapsed(), Duration::ZERO);
        drop(gate.acquire("PUT /applications/1/commands", true).await);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_channel_waiting_for_its_reset_does_not_hold_up_the_others() {
        let gate = std::sync::Arc::new(RateGate::default());
        gate.acquire("POST /channels/1/messages", true)
            .await
            .observe(Some(0), Some(5.0));
        let waiting = tokio::spawn({
            let gate = std::sync::Arc::clone(&gate);
            async move { drop(gate.acquire("POST /channels/1/messages", true).await) }
        });
        tokio::task::yield_now().await;
        let start = Instant::now();
        for channel in 2..12 {
            drop(
                gate.acquire(&format!("POST /channels/{channel}/messages"), true)
                    .await,
            );
        }
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(!waiting.is_finished());
        waiting.await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }
}
