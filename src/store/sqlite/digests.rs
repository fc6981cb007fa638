//! Runtime digests (`/digest add`) and the state the scheduler keeps for every digest, runtime
//! or config: when it was first seen, whether it is paused and why, its last delivery and error.

use super::{corrupt, from_unix, id_from_sql, id_to_sql, json_column, Store};
use crate::config::WhenEmpty;
use crate::store::model::{target_from_sql, target_to_sql};
use crate::store::{runtime_key, DigestRow, DigestState, NewDigest, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use std::collections::HashMap;

const ROW_COLUMNS: &str = "d.guild_id, d.name, d.channel_id, d.schedule, d.timezone, d.sections, \
     d.tag, d.mention_role, d.silent, d.max_briefings, d.only_new, d.when_empty, d.created_by, \
     d.created_at, coalesce(s.paused, 0), s.paused_reason, d.digest_key, d.lang, d.target";
const ROW_FROM: &str = "digests d LEFT JOIN digest_state s ON s.digest_key = d.digest_key";
const STATE_COLUMNS: &str = "digest_key, seen_at, paused, paused_reason, resumed_at, \
     last_delivery, last_error, last_error_at, paused_at";

impl Store {
    /// Adds a runtime digest; a name already used in the guild (ignoring case) is refused.
    pub fn insert_digest(&mut self, d: &NewDigest, now: DateTime<Utc>) -> Result<(), StoreError> {
        let sections = serde_json::to_string(&d.sections).expect("a list of strings serializes");
        let inserted = self.conn.execute(
            "INSERT INTO digests (guild_id, name, channel_id, schedule, timezone, sections, tag,
                 mention_role, silent, max_briefings, only_new, when_empty, created_by, created_at,
                 digest_key, lang, target)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
             ON CONFLICT DO NOTHING",
            params![
                id_to_sql(d.guild_id),
                d.name,
                id_to_sql(d.channel_id),
                d.schedule,
                d.timezone,
                sections,
                d.tag,
                d.mention_role.map(id_to_sql),
                d.silent,
                d.max_briefings as i64,
                d.only_new,
                d.when_empty.as_str(),
                id_to_sql(d.created_by),
                now.timestamp(),
                runtime_key(d.guild_id, &d.name),
                d.lang,
                target_to_sql(&d.target),
            ],
        )?;
        if inserted == 0 {
            return Err(StoreError::DuplicateName {
                name: d.name.clone(),
            });
        }
        Ok(())
    }

    /// Changes a runtime digest's settings in place (`/digest edit`): its name, and so its key,
    /// ledger, state and posted briefings, stay as they are; so do its creator and creation time.
    pub fn update_digest(&mut self, d: &NewDigest) -> Result<(), StoreError> {
        let sections = serde_json::to_string(&d.sections).expect("a list of strings serializes");
        let updated = self.conn.execute(
            "UPDATE digests SET channel_id = ?3, schedule = ?4, timezone = ?5, sections = ?6,
                 tag = ?7, mention_role = ?8, silent = ?9, max_briefings = ?10, only_new = ?11,
                 when_empty = ?12, target = ?13
             WHERE guild_id = ?1 AND name = ?2",
            params![
                id_to_sql(d.guild_id),
                d.name,
                id_to_sql(d.channel_id),
                d.schedule,
                d.timezone,
                sections,
                d.tag,
                d.mention_role.map(id_to_sql),
                d.silent,
                d.max_briefings as i64,
                d.only_new,
                d.when_empty.as_str(),
                target_to_sql(&d.target),
            ],
        )?;
        if updated == 0 {
            return Err(StoreError::NoSuchDigest {
                name: d.name.clone(),
            });
        }
        Ok(())
    }

    /// One guild's runtime digests, by name.
    pub fn list_digests(&self, guild_id: u64) -> Result<Vec<DigestRow>, StoreError> {
        let sql =
            format!("SELECT {ROW_COLUMNS} FROM {ROW_FROM} WHERE d.guild_id = ?1 ORDER BY d.name");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([id_to_sql(guild_id)], read_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every runtime digest of every guild (the scheduler's start).
    pub fn all_digests(&self) -> Result<Vec<DigestRow>, StoreError> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM {ROW_FROM} ORDER BY d.guild_id, d.name");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], read_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A runtime digest by name, ignoring case.
    pub fn get_digest(&self, guild_id: u64, name: &str) -> Result<Option<DigestRow>, StoreError> {
        let sql =
            format!("SELECT {ROW_COLUMNS} FROM {ROW_FROM} WHERE d.guild_id = ?1 AND d.name = ?2");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let row = stmt.query_row(params![id_to_sql(guild_id), name], read_row);
        Ok(row.optional()?)
    }

    /// Removes a runtime digest with its state, ledger and posted briefings, so a new digest
    /// given the same name later starts afresh.
    pub fn delete_digest(&mut self, guild_id: u64, name: &str) -> Result<(), StoreError> {
        let key = runtime_key(guild_id, name);
        let tx = self.conn.transaction()?;
        let deleted = tx.execute(
            "DELETE FROM digests WHERE guild_id = ?1 AND name = ?2",
            params![id_to_sql(guild_id), name],
        )?;
        if deleted == 0 {
            return Err(StoreError::NoSuchDigest { name: name.into() });
        }
        for table in ["digest_state", "deliveries", "posted"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE digest_key = ?1"),
                [&key],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records digests as seen at `now` unless they were seen before: a digest's first
    /// schedule never catches up on fire times from before it existed.
    pub fn mark_seen<'a>(
        &mut self,
        keys: impl IntoIterator<Item = &'a str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO digest_state (digest_key, seen_at) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
            )?;
            for key in keys {
                stmt.execute(params![key, now.timestamp()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Pauses a digest with a reason shown in `/digest list`, or resumes it (`None`). Works
    /// for config digests too, whose definitions live in the file. A pause keeps the time it
    /// began (pausing again changes only the reason); a resume clears it.
    pub fn set_paused(
        &mut self,
        key: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO digest_state
                 (digest_key, seen_at, paused, paused_reason, resumed_at, paused_at)
             VALUES (?1, ?2, ?3, ?4, CASE WHEN ?3 THEN NULL ELSE ?2 END,
                     CASE WHEN ?3 THEN ?2 ELSE NULL END)
             ON CONFLICT (digest_key) DO UPDATE SET
                 paused = excluded.paused,
                 paused_reason = excluded.paused_reason,
                 resumed_at = CASE WHEN excluded.paused THEN resumed_at ELSE ?2 END,
                 paused_at = CASE
                     WHEN NOT excluded.paused THEN NULL
                     WHEN digest_state.paused THEN digest_state.paused_at
                     ELSE ?2 END",
            params![key, now.timestamp(), reason.is_some(), reason],
        )?;
        Ok(())
    }

    pub fn state(&self, key: &str) -> Result<Option<DigestState>, StoreError> {
        let sql = format!("SELECT {STATE_COLUMNS} FROM digest_state WHERE digest_key = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_row([key], read_state).optional()?)
    }

    /// The state of every digest the store knows, by key.
    pub fn states(&self) -> Result<HashMap<String, DigestState>, StoreError> {
        let sql = format!("SELECT {STATE_COLUMNS} FROM digest_state");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], read_state)?;
        rows.map(|r| r.map(|s| (s.key.clone(), s)).map_err(Into::into))
            .collect()
    }
}

fn read_row(r: &Row) -> rusqlite::Result<DigestRow> {
    let when_empty: String = r.get(11)?;
    let when_empty = WhenEmpty::ALL
        .into_iter()
        .find(|w| w.as_str() == when_empty)
        .ok_or_else(|| corrupt(11, format!("unknown when_empty `{when_empty}`")))?;
    Ok(DigestRow {
        key: r.get(16)?,
        digest: NewDigest {
            guild_id: id_from_sql(r.get(0)?),
            name: r.get(1)?,
            channel_id: id_from_sql(r.get(2)?),
            schedule: r.get(3)?,
            timezone: r.get(4)?,
            sections: json_column(r, 5)?,
            tag: r.get(6)?,
            mention_role: r.get::<_, Option<i64>>(7)?.map(id_from_sql),
            silent: r.get(8)?,
            max_briefings: r.get::<_, i64>(9)?.max(0) as usize,
            only_new: r.get(10)?,
            when_empty,
            created_by: id_from_sql(r.get(12)?),
            lang: r.get(17)?,
            target: target_from_sql(r.get::<_, Option<String>>(18)?.as_deref())
                .map_err(|e| corrupt(18, e))?,
        },
        created_at: from_unix(r.get(13)?),
        paused: r.get(14)?,
        paused_reason: r.get(15)?,
    })
}

fn read_state(r: &Row) -> rusqlite::Result<DigestState> {
    let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(r.get::<_, Option<i64>>(i)?.map(from_unix))
    };
    Ok(DigestState {
        key: r.get(0)?,
        seen_at: from_unix(r.get(1)?),
        paused: r.get(2)?,
        paused_reason: r.get(3)?,
        resumed_at: time(4)?,
        last_delivery: time(5)?,
        last_error: r.get(6)?,
        last_error_at: time(7)?,
        paused_at: time(8)?,
    })
}
