//! Three replicas of the real binary on one PostgreSQL, one shard each, against the fake Discord
//! enforcing Discord's rate limits: 50 digests (45 in the config, 5 added with `/digest add`)
//! firing every 5 s, while one replica is killed with SIGKILL as it sends and relaunched, the
//! database server is stopped and restarted, a second replica is killed for good, and two
//! digests are added and one of them removed through the replica that owns the guild's shard
//! while another replica owns the digests (their buckets). What the fake recorded is the proof:
//! every (digest, fire time) of the window created exactly once, every re-sent request under
//! its first nonce, not one 429, the removed digest silent from 2 s after the command, the added
//! ones firing from 2 s after theirs, the commands registered by one replica of three.
//!
//! Timing is asserted only where a promise is about time (the 2 s for a change to reach every
//! replica), and then against the moment the test saw the command's answer, which is after the
//! replica applied it: a slow machine makes that check easier, not flakier. Everything else
//! waits for an outcome with a generous deadline.

use crate::support::replicas::Replicas;
use crate::support::{text_of, BotSpec, WAIT};
use briefbot::digests::scheduler::bucket_of;
use fake_discord::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use test_postgres::TestCluster;

const PERIOD: i64 = 5;
const CONFIG_DIGESTS: u64 = 45;
const RUNTIME_DIGESTS: u64 = 5;
const FIRST_CHANNEL: u64 = 960_000_000_000_000_000;
/// The digests added during the run, after the others: one stays, one is removed.
const LATE: u64 = CONFIG_DIGESTS + RUNTIME_DIGESTS;
const GONE: u64 = LATE + 1;
/// The ranges of the three replicas; the default guild's events go to shard 1, so commands
/// reach replica 1. Replica 0 owns the digests changed through it.
const RANGES: [&str; 3] = ["0-0/3", "1-1/3", "2-2/3"];
const GUILD_REPLICA: usize = 1;
const OWNER: usize = 0;
/// The fire times checked: `[start, start + WINDOW)`.
const WINDOW: i64 = 55;
/// How long a dead replica's claim holds; the shortest the config allows, to keep the run short.
const CLAIM_LEASE: &str = "5s";
/// A change made on one replica reaches the one that owns the digest within this.
const REACH: f64 = 2.0;
/// Start-up: replica 2 waits two identify slots (12 s) before connecting, on a loaded machine.
const STARTED: Duration = Duration::from_secs(90);
/// After the window, for the last fires and any taken over from a dead replica to be sent.
const SETTLE: Duration = Duration::from_secs(60);

fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

async fn sleep_until_unix(t: f64) {
    let wait = t - now_unix();
    if wait > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(wait)).await;
    }
}

/// Digest `i` fires at seconds `i % 5`, `i % 5 + 5`, ...: ten digests a second, not fifty at
/// once, as a bot's real digests spread over the clock.
fn schedule(i: u64) -> String {
    format!("{}-59/{PERIOD} * * * * *", i % PERIOD as u64)
}

/// The fire times of digest `i` in `[from, until)`.
fn ticks(i: u64, from: f64, until: f64) -> Vec<i64> {
    let first = (from as i64).div_euclid(PERIOD) * PERIOD + (i % PERIOD as u64) as i64;
    (0..)
        .map(|k| first + k * PERIOD)
        .skip_while(|t| (*t as f64) < from)
        .take_while(|t| (*t as f64) < until)
        .collect()
}

fn spec() -> BotSpec {
    // The guild is named so that no replica asks Discord for the channels' guild at start.
    let digests: String = (0..CONFIG_DIGESTS)
        .map(|i| {
            format!(
                "[[digest]]\nname = \"c{i}\"\nchannel_id = {}\nguild_id = {GUILD_ID}\n\
                 schedule = \"{}\"\nmax_briefings = 1\nonly_new = false\n\n",
                FIRST_CHANNEL + i,
                schedule(i)
            )
        })
        .collect();
    let briefing = "+++\ntitle = \"Replicated\"\ndate = 2026-01-01\n+++\n\
                    ## What's Next?\nOne message per fire.\n";
    BotSpec {
        // Every fire missed while a replica or the database was away is owed: none may be lost.
        extra_config: format!("[schedule]\ncatch_up = \"all\"\ngrace = \"10m\"\n\n{digests}"),
        ..BotSpec::new(&[("b.md".into(), briefing.into())])
    }
}

fn guild() -> GuildSpec {
    (0..=GONE).fold(GuildSpec::default_guild(), |g, i| {
        g.with_channel(FIRST_CHANNEL + i, &format!("digest-{i}"))
    })
}

