//! Store tests: migrations, refusals, runtime digests, digest state and ledger transitions.

use super::*;
use crate::config::WhenEmpty;
use chrono::TimeDelta;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn mem() -> Store {
    Store::open(":memory:").unwrap()
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

#[test]
fn runtime_digests_round_trip_and_names_are_unique_per_guild() {
    let mut s = mem();
    let d = new_digest(1, "Morning");
    s.insert_digest(&d, at(NOW)).unwrap();
    let err = s
        .insert_digest(&new_digest(1, "morning"), at(NOW))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a digest named `morning` already exists in this guild"
    );
    // Another guild may use the name.
    s.insert_digest(&new_digest(2, "morning"), at(NOW)).unwrap();

    let row = s.get_digest(1, "MORNING").unwrap().unwrap();
    assert_eq!(row.digest, d);
    assert_eq!(row.key, "g:1:morning");
    assert_eq!(row.created_at, at(NOW));
    assert!(!row.paused);
    assert_eq!(s.list_digests(1).unwrap().len(), 1);
    assert_eq!(s.all_digests().unwrap().len(), 2);

    s.set_paused(&row.key, Some("channel gone (404)"), at(NOW))
        .unwrap();
    let row = s.get_digest(1, "morning").unwrap().unwrap();
    assert_eq!(
        (row.paused, row.paused_reason.as_deref()),
        (true, Some("channel gone (404)"))
    );

    s.delete_digest(1, "morning").unwrap();
    assert!(s.get_digest(1, "morning").unwrap().is_none());
    assert!(s.state("g:1:morning").unwrap().is_none());
    let err = s.delete_digest(1, "morning").unwrap_err();
    assert!(matches!(err, StoreError::NoSuchDigest { .. }));
}

#[test]
fn an_edit_changes_settings_and_keeps_key_ledger_and_history() {
    let mut s = mem();
    let (fire, now) = (at("2025-06-04T08:00:00Z"), at(NOW));
    s.insert_digest(&new_digest(1, "Morning"), now).unwrap();
    s.begin("g:1:morning", fire, now).unwrap();
    s.set_briefings("g:1:morning", fire, &["a".into()]).unwrap();
    s.record_sent("g:1:morning", fire, 42, &[1], 1, now)
        .unwrap();

    let mut edited = new_digest(1, "MORNING");
    edited.schedule = "30 7 * * *".into();
    (edited.tag, edited.mention_role, edited.max_briefings) = (None, None, 5);
    (edited.only_new, edited.when_empty, edited.created_by) = (false, WhenEmpty::Skip, 1234);
    s.update_digest(&edited).unwrap();
    let row = s.get_digest(1, "morning").unwrap().unwrap();
    assert_eq!(
        (row.key.as_str(), row.digest.name.as_str()),
        ("g:1:morning", "Morning")
    );
    assert_eq!(row.digest.schedule, "30 7 * * *");
    assert_eq!((row.digest.tag, row.digest.mention_role), (None, None));
    assert_eq!((row.digest.max_briefings, row.digest.only_new), (5, false));
    assert_eq!(row.digest.when_empty, WhenEmpty::Skip);
    assert_eq!(
        (row.digest.created_by, row.created_at),
        (99, now),
        "creator kept"
    );
    assert_eq!(
        s.delivery("g:1:morning", fire).unwrap().unwrap().status,
        DeliveryStatus::Sent
    );
    assert_eq!(
        s.posted_ids("g:1:morning", 42).unwrap(),
        ["a".to_string()].into()
    );

    let err = s.update_digest(&new_digest(1, "evening")).unwrap_err();
    assert!(matches!(err, StoreError::NoSuchDigest { .. }), "{err}");
}

#[test]
fn state_remembers_first_sight_pause_and_resume() {
    let mut s = mem();
    let later = at(NOW) + TimeDelta::hours(1);
    s.mark_seen(["cfg:morning"], at(NOW)).unwrap();
    s.mark_seen(["cfg:morning", "cfg:evening"], later).unwrap();
    let states = s.states().unwrap();
    assert_eq!(states["cfg:morning"].seen_at, at(NOW));
    assert_eq!(states["cfg:evening"].seen_at, later);

    s.set_paused("cfg:morning", Some("forbidden (403)"), later)
        .unwrap();
    let st = s.state("cfg:morning").unwrap().unwrap();
    assert!(st.paused && st.resumed_at.is_none());
    assert_eq!(st.paused_at, Some(later));
    // Paused again (another reason): the pause still began when it first did.
    let even_later = later + TimeDelta::hours(1);
    s.set_paused("cfg:morning", Some("paused by hand"), even_later)
        .unwrap();
    let st = s.state("cfg:morning").unwrap().unwrap();
    assert_eq!(
        (st.paused_at, st.paused_reason.as_deref()),
        (Some(later), Some("paused by hand"))
    );
    s.set_paused("cfg:morning", None, even_later).unwrap();
    let st = s.state("cfg:morning").unwrap().unwrap();
    assert_eq!(
        (st.paused, st.paused_reason, st.resumed_at, st.paused_at),
        (false, None, Some(even_later), None)
    );
    assert_eq!(st.seen_at, at(NOW));
}

