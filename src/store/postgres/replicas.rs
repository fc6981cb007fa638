//! The replica primitives on PostgreSQL (the algorithm is in `store/replicas.rs`). A bucket
//! round runs in one transaction under an advisory transaction lock, so two replicas never
//! plan from the same reading.

use super::digests::unix;
use super::{retrying, PgStorage, BUCKETS_LOCK};
use crate::store::replicas::{plan_buckets, BucketRow};
use crate::store::{Lease, Replica, StoreError};
use chrono::{DateTime, Utc};
use std::time::Duration;

impl PgStorage {
    pub(super) async fn heartbeat(&self, r: &Replica) -> Result<(), StoreError> {
        let buckets: Vec<i32> = r.buckets.iter().map(|&b| b as i32).collect();
        retrying!(self, |c| {
            c.execute(
                "INSERT INTO replicas (id, host, shards, started_at, heartbeat_at, buckets)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (id) DO UPDATE SET host = excluded.host, shards = excluded.shards,
                     heartbeat_at = excluded.heartbeat_at, buckets = excluded.buckets",
                &[
                    &r.id,
                    &r.host,
                    &r.shards,
                    &r.started_at.timestamp(),
                    &r.heartbeat_at.timestamp(),
                    &buckets,
                ],
            )
            .await?;
            Ok(())
        })
    }

    pub(super) async fn live_replicas(
        &self,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Vec<Replica>, StoreError> {
        let since = now.timestamp() - ttl.as_secs() as i64;
        let rows = retrying!(self, |c| {
            Ok(c.query(
                "SELECT id, host, shards, started_at, heartbeat_at, buckets FROM replicas
                 WHERE heartbeat_at >= $1 ORDER BY id",
                &[&since],
            )
            .await?)
        })?;
        Ok(rows
            .iter()
            .map(|r| Replica {
                id: r.get(0),
                host: r.get(1),
                shards: r.get(2),
                started_at: unix(r.get(3)),
                heartbeat_at: unix(r.get(4)),
                buckets: r
                    .get::<_, Vec<i32>>(5)
                    .into_iter()
                    .map(|b| b as u32)
                    .collect(),
            })
            .collect())
    }

    pub(super) async fn leave(&self, id: &str) -> Result<(), StoreError> {
        retrying!(self, |c| {
            let tx = c.transaction().await?;
            tx.execute("DELETE FROM replicas WHERE id = $1", &[&id])
                .await?;
            tx.execute(
                "UPDATE buckets SET owner = NULL, lease_until = 0 WHERE owner = $1",
                &[&id],
            )
            .await?;
            tx.execute("DELETE FROM singletons WHERE owner = $1", &[&id])
                .await?;
            tx.execute(
                "UPDATE deliveries SET lease_until = 0 WHERE owner = $1 AND status = 'pending'",
                &[&id],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub(super) async fn claim_buckets(
        &self,
        total: u32,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Vec<u32>, StoreError> {
        let since = now.timestamp() - lease.duration.as_secs() as i64;
        let until = lease.until(now).timestamp();
        retrying!(self, |c| {
            let tx = c.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&BUCKETS_LOCK])
                .await?;
            let others: i64 = tx
                .query_one(
                    "SELECT count(*) FROM replicas WHERE heartbeat_at >= $1 AND id != $2",
                    &[&since, &lease.owner],
                )
                .await?
                .get(0);
            let rows: Vec<BucketRow> = tx
                .query("SELECT bucket, owner, lease_until FROM buckets", &[])
                .await?
                .iter()
                .map(|r| BucketRow {
                    bucket: r.get::<_, i32>(0) as u32,
                    owner: r.get(1),
                    lease_until: r.get(2),
                })
                .collect();
            let plan = plan_buckets(
                &rows,
                total,
                &lease.owner,
                others as usize + 1,
                now.timestamp(),
            );
            let held: Vec<i32> = plan.held.iter().map(|&b| b as i32).collect();
            let release: Vec<i32> = plan.release.iter().map(|&b| b as i32).collect();
            tx.execute(
                "INSERT INTO buckets (bucket, owner, lease_until)
                 SELECT b, $2, $3 FROM unnest($1::int[]) AS b
                 ON CONFLICT (bucket) DO UPDATE SET owner = excluded.owner,
                     lease_until = excluded.lease_until",
                &[&held, &lease.owner, &until],
            )
            .await?;
            tx.execute(
                "UPDATE buckets SET owner = NULL, lease_until = 0
                 WHERE bucket = ANY($1) AND owner = $2",
                &[&release, &lease.owner],
            )
            .await?;
            tx.commit().await?;
            Ok(plan.held.clone())
        })
    }

    pub(super) async fn try_singleton(
        &self,
        name: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (now, until) = (now.timestamp(), lease.until(now).timestamp());
        let taken = retrying!(self, |c| {
            Ok(c.query_opt(
                "INSERT INTO singletons AS s (name, owner, lease_until) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,
                     lease_until = excluded.lease_until
                 WHERE s.owner = excluded.owner OR s.lease_until < $4
                 RETURNING owner",
                &[&name, &lease.owner, &until, &now],
            )
            .await?)
        })?;
        Ok(taken.is_some())
    }
}
