//! The store's first contract cases: runtime digests, digest state, the ledger's transitions
//! and pruning. Each takes a `&dyn Storage` and runs on both backends (`mod.rs`).

use super::{at, claim, lease, new_digest, NOW};
use briefbot::config::WhenEmpty;
use briefbot::digests::{ForumPost, Identity, Target, ThreadTarget};
use briefbot::store::{DeliveryStatus, Storage, StoreError};
use chrono::TimeDelta;

pub async fn runtime_digests_round_trip_and_names_are_unique_per_guild(s: &dyn Storage) {
    let d = new_digest(1, "Morning");
    s.insert_digest(&d, at(NOW)).await.unwrap();
    let err = s
        .insert_digest(&new_digest(1, "morning"), at(NOW))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a digest named `morning` already exists in this guild"
    );
    // Another guild may use the name; a target other than a channel comes back as it went in.
    let mut forum = new_digest(2, "morning");
    forum.target = Target::Forum {
        post: ForumPost::Briefing,
        tags: true,
        identity: Some(Identity {
            username: Some("Sahel Brief".into()),
            avatar_url: Some("https://example.org/sahel.png".into()),
        }),
    };
    s.insert_digest(&forum, at(NOW)).await.unwrap();
    let stored = s.get_digest(2, "morning").await.unwrap().unwrap();
    assert_eq!(stored.digest.target, forum.target);

    let row = s.get_digest(1, "MORNING").await.unwrap().unwrap();
    assert_eq!(row.digest, d);
    assert_eq!(row.key, "g:1:morning");
    assert_eq!(row.created_at, at(NOW));
    assert!(!row.paused);
    assert_eq!(s.list_digests(1).await.unwrap().len(), 1);
    assert_eq!(s.all_digests().await.unwrap().len(), 2);

    s.set_paused(&row.key, Some("channel gone (404)"), at(NOW))
        .await
        .unwrap();
    let row = s.get_digest(1, "morning").await.unwrap().unwrap();
    assert_eq!(
        (row.paused, row.paused_reason.as_deref()),
        (true, Some("channel gone (404)"))
    );

    s.delete_digest(1, "morning").await.unwrap();
    assert!(s.get_digest(1, "morning").await.unwrap().is_none());
    assert!(s.state("g:1:morning").await.unwrap().is_none());
    let err = s.delete_digest(1, "morning").await.unwrap_err();
    assert!(matches!(err, StoreError::NoSuchDigest { .. }));
}

pub async fn an_edit_changes_settings_and_keeps_key_ledger_and_history(s: &dyn Storage) {
    let (fire, now) = (at("2025-06-04T08:00:00Z"), at(NOW));
    s.insert_digest(&new_digest(1, "Morning"), now)
        .await
        .unwrap();
    claim(s, "g:1:morning", fire, now).await;
    s.set_briefings("g:1:morning", fire, &["a".into()])
        .await
        .unwrap();
    s.record_sent("g:1:morning", fire, 42, &[1], 1, now)
        .await
        .unwrap();

    let mut edited = new_digest(1, "MORNING");
    edited.schedule = "30 7 * * *".into();
    (edited.tag, edited.mention_role, edited.max_briefings) = (None, None, 5);
    (edited.only_new, edited.when_empty, edited.created_by) = (false, WhenEmpty::Skip, 1234);
    edited.target = Target::Thread(ThreadTarget::OpenUnderEach);
    s.update_digest(&edited).await.unwrap();
    let row = s.get_digest(1, "morning").await.unwrap().unwrap();
    assert_eq!(
        (row.key.as_str(), row.digest.name.as_str()),
        ("g:1:morning", "Morning")
    );
    assert_eq!(row.digest.schedule, "30 7 * * *");
    assert_eq!((row.digest.tag, row.digest.mention_role), (None, None));
    assert_eq!((row.digest.max_briefings, row.digest.only_new), (5, false));
    assert_eq!(row.digest.when_empty, WhenEmpty::Skip);
    assert_eq!(
        row.digest.target,
        Target::Thread(ThreadTarget::OpenUnderEach)
    );
    assert_eq!(
        (row.digest.created_by, row.created_at),
        (99, now),
        "creator kept"
    );
    assert_eq!(
        s.delivery("g:1:morning", fire)
            .await
            .unwrap()
            .unwrap()
            .status,
        DeliveryStatus::Sent
    );
    assert_eq!(
        s.posted_ids("g:1:morning", 42).await.unwrap(),
        ["a".to_string()].into()
    );

    let err = s
        .update_digest(&new_digest(1, "evening"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NoSuchDigest { .. }), "{err}");
}

