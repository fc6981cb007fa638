//! Why a change to a digest, or the scheduler's start, did not happen.

use crate::digests::schedule::ScheduleError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("no digest named `{0}`")]
    NotFound(String),
    #[error("digest `{0}` is defined in the bot's config file; ask the bot's admin to change it")]
    ConfigDigest(String),
    #[error("the scheduler is shutting down")]
    Stopped,
    #[error("a delivery of this digest is being retried (until {})", .0.until)]
    Retrying(super::PendingRetry),
}
