//! The digest scheduler: one timer over all digests (config and runtime), one task that sleeps
//! until the earliest fire time, and deliveries recorded in the store's ledger so that no
//! restart, outage or rate limit loses or duplicates a digest (SPEC §4).
//!
//! - `queue`: every digest and its next fire time; the loop sleeps until the earliest, at most
//!   `max_sleep` so that a clock jump is noticed, and re-reads the clock after every wake.
//! - `run`: the loop, and the start: interrupted deliveries resumed, missed fires caught up.
//! - `deliver`: one (digest, fire) from ledger to Discord and back, retries included.
//! - `catch_up`: the pure policy decisions. `poster`: the traits the Discord layer implements.
//!
//! [`SchedulerHandle`] is cheap to clone; the Discord layer keeps one, calls
//! [`SchedulerHandle::start`] on every READY (only the first starts anything) and
//! [`SchedulerHandle::shutdown`] on SIGINT/SIGTERM.

mod catch_up;
mod clock;
mod deliver;
mod handle;
mod inner;
mod poster;
mod queue;
mod run;
#[cfg(test)]
mod tests;

pub use catch_up::{catch_up_plan, due_plan, CatchUpPlan, MIN_RUNNING_GRACE};
pub use clock::{Clock, SystemClock, TokioClock};
pub use deliver::Outcome;
pub use handle::{DigestStatus, SchedulerError, SchedulerHandle};
pub use poster::{fixed_library, LibrarySnapshot, LibrarySource, PostError, Poster};

use crate::store::AsyncStore;
use std::sync::Arc;
use std::time::Duration;

/// What the scheduler works with.
#[derive(Clone)]
pub struct SchedulerDeps {
    pub store: AsyncStore,
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
    pub retry: RetryPolicy,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            max_sleep: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(10),
            concurrency: 32,
            retry: RetryPolicy::default(),
        }
    }
}

/// How a message send is retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
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
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_rate_limit_waits: 20,
            attempt_timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failures`-th consecutive failure (1-based).
    pub fn backoff_after(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1));
        self.backoff.saturating_mul(factor).min(self.max_backoff)
    }
}
