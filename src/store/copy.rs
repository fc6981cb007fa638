//! `briefbot migrate`: an SQLite installation copied into an empty PostgreSQL database
//! (runtime digests, digest state with pauses, the ledger, posted history, what each sent
//! delivery shows, so corrections still reach messages posted before the move), in one
//! transaction, so a failure leaves the target as empty as it was.

use super::postgres::PgStorage;
use super::sqlite::{Export, Store};
use super::{runtime_key, StoreError};
use std::path::PathBuf;

/// How many rows of each kind were copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub digests: usize,
    pub states: usize,
    pub deliveries: usize,
    pub posted: usize,
}

/// Copies the SQLite file at `from` into `to`, which must hold no briefbot rows yet.
pub async fn sqlite_to_postgres(from: PathBuf, to: &PgStorage) -> Result<Counts, StoreError> {
    let export = tokio::task::spawn_blocking(move || Store::open(from)?.export())
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??;
    let full = to.non_empty_tables().await?;
    if !full.is_empty() {
        return Err(StoreError::NotEmpty {
            place: super::Storage::describe(to),
            tables: format!("rows in {}", full.join(", ")),
        });
    }
    let mut client = to.client().await?;
    let tx = client.transaction().await?;
    write(&tx, &export).await?;
    tx.commit().await?;
    Ok(Counts {
        digests: export.digests.len(),
        states: export.states.len(),
        deliveries: export.deliveries.len(),
        posted: export.posted.len(),
    })
}

async fn write(tx: &deadpool_postgres::Transaction<'_>, e: &Export) -> Result<(), StoreError> {
    let id = |v: u64| v as i64;
    let secs = |t: chrono::DateTime<chrono::Utc>| t.timestamp();
    for row in &e.digests {
        let d = &row.digest;
        let sections = serde_json::to_string(&d.sections).expect("a list of strings serializes");
        tx.execute(
            "INSERT INTO digests (guild_id, name, channel_id, schedule, timezone, sections, tag,
                 mention_role, silent, max_briefings, only_new, when_empty, created_by,
                 created_at, digest_key, lang, target)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17)",
            &[
                &id(d.guild_id),
                &d.name,
                &id(d.channel_id),
                &d.schedule,
                &d.timezone,
                &sections,
                &d.tag,
                &d.mention_role.map(id),
                &d.silent,
                &(d.max_briefings as i32),
                &d.only_new,
                &d.when_empty.as_str(),
                &id(d.created_by),
                &secs(row.created_at),
                &runtime_key(d.guild_id, &d.name),
                &d.lang,
                &super::model::target_to_sql(&d.target),
            ],
        )
        .await?;
    }
    for s in &e.states {
        tx.execute(
            "INSERT INTO digest_state (digest_key, seen_at, paused, paused_reason, resumed_at,
                 last_delivery, last_error, last_error_at, paused_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &s.key,
                &secs(s.seen_at),
                &s.paused,
                &s.paused_reason,
                &s.resumed_at.map(secs),
                &s.last_delivery.map(secs),
                &s.last_error,
                &s.last_error_at.map(secs),
                &s.paused_at.map(secs),
            ],
        )
        .await?;
    }
    for d in &e.deliveries {
        let briefings = d
            .briefings
            .as_ref()
            .map(|b| serde_json::to_string(b).expect("a list of strings serializes"));
        tx.execute(
            "INSERT INTO deliveries (digest_key, fire_time, status, attempts, message_ids,
                 briefings, last_error, updated_at, owner, lease_until, sending_since)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &d.digest_key,
                &secs(d.fire_time),
                &d.status.as_str(),
                &(d.attempts as i32),
                &super::sqlite::ids_json(&d.message_ids),
                &briefings,
                &d.last_error,
                &secs(d.updated_at),
                &d.owner,
                &d.lease_until.map(secs),
                &d.sending_since.map(secs),
            ],
        )
        .await?;
    }
    for (key, fire, channel, briefings, sent_at, edited_at) in &e.shown {
        tx.execute(
            "INSERT INTO shown (digest_key, fire_time, channel_id, briefings, sent_at, edited_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[key, fire, &id(*channel), briefings, sent_at, edited_at],
        )
        .await?;
    }
    for (key, channel, briefing, fire) in &e.posted {
        tx.execute(
            "INSERT INTO posted (digest_key, channel_id, briefing_id, fire_time)
             VALUES ($1, $2, $3, $4)",
            &[key, &id(*channel), briefing, fire],
        )
        .await?;
    }
    Ok(())
}
