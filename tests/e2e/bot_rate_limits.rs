//! Discord's rate limits, enforced by the fake as Discord counts them (50 requests in any
//! sliding second, 5 messages in any sliding 5 seconds per channel), against the real binary:
//! a burst of digests due at once, and one digest long enough to need 12 messages in one
//! channel. Correctness, not speed: every digest delivered exactly once and not one 429
//! provoked, start-up included (each config digest's channel is looked up, which counts too).
//! How fast is measured by `cargo bench --bench ratelimit`.

use crate::support::{Bot, BotSpec};
use fake_discord::*;
use std::collections::HashSet;
use std::time::Duration;

/// Every 10 seconds: a burst of 300 paced at about 48 a second is over well before the next.
const EVERY_10S: &str = "*/10 * * * * *";
const DIGESTS: u64 = 300;
const FIRST_CHANNEL: u64 = 950_000_000_000_000_000;
/// Start-up (300 channel look-ups), the wait for a fire and the burst, on a loaded machine.
const DELIVERED_WITHIN: Duration = Duration::from_secs(90);

fn limited(guild: GuildSpec) -> FakeConfig {
    FakeConfig {
        guilds: vec![guild],
        rate_limits: Some(RateLimits::discord()),
        ..FakeConfig::default()
    }
}

fn briefing(file: &str, title: &str, date: &str, body: &str) -> (String, String) {
    let text = format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\n+++\n\
         ## What's Happening?\n{body}\n\n## Why It's Important?\n{body}\n\n## What's Next?\n{body}\n"
    );
    (file.to_string(), text)
}

fn is_post(r: &RecordedRequest) -> bool {
    r.method == "POST" && r.route().starts_with("/channels/") && r.route().ends_with("/messages")
}

fn nonces(fake: &FakeDiscord, channel: u64) -> HashSet<String> {
    fake.channel_messages(channel)
        .iter()
        .filter_map(|m| m["nonce"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn three_hundred_digests_due_at_once_provoke_no_429() {
    let guild = (0..DIGESTS).fold(GuildSpec::default_guild(), |g, i| {
        g.with_channel(FIRST_CHANNEL + i, &format!("digest-{i}"))
    });
    let fake = FakeDiscord::start_with(limited(guild)).await;
    let digests: String = (0..DIGESTS)
        .map(|i| {
            format!(
                "[[digest]]\nname = \"d{i}\"\nchannel_id = {}\nschedule = \"{EVERY_10S}\"\n\n",
                FIRST_CHANNEL + i
            )
        })
        .collect();
    let library = [briefing("one.md", "One", "2026-11-27", "Short.")];
    let mut bot = Bot::launch(
        &fake,
        BotSpec {
            extra_config: digests,
            ..BotSpec::new(&library)
        },
    );
    if let Err(e) = fake
        .wait_for_nth(is_post, DIGESTS as usize, DELIVERED_WITHIN)
        .await
    {
        panic!("{e:?}\nlogs:\n{}", bot.logs());
    }
    // Later fires find nothing new (`only_new`) and post nothing; a duplicate would show here.
    tokio::time::sleep(Duration::from_secs(2)).await;
    bot.terminate();
    for i in 0..DIGESTS {
        let channel = FIRST_CHANNEL + i;
        let messages = fake.channel_messages(channel);
        assert_eq!(messages.len(), 1, "digest d{i}: {messages:?}");
        assert_eq!(nonces(&fake, channel).len(), 1, "digest d{i}");
    }
    let refused = fake.requests_matching(|r| r.status == 429).len();
    assert_eq!(
        (fake.rate_limited(), refused),
        (RateLimitCounts::default(), 0),
        "logs:\n{}",
        bot.logs()
    );
}

#[tokio::test]
async fn a_digest_of_twelve_messages_waits_for_its_channel_bucket() {
    // Three sections of 4,000 characters each fill a message (6,000 characters of embeds at
    // most), so four briefings make twelve messages.
    let body = "Words that fill a section. ".repeat(150);
    let library: Vec<_> = (1..=4)
        .map(|n| briefing(&format!("b{n}.md"), &format!("B{n}"), "2026-11-27", &body))
        .collect();
    let fake = FakeDiscord::start_with(limited(GuildSpec::default_guild())).await;
    let digest = format!(
        "[[digest]]\nname = \"long\"\nchannel_id = {SECOND_CHANNEL_ID}\nschedule = \"{EVERY_10S}\"\n\
         max_briefings = 4\n"
    );
    let mut bot = Bot::launch(
        &fake,
        BotSpec {
            extra_config: digest,
            ..BotSpec::new(&library)
        },
    );
    let posts = match fake.wait_for_nth(is_post, 12, DELIVERED_WITHIN).await {
        Ok(posts) => posts,
        Err(e) => panic!("{e:?}\nlogs:\n{}", bot.logs()),
    };
    bot.terminate();
    assert_eq!(fake.channel_messages(SECOND_CHANNEL_ID).len(), 12);
    assert_eq!(nonces(&fake, SECOND_CHANNEL_ID).len(), 12);
    assert!(posts.iter().all(|r| r.status == 200), "{posts:?}");
    // The sixth message waited for the bucket the first five emptied.
    let waited = posts[5].received_at - posts[4].received_at;
    assert!(waited >= Duration::from_secs(4), "{waited:?}");
    assert_eq!(fake.rate_limited(), RateLimitCounts::default());
}
