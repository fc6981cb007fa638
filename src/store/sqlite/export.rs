//! Everything in an SQLite file, read at once for `briefbot migrate`.

use super::ledger::{read, COLUMNS};
use super::Store;
use crate::store::{Delivery, DigestRow, DigestState, StoreError};

/// One `posted` row: (digest key, channel id, briefing id, fire time in unix seconds).
pub type PostedRow = (String, u64, String, i64);

/// One `shown` row as stored: (digest key, fire time, channel id, briefings JSON, sent at,
/// edited at), times in unix seconds. Copied as is: both backends store the same JSON.
pub type ShownRow = (String, i64, u64, String, i64, Option<i64>);

/// The whole content of a database.
#[derive(Debug, Default)]
pub struct Export {
    pub digests: Vec<DigestRow>,
    pub states: Vec<DigestState>,
    pub deliveries: Vec<Delivery>,
    pub posted: Vec<PostedRow>,
    pub shown: Vec<ShownRow>,
}

impl Store {
    pub fn export(&self) -> Result<Export, StoreError> {
        let digests = self.all_digests()?;
        let mut states: Vec<DigestState> = self.states()?.into_values().collect();
        states.sort_by(|a, b| a.key.cmp(&b.key));
        let sql = format!("SELECT {COLUMNS} FROM deliveries ORDER BY digest_key, fire_time");
        let mut stmt = self.conn.prepare(&sql)?;
        let deliveries = stmt.query_map([], read)?.collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT digest_key, channel_id, briefing_id, fire_time FROM posted
             ORDER BY digest_key, channel_id, briefing_id",
        )?;
        let posted = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    super::id_from_sql(r.get(1)?),
                    r.get(2)?,
                    r.get(3)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT digest_key, fire_time, channel_id, briefings, sent_at, edited_at FROM shown
             ORDER BY digest_key, fire_time",
        )?;
        let shown = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    super::id_from_sql(r.get(2)?),
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        Ok(Export {
            digests,
            states,
            deliveries,
            posted,
            shown,
        })
    }
}
