//! The scheduler's side of sharing the work among replicas, as plain methods the app's replica
//! loop calls every few seconds: a heartbeat, a bucket lease round, and the buckets won handed
//! to the timer. Gained buckets are planned as at a start (`plan`); lost ones are simply no
//! longer fired (deliveries in flight finish; the ledger claim keeps them exactly once).

use super::buckets::{bucket_of, change, BucketChange, Ownership, BUCKETS};
use super::error::SchedulerError;
use super::handle::SchedulerHandle;
use super::plan;
use crate::store::{Lease, Replica};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// How this replica describes itself in the heartbeat.
#[derive(Debug, Clone)]
pub struct ReplicaCard {
    pub host: String,
    /// The gateway shards it runs, as configured (`0-3/8`).
    pub shards: String,
    pub started_at: DateTime<Utc>,
}

impl SchedulerHandle {
    /// This process's id among replicas (its claim owner).
    pub fn replica_id(&self) -> &str {
        &self.inner.deps.claims.owner
    }

    /// Buckets whose digests this scheduler fires now.
    pub fn buckets_owned(&self) -> usize {
        self.inner.ownership().held_at(self.inner.now()).len()
    }

    /// Makes this scheduler one of several replicas: it fires nothing until a lease round hands
    /// it buckets. Called before `start`, so the start plans only this replica's digests.
    pub fn share_work(&self) {
        let none = Ownership::Buckets {
            held: BTreeSet::new(),
            until: DateTime::UNIX_EPOCH,
        };
        self.inner.set_ownership(none, self.inner.now());
    }

    /// One round: announces this replica, renews and takes its share of the buckets, and hands
    /// them to the timer (valid until the lease ends). Returns what changed and the live
    /// replicas. An error leaves the current buckets until their lease ends.
    pub async fn replica_round(
        &self,
        card: &ReplicaCard,
    ) -> Result<(BucketChange, Vec<Replica>), SchedulerError> {
        let inner = &self.inner;
        let store = &inner.deps.store;
        let now = inner.now();
        let lease = Lease::new(self.replica_id(), inner.options.bucket_lease);
        let me = Replica {
            id: lease.owner.clone(),
            host: card.host.clone(),
            shards: card.shards.clone(),
            started_at: card.started_at,
            heartbeat_at: now,
            buckets: inner.ownership().held_at(now).into_iter().collect(),
        };
        store.heartbeat(&me).await?;
        let held = store.claim_buckets(BUCKETS, &lease, now).await?;
        let changed = self.set_buckets(&held, lease.until(now)).await?;
        let live = store.live_replicas(now, lease.duration).await?;
        Ok((changed, live))
    }

    /// Fires the digests of `held` until `until`. Buckets newly owned are planned as at a
    /// start once the scheduler runs (before, the start plans them).
    pub async fn set_buckets(
        &self,
        held: &[u32],
        until: DateTime<Utc>,
    ) -> Result<BucketChange, SchedulerError> {
        let inner = &self.inner;
        // Serialized with `start`: a round during the start neither plans twice nor misses.
        let started = inner.started.lock().await;
        let now = inner.now();
        let held: BTreeSet<u32> = held.iter().copied().collect();
        let to = Ownership::Buckets {
            held: held.clone(),
            until,
        };
        let before = inner.set_ownership(to, now);
        let changed = change(&before, &held);
        if !changed.gained.is_empty() || !changed.lost.is_empty() {
            tracing::info!(
                held = changed.held.len(),
                gained = changed.gained.len(),
                lost = changed.lost.len(),
                "digest buckets changed"
            );
        }
        if *started && !changed.gained.is_empty() {
            let gained: BTreeSet<u32> = changed.gained.iter().copied().collect();
            let mine = move |key: &str| gained.contains(&bucket_of(key));
            if let Err(e) = plan::take_over(inner, &mine, None).await {
                // Not planned: hold none of them, so the next round gains (and plans) them again.
                let kept: BTreeSet<u32> = before.intersection(&held).copied().collect();
                inner.set_ownership(Ownership::Buckets { held: kept, until }, now);
                return Err(e);
            }
        }
        drop(started);
        inner.wake.notify_one();
        Ok(changed)
    }

    /// The replicas whose heartbeat is recent, for `/briefbot status`.
    pub async fn live_replicas(&self) -> Result<Vec<Replica>, SchedulerError> {
        let (now, ttl) = (self.inner.now(), self.inner.options.bucket_lease);
        Ok(self.inner.deps.store.live_replicas(now, ttl).await?)
    }

    /// Takes or renews the named lock for this replica for one bucket lease; false while
    /// another live replica holds it.
    pub async fn hold_lock(&self, name: &str) -> Result<bool, SchedulerError> {
        let lease = Lease::new(self.replica_id(), self.inner.options.bucket_lease);
        let now = self.inner.now();
        Ok(self
            .inner
            .deps
            .store
            .try_singleton(name, &lease, now)
            .await?)
    }
}

impl SchedulerHandle {
    /// Whether this scheduler fires the digest `key` now (its bucket is held, or it owns all).
    pub fn fires(&self, key: &str) -> bool {
        self.inner.ownership().owns(key, self.inner.now())
    }
}
