//! Shard ranges: a process runs exactly the shards of its `discord.shards` range (serenity's
//! range end is inclusive), identifies them at least 5 s apart, and two replicas started at
//! once share a bot without breaking Discord's identify limit; each guild's interactions reach
//! the replica that owns the guild's shard, and only it, and DMs go to shard 0's.

use crate::support::{text_of, Bot, BotSpec, WAIT};
use fake_discord::*;
use serde_json::json;
use std::time::Duration;

/// Four identifies 5 s apart, with room for a busy machine.
const FOUR_IDENTIFIES: Duration = Duration::from_secs(35);

/// A guild whose events go to `shard` of `total`, with a channel and the default guild's people.
fn guild_on(shard: u32, total: u32) -> GuildSpec {
    let id = (0..u64::from(total))
        .map(|j| GUILD_ID + 1000 + (j << 22))
        .find(|id| shard_of(*id, total) == shard)
        .expect("some offset lands on every shard");
    let mut guild = GuildSpec::default_guild();
    guild.id = id;
    guild.name = format!("Guild on shard {shard}");
    for (n, channel) in guild.channels.iter_mut().enumerate() {
        channel.id = id + 1 + n as u64;
    }
    guild
}

fn spec(shards: &str, guilds: &[u64]) -> BotSpec {
    let ids: Vec<String> = guilds.iter().map(u64::to_string).collect();
    BotSpec {
        discord: format!("guild_ids = [{}]\nshards = \"{shards}\"", ids.join(", ")),
        ..BotSpec::new(&[(
            "b.md".into(),
            "+++\ntitle = \"Sharded\"\ndate = 2026-01-01\n+++\n## What's Next?\nMore.\n".into(),
        )])
    }
}

fn identified_shards(fake: &FakeDiscord) -> Vec<serde_json::Value> {
    let log = fake.gateway_log();
    log.identifies.iter().map(|d| d["shard"].clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_runs_exactly_its_shards_inclusive_5_s_apart_and_status_lists_them() {
    let on_3 = guild_on(3, 8);
    let fake = FakeDiscord::start_with(FakeConfig {
        guilds: vec![GuildSpec::default_guild(), on_3.clone()],
        ..FakeConfig::default()
    })
    .await;
    let bot = Bot::launch(&fake, spec("0-3/8", &[GUILD_ID, on_3.id]));
    if let Err(e) = fake.wait_for_identifies(4, FOUR_IDENTIFIES).await {
        panic!("four shards never identified: {e:?}\n{}", bot.logs());
    }
    // serenity would start shard 4 five seconds after shard 3 if the range ran one past it.
    let fifth = fake.wait_for_identifies(5, Duration::from_secs(7)).await;
    assert!(
        fifth.is_err(),
        "a fifth identify: {:?}\n{}\n{}",
        identified_shards(&fake),
        fake.gateway_log().summary(),
        bot.logs()
    );
    assert_eq!(
        identified_shards(&fake),
        [json!([0, 8]), json!([1, 8]), json!([2, 8]), json!([3, 8])]
    );
    let log = fake.gateway_log();
    assert!(
        log.identify_refusals.is_empty(),
        "{:?}",
        log.identify_refusals
    );
    assert_eq!(fake.live_shards(), [0, 1, 2, 3]);

    let ix = fake
        .command("briefbot status")
        .guild(on_3.id)
        .user(ADMIN_USER_ID)
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let text = view.contents().concat();
    let listed = text
        .lines()
        .find(|l| l.starts_with("Gateway shards here (of 8): "))
        .unwrap_or_else(|| panic!("no shard line in {text}"));
    let ids: Vec<&str> = listed
        .trim_start_matches("Gateway shards here (of 8): ")
        .split(", ")
        .map(|s| s.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["0", "1", "2", "3"], "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_started_together_split_the_guilds_within_the_identify_limit() {
    let on_1 = guild_on(1, 2);
    assert_eq!(shard_of(GUILD_ID, 2), 0);
    let fake = FakeDiscord::start_with(FakeConfig {
        guilds: vec![GuildSpec::default_guild(), on_1.clone()],
        ..FakeConfig::default()
    })
    .await;
    let guilds = [GUILD_ID, on_1.id];
    let zero = Bot::launch(&fake, spec("0-0/2", &guilds));
    let one = Bot::launch(&fake, spec("1-1/2", &guilds));
    for (shard, bot) in [(0, &zero), (1, &one)] {
        if let Err(e) = fake.wait_for_shard(shard, Duration::from_secs(20)).await {
            panic!("shard {shard} never connected: {e:?}\n{}", bot.logs());
        }
        let registered = |l: &str| l.contains("registered commands in guilds");
        if bot.wait_for_log(registered, WAIT).await.is_none() {
            panic!("shard {shard}'s replica never registered:\n{}", bot.logs());
        }
    }
    let log = fake.gateway_log();
    assert!(
        log.identify_refusals.is_empty(),
        "{:?}",
        log.identify_refusals
    );
    assert_eq!(log.identifies.len(), 2, "{}", log.summary());
    let slot = |l: &str| l.contains("identify slot of this replica") && l.contains("wait_ms=6000");
    assert!(one.logs().lines().any(slot), "{}", one.logs());

    for (guild, owner, other) in [
        (Some(on_1.id), &one, &zero),
        (Some(GUILD_ID), &zero, &one),
        (None, &zero, &one),
    ] {
        let ix = match guild {
            Some(g) => fake.command("whats-next").guild(g),
            None => fake.command("brief").dm(),
        }
        .send()
        .await;
        let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
        let text = view.contents().concat() + &text_of(&view);
        let expected = if guild.is_some() {
            "More."
        } else {
            "servers only"
        };
        assert!(text.contains(expected), "{guild:?}: {text}");
        // poise hands the event to briefbot's handler after the command, so the line may trail
        // the answer.
        let id = format!("id={} ", ix.id);
        let seen = owner.wait_for_log(|l| l.contains(&id), WAIT).await;
        assert!(
            seen.is_some(),
            "{guild:?}: the owner logged nothing\n{}",
            owner.logs()
        );
        assert!(
            !other.logs().contains(&id),
            "{guild:?}: the other replica saw it"
        );
        let callback = format!("/interactions/{}/{}/callback", ix.id, ix.token);
        let answers = fake.requests_matching(|r| r.is("POST", &callback));
        assert_eq!(answers.len(), 1, "{guild:?}: answered once");
    }
}
