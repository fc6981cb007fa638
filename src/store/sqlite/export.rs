//! Everything in an SQLite file, read at once for `briefbot migrate`.

use super::ledger::{read, COLUMNS};
use super::Store;
use crate::store::{Delivery, DigestRow, DigestState, StoreError};

/// One `posted` row: (digest key, channel id, briefing id, fire time in unix seconds).
pub type PostedRow = (String, u64, String, i64);

/// The whole content of a database.
#[derive(Debug, Default)]
pub struct Export {
    pub digests: Vec<DigestRow>,
    pub states: Vec<DigestState>,
    pub deliveries: Vec<Delivery>,
    pub posted: Vec<PostedRow>,
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
        Ok(Export {
            digests,
            states,
            deliveries,
            posted,
        })
    }
}
