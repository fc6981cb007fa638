//! Two replicas of the real binary on one PostgreSQL database (started by the test) and one
//! fake Discord, each running half of the shards: they share the digest buckets, only one
//! registers the commands, `/briefbot status` lists both, and when the registrar leaves the
//! other takes the lock over and registers.

use crate::support::{Bot, BotSpec, WAIT};
use fake_discord::*;
use std::time::Duration;

/// The child's own environment names the URL; the test process's is left alone.
const URL_VAR: &str = "BRIEFBOT_TEST_DATABASE_URL";

fn replica(shards: &str, url: &str) -> BotSpec {
    BotSpec {
        discord: format!("guild_ids = [{GUILD_ID}]\nshards = \"{shards}\""),
        extra_config: format!("[storage]\nurl_env = \"{URL_VAR}\"\n"),
        env: vec![(URL_VAR.into(), url.into())],
        ..BotSpec::new(&[(
            "b.md".into(),
            "+++\ntitle = \"Shared\"\ndate = 2026-01-01\n+++\n## What's Next?\nMore.\n".into(),
        )])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_buckets_register_once_and_hand_the_registrar_over() {
    let Some(cluster) = test_postgres::shared() else {
        return;
    };
    let url = cluster.database().await;
    assert_eq!(shard_of(GUILD_ID, 2), 0);
    let fake = FakeDiscord::start().await;
    let mut zero = Bot::launch(&fake, replica("0-0/2", &url));
    let mut one = Bot::launch(&fake, replica("1-1/2", &url));
    for (shard, bot) in [(0, &zero), (1, &one)] {
        if let Err(e) = fake.wait_for_shard(shard, Duration::from_secs(30)).await {
            panic!("shard {shard} never connected: {e:?}\n{}", bot.logs());
        }
    }
    let registered = |l: &str| l.contains("this replica registered the commands");
    let deferred = |l: &str| l.contains("commands are registered by another replica");
    for bot in [&zero, &one] {
        let either = |l: &str| registered(l) || deferred(l);
        if bot.wait_for_log(either, WAIT).await.is_none() {
            panic!("no word on command registration:\n{}", bot.logs());
        }
    }
    let registrars = [&zero, &one]
        .iter()
        .filter(|b| b.logs().lines().any(registered))
        .count();
    assert_eq!(registrars, 1, "{}\n---\n{}", zero.logs(), one.logs());
    // Both hold a share of the buckets once the second has joined.
    let shared = |l: &str| l.contains("digest buckets changed") && l.contains("held=32");
    for bot in [&zero, &one] {
        if bot
            .wait_for_log(shared, Duration::from_secs(15))
            .await
            .is_none()
        {
            panic!("never held half the buckets:\n{}", bot.logs());
        }
    }

    let ix = fake
        .command("briefbot status")
        .user(ADMIN_USER_ID)
        .send()
        .await;
    let text = fake
        .wait_for_answer(&ix, WAIT)
        .await
        .unwrap()
        .contents()
        .concat();
    assert!(text.contains("Replicas (2):"), "{text}");
    assert_eq!(text.matches("(this one)").count(), 1, "{text}");
    assert!(
        text.contains("shards 0/2") && text.contains("shards 1/2"),
        "{text}"
    );
    assert_eq!(text.matches("32 digest buckets").count(), 2, "{text}");

    // The registrar leaves (a clean stop gives up its lock): the other registers next round.
    let (leaving, staying) = if zero.logs().lines().any(registered) {
        (&mut zero, &one)
    } else {
        (&mut one, &zero)
    };
    assert_eq!(leaving.terminate().code(), Some(0), "{}", leaving.logs());
    if staying.wait_for_log(registered, WAIT).await.is_none() {
        panic!(
            "the remaining replica never registered:\n{}",
            staying.logs()
        );
    }
    let all = |l: &str| l.contains("digest buckets changed") && l.contains("held=64");
    if staying.wait_for_log(all, WAIT).await.is_none() {
        panic!(
            "the remaining replica never took every bucket:\n{}",
            staying.logs()
        );
    }
}
