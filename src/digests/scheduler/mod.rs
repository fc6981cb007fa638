//! The digest scheduler: one timer over all digests (config and runtime), one task that sleeps
//! until the earliest fire time, and deliveries recorded in the store's ledger so that no
//! restart, outage or rate limit loses or duplicates a digest.
//!
//! - `queue`: every digest and its next fire time; the loop sleeps until the earliest, at most
//!   `max_sleep` so that a clock jump is noticed, and re-reads the clock after every wake.
//! - `run`: the loop, and the start: every digest on the timer, then `plan` for the ones this
//!   scheduler owns: interrupted deliveries resumed, missed fires caught up.
//! - `buckets`: which digests this scheduler fires (all of them, or its buckets' among
//!   replicas); `replica`: the lease round, gaining and losing buckets, and applying the
//!   changes other replicas announce.
//! - `deliver`: one (digest, fire) from ledger to Discord and back; `send`: the one path every
//!   message takes, immediate retries included; `retry`: a delivery that still fails stays
//!   pending and is tried again until its grace is over; `changes`: pausing and
//!   (re)scheduling a digest.
//! - `catch_up`: the pure policy decisions. `ports`: the traits the Discord layer implements.
//! - `state`: the shared state, as data; `options`: what the scheduler is built from.
//!
//! [`SchedulerHandle`] is cheap to clone; the app keeps one, calls
//! [`SchedulerHandle::start`] on every READY (only the first starts anything) and
//! [`SchedulerHandle::shutdown`] on SIGINT/SIGTERM.

mod attempt;
mod buckets;
mod catch_up;
mod changes;
mod clock;
mod corrections;
mod deliver;
mod edit;
mod error;
mod follow;
mod forum_posts;
mod handle;
mod memory;
mod options;
mod outcome;
mod plan;
mod ports;
mod queue;
mod replica;
mod retry;
mod run;
mod send;
mod state;
#[cfg(test)]
mod tests;

pub use buckets::{bucket_of, BucketChange, BUCKETS};
pub use catch_up::{catch_up_plan, due_plan, CatchUpPlan, MIN_RUNNING_GRACE};
pub use clock::{Clock, SystemClock, TokioClock};
pub use corrections::{revision, shown_of, Corrected, Editor, PostedAt};
pub use error::SchedulerError;
pub use handle::{DigestStatus, Resumed, SchedulerHandle, SkippedFires};
pub use memory::{MemoryPoster, PostedMessage};
pub use options::{SchedulerDeps, SchedulerOptions, SendRetry};
pub use outcome::DeliveryOutcome;
pub use ports::{fixed_library, LibrarySnapshot, LibrarySource, PostError, Poster, Sent};
pub use replica::ReplicaCard;
pub use state::PendingRetry;