#[test]
fn ledger_pending_then_sent_records_posted_and_last_delivery() {
    let mut s = mem();
    let (key, fire, now) = ("cfg:morning", at("2025-06-04T08:00:00Z"), at(NOW));
    let row = s.begin(key, fire, now).unwrap();
    assert_eq!((row.status, row.attempts), (DeliveryStatus::Pending, 0));
    assert!(row.briefings.is_none() && row.message_ids.is_empty());

    s.set_briefings(key, fire, &["a".into(), "b".into()])
        .unwrap();
    s.record_progress(key, fire, &[111], now).unwrap();
    let row = s.begin(key, fire, now).unwrap();
    assert_eq!(row.status, DeliveryStatus::Pending);
    assert_eq!(row.message_ids, [111]);
    assert_eq!(
        row.briefings.as_deref(),
        Some(&["a".into(), "b".into()][..])
    );

    assert!(s.record_sent(key, fire, 42, &[111, 222], 3, now).unwrap());
    // A second close changes nothing, and beginning again returns the sent row.
    assert!(!s.record_sent(key, fire, 42, &[333], 1, now).unwrap());
    assert!(!s.record_failed(key, fire, "late", 1, now).unwrap());
    s.record_missed(&[(key.into(), fire)], "late", now).unwrap();
    let row = s.begin(key, fire, now).unwrap();
    assert_eq!(row.status, DeliveryStatus::Sent);
    assert_eq!((row.message_ids, row.attempts), (vec![111, 222], 3));

    let posted = s.posted_ids(key, 42).unwrap();
    assert_eq!(posted, ["a".to_string(), "b".to_string()].into());
    assert!(s.posted_ids(key, 43).unwrap().is_empty());
    let st = s.state(key).unwrap().unwrap();
    assert_eq!(st.last_delivery, Some(fire));
    assert_eq!(s.latest_fire(key).unwrap(), Some(fire));
}

#[test]
fn a_retried_delivery_stays_pending_with_its_attempts_and_error() {
    let mut s = mem();
    let (key, fire, now) = ("cfg:morning", at("2025-06-04T08:00:00Z"), at(NOW));
    s.begin(key, fire, now).unwrap();
    assert!(s.record_retry(key, fire, "HTTP 503", 5, now).unwrap());
    assert!(s.record_retry(key, fire, "HTTP 502", 5, now).unwrap());
    let pending = s.pending().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].status, pending[0].attempts),
        (DeliveryStatus::Pending, 10)
    );
    assert_eq!(pending[0].last_error.as_deref(), Some("HTTP 502"));
    // Not the digest's last error while it is still being tried.
    assert_eq!(s.state(key).unwrap(), None);

    assert!(s.record_sent(key, fire, 42, &[111], 1, now).unwrap());
    let row = s.delivery(key, fire).unwrap().unwrap();
    assert_eq!(
        (row.status, row.attempts, row.last_error),
        (DeliveryStatus::Sent, 11, None)
    );
    assert!(
        !s.record_retry(key, fire, "late", 1, now).unwrap(),
        "closed rows stay closed"
    );
}

#[test]
fn ledger_failed_missed_and_skipped() {
    let mut s = mem();
    let key = "g:1:news";
    let now = at(NOW);
    let fires: Vec<_> = (0..4)
        .map(|h| at("2025-06-04T01:00:00Z") + TimeDelta::hours(h))
        .collect();

    s.begin(key, fires[0], now).unwrap();
    assert!(s.record_failed(key, fires[0], "HTTP 503", 5, now).unwrap());
    let row = s.delivery(key, fires[0]).unwrap().unwrap();
    assert_eq!((row.status, row.attempts), (DeliveryStatus::Failed, 5));
    assert_eq!(row.last_error.as_deref(), Some("HTTP 503"));
    let st = s.state(key).unwrap().unwrap();
    assert_eq!(st.last_error.as_deref(), Some("HTTP 503"));

    // Missed: new rows are written as missed, a pending one is closed as missed.
    s.begin(key, fires[2], now).unwrap();
    let missed: Vec<_> = fires[1..3].iter().map(|f| (key.to_string(), *f)).collect();
    s.record_missed(&missed, "bot was down", now).unwrap();
    for fire in &fires[1..3] {
        let row = s.delivery(key, *fire).unwrap().unwrap();
        assert_eq!(row.status, DeliveryStatus::Missed);
        assert_eq!(row.last_error.as_deref(), Some("bot was down"));
    }

    s.begin(key, fires[3], now).unwrap();
    assert_eq!(s.pending().unwrap().len(), 1);
    assert!(s.record_skipped_empty(key, fires[3], now).unwrap());
    assert!(s.pending().unwrap().is_empty());
    let row = s.delivery(key, fires[3]).unwrap().unwrap();
    assert_eq!(row.status, DeliveryStatus::SkippedEmpty);

    assert_eq!(s.latest_fires().unwrap()[key], fires[3]);
    let recent = s.recent_deliveries(key, 2).unwrap();
    assert_eq!(
        recent.iter().map(|d| d.fire_time).collect::<Vec<_>>(),
        [fires[3], fires[2]]
    );
}

#[test]
fn pruning_keeps_pending_rows_and_each_digests_latest() {
    let mut s = mem();
    let now = at(NOW);
    let day = |d: i64| at("2025-05-01T08:00:00Z") + TimeDelta::days(d);
    for d in 0..5 {
        s.begin("a", day(d), now).unwrap();
        s.record_skipped_empty("a", day(d), now).unwrap();
    }
    s.begin("a", day(1), now).unwrap(); // closed already: stays closed
    s.begin("b", day(0), now).unwrap(); // pending: kept whatever its age
    s.begin("c", day(2), now).unwrap();
    s.record_skipped_empty("c", day(2), now).unwrap(); // c's only row: kept
    assert_eq!(s.prune_deliveries(day(10)).unwrap(), 4);
    let left = |k: &str| s.recent_deliveries(k, 10).unwrap().len();
    assert_eq!((left("a"), left("b"), left("c")), (1, 1, 1));
    assert_eq!(s.latest_fire("a").unwrap(), Some(day(4)));
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
