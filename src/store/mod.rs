//! Where briefbot keeps what must survive a restart: runtime digests (`/digest add`), each
//! digest's state (paused, last delivery, last error), the delivery ledger that makes digests
//! exactly-once, the briefings each digest has posted, and what replicas share (who is alive,
//! which buckets of digests each one times, named locks, change notifications).
//!
//! One contract, [`Storage`], two backends: [`sqlite`] (the embedded default, one process) and
//! [`postgres`] (several replicas on one database). Both apply versioned migrations when
//! opened and refuse a database written by a newer briefbot. [`open`] picks the backend from
//! the config; [`copy`] moves an SQLite installation into an empty PostgreSQL database.

pub mod copy;
mod model;
pub mod postgres;
pub mod replicas;
pub mod sqlite;
mod storage;

pub use model::{
    config_key, host_name, new_replica_id, runtime_key, Claim, Delivery, DeliveryStatus, DigestRow,
    DigestState, Lease, NewDigest, Replica, Shown, ShownBriefing,
};
pub use sqlite::{AsyncStore, SqliteStorage, Store};
pub use storage::Storage;

use crate::config::{PostgresUrl, StorageConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How long a claim holds when its owner stops renewing it. Shorter than Discord's nonce
/// window (a few minutes), so a take-over re-sends under the same nonces and is deduplicated.
pub const DEFAULT_CLAIM_LEASE: Duration = Duration::from_secs(30);

/// The claim owner of the one process an SQLite file serves (see `app`).
pub const SINGLE_PROCESS_OWNER: &str = "local";

/// Why the store failed. The messages are meant for the admin's log or terminal.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database `{}`: {reason}", path.display())]
    Open { path: PathBuf, reason: String },
    #[error("`{}` is not a briefbot database ({reason})", path.display())]
    NotADatabase { path: PathBuf, reason: String },
    #[error("database {place} was written by a newer briefbot (schema {found}, this build knows {known})")]
    TooNew {
        place: String,
        found: i64,
        known: i64,
    },
    #[error("a digest named `{name}` already exists in this guild")]
    DuplicateName { name: String },
    #[error("no digest named `{name}` in this guild")]
    NoSuchDigest { name: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The server could not be reached for a while; the caller may try again later.
    #[error("database {place} unreachable (tried for {waited:?}): {reason}")]
    Unavailable {
        place: String,
        waited: Duration,
        reason: String,
    },
    #[error("the database URL is not usable: {0}")]
    BadUrl(String),
    #[error("database {place} is not empty ({tables}); migrate only into an empty database")]
    NotEmpty { place: String, tables: String },
    /// A stored value this build cannot read (written by hand, or by a broken build).
    #[error("unreadable value in the database: {0}")]
    Corrupt(String),
    #[error("database task failed: {0}")]
    Task(String),
}

impl StoreError {
    /// True when the same call may well succeed later (the server was away), so a delivery
    /// should stay pending and be tried again rather than be given up.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}

/// Opens the configured backend: PostgreSQL when a URL is configured, else the SQLite file.
pub async fn open(config: &StorageConfig) -> Result<Arc<dyn Storage>, StoreError> {
    match &config.postgres {
        Some(url) => {
            let url = resolve_url(url)?;
            Ok(Arc::new(postgres::PgStorage::connect(&url).await?))
        }
        None => Ok(Arc::new(SqliteStorage::open(config.path.clone()).await?)),
    }
}

/// The URL itself, read from its environment variable when the config names one.
pub fn resolve_url(url: &PostgresUrl) -> Result<String, StoreError> {
    match url {
        PostgresUrl::Inline(url) => Ok(url.clone()),
        PostgresUrl::Env(var) => match std::env::var(var) {
            Ok(url) if !url.trim().is_empty() => Ok(url),
            _ => Err(StoreError::BadUrl(format!(
                "the environment variable `{var}` (storage.url_env) is not set"
            ))),
        },
    }
}
