//! The PostgreSQL backend, for several replicas on one database (`tokio-postgres` with a
//! `deadpool-postgres` pool). Migrations are versioned files recorded in `schema_version`,
//! applied in one transaction under an advisory lock so replicas starting together do not
//! race; a newer schema is refused as on SQLite.
//!
//! Every call survives a short loss of the server: a transient failure (connection refused or
//! reset, the server shutting down or not yet accepting) is retried with capped exponential
//! backoff for at most `retry_for`, then returned as [`StoreError::Unavailable`], which the
//! scheduler treats as "try again later" rather than giving up a delivery. Pooled connections
//! that died are noticed on use and replaced.

mod backend;
mod digests;
mod ledger;
mod notify;
mod replicas;
mod shown;

use crate::store::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres_rustls::MakeRustlsConnect;

/// Schema versions, in order; `schema_version` holds the highest applied.
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
];
/// The advisory lock key migrations and bucket rounds take ("briefbot" in ASCII, as a number).
const MIGRATE_LOCK: i64 = 0x6272_6965_6662_6f74;
pub(super) const BUCKETS_LOCK: i64 = MIGRATE_LOCK + 1;
const POOL_SIZE: usize = 8;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one call keeps retrying a lost server before it reports it unavailable.
pub const DEFAULT_RETRY_FOR: Duration = Duration::from_secs(10);
pub(super) const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

pub use backend::PgStorage;

/// What failed inside one attempt of a call.
#[derive(Debug)]
pub(super) enum PgError {
    Pool(PoolError),
    Db(tokio_postgres::Error),
    /// A refusal that retrying cannot change (a duplicate name, a newer schema).
    Store(StoreError),
}

impl From<PoolError> for PgError {
    fn from(e: PoolError) -> PgError {
        PgError::Pool(e)
    }
}

impl From<tokio_postgres::Error> for PgError {
    fn from(e: tokio_postgres::Error) -> PgError {
        PgError::Db(e)
    }
}

impl From<StoreError> for PgError {
    fn from(e: StoreError) -> PgError {
        PgError::Store(e)
    }
}

impl PgError {
    /// True when the server was away or going away, not when the statement was wrong.
    fn is_transient(&self) -> bool {
        match self {
            PgError::Pool(PoolError::Backend(e)) | PgError::Db(e) => is_transient(e),
            PgError::Pool(PoolError::Timeout(_)) => true,
            PgError::Pool(_) | PgError::Store(_) => false,
        }
    }

    fn into_store(self, place: &str, waited: Duration) -> StoreError {
        if self.is_transient() {
            return StoreError::Unavailable {
                place: place.to_owned(),
                waited,
                reason: self.reason(),
            };
        }
        match self {
            PgError::Db(e) | PgError::Pool(PoolError::Backend(e)) => StoreError::Postgres(e),
            PgError::Store(e) => e,
            PgError::Pool(e) => StoreError::Task(e.to_string()),
        }
    }

    fn reason(&self) -> String {
        match self {
            PgError::Db(e) | PgError::Pool(PoolError::Backend(e)) => describe(e),
            PgError::Pool(e) => e.to_string(),
            PgError::Store(e) => e.to_string(),
        }
    }
}

/// tokio-postgres's own words ("error connecting to server") hide the cause one level down.
fn describe(e: &tokio_postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    }
}

fn is_transient(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        // Class 08: connection exceptions; 57P01-03: shut down, crashed, not yet accepting.
        return code.code().starts_with("08")
            || [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
                SqlState::T_R_SERIALIZATION_FAILURE,
                SqlState::T_R_DEADLOCK_DETECTED,
            ]
            .contains(code);
    }
    // No SQLSTATE: the failure is below the protocol (refused, reset, timed out, EOF).
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.downcast_ref::<std::io::Error>().is_some() {
            return true;
        }
        source = s.source();
    }
    e.to_string().contains("timeout")
}

/// Retries `$body` (which gets a pooled client as `$c` and returns `Result<T, PgError>`) while
/// it fails transiently, within the storage's `retry_for`.
macro_rules! retrying {
    ($pg:expr, |$c:ident| $body:block) => {{
        let pg = &$pg;
        let mut backoff = pg.backoff();
        loop {
            let result: Result<_, $crate::store::postgres::PgError> = async {
                #[allow(unused_mut)]
                let mut $c = pg.pool().get().await?;
                $body
            }
            .await;
            match result {
                Ok(value) => break Ok(value),
                Err(e) => {
                    if let Some(e) = backoff.failed(e).await {
                        break Err(e);
                    }
                }
            }
        }
    }};
}
pub(super) use retrying;

