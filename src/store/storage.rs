//! The one contract every backend keeps. Callers hold an `Arc<dyn Storage>`: a trait object
//! rather than an enum so the scheduler, the CLI and the tests name no backend, and a third
//! one would touch nothing outside `store/`. Every time is passed in (`now`), never read inside,
//! so the same calls are testable on a paused or explicit clock.

use super::model::{
    Claim, Delivery, DigestRow, DigestState, Lease, NewDigest, Replica, Shown, ShownBriefing,
};
use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio::sync::broadcast;

#[async_trait]
pub trait Storage: Send + Sync + std::fmt::Debug {
    /// Where the data lives, for logs and `briefbot check` (never a password).
    fn describe(&self) -> String;
    /// The schema version the database is at.
    async fn schema_version(&self) -> Result<i64, StoreError>;

    // Runtime digests and digest state.
    async fn insert_digest(&self, d: &NewDigest, now: DateTime<Utc>) -> Result<(), StoreError>;
    async fn update_digest(&self, d: &NewDigest) -> Result<(), StoreError>;
    async fn list_digests(&self, guild_id: u64) -> Result<Vec<DigestRow>, StoreError>;
    async fn all_digests(&self) -> Result<Vec<DigestRow>, StoreError>;
    async fn get_digest(&self, guild_id: u64, name: &str) -> Result<Option<DigestRow>, StoreError>;
    async fn delete_digest(&self, guild_id: u64, name: &str) -> Result<(), StoreError>;
    async fn mark_seen(&self, keys: &[String], now: DateTime<Utc>) -> Result<(), StoreError>;
    async fn set_paused(
        &self,
        key: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn state(&self, key: &str) -> Result<Option<DigestState>, StoreError>;
    async fn states(&self) -> Result<HashMap<String, DigestState>, StoreError>;

    // The ledger.
    /// Claims (key, fire) for `lease.owner` until `now + lease`: see [`Claim`]. The one way a
    /// delivery starts; only an `Ours` row may be sent.
    async fn claim(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError>;
    async fn delivery(
        &self,
        key: &str,
        fire: DateTime<Utc>,
    ) -> Result<Option<Delivery>, StoreError>;
    async fn set_briefings(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        ids: &[String],
    ) -> Result<(), StoreError>;
    /// The messages sent so far; also renews the claim's lease, written at once.
    async fn record_progress(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        message_ids: &[u64],
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Notes that the send of message number `message_ids.len()`, which takes no nonce, begins
    /// now; also renews the claim's lease. Written before the call, so a crash leaves a mark.
    async fn record_sending(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn record_retry(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    #[allow(clippy::too_many_arguments)]
    async fn record_sent(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        message_ids: &[u64],
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn record_failed(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn record_skipped_empty(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn record_missed(
        &self,
        fires: &[(String, DateTime<Utc>)],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    // The ledger's read side.
    async fn latest_fire(&self, key: &str) -> Result<Option<DateTime<Utc>>, StoreError>;
    async fn latest_fires(&self) -> Result<HashMap<String, DateTime<Utc>>, StoreError>;
    async fn pending(&self) -> Result<Vec<Delivery>, StoreError>;
    async fn recent_deliveries(&self, key: &str, limit: usize)
        -> Result<Vec<Delivery>, StoreError>;
    async fn posted_ids(&self, key: &str, channel_id: u64) -> Result<HashSet<String>, StoreError>;
    async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<usize, StoreError>;

    // What sent messages show, for corrections.
    /// Records what a sent delivery's messages show (at its send, `sent_at = now`).
    async fn record_shown(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Records what the messages show after a correction edited them.
    async fn record_corrected(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Sent deliveries recorded with [`Storage::record_shown`] at or after `since`, oldest first.
    async fn shown_since(&self, since: DateTime<Utc>) -> Result<Vec<Shown>, StoreError>;

    // Replicas (see `store/replicas.rs` for the algorithm).
    /// Announces or refreshes a replica (`heartbeat_at` is taken from it).
    async fn heartbeat(&self, replica: &Replica) -> Result<(), StoreError>;
    /// Replicas whose last heartbeat is no older than `ttl` at `now`, by id.
    async fn live_replicas(
        &self,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Vec<Replica>, StoreError>;
    /// A clean shutdown: the replica and its buckets and locks are given up at once.
    async fn leave(&self, id: &str) -> Result<(), StoreError>;
    /// Renews this owner's buckets among `0..total`, takes free or expired ones up to its fair
    /// share and releases those above it; returns the buckets it holds, in order.
    async fn claim_buckets(
        &self,
        total: u32,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Vec<u32>, StoreError>;
    /// Takes or renews the lock `name` for `lease.owner`; false while another owner holds it.
    async fn try_singleton(
        &self,
        name: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    // Change notifications between replicas.
    /// Tells every replica (this one included) that the digest `key` changed.
    async fn notify_digest_changed(&self, key: &str) -> Result<(), StoreError>;
    /// Digest keys as they are announced by [`Storage::notify_digest_changed`]; an empty key
    /// says announcements may have been lost (a reconnect), so everything should be re-read.
    fn subscribe(&self) -> broadcast::Receiver<String>;
}