/// Sends a moderator's `/digest …` command and returns its answer, and when the test saw it.
async fn command(fake: &FakeDiscord, ix: InteractionBuilder<'_>, expected: &str) -> f64 {
    let ix = ix.user(MODERATOR_USER_ID).send().await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let seen = now_unix();
    let text = view.contents().concat();
    assert!(text.contains(expected), "{text}");
    seen
}

fn add<'a>(fake: &'a FakeDiscord, name: &str, i: u64) -> InteractionBuilder<'a> {
    fake.command("digest add")
        .option("name", name)
        .option("channel", FIRST_CHANNEL + i)
        .option("schedule", schedule(i))
        .option("max_briefings", 1)
        .option("only_new", false)
}

fn commands_route() -> String {
    format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands")
}

/// The id replica `logs` announced when it joined.
fn replica_id(logs: &str) -> String {
    let line = logs
        .lines()
        .find(|l| l.contains("joining the replicas"))
        .unwrap_or_else(|| panic!("no replica id in\n{logs}"));
    let id = line
        .split("replica=")
        .nth(1)
        .and_then(|s| s.split(' ').next());
    id.unwrap_or_default().trim_matches('"').to_string()
}

/// The replica whose lease holds the bucket of runtime digest `name`, as the database says.
async fn owner_of(url: &str, name: &str) -> Option<String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let driver = tokio::spawn(connection);
    let bucket = bucket_of(&format!("g:{GUILD_ID}:{name}")) as i32;
    let row = client
        .query_opt("SELECT owner FROM buckets WHERE bucket = $1", &[&bucket])
        .await
        .unwrap();
    drop(client);
    let _ = driver.await;
    row.and_then(|r| r.get(0))
}

/// A digest name starting with `prefix` whose bucket `owner` holds.
async fn name_owned_by(url: &str, owner: &str, prefix: &str) -> String {
    for n in 0..200 {
        let name = format!("{prefix}{n}");
        if owner_of(url, &name).await.as_deref() == Some(owner) {
            return name;
        }
    }
    panic!("replica {owner} holds no bucket of 200 names");
}

/// The fire time a digest message names as `<t:UNIX:f>`.
fn fire_of(text: &str) -> Option<i64> {
    let start = text.find("<t:")? + 3;
    let end = start + text[start..].find(":f>")?;
    text[start..end].parse().ok()
}

