//! Digests: briefings posted to a channel on a schedule.
//!
//! - `schedule`: when a cron expression fires on the wall clock of a time zone (pure time).
//! - `spec`: one [`DigestSpec`] whether the digest comes from the config or `/digest add`.
//! - `selection`: what one delivery carries, and the nonces that make a retry harmless.
//! - `steps`: a delivery as a fixed list of (where, message) steps, from the digest's target.
//! - `scheduler`: one timer over every digest, deliveries recorded in the store's ledger.
//! - `answers`: what `/digest …` answers moderators, as plain values.

pub mod answers;
pub mod schedule;
pub mod scheduler;
mod selection;
mod spec;
pub mod steps;
pub mod target;
#[cfg(test)]
mod tests;

pub use selection::{entries_by_id, fnv1a, nonce, render_delivery, sections_of, select_content};
pub use spec::*;
pub use target::{
    ForumPost, Identity, Target, TargetError, TargetKind, TargetOptions, TargetProblem,
    ThreadTarget,
};
