//! What became of a delivery (`DeliveryOutcome`), and of one round of it (`Round`).

use super::ports::PostError;
use crate::store::DeliveryStatus;
use chrono::{DateTime, Utc};

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Sent {
        messages: usize,
    },
    /// Nothing to post and `when_empty = "skip"`.
    SkippedEmpty,
    /// The ledger had this fire closed already (e.g. sent before a restart).
    AlreadyClosed(DeliveryStatus),
    /// The digest was paused or removed before its turn came.
    NotDue,
    /// Its turn came only after its catch-up grace (it waited behind a delivery of the same
    /// digest that was being retried): recorded missed, not sent.
    TooLate,
    /// Failed after its immediate retries and stays pending: it is tried again with backoff
    /// until `until` (its catch-up grace). Only reported to a caller waiting on the delivery
    /// (`/digest send-now`); the delivery itself goes on.
    Retrying {
        error: String,
        next_try: DateTime<Utc>,
        until: DateTime<Utc>,
    },
    /// Recorded as failed; `paused` when the channel is gone or forbidden.
    Failed {
        error: String,
        paused: bool,
    },
    /// Shutdown (or a store error) stopped it midway; it stays pending and resumes at start.
    Interrupted,
}

impl DeliveryOutcome {
    /// A short label for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            DeliveryOutcome::Sent { .. } => "sent",
            DeliveryOutcome::SkippedEmpty => "skipped_empty",
            DeliveryOutcome::AlreadyClosed(_) => "already_closed",
            DeliveryOutcome::NotDue => "not_due",
            DeliveryOutcome::TooLate => "too_late",
            DeliveryOutcome::Retrying { .. } => "retrying",
            DeliveryOutcome::Failed { paused: true, .. } => "failed_paused",
            DeliveryOutcome::Failed { .. } => "failed",
            DeliveryOutcome::Interrupted => "interrupted",
        }
    }
}

/// Where the first decisive outcome of a delivery goes: its end, or that it is being retried.
pub(super) type FirstOutcome = Option<tokio::sync::oneshot::Sender<DeliveryOutcome>>;

/// One round of a delivery: what became of it, or that it failed in a way worth trying again
/// later (a server error, no answer, or rate limits that outlasted the immediate retries).
pub(super) enum Round {
    Done(DeliveryOutcome),
    Retry {
        error: PostError,
        attempts: u32,
    },
    /// Another replica claimed this fire and its lease still runs until `until`: try again
    /// then (it is closed by then if that replica delivered it).
    Held {
        owner: String,
        until: DateTime<Utc>,
    },
}
