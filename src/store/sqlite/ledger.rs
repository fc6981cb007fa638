//! The delivery ledger, keyed by (digest, scheduled fire time), and the briefings each digest
//! has posted. A delivery is claimed (pending, with an owner and a lease) before anything is
//! sent and closed after; every closing transition applies only to a pending row, so replaying
//! one is harmless and a fire that was sent is never sent again.

use super::{from_unix, id_to_sql, json_column, Store};
use crate::store::{Claim, Delivery, DeliveryStatus, Lease, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};

pub(super) const COLUMNS: &str = "digest_key, fire_time, status, attempts, message_ids, \
     briefings, last_error, updated_at, owner, lease_until, sending_since";

impl Store {
    /// Claims (key, fire) for `lease.owner`: a new pending row, a pending row whose lease
    /// expired or that is already this owner's becomes this owner's until `now + lease`;
    /// otherwise says who holds it, or that it is closed.
    pub fn claim(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "INSERT INTO deliveries (digest_key, fire_time, status, updated_at, owner, lease_until)
             VALUES (?1, ?2, 'pending', ?3, ?4, ?5)
             ON CONFLICT (digest_key, fire_time) DO UPDATE SET
                 owner = excluded.owner, lease_until = excluded.lease_until
             WHERE deliveries.status = 'pending'
               AND (coalesce(deliveries.lease_until, 0) < ?3 OR deliveries.owner = ?4)",
            params![
                key,
                fire.timestamp(),
                now.timestamp(),
                lease.owner,
                lease.until(now).timestamp()
            ],
        )?;
        let row = get(&tx, key, fire)?.expect("the row exists after the upsert");
        tx.commit()?;
        Ok(claim_of(changed == 1, row))
    }

    pub fn delivery(&self, key: &str, fire: DateTime<Utc>) -> Result<Option<Delivery>, StoreError> {
        Ok(get(&self.conn, key, fire)?)
    }

    /// Records which briefings a pending delivery carries.
    pub fn set_briefings(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        ids: &[String],
    ) -> Result<(), StoreError> {
        let ids = serde_json::to_string(ids).expect("a list of strings serializes");
        self.conn.execute(
            "UPDATE deliveries SET briefings = ?3
             WHERE digest_key = ?1 AND fire_time = ?2 AND status = 'pending'",
            params![key, fire.timestamp(), ids],
        )?;
        Ok(())
    }

    /// Records the messages sent so far (progress of a pending delivery) and renews the lease.
    pub fn record_progress(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        message_ids: &[u64],
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE deliveries SET message_ids = ?3, updated_at = ?4, owner = ?5, lease_until = ?6,
                 sending_since = NULL
             WHERE digest_key = ?1 AND fire_time = ?2 AND status = 'pending'",
            params![
                key,
                fire.timestamp(),
                ids_json(message_ids),
                now.timestamp(),
                lease.owner,
                lease.until(now).timestamp()
            ],
        )?;
        Ok(())
    }

    /// Marks the start of a send that takes no nonce (see `Delivery::sending_since`) and
    /// renews the lease.
    pub fn record_sending(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE deliveries SET sending_since = ?3, updated_at = ?3, owner = ?4, lease_until = ?5
             WHERE digest_key = ?1 AND fire_time = ?2 AND status = 'pending'",
            params![
                key,
                fire.timestamp(),
                now.timestamp(),
                lease.owner,
                lease.until(now).timestamp()
            ],
        )?;
        Ok(())
    }

    /// Notes a failed round of a delivery that stays pending, to be tried again: its attempts
    /// and error, shown by `/digest list` and kept for a restart. False when it was not pending.
    pub fn record_retry(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self.conn.execute(
            "UPDATE deliveries SET attempts = attempts + ?3, last_error = ?4, updated_at = ?5
             WHERE digest_key = ?1 AND fire_time = ?2 AND status = 'pending'",
            params![key, fire.timestamp(), attempts, error, now.timestamp()],
        )?;
        Ok(changed == 1)
    }

    /// Closes a pending delivery as sent; its briefings count as posted to `channel_id`.
    /// Returns false when the row was not pending (already closed).
    pub fn record_sent(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        message_ids: &[u64],
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let Some(row) = get(&tx, key, fire)?.filter(|r| !r.status.is_closed()) else {
            return Ok(false);
        };
        close(&tx, key, fire, DeliveryStatus::Sent, attempts, None, now)?;
        tx.execute(
            "UPDATE deliveries SET message_ids = ?3 WHERE digest_key = ?1 AND fire_time = ?2",
            params![key, fire.timestamp(), ids_json(message_ids)],
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO posted (digest_key, channel_id, briefing_id, fire_time)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )?;
            for id in row.briefings.iter().flatten() {
                insert.execute(params![key, id_to_sql(channel_id), id, fire.timestamp()])?;
            }
        }
        tx.execute(
            "INSERT INTO digest_state (digest_key, seen_at, last_delivery) VALUES (?1, ?2, ?3)
             ON CONFLICT (digest_key) DO UPDATE SET
                 last_delivery = max(coalesce(last_delivery, 0), excluded.last_delivery)",
            params![key, now.timestamp(), fire.timestamp()],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Closes a pending delivery as failed; the error is also the digest's last error.
    pub fn record_failed(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        error: &str,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let closed = close(
            &tx,
            key,
            fire,
            DeliveryStatus::Failed,
            attempts,
            Some(error),
            now,
        )?;
        tx.execute(
            "INSERT INTO digest_state (digest_key, seen_at, last_error, last_error_at)
             VALUES (?1, ?2, ?3, ?2)
             ON CONFLICT (digest_key) DO UPDATE SET
                 last_error = excluded.last_error, last_error_at = excluded.last_error_at",
            params![key, now.timestamp(), error],
        )?;
        tx.commit()?;
        Ok(closed)
    }

    /// Closes a pending delivery with nothing to post (`when_empty = "skip"`).
    pub fn record_skipped_empty(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let closed = close(&tx, key, fire, DeliveryStatus::SkippedEmpty, 0, None, now)?;
        tx.commit()?;
        Ok(closed)
    }

    /// Records (digest, fire time) pairs as missed, with why; rows already closed keep their
    /// status. One transaction for all, as a start after downtime may record many.
    pub fn record_missed(
        &mut self,
        fires: &[(String, DateTime<Utc>)],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO deliveries (digest_key, fire_time, status, last_error, updated_at)
                 VALUES (?1, ?2, 'missed', ?3, ?4)
                 ON CONFLICT DO UPDATE SET status = 'missed', last_error = excluded.last_error,
                     updated_at = excluded.updated_at
                 WHERE status = 'pending'",
            )?;
            for (key, fire) in fires {
                stmt.execute(params![key, fire.timestamp(), reason, now.timestamp()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// Moves a pending row to `status`; false when it was not pending.
fn close(
    tx: &Transaction,
    key: &str,
    fire: DateTime<Utc>,
    status: DeliveryStatus,
    attempts: u32,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE deliveries SET status = ?3, attempts = attempts + ?4, last_error = ?5,
             updated_at = ?6
         WHERE digest_key = ?1 AND fire_time = ?2 AND status = 'pending'",
        params![
            key,
            fire.timestamp(),
            status.as_str(),
            attempts,
            error,
            now.timestamp()
        ],
    )?;
    Ok(changed == 1)
}

fn get(
    conn: &rusqlite::Connection,
    key: &str,
    fire: DateTime<Utc>,
) -> rusqlite::Result<Option<Delivery>> {
    let sql = format!("SELECT {COLUMNS} FROM deliveries WHERE digest_key = ?1 AND fire_time = ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    stmt.query_row(params![key, fire.timestamp()], read)
        .optional()
}

pub(super) fn read(r: &Row) -> rusqlite::Result<Delivery> {
    let status: String = r.get(2)?;
    let status = DeliveryStatus::parse(&status)
        .ok_or_else(|| super::corrupt(2, format!("unknown delivery status `{status}`")))?;
    let briefings: Option<String> = r.get(5)?;
    let briefings = match briefings {
        Some(text) => {
            Some(serde_json::from_str(&text).map_err(|e| super::corrupt(5, e.to_string()))?)
        }
        None => None,
    };
    Ok(Delivery {
        digest_key: r.get(0)?,
        fire_time: from_unix(r.get(1)?),
        status,
        attempts: r.get(3)?,
        message_ids: json_column::<Vec<String>>(r, 4)?
            .iter()
            .filter_map(|id| id.parse().ok())
            .collect(),
        briefings,
        last_error: r.get(6)?,
        updated_at: from_unix(r.get(7)?),
        owner: r.get(8)?,
        lease_until: r.get::<_, Option<i64>>(9)?.map(from_unix),
        sending_since: r.get::<_, Option<i64>>(10)?.map(from_unix),
    })
}

/// What a claim came to, from whether the upsert took the row and the row as it now is.
pub(crate) fn claim_of(taken: bool, row: Delivery) -> Claim {
    if row.status.is_closed() {
        Claim::Closed(row)
    } else if taken {
        Claim::Ours(row)
    } else {
        Claim::Held {
            owner: row.owner.clone().unwrap_or_default(),
            until: row.lease_until.unwrap_or_default(),
        }
    }
}

/// Message ids as JSON strings, as Discord writes snowflakes.
pub(crate) fn ids_json(ids: &[u64]) -> String {
    let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
    serde_json::to_string(&ids).expect("a list of strings serializes")
}
