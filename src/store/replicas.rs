//! How replicas share the work, the same on both backends (SQLite simply has one replica).
//!
//! **Liveness.** Each process picks a random id at start ([`super::new_replica_id`]) and writes
//! a heartbeat row (`replicas`) every few seconds; a replica whose heartbeat is older than the
//! ttl counts as gone. A clean shutdown `leave`s: its row, buckets, locks and the leases of its
//! pending deliveries are dropped at once, so nobody waits for them to expire.
//!
//! **Buckets.** Digests fall into `total` buckets (a hash of their key); each bucket is leased
//! by one replica, which alone times the digests in it. Every `claim_buckets` round, under one
//! lock per database (a transaction on SQLite, an advisory transaction lock on PostgreSQL):
//! 1. `live` = the other replicas with a heartbeat within the lease, plus the caller;
//!    `share` = ceil(total / live).
//! 2. The caller's buckets are renewed. If it holds more than `share`, it releases the highest
//!    ones (owner cleared, lease ended) so a newcomer can take them on its next round.
//! 3. Below `share`, it takes free buckets and buckets whose lease expired, lowest first.
//!
//! So a newcomer gets its share within two rounds (one for the others to release, one to take),
//! and a dead replica's buckets are free once its lease ends, taken by the others' next round:
//! within one lease plus one round. A bucket is never held by two live replicas at once, since
//! a bucket is only taken when it is free or its lease is over.
//!
//! **Deliveries.** Independently of buckets, each (digest, fire time) is claimed in the ledger
//! with a lease before anything is sent ([`super::Claim`]), so even two replicas that both
//! think they own a bucket (a lease that ended mid-delivery) never both send: the second one
//! sees `Held` or `Closed`.
//!
//! **Singletons.** `try_singleton(name)` is a row with an owner and a lease, taken when free or
//! expired and renewed by its owner (command registration by one replica).
//!
//! **Notifications.** `notify_digest_changed(key)` reaches every subscriber: PostgreSQL's
//! LISTEN/NOTIFY on a dedicated connection that reconnects after a loss, an in-process channel
//! on SQLite.

/// One row of the `buckets` table as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BucketRow {
    pub bucket: u32,
    pub owner: Option<String>,
    /// Unix seconds.
    pub lease_until: i64,
}

/// What one `claim_buckets` round writes: the caller holds `held` (renewed or taken) and gives
/// up `release`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct BucketPlan {
    pub held: Vec<u32>,
    pub release: Vec<u32>,
}

/// The fair share of `total` buckets among `live` replicas (at least one).
pub fn fair_share(total: u32, live: usize) -> usize {
    (total as usize).div_ceil(live.max(1))
}

/// The round described in the module doc, on the rows as read under the lock. Buckets with no
/// row yet are free.
pub(crate) fn plan_buckets(
    rows: &[BucketRow],
    total: u32,
    me: &str,
    live: usize,
    now: i64,
) -> BucketPlan {
    let share = fair_share(total, live);
    let row = |b: u32| rows.iter().find(|r| r.bucket == b);
    let mut held: Vec<u32> = (0..total)
        .filter(|&b| row(b).is_some_and(|r| r.owner.as_deref() == Some(me)))
        .collect();
    if held.len() > share {
        let release = held.split_off(share);
        return BucketPlan { held, release };
    }
    let free = (0..total).filter(|&b| match row(b) {
        None => true,
        Some(r) => r.owner.is_none() || (r.owner.as_deref() != Some(me) && r.lease_until < now),
    });
    let wanted = share - held.len();
    held.extend(free.take(wanted));
    held.sort_unstable();
    BucketPlan {
        held,
        release: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(bucket: u32, owner: &str, lease_until: i64) -> BucketRow {
        BucketRow {
            bucket,
            owner: Some(owner.into()),
            lease_until,
        }
    }

    #[test]
    fn the_share_is_rounded_up() {
        assert_eq!(fair_share(8, 3), 3);
        assert_eq!(fair_share(8, 0), 8);
        assert_eq!(fair_share(2, 3), 1);
    }

    #[test]
    fn a_lone_replica_takes_all_then_gives_half_to_a_newcomer() {
        let plan = plan_buckets(&[], 4, "a", 1, 100);
        assert_eq!(plan.held, vec![0, 1, 2, 3]);
        let rows: Vec<_> = (0..4).map(|b| row(b, "a", 130)).collect();
        let plan = plan_buckets(&rows, 4, "a", 2, 110);
        assert_eq!((plan.held, plan.release), (vec![0, 1], vec![2, 3]));
        // The newcomer finds none free while a's leases hold, only what a released.
        let plan = plan_buckets(&rows, 4, "b", 2, 110);
        assert!(plan.held.is_empty());
    }

    #[test]
    fn expired_buckets_are_taken_and_live_ones_are_not() {
        let rows = vec![row(0, "dead", 90), row(1, "live", 130)];
        let plan = plan_buckets(&rows, 2, "me", 2, 100);
        assert_eq!(plan.held, vec![0]);
    }
}