/// How many messages each fire time created in `channel`.
fn created(fake: &FakeDiscord, channel: u64) -> BTreeMap<i64, usize> {
    let mut out = BTreeMap::new();
    for m in fake.channel_messages(channel) {
        let fire = fire_of(m["content"].as_str().unwrap_or_default())
            .unwrap_or_else(|| panic!("a message without a fire time in {channel}: {m}"));
        *out.entry(fire).or_default() += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_deliver_every_fire_once_through_kills_and_a_database_restart() {
    // Its own server: stopping the binary's shared one would fail the other tests.
    let Some(cluster) = TestCluster::start() else {
        return;
    };
    let url = cluster.database().await;
    let fake = FakeDiscord::start_with(FakeConfig {
        guilds: vec![guild()],
        rate_limits: Some(RateLimits::discord()),
        ..FakeConfig::default()
    })
    .await;
    assert_eq!(shard_of(GUILD_ID, 3), GUILD_REPLICA as u32);
    let mut replicas = Replicas::launch(&fake, &spec(), &url, CLAIM_LEASE, &RANGES);
    let running = |l: &str| l.contains("scheduler running");
    if let Err(e) = replicas.wait_all_logged(running, STARTED).await {
        panic!("{e}\n{}", replicas.logs());
    }
    // Commands reach the replica of the guild's shard; the digests live in the database.
    let runtime = |k: u64| CONFIG_DIGESTS + k;
    for k in 0..RUNTIME_DIGESTS {
        command(&fake, add(&fake, &format!("r{k}"), runtime(k)), "created").await;
    }

    let start = ((now_unix() as i64 + 3) / PERIOD + 1) as f64 * PERIOD as f64;
    let end = start + WINDOW as f64;
    sleep_until_unix(start + 6.0).await;
    let registered = fake.requests_matching(|r| r.is("PUT", &commands_route()));
    assert_eq!(registered.len(), 1, "registered by one replica of three");
    let delivered = |l: &str| l.contains("digest delivered");
    let busy = replicas
        .wait_for_new_log(OWNER, delivered, Duration::from_secs(15))
        .await;
    assert!(
        busy,
        "replica {OWNER} delivered nothing\n{}",
        replicas.logs()
    );
    replicas.kill_hard(OWNER);
    sleep_until_unix(start + 14.0).await;
    replicas.relaunch(&fake, OWNER);

    // The database away for about 6 s: members are still answered meanwhile.
    sleep_until_unix(start + 22.0).await;
    cluster.stop();
    let ix = fake.command("whats-next").send().await;
    let answer = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(text_of(&answer).contains("One message per fire."));
    sleep_until_unix(start + 28.0).await;
    cluster.restart();

    // Added and removed on replica 1, applied by replica 0 (relaunched: its new id).
    sleep_until_unix(start + 33.0).await;
    let owner = replica_id(&replicas.current_logs(OWNER));
    let late = name_owned_by(&url, &owner, "late").await;
    let gone = name_owned_by(&url, &owner, "gone").await;
    let late_added = command(&fake, add(&fake, &late, LATE), "created").await;
    let gone_added = command(&fake, add(&fake, &gone, GONE), "created").await;
    sleep_until_unix(start + 38.0).await;
    let busy = replicas
        .wait_for_new_log(2, delivered, Duration::from_secs(15))
        .await;
    assert!(busy, "replica 2 delivered nothing\n{}", replicas.logs());
    replicas.kill_hard(2);
    sleep_until_unix(start + 45.0).await;
    let still = owner_of(&url, &gone).await;
    assert_eq!(
        still.as_deref(),
        Some(owner.as_str()),
        "{gone} changed hands"
    );
    let remove = fake.command("digest remove").option("name", gone.as_str());
    let removing = now_unix();
    let removed_at = command(&fake, remove, "Removed").await;

    // Every fire time owed in the window, per channel.
    let mut owed: BTreeMap<u64, Vec<i64>> = (0..LATE)
        .map(|i| (FIRST_CHANNEL + i, ticks(i, start, end)))
        .collect();
    owed.insert(FIRST_CHANNEL + LATE, ticks(LATE, late_added + REACH, end));
    owed.insert(
        FIRST_CHANNEL + GONE,
        ticks(GONE, gone_added + REACH, removing),
    );
    sleep_until_unix(end).await;
    let deadline = Instant::now() + SETTLE;
    let all_in = loop {
        let done = owed.iter().all(|(channel, fires)| {
            let got = created(&fake, *channel);
            fires.iter().all(|t| got.contains_key(t))
        });
        if done || Instant::now() >= deadline {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    // Any duplicate still on its way shows up here.
    tokio::time::sleep(Duration::from_secs(3)).await;
    replicas.terminate_all();
    let logs = replicas.logs();

    let mut problems = Vec::new();
    for (channel, fires) in &owed {
        let got = created(&fake, *channel);
        for (fire, n) in &got {
            if *n != 1 {
                problems.push(format!("channel {channel}: fire {fire} created {n} times"));
            }
        }
        let missing: Vec<_> = fires.iter().filter(|t| !got.contains_key(t)).collect();
        if !missing.is_empty() {
            problems.push(format!(
                "channel {channel}: fires {missing:?} never created"
            ));
        }
    }
    let after: Vec<i64> = created(&fake, FIRST_CHANNEL + GONE)
        .into_keys()
        .filter(|t| *t as f64 > removed_at + REACH)
        .collect();
    if !after.is_empty() {
        problems.push(format!(
            "{gone} still fired at {after:?}, removed at {removed_at:.1}"
        ));
    }
    // One registrar at a time: each kill may hand the lock over, and the new holder registers.
    let registered = fake.requests_matching(|r| r.is("PUT", &commands_route()));
    if registered.len() > 3 {
        problems.push(format!("commands registered {} times", registered.len()));
    }
    // Every attempt of a fire, whoever made it and however often, under one nonce.
    let mut nonces: BTreeMap<(String, i64), BTreeSet<String>> = BTreeMap::new();
    for r in fake.requests_matching(|r| r.method == "POST" && r.route().ends_with("/messages")) {
        let Some(fire) = fire_of(r.json("content").as_str().unwrap_or_default()) else {
            continue;
        };
        let nonce = r.json("nonce").as_str().unwrap_or_default().to_string();
        nonces
            .entry((r.route().to_string(), fire))
            .or_default()
            .insert(nonce);
    }
    for ((route, fire), set) in &nonces {
        if set.len() != 1 {
            problems.push(format!("{route} fire {fire}: nonces {set:?}"));
        }
    }
    let refused: Vec<String> = fake
        .requests_matching(|r| r.status == 429)
        .iter()
        .map(|r| r.summary())
        .collect();
    if fake.rate_limited() != RateLimitCounts::default() || !refused.is_empty() {
        problems.push(format!("{:?}: {refused:?}", fake.rate_limited()));
    }
    assert!(
        problems.is_empty() && all_in,
        "window [{start}, {end}); {} problem(s):\n{}\n\n{logs}",
        problems.len(),
        problems.join("\n")
    );
}
