//! Several gateway sessions at once, one per shard: guild events reach only the session of the
//! guild's shard, DMs shard 0; and the identify limits (`max_concurrency` per 5 s and rate-limit
//! key, the daily budget) that `GET /gateway/bot` reports and the gateway enforces with op 9.

use std::time::Duration;

use fake_discord::bare_bot::http_for;
use fake_discord::raw_client::{identify_shard_frame, Frame, RawGateway};
use fake_discord::*;
use serde_json::Value;

const QUIET: Duration = Duration::from_millis(300);
/// A guild on shard 1 of 2 (`GUILD_ID` is on shard 0).
const OTHER_GUILD: u64 = GUILD_ID + (1 << 22);

/// Connects and identifies as `shard`, returning the frames up to the first quiet moment.
async fn identify(fake: &FakeDiscord, shard: [u32; 2]) -> (RawGateway, Vec<Value>) {
    let mut gw = RawGateway::connect(fake).await;
    gw.recv_json().await;
    gw.send(identify_shard_frame(fake.token(), 1, shard)).await;
    let mut frames = Vec::new();
    while let Some(Frame::Json(v)) = gw.recv_within(QUIET).await {
        frames.push(v);
    }
    (gw, frames)
}

fn guild_creates(frames: &[Value]) -> Vec<String> {
    frames
        .iter()
        .filter(|f| f["t"] == "GUILD_CREATE")
        .map(|f| f["d"]["id"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn two_shard_config() -> FakeConfig {
    let mut other = GuildSpec::new(OTHER_GUILD, "Other").with_channel(OTHER_GUILD + 1, "chat");
    other = other.with_member(MemberSpec::new(MEMBER_USER_ID, "pat-member", &[]));
    FakeConfig {
        guilds: vec![GuildSpec::default_guild(), other],
        // Two rate-limit keys, so shards 0 and 1 may identify at once.
        max_concurrency: 2,
        ..FakeConfig::default()
    }
}

#[tokio::test]
async fn each_shard_gets_its_guilds_and_interactions_and_dms_go_to_shard_0() {
    let fake = FakeDiscord::start_with(two_shard_config()).await;
    assert_eq!((shard_of(GUILD_ID, 2), shard_of(OTHER_GUILD, 2)), (0, 1));
    let (mut zero, frames0) = identify(&fake, [0, 2]).await;
    let (mut one, frames1) = identify(&fake, [1, 2]).await;
    assert_eq!(guild_creates(&frames0), [GUILD_ID.to_string()]);
    assert_eq!(guild_creates(&frames1), [OTHER_GUILD.to_string()]);
    let ready_guilds = |frames: &[Value]| frames[0]["d"]["guilds"].as_array().map(Vec::len);
    assert_eq!(
        (ready_guilds(&frames0), ready_guilds(&frames1)),
        (Some(1), Some(1))
    );
    assert_eq!(frames1[0]["d"]["shard"], serde_json::json!([1, 2]));
    assert_eq!(fake.live_shards(), [0, 1]);

    for (guild, expect_on_one) in [
        (Some(OTHER_GUILD), true),
        (Some(GUILD_ID), false),
        (None, false),
    ] {
        let builder = fake.command("brief");
        let ix = match guild {
            Some(g) => builder.guild(g),
            None => builder.dm(),
        }
        .send()
        .await;
        let (hit, miss) = if expect_on_one {
            (&mut one, &mut zero)
        } else {
            (&mut zero, &mut one)
        };
        let got = hit.recv_dispatch("INTERACTION_CREATE").await;
        assert_eq!(got["d"]["id"], ix.id.to_string(), "{guild:?}");
        assert!(
            miss.recv_within(QUIET).await.is_none(),
            "{guild:?}: the other shard hears nothing"
        );
    }
    assert!(fake.gateway_log().identify_refusals.is_empty());
}

#[tokio::test]
async fn gateway_bot_reports_the_budget_serenity_reads_and_each_identify_spends_one() {
    let fake = FakeDiscord::start_with(FakeConfig {
        recommended_shards: 4,
        max_concurrency: 16,
        ..FakeConfig::default()
    })
    .await;
    let http = http_for(&fake);
    let before = http
        .get_bot_gateway()
        .await
        .expect("serenity reads /gateway/bot");
    assert_eq!(
        (
            before.shards,
            before.session_start_limit.total,
            before.session_start_limit.remaining,
            before.session_start_limit.max_concurrency
        ),
        (4, 1000, 1000, 16)
    );
    assert!(before.session_start_limit.reset_after <= 24 * 60 * 60 * 1000);
    let _a = identify(&fake, [0, 4]).await;
    let _b = identify(&fake, [1, 4]).await;
    let after = http.get_bot_gateway().await.expect("gateway/bot");
    assert_eq!(after.session_start_limit.remaining, 998);
    assert!(after.session_start_limit.reset_after < 24 * 60 * 60 * 1000);
}

#[tokio::test]
async fn identifies_of_one_rate_limit_key_closer_than_5_s_get_op_9_and_are_counted() {
    let fake = FakeDiscord::start_with(FakeConfig {
        max_concurrency: 2,
        ..FakeConfig::default()
    })
    .await;
    let (_zero, first) = identify(&fake, [0, 4]).await;
    assert_eq!(first[0]["t"], "READY");
    // Key 1 is free; key 0 (shard 2 % 2) identified a moment ago.
    let (_one, other_key) = identify(&fake, [1, 4]).await;
    assert_eq!(other_key[0]["t"], "READY");
    let (_two, same_key) = identify(&fake, [2, 4]).await;
    assert_eq!(
        same_key,
        [serde_json::json!({"op": 9, "d": false, "s": null, "t": null})]
    );
    let refusals = fake.gateway_log().identify_refusals;
    assert!(
        matches!(
            refusals[..],
            [IdentifyRefusal {
                shard: [2, 4],
                limit: IdentifyLimit::Concurrency(since)
            }] if since < Duration::from_secs(5)
        ),
        "{refusals:?}"
    );
    assert_eq!(fake.live_shards(), [0, 1]);
}

#[tokio::test]
async fn the_daily_budget_runs_out_and_a_shard_beyond_the_total_is_closed_4010() {
    let fake = FakeDiscord::start_with(FakeConfig {
        session_start_total: 1,
        identify_interval: Duration::ZERO,
        ..FakeConfig::default()
    })
    .await;
    let (_gw, frames) = identify(&fake, [0, 1]).await;
    assert_eq!(frames[0]["t"], "READY");
    let (_gw, frames) = identify(&fake, [0, 1]).await;
    assert_eq!(frames[0]["op"], 9);
    let refusals = fake.gateway_log().identify_refusals;
    assert_eq!(refusals[0].limit, IdentifyLimit::Daily);

    let mut gw = RawGateway::connect(&fake).await;
    gw.recv_json().await;
    gw.send(identify_shard_frame(fake.token(), 1, [2, 2])).await;
    assert!(matches!(
        gw.recv_within(QUIET * 10).await,
        Some(Frame::Closed(Some(4010)))
    ));
}
