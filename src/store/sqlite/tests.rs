//! What only the SQLite backend has: the file, its migrations and refusals, the blocking-pool
//! facade. The behaviour both backends share is tested on both in `tests/core/store_contract/`.

use super::*;
use crate::config::WhenEmpty;
use crate::store::{Claim, Lease, NewDigest};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn new_digest(guild_id: u64, name: &str) -> NewDigest {
    NewDigest {
        guild_id,
        name: name.into(),
        channel_id: 42,
        schedule: "0 8 * * *".into(),
        timezone: "Europe/Paris".into(),
        sections: vec!["whats_next".into()],
        tag: Some("sahel".into()),
        mention_role: Some(7),
        silent: true,
        max_briefings: 3,
        only_new: true,
        when_empty: WhenEmpty::Notice,
        created_by: 99,
        lang: None,
        target: Default::default(),
    }
}

const NOW: &str = "2025-06-04T10:00:00Z";

#[test]
fn a_new_file_is_created_and_migrated_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("briefbot.db");
    let mut store = Store::open(&path).unwrap();
    store
        .insert_digest(&new_digest(1, "morning"), at(NOW))
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let version: i64 = store
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, Store::schema_version());
    let mode: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(store.list_digests(1).unwrap().len(), 1);
}

#[test]
fn a_version_1_database_with_a_paused_digest_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("briefbot.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(MIGRATIONS[0]).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.execute(
        "INSERT INTO digest_state (digest_key, seen_at, paused, paused_reason) VALUES ('cfg:m', 1, 1, 'x')",
        [],
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    let st = store.state("cfg:m").unwrap().unwrap();
    assert!(st.paused);
    assert_eq!(st.paused_at, None, "not known for a pause from before");
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("briefbot.db");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    let want = format!(
        "database {} was written by a newer briefbot (schema 99, this build knows {})",
        path.display(),
        Store::schema_version()
    );
    assert_eq!(err.to_string(), want);
}

#[test]
fn files_that_cannot_be_used_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(
        &text,
        "these are not the bytes of a database, just some text ".repeat(40),
    )
    .unwrap();
    let err = Store::open(&text).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(
        err.to_string().contains("is not a briefbot database"),
        "{err}"
    );

    let missing = dir.path().join("no/such/folder/briefbot.db");
    let err = Store::open(&missing).unwrap_err().to_string();
    assert!(err.starts_with("cannot open database"), "{err}");
    assert!(err.contains("may briefbot write to it"), "{err}");
}

#[tokio::test]
async fn the_async_facade_runs_calls_off_the_runtime() {
    let store = AsyncStore::open(":memory:").await.unwrap();
    let now = at(NOW);
    store
        .call(move |s| s.insert_digest(&new_digest(5, "x"), now))
        .await
        .unwrap();
    let rows = store.call(|s| s.list_digests(5)).await.unwrap();
    assert_eq!(rows[0].digest.name, "x");
}

/// A database from the first schema gains the `lang` column and keeps its digests, which then
/// follow their guild's locale; a language set later round-trips.
#[test]
fn a_schema_1_database_is_migrated_and_its_digests_keep_following_their_guild() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("briefbot.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO digests (digest_key, guild_id, name, channel_id, schedule, timezone,
                 created_by, created_at)
             VALUES ('g:1:old', 1, 'old', 42, '@daily', 'UTC', 9, 0)",
            [],
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let old = store.get_digest(1, "old").unwrap().unwrap();
    assert_eq!(old.digest.lang, None);
    let french = NewDigest {
        lang: Some("fr".into()),
        ..new_digest(1, "soir")
    };
    store.insert_digest(&french, at(NOW)).unwrap();
    let stored = store.get_digest(1, "soir").unwrap().unwrap();
    assert_eq!(stored.digest.lang.as_deref(), Some("fr"));
}

/// A delivery begun by a schema-2 briefbot (no owner, no lease) is claimable by the first
/// replica that asks after the upgrade, with what it had sent kept.
#[test]
fn a_pending_row_from_schema_2_is_claimed_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("briefbot.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO deliveries (digest_key, fire_time, status, message_ids, updated_at)
             VALUES ('cfg:m', 100, 'pending', '[\"7\"]', 100)",
            [],
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.user_version().unwrap(), 5);
    let lease = Lease::new("r1", std::time::Duration::from_secs(30));
    let claim = store
        .claim("cfg:m", from_unix(100), &lease, at(NOW))
        .unwrap();
    let Claim::Ours(row) = claim else {
        panic!("{claim:?}")
    };
    assert_eq!(
        (row.owner.as_deref(), row.message_ids),
        (Some("r1"), vec![7])
    );
}
