//! What the scheduler is built from: the store, the poster, the library and the clock
//! ([`SchedulerDeps`]), and its tunables ([`SchedulerOptions`], [`SendRetry`]).

use super::clock::Clock;
use super::ports::{LibrarySource, Poster};
use crate::store::{Lease, Storage};
use std::sync::Arc;
use std::time::Duration;

/// What the scheduler works with.
#[derive(Clone)]
pub struct SchedulerDeps {
    pub store: Arc<dyn Storage>,
    /// What each delivery is claimed under: this process's replica id, and how long a claim
    /// holds while its owner does not renew it (another replica then takes it over).
    pub claims: Lease,
    pub poster: Arc<dyn Poster>,
    pub library: LibrarySource,
    pub clock: Arc<dyn Clock>,
}

/// Tunables; the defaults are the production values, tests shorten the waits.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// The longest sleep between two looks at the clock.
    pub max_sleep: Duration,
    /// How long shutdown waits for in-flight deliveries before abandoning them (they stay
    /// pending in the ledger and resume, with the same nonces, at the next start).
    pub shutdown_grace: Duration,
    /// Deliveries running at once; more wait their turn (Discord's rate limits apply anyway).
    pub concurrency: usize,
    pub retry: SendRetry,
    /// Among replicas: how long a bucket won in a lease round stays this scheduler's without
    /// a renewal, and how recent a heartbeat must be to count a replica as live. Another
    /// replica takes over a dead one's digests within this plus one round.
    pub bucket_lease: Duration,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            max_sleep: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(10),
            concurrency: 32,
            retry: SendRetry::default(),
            bucket_lease: Duration::from_secs(10),
        }
    }
}

/// How a message send is retried.
#[derive(Debug, Clone)]
pub struct SendRetry {
    /// Tries in all when Discord answers 5xx (or not at all).
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one, up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// 429s waited out (each for its Retry-After) before giving up on a message.
    pub max_rate_limit_waits: u32,
    /// One send that has not answered by then counts as a failed attempt and is retried
    /// (with the same nonce, so a send that did arrive is not doubled).
    pub attempt_timeout: Duration,
    /// A delivery that still fails after the attempts above stays pending and is tried again
    /// after this wait, doubled after each further failure up to `max_redelivery_backoff`,
    /// until its catch-up grace is over.
    pub redelivery_backoff: Duration,
    pub max_redelivery_backoff: Duration,
}

impl Default for SendRetry {
    fn default() -> Self {
        SendRetry {
            max_attempts: 5,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_rate_limit_waits: 20,
            attempt_timeout: Duration::from_secs(30),
            redelivery_backoff: Duration::from_secs(60),
            max_redelivery_backoff: Duration::from_secs(15 * 60),
        }
    }
}

impl SendRetry {
    /// The wait after the `failures`-th consecutive failure (1-based).
    pub fn backoff_after(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1));
        self.backoff.saturating_mul(factor).min(self.max_backoff)
    }

    /// The wait before the `retries`-th try of a delivery after its immediate retries failed
    /// (1-based).
    pub fn redelivery_after(&self, retries: u32) -> Duration {
        let factor = 2u32.saturating_pow(retries.saturating_sub(1).min(16));
        self.redelivery_backoff
            .saturating_mul(factor)
            .min(self.max_redelivery_backoff)
    }
}
