//! Discord's per-route buckets (5 messages per 5 s in a channel, for instance) as the bot learns
//! them: a route whose bucket Discord reported empty (`X-RateLimit-Remaining: 0`) waits for its
//! reset. One request per route is in flight at a time, so the next one is sent only once
//! the previous answer told what is left; two digests due at once in one channel would otherwise
//! both go out on a bucket that had room for one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

/// Longest reset honoured; a larger value is a misread header, not a plan.
const MAX_RESET: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct Routes {
    /// By route key (method and path with its ids). An entry nobody holds and that is not
    /// waiting for a reset is dropped, so interaction routes do not pile up.
    buckets: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Bucket>>>>,
}

#[derive(Debug, Default)]
struct Bucket {
    reset_at: Option<Instant>,
}

/// The right to send one request on a route; give back what Discord answered with
/// [`RoutePermit::observe`], or drop it when there was no answer.
#[derive(Debug)]
pub struct RoutePermit {
    bucket: OwnedMutexGuard<Bucket>,
}

impl RoutePermit {
    /// Records what Discord said about the route's bucket.
    pub fn observe(mut self, remaining: Option<u64>, reset_after: Option<f64>) {
        self.bucket.reset_at = match (remaining, reset_after) {
            (Some(0), Some(secs)) => {
                let wait = Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(MAX_RESET);
                Some(Instant::now() + wait.min(MAX_RESET))
            }
            _ => None,
        };
    }
}

impl Routes {
    /// Waits until no other request on `route` is in flight and its bucket has room.
    pub async fn acquire(&self, route: &str) -> RoutePermit {
        let bucket = {
            let mut buckets = self.lock();
            let now = Instant::now();
            buckets.retain(|_, b| {
                Arc::strong_count(b) > 1
                    || b.try_lock()
                        .map_or(true, |b| b.reset_at.is_some_and(|r| r > now))
            });
            Arc::clone(buckets.entry(route.to_string()).or_default())
        };
        let bucket = bucket.lock_owned().await;
        if let Some(reset) = bucket.reset_at.filter(|r| *r > Instant::now()) {
            tokio::time::sleep_until(reset).await;
        }
        RoutePermit { bucket }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<tokio::sync::Mutex<Bucket>>>> {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANNEL_1: &str = "POST /channels/1/messages";
    const CHANNEL_2: &str = "POST /channels/2/messages";

    #[tokio::test(start_paused = true)]
    async fn an_empty_bucket_holds_its_route_only() {
        let routes = Routes::default();
        routes.acquire(CHANNEL_1).await.observe(Some(0), Some(1.5));
        let start = Instant::now();
        drop(routes.acquire(CHANNEL_2).await);
        assert_eq!(start.elapsed(), Duration::ZERO);
        let permit = routes.acquire(CHANNEL_1).await;
        assert_eq!(start.elapsed(), Duration::from_millis(1500));
        permit.observe(Some(4), Some(1.0));
        let again = Instant::now();
        drop(routes.acquire(CHANNEL_1).await);
        assert_eq!(again.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn one_request_per_route_is_in_flight_and_the_next_reads_its_answer() {
        let routes = Arc::new(Routes::default());
        let first = routes.acquire(CHANNEL_1).await;
        let second = tokio::spawn({
            let routes = Arc::clone(&routes);
            async move {
                drop(routes.acquire(CHANNEL_1).await);
                Instant::now()
            }
        });
        let start = Instant::now();
        tokio::time::sleep(Duration::from_millis(300)).await; // the first request's round trip
        first.observe(Some(0), Some(5.0));
        assert_eq!(second.await.unwrap() - start, Duration::from_millis(5300));
    }

    #[tokio::test(start_paused = true)]
    async fn idle_routes_are_forgotten_and_waiting_ones_kept() {
        let routes = Routes::default();
        for id in 0..100 {
            let route = format!("POST /interactions/{id}/token/callback");
            routes.acquire(&route).await.observe(Some(1), Some(1.0));
        }
        routes.acquire(CHANNEL_1).await.observe(Some(0), Some(2.0));
        drop(routes.acquire(CHANNEL_2).await);
        assert_eq!(routes.len(), 2, "the waiting channel and the one just used");
        tokio::time::sleep(Duration::from_secs(3)).await;
        drop(routes.acquire(CHANNEL_2).await);
        assert_eq!(routes.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_reset_beyond_reason_is_capped() {
        let routes = Routes::default();
        routes.acquire(CHANNEL_1).await.observe(Some(0), Some(1e12));
        let start = Instant::now();
        drop(routes.acquire(CHANNEL_1).await);
        assert_eq!(start.elapsed(), MAX_RESET);
    }
}
