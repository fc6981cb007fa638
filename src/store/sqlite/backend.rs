//! [`Storage`] over the SQLite [`Store`]: each call runs on the blocking pool through
//! [`AsyncStore`]; notifications go through an in-process channel, as one file has one process.

use super::{AsyncStore, Store};
use crate::store::{
    Claim, Delivery, DigestRow, DigestState, Lease, NewDigest, Replica, Shown, ShownBriefing,
    Storage, StoreError,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::broadcast;

/// How many change notifications a slow subscriber may fall behind before it misses some
/// (it then reloads everything, see `broadcast::error::RecvError::Lagged`).
const NOTIFY_BACKLOG: usize = 1024;

#[derive(Debug, Clone)]
pub struct SqliteStorage {
    store: AsyncStore,
    place: String,
    changes: broadcast::Sender<String>,
}

impl SqliteStorage {
    /// Opens (creating and migrating) the file at `path`; `:memory:` for a private database.
    pub async fn open(path: impl Into<PathBuf>) -> Result<SqliteStorage, StoreError> {
        let path = path.into();
        let place = path.display().to_string();
        let store = AsyncStore::open(path).await?;
        Ok(SqliteStorage::new(store, place))
    }

    pub fn new(store: AsyncStore, place: String) -> SqliteStorage {
        SqliteStorage {
            store,
            place,
            changes: broadcast::channel(NOTIFY_BACKLOG).0,
        }
    }

    /// The synchronous store underneath, for what only SQLite does (`briefbot migrate` reads).
    pub fn store(&self) -> &AsyncStore {
        &self.store
    }
}

/// Runs one `Store` method on the blocking pool, cloning the borrowed arguments in.
macro_rules! call {
    ($self:ident, |$s:ident| $body:expr) => {
        $self.store.call(move |$s: &mut Store| $body).await
    };
}

#[async_trait]
impl Storage for SqliteStorage {
    fn describe(&self) -> String {
        format!("SQLite {}", self.place)
    }

    async fn schema_version(&self) -> Result<i64, StoreError> {
        call!(self, |s| s.user_version())
    }

    async fn insert_digest(&self, d: &NewDigest, now: DateTime<Utc>) -> Result<(), StoreError> {
        let d = d.clone();
        call!(self, |s| s.insert_digest(&d, now))
    }

    async fn update_digest(&self, d: &NewDigest) -> Result<(), StoreError> {
        let d = d.clone();
        call!(self, |s| s.update_digest(&d))
    }

    async fn list_digests(&self, guild_id: u64) -> Result<Vec<DigestRow>, StoreError> {
        call!(self, |s| s.list_digests(guild_id))
    }

    async fn all_digests(&self) -> Result<Vec<DigestRow>, StoreError> {
        call!(self, |s| s.all_digests())
    }

    async fn get_digest(&self, guild_id: u64, name: &str) -> Result<Option<DigestRow>, StoreError> {
        let name = name.to_owned();
        call!(self, |s| s.get_digest(guild_id, &name))
    }

    async fn delete_digest(&self, guild_id: u64, name: &str) -> Result<(), StoreError> {
        let name = name.to_owned();
        call!(self, |s| s.delete_digest(guild_id, &name))
    }

    async fn mark_seen(&self, keys: &[String], now: DateTime<Utc>) -> Result<(), StoreError> {
        let keys = keys.to_vec();
        call!(self, |s| s.mark_seen(keys.iter().map(String::as_str), now))
    }

    async fn set_paused(
        &self,
        key: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (key, reason) = (key.to_owned(), reason.map(str::to_owned));
        call!(self, |s| s.set_paused(&key, reason.as_deref(), now))
    }

    async fn state(&self, key: &str) -> Result<Option<DigestState>, StoreError> {
        let key = key.to_owned();
        call!(self, |s| s.state(&key))
    }

    async fn states(&self) -> Result<HashMap<String, DigestState>, StoreError> {
        call!(self, |s| s.states())
    }

    async fn claim(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let (key, lease) = (key.to_owned(), lease.clone());
        call!(self, |s| s.claim(&key, fire, &lease, now))
    }

    async fn delivery(
        &self,
        key: &str,
        fire: DateTime<Utc>,
    ) -> Result<Option<Delivery>, StoreError> {
        let key = key.to_owned();
        call!(self, |s| s.delivery(&key, fire))
    }

    async fn set_briefings(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        ids: &[String],
    ) -> Result<(), StoreError> {
        let (key, ids) = (key.to_owned(), ids.to_vec());
        call!(self, |s| s.set_briefings(&key, fire, &ids))
    }

    async fn record_progress(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        message_ids: &[u64],
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (key, ids, lease) = (key.to_owned(), message_ids.to_vec(), lease.clone());
        call!(self, |s| s.record_progress(&key, fire, &ids, &lease, now))
    }

    async fn record_sending(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (key, lease) = (key.to_owned(), lease.clone());
        call!(self, |s| s.record_sending(&key, fire, &lease, now))
    }

    async fn record_retry(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (key, error) = (key.to_owned(), error.to_owned());
        call!(self, |s| s.record_retry(&key, fire, &error, attempts, now))
    }

    async fn record_sent(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        message_ids: &[u64],
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (key, ids) = (key.to_owned(), message_ids.to_vec());
        call!(self, |s| s
            .record_sent(&key, fire, channel_id, &ids, attempts, now))
    }

    async fn record_failed(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (key, error) = (key.to_owned(), error.to_owned());
        call!(self, |s| s.record_failed(&key, fire, &error, attempts, now))
    }

    async fn record_skipped_empty(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let key = key.to_owned();
        call!(self, |s| s.record_skipped_empty(&key, fire, now))
    }

    async fn record_missed(
        &self,
        fires: &[(String, DateTime<Utc>)],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if fires.is_empty() {
            return Ok(());
        }
        let (fires, reason) = (fires.to_vec(), reason.to_owned());
        call!(self, |s| s.record_missed(&fires, &reason, now))
    }

    async fn latest_fire(&self, key: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let key = key.to_owned();
        call!(self, |s| s.latest_fire(&key))
    }

    async fn latest_fires(&self) -> Result<HashMap<String, DateTime<Utc>>, StoreError> {
        call!(self, |s| s.latest_fires())
    }

    async fn pending(&self) -> Result<Vec<Delivery>, StoreError> {
        call!(self, |s| s.pending())
    }

    async fn recent_deliveries(
        &self,
        key: &str,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let key = key.to_owned();
        call!(self, |s| s.recent_deliveries(&key, limit))
    }

    async fn posted_ids(&self, key: &str, channel_id: u64) -> Result<HashSet<String>, StoreError> {
        let key = key.to_owned();
        call!(self, |s| s.posted_ids(&key, channel_id))
    }

    async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        call!(self, |s| s.prune_deliveries(before))
    }

    async fn record_shown(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (key, briefings) = (key.to_owned(), briefings.clone());
        call!(self, |s| s
            .record_shown(&key, fire, channel_id, &briefings, now))
    }

    async fn record_corrected(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (key, briefings) = (key.to_owned(), briefings.clone());
        call!(self, |s| s.record_corrected(&key, fire, &briefings, now))
    }

    async fn shown_since(&self, since: DateTime<Utc>) -> Result<Vec<Shown>, StoreError> {
        call!(self, |s| s.shown_since(since))
    }

    async fn heartbeat(&self, replica: &Replica) -> Result<(), StoreError> {
        let replica = replica.clone();
        call!(self, |s| s.heartbeat(&replica))
    }

    async fn live_replicas(
        &self,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Vec<Replica>, StoreError> {
        call!(self, |s| s.live_replicas(now, ttl))
    }

    async fn leave(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        call!(self, |s| s.leave(&id))
    }

    async fn claim_buckets(
        &self,
        total: u32,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Vec<u32>, StoreError> {
        let lease = lease.clone();
        call!(self, |s| s.claim_buckets(total, &lease, now))
    }

    async fn try_singleton(
        &self,
        name: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (name, lease) = (name.to_owned(), lease.clone());
        call!(self, |s| s.try_singleton(&name, &lease, now))
    }

    async fn notify_digest_changed(&self, key: &str) -> Result<(), StoreError> {
        // No subscriber is not an error: nobody needed telling.
        let _ = self.changes.send(key.to_owned());
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<String> {
        self.changes.subscribe()
    }
}
