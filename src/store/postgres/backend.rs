//! [`PgStorage`]: the pool, the migrations at connect, the change listener, and the
//! [`Storage`] impl, which hands each call to the statements in `digests.rs`, `ledger.rs` and
//! `replicas.rs`.

use super::{migrate, notify, pool, retrying, Backoff, DEFAULT_RETRY_FOR, FIRST_BACKOFF};
use crate::store::{
    Claim, Delivery, DigestRow, DigestState, Lease, NewDigest, Replica, Shown, ShownBriefing,
    Storage, StoreError,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::{CancellationToken, DropGuard};

const NOTIFY_BACKLOG: usize = 1024;

/// A PostgreSQL database shared by every replica.
pub struct PgStorage {
    pool: Pool,
    place: String,
    retry_for: Duration,
    changes: broadcast::Sender<String>,
    /// Stops the change listener when the storage goes.
    _listener: DropGuard,
}

impl std::fmt::Debug for PgStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStorage")
            .field("place", &self.place)
            .finish()
    }
}

impl PgStorage {
    /// Connects (retrying a server that is not up yet for [`DEFAULT_RETRY_FOR`]), applies the
    /// migrations this build knows and starts listening for change notifications.
    pub async fn connect(url: &str) -> Result<PgStorage, StoreError> {
        PgStorage::connect_with(url, DEFAULT_RETRY_FOR).await
    }

    /// [`PgStorage::connect`] with how long each call retries a lost server.
    pub async fn connect_with(url: &str, retry_for: Duration) -> Result<PgStorage, StoreError> {
        let (pool, config, place) = pool(url)?;
        let stop = CancellationToken::new();
        let storage = PgStorage {
            pool,
            place,
            retry_for,
            changes: broadcast::channel(NOTIFY_BACKLOG).0,
            _listener: stop.clone().drop_guard(),
        };
        let place = storage.place.clone();
        retrying!(storage, |c| { migrate(&mut c, &place).await })?;
        let (ready, listening) = tokio::sync::oneshot::channel();
        tokio::spawn(notify::listen(config, storage.changes.clone(), stop, ready));
        // Subscribers hear every change made once `connect` returns; a listener that cannot
        // connect yet keeps trying in the background.
        if tokio::time::timeout(storage.retry_for, listening)
            .await
            .is_err()
        {
            tracing::warn!("change notifications not listening yet; still trying");
        }
        Ok(storage)
    }

    pub(super) fn pool(&self) -> &Pool {
        &self.pool
    }

    pub(super) fn backoff(&self) -> Backoff {
        Backoff {
            place: self.place.clone(),
            started: tokio::time::Instant::now(),
            retry_for: self.retry_for,
            wait: FIRST_BACKOFF,
        }
    }

    /// The names of briefbot's tables that hold any row (`briefbot migrate` wants none).
    pub async fn non_empty_tables(&self) -> Result<Vec<String>, StoreError> {
        let mut found = Vec::new();
        for table in ["digests", "digest_state", "deliveries", "posted", "shown"] {
            let sql = format!("SELECT EXISTS (SELECT 1 FROM {table})");
            let any: bool = retrying!(self, |c| { Ok(c.query_one(&sql, &[]).await?.get(0)) })?;
            if any {
                found.push(table.to_owned());
            }
        }
        Ok(found)
    }

    /// A client for a caller that runs its own transaction (`briefbot migrate`).
    pub async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        let mut backoff = self.backoff();
        loop {
            match self.pool.get().await {
                Ok(c) => return Ok(c),
                Err(e) => {
                    if let Some(e) = backoff.failed(e.into()).await {
                        return Err(e);
                    }
                }
            }
        }
    }
}

#[async_trait]
impl Storage for PgStorage {
    fn describe(&self) -> String {
        format!("PostgreSQL {}", self.place)
    }

    async fn schema_version(&self) -> Result<i64, StoreError> {
        retrying!(self, |c| {
            Ok(c.query_one("SELECT max(version) FROM schema_version", &[])
                .await?
                .get::<_, Option<i64>>(0)
                .unwrap_or(0))
        })
    }

    async fn insert_digest(&self, d: &NewDigest, now: DateTime<Utc>) -> Result<(), StoreError> {
        PgStorage::insert_digest(self, d, now).await
    }

    async fn update_digest(&self, d: &NewDigest) -> Result<(), StoreError> {
        PgStorage::update_digest(self, d).await
    }

    async fn list_digests(&self, guild_id: u64) -> Result<Vec<DigestRow>, StoreError> {
        PgStorage::list_digests(self, guild_id).await
    }

