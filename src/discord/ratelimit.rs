//! Backpressure before Discord has to push back: at most 50 requests a second across the bot
//! (Discord's global limit; interaction answers are exempt, as on Discord), and a route whose
//! bucket Discord reported empty (`X-RateLimit-Remaining: 0`) waits for its reset. A burst of
//! digests or follow-ups then queues here instead of collecting 429s.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Discord's global limit for a bot.
pub const GLOBAL_PER_SECOND: u32 = 50;
const WINDOW: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct Window {
    start: Instant,
    used: u32,
}

#[derive(Debug)]
pub struct RateGate {
    global: tokio::sync::Mutex<Window>,
    /// Routes (method and path) that must wait until the given instant.
    routes: Mutex<HashMap<String, Instant>>,
}

impl Default for RateGate {
    fn default() -> Self {
        RateGate {
            global: tokio::sync::Mutex::new(Window {
                start: Instant::now(),
                used: 0,
            }),
            routes: Mutex::new(HashMap::new()),
        }
    }
}

impl RateGate {
    /// Waits until a request on `route` may go out.
    pub async fn acquire(&self, route: &str, counts_globally: bool) {
        loop {
            let until = self.lock_routes().get(route).copied();
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => break,
            }
        }
        if !counts_globally {
            return;
        }
        // Waiters queue on the lock, so they leave in order, each window taking 50.
        let mut window = self.global.lock().await;
        let now = Instant::now();
        if now >= window.start + WINDOW {
            *window = Window {
                start: now,
                used: 0,
            };
        }
        if window.used >= GLOBAL_PER_SECOND {
            let next = window.start + WINDOW;
            tokio::time::sleep_until(next).await;
            *window = Window {
                start: next,
                used: 0,
            };
        }
        window.used += 1;
    }

    /// Records what Discord said about `route`'s bucket after a response.
    pub fn observe(&self, route: &str, remaining: Option<u64>, reset_after: Option<f64>) {
        let mut routes = self.lock_routes();
        let now = Instant::now();
        routes.retain(|_, until| *until > now);
        if let (Some(0), Some(secs)) = (remaining, reset_after) {
            routes.insert(
                route.to_string(),
                now + Duration::from_secs_f64(secs.clamp(0.0, 60.0)),
            );
        }
    }

    /// After a global 429: nothing that counts globally leaves before `wait` has passed.
    pub async fn block_globally(&self, wait: Duration) {
        let mut window = self.global.lock().await;
        *window = Window {
            start: Instant::now() + wait - WINDOW.min(wait),
            used: GLOBAL_PER_SECOND,
        };
    }

    fn lock_routes(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.routes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_spread_over_seconds_at_50_a_second() {
        let gate = RateGate::default();
        let start = Instant::now();
        for _ in 0..120 {
            gate.acquire("POST /channels/1/messages", true).await;
        }
        // 50 now, 50 after 1 s, 20 after 2 s.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // Interaction answers are not held back by the global limit.
        let before = Instant::now();
        for _ in 0..100 {
            gate.acquire("POST /interactions/1/t/callback", false).await;
        }
        assert_eq!(before.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn an_empty_bucket_holds_its_route_only() {
        let gate = RateGate::default();
        gate.observe("POST /channels/1/messages", Some(0), Some(1.5));
        let start = Instant::now();
        gate.acquire("POST /channels/2/messages", true).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        gate.acquire("POST /channels/1/messages", true).await;
        assert_eq!(start.elapsed(), Duration::from_millis(1500));
        gate.observe("POST /channels/1/messages", Some(4), Some(1.0));
        let again = Instant::now();
        gate.acquire("POST /channels/1/messages", true).await;
        assert_eq!(again.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_global_429_holds_everything_that_counts_globally() {
        let gate = RateGate::default();
        gate.block_globally(Duration::from_secs(3)).await;
        let start = Instant::now();
        gate.acquire("PUT /applications/1/commands", true).await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }
}
