//! Which digests this scheduler fires. Every replica keeps every digest on its timer (so
//! `/digest list`, `find` and `preview` see the whole guild on any replica) but fires only the
//! digests whose bucket it owns. A digest's bucket is a hash of its key that must never change
//! between versions or processes, or two replicas of different builds would disagree on who
//! owns what: FNV-1a, not std's randomized hasher.
//!
//! A scheduler starts owning everything ([`Ownership::All`]), which is what one process on
//! SQLite keeps for good. Among PostgreSQL replicas the app hands it the buckets its lease
//! round won, valid until that lease ends: a replica that cannot renew (the database is away)
//! stops firing them then, as another replica may take them over.

use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// Digests are spread over this many buckets, leased by the live replicas. Part of the
/// protocol between replicas: changing it moves digests between buckets.
pub const BUCKETS: u32 = 64;

/// The bucket of a digest key: FNV-1a (64 bits) of its bytes, modulo [`BUCKETS`].
pub fn bucket_of(digest_key: &str) -> u32 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = digest_key
        .bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    (hash % u64::from(BUCKETS)) as u32
}

/// What this scheduler fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ownership {
    /// Every digest: one process, or a scheduler nobody shares work with.
    All,
    /// The digests in these buckets, until the lease that won them ends.
    Buckets {
        held: BTreeSet<u32>,
        until: DateTime<Utc>,
    },
}

impl Ownership {
    /// Whether the digest `key` is this scheduler's to fire at `now`.
    pub fn owns(&self, key: &str, now: DateTime<Utc>) -> bool {
        match self {
            Ownership::All => true,
            Ownership::Buckets { held, until } => now < *until && held.contains(&bucket_of(key)),
        }
    }

    /// The buckets in effect at `now` (none once the lease is over).
    pub fn held_at(&self, now: DateTime<Utc>) -> BTreeSet<u32> {
        match self {
            Ownership::All => (0..BUCKETS).collect(),
            Ownership::Buckets { held, until } if now < *until => held.clone(),
            Ownership::Buckets { .. } => BTreeSet::new(),
        }
    }
}

/// What one change of ownership did: buckets newly owned (their digests are planned as at a
/// start) and buckets no longer owned (their later fires are left to the new owner).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketChange {
    pub held: Vec<u32>,
    pub gained: Vec<u32>,
    pub lost: Vec<u32>,
}

/// The change from `before` to `after`, both as in effect now.
pub(super) fn change(before: &BTreeSet<u32>, after: &BTreeSet<u32>) -> BucketChange {
    BucketChange {
        held: after.iter().copied().collect(),
        gained: after.difference(before).copied().collect(),
        lost: before.difference(after).copied().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_fixed_values_that_no_build_may_change() {
        // Worked out apart from this code, from the published FNV-1a constants: the empty
        // key hashes to the offset basis, "a" to the published test vector 0xaf63dc4c8601ec8c.
        let fixed = [
            ("", 37),
            ("a", 12),
            ("cfg:morning", 43),
            ("g:1:news", 4),
            ("g:42:weekly", 47),
        ];
        for (key, bucket) in fixed {
            assert_eq!(bucket_of(key), bucket, "{key:?}");
        }
    }

    #[test]
    fn keys_spread_over_every_bucket() {
        let hit: BTreeSet<u32> = (0..2000).map(|i| bucket_of(&format!("g:1:d{i}"))).collect();
        assert_eq!(hit.len(), BUCKETS as usize);
    }

    #[test]
    fn a_lease_that_ended_owns_nothing() {
        let now: DateTime<Utc> = "2025-06-01T00:00:00Z".parse().unwrap();
        let key = "g:1:news";
        let held = BTreeSet::from([bucket_of(key)]);
        let own = Ownership::Buckets {
            held,
            until: now + chrono::TimeDelta::seconds(10),
        };
        assert!(own.owns(key, now));
        assert!(!own.owns(key, now + chrono::TimeDelta::seconds(10)));
        assert!(own.held_at(now + chrono::TimeDelta::seconds(11)).is_empty());
        assert!(Ownership::All.owns(key, now));
    }

    #[test]
    fn a_change_names_what_was_gained_and_lost() {
        let c = change(&BTreeSet::from([1, 2, 3]), &BTreeSet::from([2, 3, 4]));
        assert_eq!(
            (c.gained, c.lost, c.held),
            (vec![4], vec![1], vec![2, 3, 4])
        );
    }
}
