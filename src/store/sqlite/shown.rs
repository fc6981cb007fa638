//! What each sent delivery's messages show (each briefing's revision and title), so that a
//! correction edits them once, survives a restart half-way, and stops after `edit_window`.

use super::{from_unix, id_from_sql, id_to_sql, json_column, Store};
use crate::store::{Shown, ShownBriefing, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::collections::BTreeMap;

impl Store {
    pub fn record_shown(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO shown (digest_key, fire_time, channel_id, briefings, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (digest_key, fire_time) DO UPDATE SET
                 channel_id = excluded.channel_id, briefings = excluded.briefings",
            params![
                key,
                fire.timestamp(),
                id_to_sql(channel_id),
                shown_json(briefings),
                now.timestamp()
            ],
        )?;
        Ok(())
    }

    pub fn record_corrected(
        &mut self,
        key: &str,
        fire: DateTime<Utc>,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE shown SET briefings = ?3, edited_at = ?4
             WHERE digest_key = ?1 AND fire_time = ?2",
            params![
                key,
                fire.timestamp(),
                shown_json(briefings),
                now.timestamp()
            ],
        )?;
        Ok(())
    }

    pub fn shown_since(&self, since: DateTime<Utc>) -> Result<Vec<Shown>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.digest_key, s.fire_time, s.channel_id, d.message_ids, s.briefings,
                    s.sent_at, s.edited_at
             FROM shown AS s JOIN deliveries AS d
               ON d.digest_key = s.digest_key AND d.fire_time = s.fire_time
             WHERE s.sent_at >= ?1 AND d.status = 'sent'
             ORDER BY s.sent_at, s.digest_key",
        )?;
        let rows = stmt.query_map([since.timestamp()], |r| {
            let ids: Vec<String> = json_column(r, 3)?;
            Ok(Shown {
                digest_key: r.get(0)?,
                fire_time: from_unix(r.get(1)?),
                channel_id: id_from_sql(r.get(2)?),
                message_ids: ids.iter().filter_map(|id| id.parse().ok()).collect(),
                briefings: json_column(r, 4)?,
                sent_at: from_unix(r.get(5)?),
                edited_at: r.get::<_, Option<i64>>(6)?.map(from_unix),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The JSON both backends store.
pub fn shown_json(briefings: &BTreeMap<String, ShownBriefing>) -> String {
    serde_json::to_string(briefings).expect("a map of strings serializes")
}
