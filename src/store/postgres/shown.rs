//! What each sent delivery's messages show, on PostgreSQL: the same rows and rules as on
//! SQLite (`sqlite/shown.rs`), each statement retried across a lost server.

use super::digests::unix;
use super::{id_to_sql, retrying, PgStorage};
use crate::store::sqlite::shown_json;
use crate::store::{Shown, ShownBriefing, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

impl PgStorage {
    pub(super) async fn record_shown(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        channel_id: u64,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let json = shown_json(briefings);
        retrying!(self, |c| {
            Ok(c.execute(
                "INSERT INTO shown (digest_key, fire_time, channel_id, briefings, sent_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (digest_key, fire_time) DO UPDATE SET
                     channel_id = excluded.channel_id, briefings = excluded.briefings",
                &[
                    &key,
                    &fire.timestamp(),
                    &id_to_sql(channel_id),
                    &json,
                    &now.timestamp(),
                ],
            )
            .await?)
        })?;
        Ok(())
    }

    pub(super) async fn record_corrected(
        &self,
        key: &str,
        fire: DateTime<Utc>,
        briefings: &BTreeMap<String, ShownBriefing>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let json = shown_json(briefings);
        retrying!(self, |c| {
            Ok(c.execute(
                "UPDATE shown SET briefings = $3, edited_at = $4
                 WHERE digest_key = $1 AND fire_time = $2",
                &[&key, &fire.timestamp(), &json, &now.timestamp()],
            )
            .await?)
        })?;
        Ok(())
    }

    pub(super) async fn shown_since(&self, since: DateTime<Utc>) -> Result<Vec<Shown>, StoreError> {
        let rows = retrying!(self, |c| {
            Ok(c.query(
                "SELECT s.digest_key, s.fire_time, s.channel_id, d.message_ids, s.briefings,
                        s.sent_at, s.edited_at
                 FROM shown AS s JOIN deliveries AS d
                   ON d.digest_key = s.digest_key AND d.fire_time = s.fire_time
                 WHERE s.sent_at >= $1 AND d.status = 'sent'
                 ORDER BY s.sent_at, s.digest_key",
                &[&since.timestamp()],
            )
            .await?)
        })?;
        rows.iter()
            .map(|r| {
                let ids: String = r.get(3);
                let ids: Vec<String> = serde_json::from_str(&ids)
                    .map_err(|e| StoreError::Corrupt(format!("message_ids: {e}")))?;
                let briefings: String = r.get(4);
                let briefings = serde_json::from_str(&briefings)
                    .map_err(|e| StoreError::Corrupt(format!("shown briefings: {e}")))?;
                Ok(Shown {
                    digest_key: r.get(0),
                    fire_time: unix(r.get(1)),
                    channel_id: r.get::<_, i64>(2) as u64,
                    message_ids: ids.iter().filter_map(|id| id.parse().ok()).collect(),
                    briefings,
                    sent_at: unix(r.get(5)),
                    edited_at: r.get::<_, Option<i64>>(6).map(unix),
                })
            })
            .collect()
    }
}