    async fn all_digests(&self) -> Result<Vec<DigestRow>, StoreError> {
        PgStorage::all_digests(self).await
    }

    async fn get_digest(&self, guild_id: u64, name: &str) -> Result<Option<DigestRow>, StoreError> {
        PgStorage::get_digest(self, guild_id, name).await
    }

    async fn delete_digest(&self, guild_id: u64, name: &str) -> Result<(), StoreError> {
        PgStorage::delete_digest(self, guild_id, name).await
    }

    async fn mark_seen(&self, keys: &[String], now: DateTime<Utc>) -> Result<(), StoreError> {
        PgStorage::mark_seen(self, keys, now).await
    }

    async fn set_paused(
        &self,
        key: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        PgStorage::set_paused(self, key, reason, now).await
    }

    async fn state(&self, key: &str) -> Result<Option<DigestState>, StoreError> {
        PgStorage::state(self, key).await
    }

    async fn states(&self) -> Result<HashMap<String, DigestState>, StoreError> {
        PgStorage::states(self).await
    }

    async fn claim(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        PgStorage::claim(self, key, fire, lease, now).await
    }

    async fn delivery(
        &self,
        key: &str,
        fire: DateTime<Utc>,
    ) -> Result<Option<Delivery>, StoreError> {
        PgStorage::delivery(self, key, fire).await
    }

    async fn set_briefings(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        ids: &[String],
    ) -> Result<(), StoreError> {
        PgStorage::set_briefings(self, key, fire, ids).await
    }

    async fn record_progress(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        message_ids: &[u64],
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        PgStorage::record_progress(self, key, fire, message_ids, lease, now).await
    }

    async fn record_sending(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        PgStorage::record_sending(self, key, fire, lease, now).await
    }

    async fn record_retry(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        PgStorage::record_retry(self, key, fire, error, attempts, now).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_sent(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        message_ids: &[u64],
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        PgStorage::record_sent(self, key, fire, channel_id, message_ids, attempts, now).await
    }

    async fn record_failed(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        PgStorage::record_failed(self, key, fire, error, attempts, now).await
    }

    async fn record_skipped_empty(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        PgStorage::record_skipped_empty(self, key, fire, now).await
    }

    async fn record_missed(
        &self,
        fires: &[(String, DateTime<Utc>)],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        PgStorage::record_missed(self, fires, reason, now).await
    }

    async fn latest_fire(&self, key: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        PgStorage::latest_fire(self, key).await
    }

    async fn latest_fires(&self) -> Result<HashMap<String, DateTime<Utc>>, StoreError> {
        PgStorage::latest_fires(self).await
    }

    async fn pending(&self) -> Result<Vec<Delivery>, StoreError> {
        PgStorage::pending(self).await
    }

    async fn recent_deliveries(
        &self,
        key: &str,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        PgStorage::recent_deliveries(self, key, limit).await
    }

    async fn posted_ids(&self, key: &str, channel_id: u64) -> Result<HashSet<String>, StoreError> {
        PgStorage::posted_ids(self, key, channel_id).await
    }

    async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        PgStorage::prune_deliveries(self, before).await
    }

    async fn record_shown(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        PgStorage::record_shown(self, key, fire, channel_id, briefings, now).await
    }

    async fn record_corrected(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        PgStorage::record_corrected(self, key, fire, briefings, now).await
    }

    async fn shown_since(&self, since: DateTime<Utc>) -> Result<Vec<Shown>, StoreError> {
        PgStorage::shown_since(self, since).await
    }

    async fn heartbeat(&self, replica: &Replica) -> Result<(), StoreError> {
        PgStorage::heartbeat(self, replica).await
    }

    async fn live_replicas(
        &self,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Vec<Replica>, StoreError> {
        PgStorage::live_replicas(self, now, ttl).await
    }

    async fn leave(&self, id: &str) -> Result<(), StoreError> {
        PgStorage::leave(self, id).await
    }

    async fn claim_buckets(
        &self,
        total: u32,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Vec<u32>, StoreError> {
        PgStorage::claim_buckets(self, total, lease, now).await
    }

    async fn try_singleton(
        &self,
        name: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        PgStorage::try_singleton(self, name, lease, now).await
    }

    async fn notify_digest_changed(&self, key: &str) -> Result<(), StoreError> {
        retrying!(self, |c| {
            c.execute("SELECT pg_notify($1, $2)", &[&notify::CHANNEL, &key])
                .await?;
            Ok(())
        })
    }

    fn subscribe(&self) -> broadcast::Receiver<String> {
        self.changes.subscribe()
    }
}