pub async fn state_remembers_first_sight_pause_and_resume(s: &dyn Storage) {
    let later = at(NOW) + TimeDelta::hours(1);
    s.mark_seen(&["cfg:morning".into()], at(NOW)).await.unwrap();
    s.mark_seen(&["cfg:morning".into(), "cfg:evening".into()], later)
        .await
        .unwrap();
    let states = s.states().await.unwrap();
    assert_eq!(states["cfg:morning"].seen_at, at(NOW));
    assert_eq!(states["cfg:evening"].seen_at, later);

    s.set_paused("cfg:morning", Some("forbidden (403)"), later)
        .await
        .unwrap();
    let st = s.state("cfg:morning").await.unwrap().unwrap();
    assert!(st.paused && st.resumed_at.is_none());
    assert_eq!(st.paused_at, Some(later));
    // Paused again (another reason): the pause still began when it first did.
    let even_later = later + TimeDelta::hours(1);
    s.set_paused("cfg:morning", Some("paused by hand"), even_later)
        .await
        .unwrap();
    let st = s.state("cfg:morning").await.unwrap().unwrap();
    assert_eq!(
        (st.paused_at, st.paused_reason.as_deref()),
        (Some(later), Some("paused by hand"))
    );
    s.set_paused("cfg:morning", None, even_later).await.unwrap();
    let st = s.state("cfg:morning").await.unwrap().unwrap();
    assert_eq!(
        (st.paused, st.paused_reason, st.resumed_at, st.paused_at),
        (false, None, Some(even_later), None)
    );
    assert_eq!(st.seen_at, at(NOW));
}

pub async fn ledger_pending_then_sent_records_posted_and_last_delivery(s: &dyn Storage) {
    let (key, fire, now) = ("cfg:morning", at("2025-06-04T08:00:00Z"), at(NOW));
    let row = claim(s, key, fire, now).await;
    assert_eq!((row.status, row.attempts), (DeliveryStatus::Pending, 0));
    assert!(row.briefings.is_none() && row.message_ids.is_empty());

    s.set_briefings(key, fire, &["a".into(), "b".into()])
        .await
        .unwrap();
    s.record_progress(key, fire, &[111], &lease(), now)
        .await
        .unwrap();
    let row = claim(s, key, fire, now).await;
    assert_eq!(row.status, DeliveryStatus::Pending);
    assert_eq!(row.message_ids, [111]);
    assert_eq!(
        row.briefings.as_deref(),
        Some(&["a".into(), "b".into()][..])
    );

    assert!(s
        .record_sent(key, fire, 42, &[111, 222], 3, now)
        .await
        .unwrap());
    // A second close changes nothing, and beginning again returns the sent row.
    assert!(!s.record_sent(key, fire, 42, &[333], 1, now).await.unwrap());
    assert!(!s.record_failed(key, fire, "late", 1, now).await.unwrap());
    s.record_missed(&[(key.into(), fire)], "late", now)
        .await
        .unwrap();
    let row = claim(s, key, fire, now).await;
    assert_eq!(row.status, DeliveryStatus::Sent);
    assert_eq!((row.message_ids, row.attempts), (vec![111, 222], 3));

    let posted = s.posted_ids(key, 42).await.unwrap();
    assert_eq!(posted, ["a".to_string(), "b".to_string()].into());
    assert!(s.posted_ids(key, 43).await.unwrap().is_empty());
    let st = s.state(key).await.unwrap().unwrap();
    assert_eq!(st.last_delivery, Some(fire));
    assert_eq!(s.latest_fire(key).await.unwrap(), Some(fire));
}

