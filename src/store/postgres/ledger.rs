//! The delivery ledger on PostgreSQL. A claim is one conditional upsert: it takes the row only
//! when it is new, pending with an expired lease, or already the caller's; every closing
//! transition applies only to a pending row, as on SQLite.

use super::digests::unix;
use super::{id_to_sql, retrying, PgStorage};
use crate::store::sqlite::{claim_of, ids_json};
use crate::store::{Claim, Delivery, DeliveryStatus, Lease, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use tokio_postgres::{GenericClient, Row};

const SELECT: &str = "SELECT digest_key, fire_time, status, attempts, message_ids, briefings, \
     last_error, updated_at, owner, lease_until, sending_since FROM deliveries";

impl PgStorage {
    pub(super) async fn claim(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let (fire, now, until) = (
            fire.timestamp(),
            now.timestamp(),
            lease.until(now).timestamp(),
        );
        let sql = format!(
            "INSERT INTO deliveries AS d (digest_key, fire_time, status, updated_at, owner,
                 lease_until)
             VALUES ($1, $2, 'pending', $3, $4, $5)
             ON CONFLICT (digest_key, fire_time) DO UPDATE SET
                 owner = excluded.owner, lease_until = excluded.lease_until
             WHERE d.status = 'pending'
               AND (coalesce(d.lease_until, 0) < $3 OR d.owner = $4)
             RETURNING {}",
            &SELECT["SELECT ".len()..SELECT.len() - " FROM deliveries".len()]
        );
        let (taken, row) = retrying!(self, |c| {
            let taken = c
                .query_opt(&sql, &[&key, &fire, &now, &lease.owner, &until])
                .await?;
            Ok(match taken {
                Some(row) => (true, row),
                // Not taken: read why (closed, or held by another owner).
                None => (false, get(&**c, key, fire).await?),
            })
        })?;
        Ok(claim_of(taken, read(&row)?))
    }

    pub(super) async fn delivery(
        &self,
        key: &str,
        fire: DateTime<Utc>,
    ) -> Result<Option<Delivery>, StoreError> {
        let sql = format!("{SELECT} WHERE digest_key = $1 AND fire_time = $2");
        let row = retrying!(self, |c| {
            Ok(c.query_opt(&sql, &[&key, &fire.timestamp()]).await?)
        })?;
        row.as_ref().map(read).transpose()
    }

    pub(super) async fn set_briefings(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        ids: &[String],
    ) -> Result<(), StoreError> {
        let ids = serde_json::to_string(ids).expect("a list of strings serializes");
        self.update_pending(
            "UPDATE deliveries SET briefings = $3
             WHERE digest_key = $1 AND fire_time = $2 AND status = 'pending'",
            key,
            fire,
            &[&ids],
        )
        .await
        .map(drop)
    }

    pub(super) async fn record_progress(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        message_ids: &[u64],
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.update_pending(
            "UPDATE deliveries SET message_ids = $3, updated_at = $4, owner = $5, lease_until = $6,
                 sending_since = NULL
             WHERE digest_key = $1 AND fire_time = $2 AND status = 'pending'",
            key,
            fire,
            &[
                &ids_json(message_ids),
                &now.timestamp(),
                &lease.owner,
                &lease.until(now).timestamp(),
            ],
        )
        .await
        .map(drop)
    }

    /// Marks the start of a send that takes no nonce (see `Delivery::sending_since`) and
    /// renews the lease.
    pub(super) async fn record_sending(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.update_pending(
            "UPDATE deliveries SET sending_since = $3, updated_at = $3, owner = $4, lease_until = $5
             WHERE digest_key = $1 AND fire_time = $2 AND status = 'pending'",
            key,
            fire,
            &[&now.timestamp(), &lease.owner, &lease.until(now).timestamp()],
        )
        .await
        .map(drop)
    }

    pub(super) async fn record_retry(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.update_pending(
            "UPDATE deliveries SET attempts = attempts + $3, last_error = $4, updated_at = $5
             WHERE digest_key = $1 AND fire_time = $2 AND status = 'pending'",
            key,
            fire,
            &[&(attempts as i32), &error, &now.timestamp()],
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn record_sent(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        message_ids: &[u64],
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (fire, now) = (fire.timestamp(), now.timestamp());
        let ids = ids_json(message_ids);
        retrying!(self, |c| {
            let tx = c.transaction().await?;
            let closed = tx
                .query_opt(
                    "UPDATE deliveries SET status = 'sent', attempts = attempts + $3,
                         last_error = NULL, updated_at = $4, message_ids = $5
                     WHERE digest_key = $1 AND fire_time = $2 AND status = 'pending'
                     RETURNING briefings",
                    &[&key, &fire, &(attempts as i32), &now, &ids],
                )
                .await?;
            let Some(closed) = closed else {
                return Ok(false);
            };
            let briefings: Option<String> = closed.get(0);
            let briefings: Vec<String> = briefings
                .and_then(|b| serde_json::from_str(&b).ok())
                .unwrap_or_default();
            tx.execute(
                "INSERT INTO posted (digest_key, channel_id, briefing_id, fire_time)
                 SELECT $1, $2, b, $3 FROM unnest($4::text[]) AS b ON CONFLICT DO NOTHING",
                &[&key, &id_to_sql(channel_id), &fire, &briefings],
            )
            .await?;
            tx.execute(
                "INSERT INTO digest_state (digest_key, seen_at, last_delivery) VALUES ($1, $2, $3)
                 ON CONFLICT (digest_key) DO UPDATE SET last_delivery =
                     greatest(coalesce(digest_state.last_delivery, 0), excluded.last_delivery)",
                &[&key, &now, &fire],
            )
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub(super) async fn record_failed(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (fire, now) = (fire.timestamp(), now.timestamp());
        retrying!(self, |c| {
            let tx = c.transaction().await?;
            let closed = tx
                .execute(
                    "UPDATE deliveries SET status = 'failed', attempts = attempts + $3,
                         last_error = $4, updated_at = $5
                     WHERE digest_key = $1 AND fire_time = $2 AND status = 'pending'",
                    &[&key, &fire, &(attempts as i32), &error, &now],
                )
                .await?;
            tx.execute(
                "INSERT INTO digest_state (digest_key, seen_at, last_error, last_error_at)
                 VALUES ($1, $2, $3, $2)
                 ON CONFLICT (digest_key) DO UPDATE SET
                     last_error = excluded.last_error, last_error_at = excluded.last_error_at",
                &[&key, &now, &error],
            )
            .await?;
            tx.commit().await?;
            Ok(closed == 1)
        })
    }

    pub(super) async fn record_skipped_empty(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.update_pending(
            "UPDATE deliveries SET status = 'skipped_empty', last_error = NULL, updated_at = $3
             WHERE digest_key = $1 AND fire_time = $2 AND status = 'pending'",
            key,
            fire,
            &[&now.timestamp()],
        )
        .await
    }

    pub(super) async fn record_missed(
        &self,
        fires: &[(String, DateTime<Utc>)],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if fires.is_empty() {
            return Ok(());
        }
        let keys: Vec<&str> = fires.iter().map(|(k, _)| k.as_str()).collect();
        let times: Vec<i64> = fires.iter().map(|(_, f)| f.timestamp()).collect();
        retrying!(self, |c| {
            c.execute(
                "INSERT INTO deliveries AS d (digest_key, fire_time, status, last_error, updated_at)
                 SELECT k, f, 'missed', $3, $4 FROM unnest($1::text[], $2::bigint[]) AS t(k, f)
                 ON CONFLICT (digest_key, fire_time) DO UPDATE SET status = 'missed',
                     last_error = excluded.last_error, updated_at = excluded.updated_at
                 WHERE d.status = 'pending'",
                &[&keys, &times, &reason, &now.timestamp()],
            )
            .await?;
            Ok(())
        })
    }

    pub(super) async fn latest_fire(&self, key: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = retrying!(self, |c| {
            Ok(c.query_one(
                "SELECT max(fire_time) FROM deliveries WHERE digest_key = $1",
                &[&key],
            )
            .await?)
        })?;
        Ok(row.get::<_, Option<i64>>(0).map(unix))
    }

    pub(super) async fn latest_fires(&self) -> Result<HashMap<String, DateTime<Utc>>, StoreError> {
        let rows = retrying!(self, |c| {
            Ok(c.query(
                "SELECT digest_key, max(fire_time) FROM deliveries GROUP BY digest_key",
                &[],
            )
            .await?)
        })?;
        Ok(rows.iter().map(|r| (r.get(0), unix(r.get(1)))).collect())
    }

    pub(super) async fn pending(&self) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!("{SELECT} WHERE status = 'pending' ORDER BY digest_key, fire_time");
        let rows = retrying!(self, |c| { Ok(c.query(&sql, &[]).await?) })?;
        rows.iter().map(read).collect()
    }

    pub(super) async fn recent_deliveries(
        &self,
        key: &str,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!("{SELECT} WHERE digest_key = $1 ORDER BY fire_time DESC LIMIT $2");
        let rows = retrying!(self, |c| {
            Ok(c.query(&sql, &[&key, &(limit as i64)]).await?)
        })?;
        rows.iter().map(read).collect()
    }

    pub(super) async fn posted_ids(
        &self,
        key: &str,
        channel_id: u64,
    ) -> Result<HashSet<String>, StoreError> {
        let rows = retrying!(self, |c| {
            Ok(c.query(
                "SELECT briefing_id FROM posted WHERE digest_key = $1 AND channel_id = $2",
                &[&key, &id_to_sql(channel_id)],
            )
            .await?)
        })?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub(super) async fn prune_deliveries(
        &self,
        before: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let deleted = retrying!(self, |c| {
            Ok(c.execute(
                "DELETE FROM deliveries AS d
                 WHERE d.fire_time < $1 AND d.status != 'pending'
                   AND d.fire_time < (SELECT max(fire_time) FROM deliveries
                                      WHERE digest_key = d.digest_key)",
                &[&before.timestamp()],
            )
            .await?)
        })?;
        Ok(deleted as usize)
    }

    /// One UPDATE of a pending row by (key, fire) = ($1, $2), with `more` as $3...; true when
    /// it changed the row.
    async fn update_pending(
        &self,
        sql: &str,
        key: &str,
        fire: DateTime<Utc>,
        more: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<bool, StoreError> {
        let fire = fire.timestamp();
        let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&key, &fire];
        params.extend_from_slice(more);
        let changed = retrying!(self, |c| { Ok(c.execute(sql, &params).await?) })?;
        Ok(changed == 1)
    }
}

async fn get(c: &impl GenericClient, key: &str, fire: i64) -> Result<Row, tokio_postgres::Error> {
    let sql = format!("{SELECT} WHERE digest_key = $1 AND fire_time = $2");
    c.query_one(&sql, &[&key, &fire]).await
}

fn read(r: &Row) -> Result<Delivery, StoreError> {
    let status: String = r.get(2);
    let status = DeliveryStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown delivery status `{status}`")))?;
    let briefings: Option<String> = r.get(5);
    let briefings = match briefings {
        Some(text) => Some(
            serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("briefings: {e}")))?,
        ),
        None => None,
    };
    let ids: String = r.get(4);
    let ids: Vec<String> =
        serde_json::from_str(&ids).map_err(|e| StoreError::Corrupt(format!("message_ids: {e}")))?;
    Ok(Delivery {
        digest_key: r.get(0),
        fire_time: unix(r.get(1)),
        status,
        attempts: r.get::<_, i32>(3).max(0) as u32,
        message_ids: ids.iter().filter_map(|id| id.parse().ok()).collect(),
        briefings,
        last_error: r.get(6),
        updated_at: unix(r.get(7)),
        owner: r.get(8),
        lease_until: r.get::<_, Option<i64>>(9).map(unix),
        sending_since: r.get::<_, Option<i64>>(10).map(unix),
    })
}