/// Capped exponential backoff within a deadline, for one call.
pub(super) struct Backoff {
    place: String,
    started: tokio::time::Instant,
    retry_for: Duration,
    wait: Duration,
}

impl Backoff {
    /// Sleeps and returns None when `e` is worth another try; else the error to return.
    pub(super) async fn failed(&mut self, e: PgError) -> Option<StoreError> {
        let waited = self.started.elapsed();
        if !e.is_transient() || waited + self.wait > self.retry_for {
            return Some(e.into_store(&self.place, waited));
        }
        tracing::warn!(error = %e.reason(), wait = ?self.wait, "database unreachable; retrying");
        tokio::time::sleep(self.wait).await;
        self.wait = (self.wait * 2).min(MAX_BACKOFF);
        None
    }
}

/// The parsed URL, a pool over it, and where it points in words without the password.
pub(super) fn pool(url: &str) -> Result<(Pool, tokio_postgres::Config, String), StoreError> {
    let mut config =
        tokio_postgres::Config::from_str(url).map_err(|e| StoreError::BadUrl(e.to_string()))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let place = place(&config);
    let manager = Manager::from_config(
        config.clone(),
        tls(),
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(POOL_SIZE)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(CONNECT_TIMEOUT))
        .wait_timeout(Some(CONNECT_TIMEOUT))
        .build()
        .map_err(|e| StoreError::BadUrl(e.to_string()))?;
    Ok((pool, config, place))
}

/// TLS through rustls (ring, Mozilla's roots), as the URL's `sslmode` asks: `prefer` (the
/// default) uses it when the server offers it, `require` refuses a server without it. The
/// server's certificate is always verified against the roots, stricter than libpq's `require`.
pub(super) fn tls() -> MakeRustlsConnect {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    MakeRustlsConnect::new(config)
}

/// `postgres://user@host:port/db`, never the password.
fn place(c: &tokio_postgres::Config) -> String {
    let host = match c.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = c.get_ports().first().copied().unwrap_or(5432);
    let user = c.get_user().unwrap_or("");
    let db = c.get_dbname().unwrap_or(user);
    format!("postgres://{user}@{host}:{port}/{db}")
}

/// Applies the migrations this build knows, refusing a newer schema; returns the version.
pub(super) async fn migrate(
    client: &mut tokio_postgres::Client,
    place: &str,
) -> Result<i64, PgError> {
    let tx = client.transaction().await?;
    // Held to the end of the transaction: a second replica waits here, then finds it done.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .await?;
    let found: i64 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])
        .await?
        .get(0);
    let known = MIGRATIONS.len() as i64;
    if found > known {
        return Err(PgError::Store(StoreError::TooNew {
            place: place.to_owned(),
            found,
            known,
        }));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).await?;
        let version = i as i64 + 1;
        tx.execute("DELETE FROM schema_version", &[]).await?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&version],
        )
        .await?;
        tracing::info!(version, "database migrated");
    }
    tx.commit().await?;
    Ok(known)
}

/// Where `url` points and the schema version found there (0: none yet), read without
/// migrating anything (`briefbot check`).
pub async fn peek(url: &str) -> Result<(String, i64), StoreError> {
    let (_, config, place) = pool(url)?;
    let (client, connection) =
        config
            .connect(tls())
            .await
            .map_err(|e| StoreError::Unavailable {
                place: place.clone(),
                waited: Duration::ZERO,
                reason: describe(&e),
            })?;
    let driver = tokio::spawn(connection);
    let version = async {
        let exists: bool = client
            .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
            .await?
            .get(0);
        if !exists {
            return Ok(0);
        }
        let row = client
            .query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])
            .await?;
        Ok::<i64, tokio_postgres::Error>(row.get(0))
    }
    .await;
    drop(client);
    let _ = driver.await;
    Ok((place, version?))
}

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Discord ids are below 2^63, so they round-trip through bigint.
pub(super) fn id_to_sql(id: u64) -> i64 {
    id as i64
}