pub async fn a_retried_delivery_stays_pending_with_its_attempts_and_error(s: &dyn Storage) {
    let (key, fire, now) = ("cfg:morning", at("2025-06-04T08:00:00Z"), at(NOW));
    claim(s, key, fire, now).await;
    assert!(s.record_retry(key, fire, "HTTP 503", 5, now).await.unwrap());
    assert!(s.record_retry(key, fire, "HTTP 502", 5, now).await.unwrap());
    let pending = s.pending().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].status, pending[0].attempts),
        (DeliveryStatus::Pending, 10)
    );
    assert_eq!(pending[0].last_error.as_deref(), Some("HTTP 502"));
    // Not the digest's last error while it is still being tried.
    assert_eq!(s.state(key).await.unwrap(), None);

    assert!(s.record_sent(key, fire, 42, &[111], 1, now).await.unwrap());
    let row = s.delivery(key, fire).await.unwrap().unwrap();
    assert_eq!(
        (row.status, row.attempts, row.last_error),
        (DeliveryStatus::Sent, 11, None)
    );
    assert!(
        !s.record_retry(key, fire, "late", 1, now).await.unwrap(),
        "closed rows stay closed"
    );
}

pub async fn ledger_failed_missed_and_skipped(s: &dyn Storage) {
    let key = "g:1:news";
    let now = at(NOW);
    let fires: Vec<_> = (0..4)
        .map(|h| at("2025-06-04T01:00:00Z") + TimeDelta::hours(h))
        .collect();

    claim(s, key, fires[0], now).await;
    assert!(s
        .record_failed(key, fires[0], "HTTP 503", 5, now)
        .await
        .unwrap());
    let row = s.delivery(key, fires[0]).await.unwrap().unwrap();
    assert_eq!((row.status, row.attempts), (DeliveryStatus::Failed, 5));
    assert_eq!(row.last_error.as_deref(), Some("HTTP 503"));
    let st = s.state(key).await.unwrap().unwrap();
    assert_eq!(st.last_error.as_deref(), Some("HTTP 503"));

    // Missed: new rows are written as missed, a pending one is closed as missed.
    claim(s, key, fires[2], now).await;
    let missed: Vec<_> = fires[1..3].iter().map(|f| (key.to_string(), *f)).collect();
    s.record_missed(&missed, "bot was down", now).await.unwrap();
    for fire in &fires[1..3] {
        let row = s.delivery(key, *fire).await.unwrap().unwrap();
        assert_eq!(row.status, DeliveryStatus::Missed);
        assert_eq!(row.last_error.as_deref(), Some("bot was down"));
    }

    claim(s, key, fires[3], now).await;
    assert_eq!(s.pending().await.unwrap().len(), 1);
    assert!(s.record_skipped_empty(key, fires[3], now).await.unwrap());
    assert!(s.pending().await.unwrap().is_empty());
    let row = s.delivery(key, fires[3]).await.unwrap().unwrap();
    assert_eq!(row.status, DeliveryStatus::SkippedEmpty);

    assert_eq!(s.latest_fires().await.unwrap()[key], fires[3]);
    let recent = s.recent_deliveries(key, 2).await.unwrap();
    assert_eq!(
        recent.iter().map(|d| d.fire_time).collect::<Vec<_>>(),
        [fires[3], fires[2]]
    );
}

pub async fn pruning_keeps_pending_rows_and_each_digests_latest(s: &dyn Storage) {
    let now = at(NOW);
    let day = |d: i64| at("2025-05-01T08:00:00Z") + TimeDelta::days(d);
    for d in 0..5 {
        claim(s, "a", day(d), now).await;
        s.record_skipped_empty("a", day(d), now).await.unwrap();
    }
    claim(s, "a", day(1), now).await; // closed already: stays closed
    claim(s, "b", day(0), now).await; // pending: kept whatever its age
    claim(s, "c", day(2), now).await;
    s.record_skipped_empty("c", day(2), now).await.unwrap(); // c's only row: kept
    assert_eq!(s.prune_deliveries(day(10)).await.unwrap(), 4);
    let mut left = Vec::new();
    for k in ["a", "b", "c"] {
        left.push(s.recent_deliveries(k, 10).await.unwrap().len());
    }
    assert_eq!(left, [1, 1, 1]);
    assert_eq!(s.latest_fire("a").await.unwrap(), Some(day(4)));
}
