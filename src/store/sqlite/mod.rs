//! The embedded SQLite backend, the default: one file, one process. Migrations are embedded
//! and applied when the file is opened (`PRAGMA user_version` counts them); a file from a newer
//! briefbot is refused rather than half-understood.
//!
//! `Store` is synchronous (rusqlite); async code goes through [`AsyncStore`], which runs each
//! call on tokio's blocking pool so SQLite never stalls a runtime worker thread, and
//! [`SqliteStorage`] is the [`crate::store::Storage`] over it.

mod backend;
mod digests;
mod export;
mod history;
mod ledger;
mod replicas;
mod shown;
#[cfg(test)]
mod tests;

pub use backend::SqliteStorage;
pub use export::{Export, PostedRow};
pub(crate) use ledger::{claim_of, ids_json};
pub(crate) use shown::shown_json;

use super::StoreError;

use chrono::{DateTime, Utc};
use rusqlite::types::Type;
use rusqlite::{Connection, ErrorCode, OpenFlags, Row};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Schema versions, in order; the database's `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
    include_str!("schema_v5.sql"),
];

/// How long a statement waits for another connection's lock (e.g. `briefbot schedule` reading
/// while the bot writes) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One SQLite connection with briefbot's schema.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating on first run) the database at `path` and migrates it to this build's
    /// schema. `:memory:` gives a private in-memory database, for tests.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref();
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: path.to_path_buf(),
            reason: describe(&e),
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        // SQLite quietly falls back to read-only when the file is write-protected; say so now
        // rather than at the first delivery.
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(open_err)? {
            return Err(StoreError::Open {
                path: path.to_path_buf(),
                reason: "the file is read-only".into(),
            });
        }
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // The first read is where a file that is not SQLite shows itself.
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| classify(path, e))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                place: path.display().to_string(),
                found: version,
                known,
            });
        }
        // WAL lets readers (the CLI) work beside the bot; NORMAL sync is safe against a killed
        // process, which is the crash the ledger has to survive.
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
            .map_err(|e| classify(path, e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| classify(path, e))?;
        let mut store = Store { conn };
        store.migrate(version).map_err(|e| match e {
            StoreError::Sqlite(e) => classify(path, e),
            other => other,
        })?;
        Ok(store)
    }

    /// The schema version of the file at `path`, read without changing it (`briefbot check`).
    pub fn peek_version(path: &Path) -> Result<i64, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        conn.pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| classify(path, e))
    }

    /// The schema version this build writes.
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// The schema version the file is at (after opening: this build's).
    pub fn user_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    fn migrate(&mut self, from: i64) -> Result<(), StoreError> {
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
            tracing::info!(version = i + 1, "database migrated");
        }
        Ok(())
    }
}

/// What went wrong opening `path`, in words an admin can act on.
fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path.to_path_buf(),
            reason: describe(&e),
        },
        Some(
            ErrorCode::CannotOpen
            | ErrorCode::ReadOnly
            | ErrorCode::PermissionDenied
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure,
        ) => StoreError::Open {
            path: path.to_path_buf(),
            reason: describe(&e),
        },
        _ => StoreError::Sqlite(e),
    }
}

fn describe(e: &rusqlite::Error) -> String {
    let text = e.to_string();
    if e.sqlite_error_code() == Some(ErrorCode::CannotOpen) {
        format!("{text} (does the folder exist, and may briefbot write to it?)")
    } else {
        text
    }
}

/// A shared store for async code: every call runs on the blocking pool, one at a time.
#[derive(Debug, Clone)]
pub struct AsyncStore {
    inner: Arc<Mutex<Store>>,
}

impl AsyncStore {
    pub fn new(store: Store) -> AsyncStore {
        AsyncStore {
            inner: Arc::new(Mutex::new(store)),
        }
    }

    /// Opens the database on the blocking pool (see [`Store::open`]).
    pub async fn open(path: impl Into<PathBuf>) -> Result<AsyncStore, StoreError> {
        let path = path.into();
        let store = tokio::task::spawn_blocking(move || Store::open(path))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))??;
        Ok(AsyncStore::new(store))
    }

    /// Runs `f` with the store on tokio's blocking pool:
    /// `store.call(move |s| s.list_digests(guild)).await`.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // A panic elsewhere mid-call left no open transaction behind (rusqlite rolls back
            // on drop), so the store is still sound.
            let mut store = inner.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut store)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

/// Discord ids are below 2^63, so they round-trip through SQLite's signed integers.
fn id_to_sql(id: u64) -> i64 {
    id as i64
}

fn id_from_sql(v: i64) -> u64 {
    v as u64
}

/// Stored times are unix seconds; values briefbot never writes (out of range) read as the epoch.
fn from_unix(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// A JSON column read into `T`; bad JSON is a conversion error naming the column.
fn json_column<T: serde::de::DeserializeOwned>(r: &Row, i: usize) -> rusqlite::Result<T> {
    let text: String = r.get(i)?;
    serde_json::from_str(&text).map_err(|e| corrupt(i, e.to_string()))
}

fn corrupt(column: usize, reason: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, reason.into())
}
