//! The read side of the ledger, used at start and by `/digest list`: latest fire per digest,
//! interrupted deliveries, recent history, posted briefings; and pruning of old rows.

use super::ledger::{read, COLUMNS};
use super::{from_unix, id_to_sql, Store};
use crate::store::{Delivery, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::collections::{HashMap, HashSet};

impl Store {
    /// The latest fire time recorded for a digest, whatever became of it.
    pub fn latest_fire(&self, key: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let latest: Option<i64> = self.conn.query_row(
            "SELECT max(fire_time) FROM deliveries WHERE digest_key = ?1",
            [key],
            |r| r.get(0),
        )?;
        Ok(latest.map(from_unix))
    }

    /// The latest recorded fire time of every digest in the ledger (one query at start).
    pub fn latest_fires(&self) -> Result<HashMap<String, DateTime<Utc>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT digest_key, max(fire_time) FROM deliveries GROUP BY digest_key")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, from_unix(r.get(1)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deliveries begun and never closed: the process stopped mid-delivery.
    pub fn pending(&self) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM deliveries WHERE status = 'pending'
             ORDER BY digest_key, fire_time"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], read)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A digest's recent ledger rows, newest first.
    pub fn recent_deliveries(&self, key: &str, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM deliveries WHERE digest_key = ?1
             ORDER BY fire_time DESC LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![key, limit as i64], read)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ids of the briefings this digest has posted to `channel_id` (`only_new`).
    pub fn posted_ids(&self, key: &str, channel_id: u64) -> Result<HashSet<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT briefing_id FROM posted WHERE digest_key = ?1 AND channel_id = ?2",
        )?;
        let rows = stmt.query_map(params![key, id_to_sql(channel_id)], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes closed ledger rows with fire times before `before`, keeping each digest's
    /// latest row (catch-up starts from it). Returns how many were deleted.
    pub fn prune_deliveries(&mut self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let deleted = self.conn.execute(
            "DELETE FROM deliveries AS d
             WHERE d.fire_time < ?1 AND d.status != 'pending'
               AND d.fire_time < (SELECT max(fire_time) FROM deliveries
                                  WHERE digest_key = d.digest_key)",
            [before.timestamp()],
        )?;
        Ok(deleted)
    }
}
