//! The configured store as `check` and `schedule` see it: which backend, its schema, and
//! the runtime digests it holds, read without creating or migrating anything.

use crate::config::Config;
use crate::store::{self, postgres, DigestRow, Storage, Store, StoreError};

/// One line about the store for `briefbot check`, and whether it is a problem.
pub fn describe(config: &Config) -> (String, bool) {
    let known_sqlite = Store::schema_version();
    match &config.storage.postgres {
        None => {
            let path = &config.storage.path;
            if path.as_os_str() == ":memory:" || !path.exists() {
                let line = format!(
                    "store SQLite {}: not created yet (schema {known_sqlite} on first run)",
                    path.display()
                );
                return (line, false);
            }
            match Store::peek_version(path) {
                Ok(v) => schema_line(&format!("SQLite {}", path.display()), v, known_sqlite),
                Err(e) => (format!("store: {e}"), true),
            }
        }
        Some(url) => {
            let peeked = store::resolve_url(url).and_then(|url| block_on(postgres::peek(&url)));
            match peeked {
                Ok((place, v)) => schema_line(
                    &format!("PostgreSQL {place}"),
                    v,
                    postgres::schema_version(),
                ),
                Err(e) => (format!("store: {e}"), true),
            }
        }
    }
}

fn schema_line(place: &str, found: i64, known: i64) -> (String, bool) {
    if found > known {
        let line = format!(
            "store {place}: schema {found} was written by a newer briefbot (this build knows {known})"
        );
        return (line, true);
    }
    let state = if found == known {
        "up to date".to_string()
    } else {
        format!("migrated to {known} at the next start")
    };
    (format!("store {place}: schema {found} ({state})"), false)
}

/// Digests stored by `/digest add`. No SQLite file yet means none (and none is created here).
pub fn runtime_digests(config: &Config) -> Result<Vec<DigestRow>, StoreError> {
    match &config.storage.postgres {
        None => {
            let path = &config.storage.path;
            if !path.exists() {
                return Ok(Vec::new());
            }
            Store::open(path)?.all_digests()
        }
        Some(url) => {
            let url = store::resolve_url(url)?;
            block_on(async {
                let storage = postgres::PgStorage::connect(&url).await?;
                storage.all_digests().await
            })
        }
    }
}

/// The offline commands are synchronous; PostgreSQL needs a runtime for the one call.
pub fn block_on<T>(
    f: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Task(e.to_string()))?
        .block_on(f)
}
