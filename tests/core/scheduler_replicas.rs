//! Several schedulers sharing one PostgreSQL database, as replicas do, in one test process on
//! the real clock: each has its own replica id, store connection and lease loop (rounds every
//! half second, buckets leased for two seconds, delivery claims for three, so failover fits in
//! a few seconds). Discord is one `MemoryPoster` shared by all (it deduplicates nonces as
//! Discord does); `calls()` shows every send, so a fire sent twice would show.

use crate::scheduler_support::{library, parse_config, MemoryPoster};
use briefbot::config::{Config, WhenEmpty};
use briefbot::digests::scheduler::{
    bucket_of, fixed_library, PostError, PostedMessage, Poster, ReplicaCard, SchedulerDeps,
    SchedulerHandle, SchedulerOptions, Sent, SystemClock, BUCKETS,
};
use briefbot::digests::steps::Step;
use briefbot::store::postgres::PgStorage;
use briefbot::store::{runtime_key, Lease, NewDigest, Storage};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

const ROUND: Duration = Duration::from_millis(500);
const BUCKET_LEASE: Duration = Duration::from_secs(2);
const CLAIM_LEASE: Duration = Duration::from_secs(3);

/// Who sent what: (replica, channel, fire time) for every message a replica posted.
type SentBy = Arc<std::sync::Mutex<Vec<(&'static str, u64, DateTime<Utc>)>>>;

/// One replica's way to the shared Discord: notes what it sent; once armed, its next post is
/// accepted and never answered (the replica dies between Discord's acceptance and its ledger
/// update).
struct Tagged {
    replica: &'static str,
    discord: MemoryPoster,
    sent: SentBy,
    armed: AtomicBool,
    hung: tokio::sync::Notify,
    hung_nonce: std::sync::Mutex<Option<String>>,
}

impl Tagged {
    fn new(replica: &'static str, discord: &MemoryPoster, sent: &SentBy) -> Arc<Tagged> {
        Arc::new(Tagged {
            replica,
            discord: discord.clone(),
            sent: Arc::clone(sent),
            armed: AtomicBool::new(false),
            hung: tokio::sync::Notify::new(),
            hung_nonce: std::sync::Mutex::new(None),
        })
    }
}

#[async_trait::async_trait]
impl Poster for Tagged {
    async fn send(&self, step: &Step) -> Result<Sent, PostError> {
        let sent = self.discord.send(step).await?;
        let posted = PostedMessage {
            id: sent.message_id,
            channel_id: sent.channel_id,
            place: step.place.clone(),
            via: step.via.clone(),
            payload: step.payload.clone(),
            at: Utc::now(),
        };
        if let Some(fire) = posted.fire_time() {
            self.sent
                .lock()
                .unwrap()
                .push((self.replica, sent.channel_id, fire));
        }
        if self.armed.swap(false, Ordering::SeqCst) {
            *self.hung_nonce.lock().unwrap() = step.payload.nonce.clone();
            self.hung.notify_one();
            std::future::pending::<()>().await;
        }
        Ok(sent)
    }

    async fn find(&self, step: &Step, since: DateTime<Utc>) -> Result<Option<Sent>, PostError> {
        self.discord.find(step, since).await
    }

    async fn open_thread(&self, channel: u64, message: u64, name: &str) -> Result<(), PostError> {
        self.discord.open_thread(channel, message, name).await
    }
}

/// One replica: its scheduler and its lease loop and change follower.
struct Member {
    handle: SchedulerHandle,
    tasks: Vec<JoinHandle<()>>,
}

impl Member {
    async fn join(url: &str, id: &str, config: &Config, poster: Arc<dyn Poster>) -> Member {
        let store: Arc<dyn Storage> = Arc::new(PgStorage::connect(url).await.unwrap());
        let deps = SchedulerDeps {
            store,
            claims: Lease::new(id, CLAIM_LEASE),
            poster,
            library: fixed_library(library()),
            clock: Arc::new(SystemClock),
        };
        let options = SchedulerOptions {
            shutdown_grace: Duration::from_millis(200),
            bucket_lease: BUCKET_LEASE,
            ..SchedulerOptions::default()
        };
        let handle = SchedulerHandle::new(deps, config, options);
        let card = ReplicaCard {
            host: "test".into(),
            shards: "0/1".into(),
            started_at: Utc::now(),
        };
        handle.share_work();
        handle.replica_round(&card).await.unwrap();
        handle.start().await.unwrap();
        let looping = tokio::spawn({
            let handle = handle.clone();
            async move {
                loop {
                    tokio::time::sleep(ROUND).await;
                    if let Err(e) = handle.replica_round(&card).await {
                        eprintln!("round failed: {e}");
                    }
                }
            }
        });
        let following = tokio::spawn({
            let handle = handle.clone();
            async move { handle.follow_changes(Duration::from_secs(30)).await }
        });
        Member {
            handle,
            tasks: vec![looping, following],
        }
    }

    /// Dies: no more rounds, nothing more fired, sends in flight abandoned; no `leave`.
    async fn die(self) {
        for task in &self.tasks {
            task.abort();
        }
        self.handle.shutdown().await;
    }

    async fn stop(self) {
        self.die().await
    }
}

/// Waits until `done` holds, at most `within`; false if it never did.
async fn eventually(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}

fn every_second_digests(n: u64) -> Config {
    let mut toml = String::new();
    for i in 0..n {
        toml.push_str(&format!(
            "[[digest]]\nname = \"d{i}\"\nchannel_id = {}\nschedule = \"* * * * * *\"\nonly_new = false\ncatch_up = \"all\"\ngrace = \"10m\"\n",
            100 + i
        ));
    }
    parse_config(&toml)
}

fn owned(members: &[&Member]) -> Vec<usize> {
    members.iter().map(|m| m.handle.buckets_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_deliver_each_fire_once_and_a_dead_ones_digests_and_pending_delivery_move() {
    let Some(cluster) = test_postgres::shared() else {
        return;
    };
    let url = cluster.database().await;
    let config = every_second_digests(12);
    let discord = MemoryPoster::new();
    let sent: SentBy = Arc::default();
    let dying = Tagged::new("c", &discord, &sent);
    let a = Member::join(&url, "a", &config, Tagged::new("a", &discord, &sent)).await;
    let b = Member::join(&url, "b", &config, Tagged::new("b", &discord, &sent)).await;
    let c = Member::join(&url, "c", &config, dying.clone()).await;
    let balanced = eventually(Duration::from_secs(10), || {
        let o = owned(&[&a, &b, &c]);
        o.iter().sum::<usize>() == BUCKETS as usize && o.iter().all(|&n| n >= 20)
    })
    .await;
    assert!(
        balanced,
        "buckets never shared out: {:?}",
        owned(&[&a, &b, &c])
    );
    // Every digest is listed on every replica, and fired by exactly one.
    for i in 0..12 {
        let key = format!("cfg:d{i}");
        let firing = [&a, &b, &c].iter().filter(|m| m.handle.fires(&key)).count();
        assert_eq!(firing, 1, "{key}");
        assert!([&a, &b, &c].iter().all(|m| m.handle.get(&key).is_some()));
    }
    let c_digests = (0..12)
        .filter(|i| c.handle.fires(&format!("cfg:d{i}")))
        .count();
    assert!(c_digests > 0, "c fires none of the 12 digests; pick more");
    let owner_of = |channel: u64| {
        let key = format!("cfg:d{}", channel - 100);
        [("a", &a), ("b", &b), ("c", &c)]
            .into_iter()
            .find(|(_, m)| m.handle.fires(&key))
            .map(|(name, _)| name)
            .unwrap()
    };
    let owners: HashMap<u64, &str> = (100..112).map(|ch| (ch, owner_of(ch))).collect();
    let balanced_at = Utc::now() + chrono::TimeDelta::seconds(1);
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Work is shared: while the buckets stay put, only a digest's owner sends it.
    let settled: Vec<_> = (sent.lock().unwrap().iter())
        .filter(|(by, ch, fire)| *fire >= balanced_at && owners[ch] != *by)
        .copied()
        .collect();
    assert!(
        settled.is_empty(),
        "sent by a replica that does not own the digest: {settled:?}"
    );

    // c dies in the middle of a send that Discord accepted.
    dying.armed.store(true, Ordering::SeqCst);
    tokio::time::timeout(Duration::from_secs(5), dying.hung.notified())
        .await
        .expect("c sent nothing");
    let hung = dying.hung_nonce.lock().unwrap().clone().expect("a nonce");
    let died = Instant::now();
    c.die().await;
    let moved = eventually(BUCKET_LEASE + 3 * ROUND + Duration::from_secs(1), || {
        owned(&[&a, &b]).iter().sum::<usize>() == BUCKETS as usize
    })
    .await;
    let moved_after = died.elapsed();
    assert!(moved, "c's buckets did not move: {:?}", owned(&[&a, &b]));
    eprintln!("c's buckets moved after {moved_after:?}");
    // Its pending delivery is resumed once its claim ends, with the same nonce.
    let resent = eventually(CLAIM_LEASE + BUCKET_LEASE + Duration::from_secs(4), || {
        let calls = discord.calls();
        calls
            .iter()
            .filter(|(_, n)| n.as_deref() == Some(&hung))
            .count()
            >= 2
    })
    .await;
    assert!(
        resent,
        "the delivery c left pending was not re-sent under its nonce"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let ended = Utc::now();
    a.stop().await;
    b.stop().await;

    // Each nonce was sent once, but the one c left hanging, which its successor sent again.
    let mut sends: HashMap<String, usize> = HashMap::new();
    for (_, nonce) in discord.calls() {
        *sends
            .entry(nonce.expect("digests carry nonces"))
            .or_default() += 1;
    }
    let twice: Vec<_> = sends.iter().filter(|(_, &n)| n > 1).collect();
    assert_eq!(twice, vec![(&hung, &2)], "sent more than once");
    // No fire lost: each digest posted every second from its first fire to the end.
    let mut fires: BTreeMap<u64, Vec<DateTime<Utc>>> = BTreeMap::new();
    for m in discord.messages() {
        fires
            .entry(m.channel_id)
            .or_default()
            .push(m.fire_time().unwrap());
    }
    assert_eq!(fires.len(), 12);
    for (channel, mut times) in fires {
        times.sort();
        let len = times.len();
        times.dedup();
        assert_eq!(times.len(), len, "channel {channel}: a fire posted twice");
        let gaps: Vec<_> = times
            .windows(2)
            .filter(|w| (w[1] - w[0]).num_seconds() != 1)
            .collect();
        assert!(
            gaps.is_empty(),
            "channel {channel}: fires lost between {gaps:?}"
        );
        let last = *times.last().unwrap();
        assert!(
            (ended - last).num_seconds() <= 3,
            "channel {channel} stopped at {last}"
        );
    }
}

fn runtime(name: &str, channel_id: u64) -> NewDigest {
    NewDigest {
        guild_id: 1,
        name: name.into(),
        channel_id,
        schedule: "* * * * * *".into(),
        timezone: "UTC".into(),
        sections: vec![],
        tag: None,
        mention_role: None,
        silent: false,
        max_briefings: 3,
        only_new: false,
        when_empty: WhenEmpty::Notice,
        created_by: 5,
        lang: None,
        target: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_digest_added_paused_and_removed_on_one_replica_is_fired_and_stopped_by_its_owner() {
    let Some(cluster) = test_postgres::shared() else {
        return;
    };
    let url = cluster.database().await;
    let config = parse_config("");
    let (on_a, on_b) = (MemoryPoster::new(), MemoryPoster::new());
    let a = Member::join(&url, "a", &config, Arc::new(on_a.clone())).await;
    let b = Member::join(&url, "b", &config, Arc::new(on_b.clone())).await;
    let balanced = eventually(Duration::from_secs(10), || owned(&[&a, &b]) == [32, 32]).await;
    assert!(balanced, "{:?}", owned(&[&a, &b]));
    // A name whose digest b fires, added, paused and removed through a.
    let name = (0..)
        .map(|i| format!("news{i}"))
        .find(|n| b.handle.fires(&runtime_key(1, n)))
        .unwrap();
    let key = runtime_key(1, &name);
    const CHANNEL: u64 = 77;

    let added = Instant::now();
    a.handle.add(runtime(&name, CHANNEL)).await.unwrap();
    let known = eventually(Duration::from_secs(2), || b.handle.get(&key).is_some()).await;
    assert!(known, "b did not hear of the new digest within 2 s");
    eprintln!("b knew the new digest after {:?}", added.elapsed());
    on_b.wait_for(2, Duration::from_secs(5)).await;
    assert!(on_a.in_channel(CHANNEL).is_empty(), "a fired b's digest");

    a.handle.pause(&key, "holiday").await.unwrap();
    let paused = eventually(Duration::from_secs(2), || {
        b.handle.get(&key).is_some_and(|s| s.paused)
    })
    .await;
    assert!(paused, "b did not hear of the pause");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let during = on_b.in_channel(CHANNEL).len();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(on_b.in_channel(CHANNEL).len(), during, "fired while paused");

    a.handle.resume(&key).await.unwrap();
    on_b.wait_for(during + 2, Duration::from_secs(5)).await;

    a.handle.remove(1, &name).await.unwrap();
    let gone = eventually(Duration::from_secs(2), || b.handle.get(&key).is_none()).await;
    assert!(gone, "b did not hear of the removal");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let last = on_b.in_channel(CHANNEL).len();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(on_b.in_channel(CHANNEL).len(), last, "fired after removal");
    assert!(on_a.in_channel(CHANNEL).is_empty(), "a fired b's digest");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_whose_announcement_was_lost_is_picked_up_by_the_resync() {
    let Some(cluster) = test_postgres::shared() else {
        return;
    };
    let url = cluster.database().await;
    let a = Member::join(&url, "a", &parse_config(""), Arc::new(MemoryPoster::new())).await;
    // Written straight to the store, announced to no one.
    let store = PgStorage::connect(&url).await.unwrap();
    store
        .insert_digest(&runtime("quiet", 9), Utc::now())
        .await
        .unwrap();
    let key = runtime_key(1, "quiet");
    assert!(a.handle.get(&key).is_none());
    a.handle.resync().await.unwrap();
    assert!(a.handle.get(&key).is_some());
    store.delete_digest(1, "quiet").await.unwrap();
    a.handle.resync().await.unwrap();
    assert!(a.handle.get(&key).is_none());
    a.stop().await;
}

#[test]
fn every_bucket_is_reachable_from_digest_keys() {
    let hit: std::collections::BTreeSet<u32> = (0..1000)
        .map(|i| bucket_of(&runtime_key(1, &format!("d{i}"))))
        .collect();
    assert_eq!(hit.len(), BUCKETS as usize);
}
