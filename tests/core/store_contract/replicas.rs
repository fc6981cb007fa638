//! Claims with a lease, bucket sharing, singletons, heartbeats and change notifications, with
//! two or three owners on an explicit clock (`now` is always passed in).

use super::{at, LEASE, NOW};
use briefbot::store::{Claim, DeliveryStatus, Lease, Replica, Storage};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::BTreeSet;
use std::time::Duration;

fn owner(id: &str) -> Lease {
    Lease::new(id, LEASE)
}

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

fn replica(id: &str, now: DateTime<Utc>) -> Replica {
    Replica {
        id: id.into(),
        host: "host".into(),
        shards: "0-0/1".into(),
        started_at: now,
        heartbeat_at: now,
        buckets: vec![],
    }
}

pub async fn a_claim_is_ours_held_or_closed_and_taken_over_after_its_lease(s: &dyn Storage) {
    let (key, fire, t0) = ("cfg:m", at("2025-06-04T08:00:00Z"), at(NOW));
    let (a, b) = (owner("a"), owner("b"));
    let Claim::Ours(row) = s.claim(key, fire, &a, t0).await.unwrap() else {
        panic!("a new fire is the first claimant's");
    };
    assert_eq!(
        (row.status, row.owner.as_deref()),
        (DeliveryStatus::Pending, Some("a"))
    );
    assert_eq!(row.lease_until, Some(t0 + secs(30)));
    // b is held off while a's lease runs, even at its last second.
    let held = s.claim(key, fire, &b, t0 + secs(29)).await.unwrap();
    assert_eq!(
        held,
        Claim::Held {
            owner: "a".into(),
            until: t0 + secs(30)
        }
    );
    // a claiming again is still a's (a restart of the same owner, or its next round).
    assert!(matches!(
        s.claim(key, fire, &a, t0 + secs(5)).await.unwrap(),
        Claim::Ours(_)
    ));
    s.record_progress(key, fire, &[11], &a, t0 + secs(6))
        .await
        .unwrap();
    // a went silent: after its lease b takes over and sees what a sent.
    let Claim::Ours(row) = s.claim(key, fire, &b, t0 + secs(37)).await.unwrap() else {
        panic!("an expired lease is taken over");
    };
    assert_eq!(
        (row.owner.as_deref(), row.message_ids.clone()),
        (Some("b"), vec![11])
    );
    assert!(matches!(
        s.claim(key, fire, &a, t0 + secs(38)).await.unwrap(),
        Claim::Held { .. }
    ));
    assert!(s
        .record_sent(key, fire, 42, &[11, 12], 1, t0 + secs(40))
        .await
        .unwrap());
    // Closed is closed, for every owner, lease or not.
    for who in [&a, &b] {
        let claim = s.claim(key, fire, who, t0 + secs(500)).await.unwrap();
        assert!(
            matches!(claim, Claim::Closed(ref r) if r.status == DeliveryStatus::Sent),
            "{claim:?}"
        );
    }
}

pub async fn progress_renews_the_lease(s: &dyn Storage) {
    let (key, fire, t0) = ("cfg:m", at("2025-06-04T08:00:00Z"), at(NOW));
    let (a, b) = (owner("a"), owner("b"));
    s.claim(key, fire, &a, t0).await.unwrap();
    s.record_progress(key, fire, &[1], &a, t0 + secs(20))
        .await
        .unwrap();
    let held = s.claim(key, fire, &b, t0 + secs(40)).await.unwrap();
    assert_eq!(
        held,
        Claim::Held {
            owner: "a".into(),
            until: t0 + secs(50)
        },
        "renewed at +20 for 30 s"
    );
    assert!(matches!(
        s.claim(key, fire, &b, t0 + secs(51)).await.unwrap(),
        Claim::Ours(_)
    ));
}

pub async fn a_send_without_nonce_is_marked_until_progress_is_recorded(s: &dyn Storage) {
    let (key, fire, t0) = ("cfg:hook", at("2025-06-04T08:00:00Z"), at(NOW));
    let (a, b) = (owner("a"), owner("b"));
    s.claim(key, fire, &a, t0).await.unwrap();
    s.record_progress(key, fire, &[7], &a, t0).await.unwrap();
    s.record_sending(key, fire, &a, t0 + secs(20))
        .await
        .unwrap();
    // A replica that died mid-call: the one taking over sees where the call began.
    let Claim::Ours(row) = s.claim(key, fire, &b, t0 + secs(51)).await.unwrap() else {
        panic!("the lease renewed at +20 has run out at +51")
    };
    assert_eq!(row.message_ids, [7]);
    assert_eq!(row.sending_since, Some(t0 + secs(20)));
    s.record_progress(key, fire, &[7, 8], &b, t0 + secs(52))
        .await
        .unwrap();
    let row = s.delivery(key, fire).await.unwrap().unwrap();
    assert_eq!(row.sending_since, None, "progress clears the mark");
}

pub async fn leaving_frees_claims_buckets_and_locks_at_once(s: &dyn Storage) {
    let (fire, t0) = (at("2025-06-04T08:00:00Z"), at(NOW));
    let (a, b) = (owner("a"), owner("b"));
    s.heartbeat(&replica("a", t0)).await.unwrap();
    s.claim("cfg:m", fire, &a, t0).await.unwrap();
    assert_eq!(s.claim_buckets(2, &a, t0).await.unwrap(), vec![0, 1]);
    assert!(s.try_singleton("register-commands", &a, t0).await.unwrap());
    s.leave("a").await.unwrap();
    let t1 = t0 + secs(1);
    assert!(s.live_replicas(t1, LEASE).await.unwrap().is_empty());
    assert!(matches!(
        s.claim("cfg:m", fire, &b, t1).await.unwrap(),
        Claim::Ours(_)
    ));
    assert_eq!(s.claim_buckets(2, &b, t1).await.unwrap(), vec![0, 1]);
    assert!(s.try_singleton("register-commands", &b, t1).await.unwrap());
}

