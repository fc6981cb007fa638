//! What the digest target tests share: a library long enough that a digest takes several
//! messages, a forum whose tags match some of its briefings, config digests firing every 2 s,
//! and reading back what the bot made in the fake (posts, threads, fire times) and what it
//! logged (as JSON).

use super::{Bot, BotSpec, WAIT};
use fake_discord::*;
use serde_json::Value;
use std::time::Duration;

/// A forum under the default guild, and the thread members opened under `#general`.
pub const FORUM: u64 = 920_000_000_000_000_201;
pub const THREAD: u64 = 920_000_000_000_000_202;
/// The forum's tags: two a briefing carries, one none does. `lake-chad` (a briefing's tag)
/// has no forum tag.
pub const FORUM_TAGS: [&str; 3] = ["Sahel", "Climate", "Markets"];

/// Long enough for a start (connect, READY) plus a first fire on a loaded machine.
pub const FIRST_POST: Duration = Duration::from_secs(20);

/// The default guild with the forum and the thread.
pub fn guild() -> FakeConfig {
    let mut cfg = FakeConfig::default();
    cfg.guilds[0] = GuildSpec::default_guild()
        .with_forum(FORUM, "news", &FORUM_TAGS)
        .with_thread(THREAD, CHANNEL_ID, "sahel-talk");
    cfg
}

/// A briefing whose three sections each fill most of an embed, so three of them take
/// several messages (Discord allows 6,000 characters of embeds per message).
pub fn briefing(file: &str, title: &str, date: &str, tags: &[&str]) -> (String, String) {
    let tags = tags
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let body = |what: &str| format!("{title}: {what}. {}", "Rains came late. ".repeat(110));
    let text = format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\ntags = [{tags}]\n+++\n\
         ## What's Happening?\n{}\n\n## Why It's Important?\n{}\n\n## What's Next?\n{}\n",
        body("happening"),
        body("why"),
        body("next")
    );
    (file.to_string(), text)
}

/// A briefing title longer than a thread name may be (100 characters).
pub const LONG_TITLE: &str = "Sahel: the long season of rains, harvests, markets and the \
     journeys of herders between Mali, Niger, Burkina Faso and Chad";

/// Three briefings: `sahel` (with a title too long for a thread name), `sahel` + `climate`,
/// and `lake-chad`; nine sections in all.
pub fn library() -> Vec<(String, String)> {
    vec![
        briefing("sahel-new.md", LONG_TITLE, "2026-11-27", &["sahel"]),
        briefing(
            "sahel-old.md",
            "Sahel older",
            "2026-11-20",
            &["sahel", "climate"],
        ),
        briefing("chad.md", "Lake Chad plan", "2026-11-26", &["lake-chad"]),
    ]
}

/// The sections the library holds: every delivery of it carries this many embeds.
pub const SECTIONS: usize = 9;

/// A `[[digest]]` firing every 2 s into `channel`, plus `extra` lines.
pub fn digest(name: &str, channel: u64, extra: &str) -> String {
    format!(
        "[[digest]]\nname = \"{name}\"\nchannel_id = {channel}\nguild_id = {GUILD_ID}\n\
         schedule = \"*/2 * * * * *\"\n{extra}\n\n"
    )
}

/// The library and `config`, logging JSON.
pub fn spec(config: &str) -> BotSpec {
    BotSpec {
        extra_config: config.to_string(),
        args: vec!["--log-format".into(), "json".into()],
        ..BotSpec::new(&library())
    }
}

/// The fire time a digest's first message names as `<t:UNIX:f>`.
pub fn fire_of(content: &str) -> Option<i64> {
    let at = content.find("<t:")?;
    let rest = &content[at + 3..];
    rest[..rest.find(':')?].parse().ok()
}

/// The forum's posts, oldest first, each with the fire its starter message names.
pub fn posts(fake: &FakeDiscord, forum: u64) -> Vec<(Option<i64>, Value)> {
    let mut posts = fake.threads(forum);
    posts.sort_by_key(|p| p["id"].as_str().unwrap().parse::<u64>().unwrap());
    posts
        .into_iter()
        .map(|p| {
            let content = p["message"]["content"].as_str().unwrap_or_default();
            (fire_of(content), p)
        })
        .collect()
}

/// The id of a thread or message as a number.
pub fn id_of(v: &Value) -> u64 {
    v["id"].as_str().unwrap().parse().unwrap()
}

/// The messages of a thread after its first: a forum post's starter message is in the thread
/// too.
pub fn follow_ups(fake: &FakeDiscord, thread: &Value) -> Vec<Value> {
    let mut messages = fake.channel_messages(id_of(thread));
    messages.retain(|m| m["id"] != thread["id"]);
    messages
}

/// Every embed of `messages`, in order.
pub fn embeds(messages: &[Value]) -> Vec<Value> {
    messages
        .iter()
        .flat_map(|m| m["embeds"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The requests to `route` (method and path below `/api/v10`), in arrival order.
pub fn requests_to(fake: &FakeDiscord, method: &str, route: &str) -> Vec<RecordedRequest> {
    fake.requests_matching(|r| r.method == method && r.route() == route)
}

/// The bot's JSON log events.
pub fn events(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

pub fn message(e: &Value) -> &str {
    e["fields"]["message"].as_str().unwrap_or("")
}

/// The fire time of the `digest_delivery` span an event was logged in.
pub fn span_fire(e: &Value) -> Option<i64> {
    e["span"]["fire"].as_i64()
}

/// Waits for the first event of the current process that satisfies `pred`.
pub async fn wait_event(bot: &Bot, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    wait_event_for(bot, what, pred, WAIT).await
}

pub async fn wait_event_for(
    bot: &Bot,
    what: &str,
    pred: impl Fn(&Value) -> bool,
    timeout: Duration,
) -> Value {
    let line = bot
        .wait_for_log(
            |l| serde_json::from_str::<Value>(l).is_ok_and(|e| pred(&e)),
            timeout,
        )
        .await
        .unwrap_or_else(|| panic!("no log event: {what}\nlogs:\n{}", bot.all_logs()));
    serde_json::from_str(&line).unwrap()
}

/// Waits until the current process logged `digest delivered` for `n` fires, and returns them.
pub async fn delivered(bot: &Bot, n: usize, timeout: Duration) -> Vec<i64> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let fires: Vec<i64> = events(&bot.logs())
            .iter()
            .filter(|e| message(e) == "digest delivered")
            .filter_map(span_fire)
            .collect();
        if fires.len() >= n {
            return fires;
        }
        if std::time::Instant::now() >= deadline {
            panic!("{n} deliveries expected, saw {fires:?}\n{}", bot.all_logs());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
