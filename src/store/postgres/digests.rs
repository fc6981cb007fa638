//! Runtime digests and digest state on PostgreSQL: the statements of `sqlite/digests.rs` in
//! PostgreSQL's dialect. Names are matched through the lowercase key, as SQLite matches them
//! ignoring case.

use super::{id_to_sql, retrying, PgError, PgStorage};
use crate::config::WhenEmpty;
use crate::store::model::{target_from_sql, target_to_sql};
use crate::store::{runtime_key, DigestRow, DigestState, NewDigest, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tokio_postgres::Row;

const ROW_SELECT: &str = "SELECT d.guild_id, d.name, d.channel_id, d.schedule, d.timezone, \
     d.sections, d.tag, d.mention_role, d.silent, d.max_briefings, d.only_new, d.when_empty, \
     d.created_by, d.created_at, coalesce(s.paused, FALSE), s.paused_reason, d.digest_key, d.lang, d.target \
     FROM digests d LEFT JOIN digest_state s ON s.digest_key = d.digest_key";
const STATE_SELECT: &str = "SELECT digest_key, seen_at, paused, paused_reason, resumed_at, \
     last_delivery, last_error, last_error_at, paused_at FROM digest_state";

impl PgStorage {
    pub(super) async fn insert_digest(
        &self,
        d: &NewDigest,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sections = serde_json::to_string(&d.sections).expect("a list of strings serializes");
        retrying!(self, |c| {
            let inserted = c
                .execute(
                    "INSERT INTO digests (guild_id, name, channel_id, schedule, timezone, sections,
                         tag, mention_role, silent, max_briefings, only_new, when_empty,
                         created_by, created_at, digest_key, lang, target)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                         $17)
                     ON CONFLICT DO NOTHING",
                    &[
                        &id_to_sql(d.guild_id),
                        &d.name,
                        &id_to_sql(d.channel_id),
                        &d.schedule,
                        &d.timezone,
                        &sections,
                        &d.tag,
                        &d.mention_role.map(id_to_sql),
                        &d.silent,
                        &(d.max_briefings as i32),
                        &d.only_new,
                        &d.when_empty.as_str(),
                        &id_to_sql(d.created_by),
                        &now.timestamp(),
                        &runtime_key(d.guild_id, &d.name),
                        &d.lang,
                        &target_to_sql(&d.target),
                    ],
                )
                .await?;
            if inserted == 0 {
                return Err(PgError::Store(StoreError::DuplicateName {
                    name: d.name.clone(),
                }));
            }
            Ok(())
        })
    }

    pub(super) async fn update_digest(&self, d: &NewDigest) -> Result<(), StoreError> {
        let sections = serde_json::to_string(&d.sections).expect("a list of strings serializes");
        retrying!(self, |c| {
            let updated = c
                .execute(
                    "UPDATE digests SET channel_id = $2, schedule = $3, timezone = $4,
                         sections = $5, tag = $6, mention_role = $7, silent = $8,
                         max_briefings = $9, only_new = $10, when_empty = $11, target = $12
                     WHERE digest_key = $1",
                    &[
                        &runtime_key(d.guild_id, &d.name),
                        &id_to_sql(d.channel_id),
                        &d.schedule,
                        &d.timezone,
                        &sections,
                        &d.tag,
                        &d.mention_role.map(id_to_sql),
                        &d.silent,
                        &(d.max_briefings as i32),
                        &d.only_new,
                        &d.when_empty.as_str(),
                        &target_to_sql(&d.target),
                    ],
                )
                .await?;
            if updated == 0 {
                return Err(PgError::Store(StoreError::NoSuchDigest {
                    name: d.name.clone(),
                }));
            }
            Ok(())
        })
    }

    pub(super) async fn list_digests(&self, guild_id: u64) -> Result<Vec<DigestRow>, StoreError> {
        let sql = format!("{ROW_SELECT} WHERE d.guild_id = $1 ORDER BY lower(d.name)");
        let rows = retrying!(self, |c| {
            Ok(c.query(&sql, &[&id_to_sql(guild_id)]).await?)
        })?;
        rows.iter().map(read_row).collect()
    }

    pub(super) async fn all_digests(&self) -> Result<Vec<DigestRow>, StoreError> {
        let sql = format!("{ROW_SELECT} ORDER BY d.guild_id, lower(d.name)");
        let rows = retrying!(self, |c| { Ok(c.query(&sql, &[]).await?) })?;
        rows.iter().map(read_row).collect()
    }

    pub(super) async fn get_digest(
        &self,
        guild_id: u64,
        name: &str,
    ) -> Result<Option<DigestRow>, StoreError> {
        let sql = format!("{ROW_SELECT} WHERE d.digest_key = $1");
        let key = runtime_key(guild_id, name);
        let row = retrying!(self, |c| { Ok(c.query_opt(&sql, &[&key]).await?) })?;
        row.as_ref().map(read_row).transpose()
    }

    pub(super) async fn delete_digest(&self, guild_id: u64, name: &str) -> Result<(), StoreError> {
        let key = runtime_key(guild_id, name);
        retrying!(self, |c| {
            let tx = c.transaction().await?;
            let deleted = tx
                .execute("DELETE FROM digests WHERE digest_key = $1", &[&key])
                .await?;
            if deleted == 0 {
                return Err(PgError::Store(StoreError::NoSuchDigest {
                    name: name.into(),
                }));
            }
            for table in ["digest_state", "deliveries", "posted"] {
                let sql = format!("DELETE FROM {table} WHERE digest_key = $1");
                tx.execute(&sql, &[&key]).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub(super) async fn mark_seen(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        retrying!(self, |c| {
            c.execute(
                "INSERT INTO digest_state (digest_key, seen_at)
                 SELECT k, $2 FROM unnest($1::text[]) AS k ON CONFLICT DO NOTHING",
                &[&keys, &now.timestamp()],
            )
            .await?;
            Ok(())
        })
    }

    pub(super) async fn set_paused(
        &self,
        key: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        retrying!(self, |c| {
            c.execute(
                "INSERT INTO digest_state
                     (digest_key, seen_at, paused, paused_reason, resumed_at, paused_at)
                 VALUES ($1, $2::bigint, $3::boolean, $4::text,
                         CASE WHEN $3 THEN NULL ELSE $2 END,
                         CASE WHEN $3 THEN $2 ELSE NULL END)
                 ON CONFLICT (digest_key) DO UPDATE SET
                     paused = excluded.paused,
                     paused_reason = excluded.paused_reason,
                     resumed_at = CASE WHEN excluded.paused THEN digest_state.resumed_at
                                  ELSE $2 END,
                     paused_at = CASE
                         WHEN NOT excluded.paused THEN NULL
                         WHEN digest_state.paused THEN digest_state.paused_at
                         ELSE $2 END",
                &[&key, &now.timestamp(), &reason.is_some(), &reason],
            )
            .await?;
            Ok(())
        })
    }

    pub(super) async fn state(&self, key: &str) -> Result<Option<DigestState>, StoreError> {
        let sql = format!("{STATE_SELECT} WHERE digest_key = $1");
        let row = retrying!(self, |c| { Ok(c.query_opt(&sql, &[&key]).await?) })?;
        Ok(row.as_ref().map(read_state))
    }

    pub(super) async fn states(&self) -> Result<HashMap<String, DigestState>, StoreError> {
        let rows = retrying!(self, |c| { Ok(c.query(STATE_SELECT, &[]).await?) })?;
        Ok(rows
            .iter()
            .map(read_state)
            .map(|s| (s.key.clone(), s))
            .collect())
    }
}

fn corrupt(what: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {reason}"))
}

fn read_row(r: &Row) -> Result<DigestRow, StoreError> {
    let when_empty: String = r.get(11);
    let when_empty = WhenEmpty::ALL
        .into_iter()
        .find(|w| w.as_str() == when_empty)
        .ok_or_else(|| corrupt("when_empty", &when_empty))?;
    let sections: String = r.get(5);
    Ok(DigestRow {
        key: r.get(16),
        digest: NewDigest {
            guild_id: r.get::<_, i64>(0) as u64,
            name: r.get(1),
            channel_id: r.get::<_, i64>(2) as u64,
            schedule: r.get(3),
            timezone: r.get(4),
            sections: serde_json::from_str(&sections).map_err(|e| corrupt("sections", e))?,
            tag: r.get(6),
            mention_role: r.get::<_, Option<i64>>(7).map(|id| id as u64),
            silent: r.get(8),
            max_briefings: r.get::<_, i32>(9).max(0) as usize,
            only_new: r.get(10),
            when_empty,
            created_by: r.get::<_, i64>(12) as u64,
            lang: r.get(17),
            target: target_from_sql(r.get::<_, Option<&str>>(18))
                .map_err(|e| corrupt("digests", e))?,
        },
        created_at: unix(r.get(13)),
        paused: r.get(14),
        paused_reason: r.get(15),
    })
}

fn read_state(r: &Row) -> DigestState {
    let time = |i: usize| r.get::<_, Option<i64>>(i).map(unix);
    DigestState {
        key: r.get(0),
        seen_at: unix(r.get(1)),
        paused: r.get(2),
        paused_reason: r.get(3),
        resumed_at: time(4),
        last_delivery: time(5),
        last_error: r.get(6),
        last_error_at: time(7),
        paused_at: time(8),
    }
}

/// Stored times are unix seconds; values briefbot never writes read as the epoch.
pub(super) fn unix(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