/// Every bucket is held by exactly one of `owners` after their rounds, none above its share.
async fn round(s: &dyn Storage, owners: &[&str], total: u32, now: DateTime<Utc>) -> Vec<Vec<u32>> {
    let mut held = Vec::new();
    for id in owners {
        s.heartbeat(&replica(id, now)).await.unwrap();
    }
    for id in owners {
        held.push(s.claim_buckets(total, &owner(id), now).await.unwrap());
    }
    held
}

fn assert_partition(held: &[Vec<u32>], total: u32) {
    let share = (total as usize).div_ceil(held.len());
    let all: Vec<u32> = held.iter().flatten().copied().collect();
    let distinct: BTreeSet<u32> = all.iter().copied().collect();
    assert_eq!(all.len(), distinct.len(), "a bucket held twice: {held:?}");
    assert_eq!(
        distinct,
        (0..total).collect(),
        "a bucket held by none: {held:?}"
    );
    assert!(
        held.iter().all(|h| h.len() <= share),
        "above the share: {held:?}"
    );
}

pub async fn buckets_are_shared_fairly_and_a_dead_replicas_move_within_a_lease(s: &dyn Storage) {
    let t0 = at(NOW);
    // Alone, a takes everything.
    assert_eq!(
        round(s, &["a"], 8, t0).await,
        vec![(0..8).collect::<Vec<_>>()]
    );
    // b arrives: nothing is free while a's leases run; a gives up its surplus on its next
    // round, and b takes it on its own.
    let first = round(s, &["b"], 8, t0 + secs(1)).await;
    assert_eq!(first, vec![Vec::<u32>::new()]);
    let held = round(s, &["a", "b"], 8, t0 + secs(2)).await;
    assert_eq!(held, vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]]);
    // c arrives: share 3 each.
    let t = t0 + secs(3);
    round(s, &["a", "b", "c"], 8, t).await;
    let held = round(s, &["a", "b", "c"], 8, t + secs(1)).await;
    assert_partition(&held, 8);
    assert_eq!(held[0], vec![0, 1, 2]);
    // a dies (no heartbeat, no renewal). Within one lease its buckets are free again, and one
    // round of the others takes them.
    let mut now = t + secs(2);
    let dead_at = now;
    let mut survivors = round(s, &["b", "c"], 8, now).await;
    while survivors.iter().map(Vec::len).sum::<usize>() < 8 {
        now += secs(5);
        assert!(
            now <= dead_at + secs(30) + secs(5),
            "not moved within a lease: {survivors:?}"
        );
        survivors = round(s, &["b", "c"], 8, now).await;
    }
    assert_partition(&survivors, 8);
    // a comes back: it gets a share again without anyone losing one twice.
    round(s, &["a", "b", "c"], 8, now + secs(1)).await;
    let held = round(s, &["a", "b", "c"], 8, now + secs(2)).await;
    assert_partition(&held, 8);
}

pub async fn a_singleton_has_one_owner_until_its_lease_ends(s: &dyn Storage) {
    let t0 = at(NOW);
    let (a, b) = (owner("a"), owner("b"));
    assert!(s.try_singleton("register-commands", &a, t0).await.unwrap());
    assert!(!s
        .try_singleton("register-commands", &b, t0 + secs(1))
        .await
        .unwrap());
    assert!(
        s.try_singleton("register-commands", &a, t0 + secs(20))
            .await
            .unwrap(),
        "renewed"
    );
    assert!(!s
        .try_singleton("register-commands", &b, t0 + secs(45))
        .await
        .unwrap());
    assert!(s
        .try_singleton("register-commands", &b, t0 + secs(51))
        .await
        .unwrap());
    assert!(!s
        .try_singleton("register-commands", &a, t0 + secs(52))
        .await
        .unwrap());
    assert!(s
        .try_singleton("other-lock", &a, t0 + secs(52))
        .await
        .unwrap());
}

pub async fn live_replicas_are_those_with_a_recent_heartbeat(s: &dyn Storage) {
    let t0 = at(NOW);
    let mut a = replica("a", t0);
    a.buckets = vec![1, 3];
    s.heartbeat(&a).await.unwrap();
    s.heartbeat(&replica("b", t0 - secs(60))).await.unwrap();
    let live = s
        .live_replicas(t0 + secs(5), Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(live, vec![a.clone()]);
    a.heartbeat_at = t0 + secs(40);
    s.heartbeat(&a).await.unwrap();
    let live = s
        .live_replicas(t0 + secs(60), Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(
        (live[0].started_at, live[0].heartbeat_at),
        (t0, t0 + secs(40))
    );
}

pub async fn a_digest_change_reaches_subscribers(s: &dyn Storage) {
    let mut changes = s.subscribe();
    s.notify_digest_changed("g:1:morning").await.unwrap();
    // A bound so a broken listener fails the test instead of hanging it; not a speed goal.
    let got = tokio::time::timeout(Duration::from_secs(10), changes.recv()).await;
    assert_eq!(got.expect("a notification").unwrap(), "g:1:morning");
}

pub async fn the_schema_is_this_builds(s: &dyn Storage) {
    let version = s.schema_version().await.unwrap();
    let known = if s.describe().starts_with("SQLite") {
        briefbot::store::Store::schema_version()
    } else {
        briefbot::store::postgres::schema_version()
    };
    assert_eq!(version, known, "{}", s.describe());
}
