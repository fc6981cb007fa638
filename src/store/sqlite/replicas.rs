//! The replica primitives on SQLite: the same tables and algorithm as PostgreSQL
//! (`store/replicas.rs`), where a transaction is the lock. One process opens the file, so in
//! practice there is one replica and it holds every bucket.

use super::{from_unix, Store};
use crate::store::replicas::{plan_buckets, BucketRow};
use crate::store::{Lease, Replica, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::time::Duration;

impl Store {
    pub fn heartbeat(&mut self, r: &Replica) -> Result<(), StoreError> {
        let buckets = serde_json::to_string(&r.buckets).expect("numbers serialize");
        self.conn.execute(
            "INSERT INTO replicas (id, host, shards, started_at, heartbeat_at, buckets)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET host = excluded.host, shards = excluded.shards,
                 heartbeat_at = excluded.heartbeat_at, buckets = excluded.buckets",
            params![
                r.id,
                r.host,
                r.shards,
                r.started_at.timestamp(),
                r.heartbeat_at.timestamp(),
                buckets
            ],
        )?;
        Ok(())
    }

    pub fn live_replicas(
        &self,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Vec<Replica>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, host, shards, started_at, heartbeat_at, buckets FROM replicas
             WHERE heartbeat_at >= ?1 ORDER BY id",
        )?;
        let since = now.timestamp() - ttl.as_secs() as i64;
        let rows = stmt.query_map([since], |r| {
            Ok(Replica {
                id: r.get(0)?,
                host: r.get(1)?,
                shards: r.get(2)?,
                started_at: from_unix(r.get(3)?),
                heartbeat_at: from_unix(r.get(4)?),
                buckets: super::json_column(r, 5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn leave(&mut self, id: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM replicas WHERE id = ?1", [id])?;
        tx.execute(
            "UPDATE buckets SET owner = NULL, lease_until = 0 WHERE owner = ?1",
            [id],
        )?;
        tx.execute("DELETE FROM singletons WHERE owner = ?1", [id])?;
        tx.execute(
            "UPDATE deliveries SET lease_until = 0 WHERE owner = ?1 AND status = 'pending'",
            [id],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn claim_buckets(
        &mut self,
        total: u32,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Vec<u32>, StoreError> {
        let tx = self.conn.transaction()?;
        let since = now.timestamp() - lease.duration.as_secs() as i64;
        let others: i64 = tx.query_row(
            "SELECT count(*) FROM replicas WHERE heartbeat_at >= ?1 AND id != ?2",
            params![since, lease.owner],
            |r| r.get(0),
        )?;
        let rows = {
            let mut stmt = tx.prepare_cached("SELECT bucket, owner, lease_until FROM buckets")?;
            let rows = stmt.query_map([], |r| {
                Ok(BucketRow {
                    bucket: r.get::<_, i64>(0)? as u32,
                    owner: r.get(1)?,
                    lease_until: r.get(2)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        let plan = plan_buckets(
            &rows,
            total,
            &lease.owner,
            others as usize + 1,
            now.timestamp(),
        );
        let until = lease.until(now).timestamp();
        for b in &plan.held {
            tx.execute(
                "INSERT INTO buckets (bucket, owner, lease_until) VALUES (?1, ?2, ?3)
                 ON CONFLICT (bucket) DO UPDATE SET owner = excluded.owner,
                     lease_until = excluded.lease_until",
                params![b, lease.owner, until],
            )?;
        }
        for b in &plan.release {
            tx.execute(
                "UPDATE buckets SET owner = NULL, lease_until = 0 WHERE bucket = ?1 AND owner = ?2",
                params![b, lease.owner],
            )?;
        }
        tx.commit()?;
        Ok(plan.held)
    }

    pub fn try_singleton(
        &mut self,
        name: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self.conn.execute(
            "INSERT INTO singletons (name, owner, lease_until) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,
                 lease_until = excluded.lease_until
             WHERE singletons.owner = excluded.owner OR singletons.lease_until < ?4",
            params![
                name,
                lease.owner,
                lease.until(now).timestamp(),
                now.timestamp()
            ],
        )?;
        Ok(changed == 1)
    }
}
