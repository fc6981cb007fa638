//! One contract, two backends: every case here takes a `&dyn Storage` and runs once on SQLite
//! (a fresh in-memory database) and once on PostgreSQL (a fresh database on the cluster the
//! tests start, `test-postgres`), so the two backends cannot drift apart. Where no PostgreSQL
//! server is installed the PostgreSQL half says SKIPPED and passes, unless
//! `BRIEFBOT_REQUIRE_POSTGRES=1`.

mod basics;
mod replicas;
mod shown;

use briefbot::config::WhenEmpty;
use briefbot::store::postgres::PgStorage;
use briefbot::store::{Claim, Delivery, Lease, NewDigest, SqliteStorage, Storage};
use chrono::{DateTime, Utc};
use std::time::Duration;

pub const NOW: &str = "2025-06-04T10:00:00Z";
pub const LEASE: Duration = Duration::from_secs(30);

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn lease() -> Lease {
    Lease::new("test", LEASE)
}

pub fn new_digest(guild_id: u64, name: &str) -> NewDigest {
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

/// Claims (key, fire) for the test's one owner and returns the row, ours or closed.
pub async fn claim(
    s: &dyn Storage,
    key: &str,
    fire: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Delivery {
    match s.claim(key, fire, &lease(), now).await.unwrap() {
        Claim::Ours(row) | Claim::Closed(row) => row,
        held => panic!("one owner cannot be held off: {held:?}"),
    }
}

pub async fn sqlite() -> Box<dyn Storage> {
    Box::new(SqliteStorage::open(":memory:").await.unwrap())
}

/// A fresh database on the shared test cluster; `None` when PostgreSQL is not installed.
pub async fn postgres() -> Option<Box<dyn Storage>> {
    let cluster = test_postgres::shared()?;
    let url = cluster.database().await;
    Some(Box::new(PgStorage::connect(&url).await.unwrap()))
}

/// Each case once per backend, as `store_contract::<backend>::<case>`.
macro_rules! on_both_backends {
    ($($module:ident :: $case:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let s = super::sqlite().await;
                    super::$module::$case(&*s).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(s) = super::postgres().await else { return };
                    super::$module::$case(&*s).await;
                }
            )*
        }
    };
}

on_both_backends!(
    basics::runtime_digests_round_trip_and_names_are_unique_per_guild,
    basics::an_edit_changes_settings_and_keeps_key_ledger_and_history,
    basics::state_remembers_first_sight_pause_and_resume,
    basics::ledger_pending_then_sent_records_posted_and_last_delivery,
    basics::a_retried_delivery_stays_pending_with_its_attempts_and_error,
    basics::ledger_failed_missed_and_skipped,
    basics::pruning_keeps_pending_rows_and_each_digests_latest,
    replicas::a_claim_is_ours_held_or_closed_and_taken_over_after_its_lease,
    replicas::progress_renews_the_lease,
    replicas::a_send_without_nonce_is_marked_until_progress_is_recorded,
    replicas::leaving_frees_claims_buckets_and_locks_at_once,
    replicas::buckets_are_shared_fairly_and_a_dead_replicas_move_within_a_lease,
    replicas::a_singleton_has_one_owner_until_its_lease_ends,
    replicas::live_replicas_are_those_with_a_recent_heartbeat,
    replicas::a_digest_change_reaches_subscribers,
    replicas::the_schema_is_this_builds,
    shown::what_a_sent_delivery_shows_is_kept_corrected_and_read_within_a_window,
);
