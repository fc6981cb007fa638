//! Digests delivered through the bot's webhook, end to end: the real binary against the fake
//! Discord, config digests firing every 2 s. What members would see is the measure: messages
//! under the digest's own name and avatar that ping nobody (or only the digest's role), one
//! webhook made and reused, a deleted webhook made again once and then a paused digest with an
//! alert, a missing Manage Webhooks named, forum posts opened by the webhook, 429s and 5xx
//! retried into one message, and a kill -9 after the execution took effect leaving one message.

use crate::support::{Bot, BotSpec, WAIT};
use fake_discord::*;
use serde_json::{json, Value};
use std::time::Duration;

const EVERY_2S: &str = "*/2 * * * * *";
const PERIOD: i64 = 2;
/// A start (connect, READY, commands) plus a first fire on a loaded machine.
const FIRST_POST: Duration = Duration::from_secs(20);
const FORUM_ID: u64 = 920_000_000_000_000_015;
const NAME: &str = "Sahel Brief";
const AVATAR: &str = "https://example.org/sahel.png";

// ---------------------------------------------------------------------------------------------
// Config, briefings, launching

/// One briefing whose title and body try to ping everyone and a member.
fn library() -> Vec<(String, String)> {
    let text =
        "+++\ntitle = \"Sahel @everyone <@123>\"\ndate = 2026-11-27\ntags = [\"sahel\"]\n+++\n\
                ## What's Happening?\n@everyone <@123> rains came early.\n\n\
                ## Why It's Important?\nHarvests.\n\n\
                ## What's Next?\nPlanting.\n";
    vec![("sahel.md".to_string(), text.to_string())]
}

/// A `[[digest]]` firing every 2 s into `channel` through a webhook named `NAME`, plus `extra`.
fn hook_digest(name: &str, channel: u64, extra: &str) -> String {
    format!(
        "[[digest]]\nname = \"{name}\"\nguild_id = {GUILD_ID}\nchannel_id = {channel}\n\
         schedule = \"{EVERY_2S}\"\nonly_new = false\ncatch_up = \"all\"\n\
         username = \"{NAME}\"\navatar_url = \"{AVATAR}\"\n{extra}\n\n"
    )
}

/// Alerts go to `SECOND_CHANNEL_ID`.
fn alerting(digests: &str) -> String {
    format!("[[guild]]\nid = {GUILD_ID}\nalert_channel_id = {SECOND_CHANNEL_ID}\n\n{digests}")
}

fn spec(extra_config: &str) -> BotSpec {
    BotSpec {
        extra_config: extra_config.to_string(),
        args: vec!["--log-format".into(), "json".into()],
        ..BotSpec::new(&library())
    }
}

fn with_forum() -> FakeConfig {
    let mut cfg = FakeConfig::default();
    cfg.guilds[0] = GuildSpec::default_guild().with_forum(FORUM_ID, "news", &["sahel"]);
    cfg
}

// ---------------------------------------------------------------------------------------------
// Reading what the bot did

/// A webhook execution by the bot (interaction follow-ups use the application's id instead).
fn is_execution(r: &RecordedRequest) -> bool {
    let interaction = format!("/webhooks/{APPLICATION_ID}/");
    r.method == "POST"
        && r.route().starts_with("/webhooks/")
        && !r.route().starts_with(&interaction)
}

fn is_execution_of(r: &RecordedRequest, hook: &str) -> bool {
    is_execution(r) && r.route().starts_with(&format!("/webhooks/{hook}/"))
}

fn is_hook_creation(r: &RecordedRequest, channel: u64) -> bool {
    r.method == "POST" && r.route() == format!("/channels/{channel}/webhooks")
}

fn is_post_to(r: &RecordedRequest, channel: u64) -> bool {
    r.method == "POST" && r.route() == format!("/channels/{channel}/messages")
}

/// Waits for `n` requests matching `pred` and returns the first `n`.
async fn wait_n(
    fake: &FakeDiscord,
    bot: &Bot,
    pred: impl Fn(&RecordedRequest) -> bool,
    n: usize,
    timeout: Duration,
) -> Vec<RecordedRequest> {
    match fake.wait_for_nth(pred, n, timeout).await {
        Ok(found) => found,
        Err(e) => panic!("{e:?}\nlogs:\n{}", bot.all_logs()),
    }
}

/// The single webhook in `channel`'s list: its id.
fn only_hook(fake: &FakeDiscord, channel: u64) -> String {
    let hooks = fake.webhooks(channel);
    assert_eq!(hooks.len(), 1, "one webhook in the channel: {hooks:?}");
    hooks[0]["id"].as_str().unwrap().to_string()
}

/// The fire time a digest's first message names as `<t:UNIX:f>`, if any.
fn fire_in(text: &str) -> Option<i64> {
    let at = text.find("<t:")?;
    let rest = &text[at + 3..];
    rest[..rest.find(":f>")?].parse().ok()
}

/// The fire times named by the messages now in `channel`, oldest first.
fn fires_in(fake: &FakeDiscord, channel: u64) -> Vec<i64> {
    let messages = fake.channel_messages(channel);
    messages
        .iter()
        .filter_map(|m| fire_in(m["content"].as_str().unwrap_or("")))
        .collect()
}

fn assert_each_once(fires: &[i64]) {
    let mut sorted = fires.to_vec();
    sorted.dedup();
    assert_eq!(sorted, fires, "each fire once, in order");
}

/// A message as members see it: by the webhook, under the digest's name and avatar.
fn assert_under_the_name(message: &Value, hook: &str) {
    assert_eq!(message["webhook_id"].as_str(), Some(hook), "{message}");
    let author = &message["author"];
    assert_eq!(author["username"], NAME, "{message}");
    assert_eq!(author["id"].as_str(), Some(hook), "{message}");
    assert!(
        author["avatar"].is_string(),
        "the avatar asked for: {author}"
    );
}

fn events(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

fn message_of(e: &Value) -> &str {
    e["fields"]["message"].as_str().unwrap_or("")
}

/// Waits for a JSON log event of the current process satisfying `pred`.
async fn wait_event(bot: &Bot, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let line = bot
        .wait_for_log(
            |l| serde_json::from_str::<Value>(l).is_ok_and(|e| pred(&e)),
            WAIT,
        )
        .await
        .unwrap_or_else(|| panic!("no log event: {what}\nlogs:\n{}", bot.all_logs()));
    serde_json::from_str(&line).unwrap()
}

/// Waits for the alert in `SECOND_CHANNEL_ID` and returns its text, checked to name the
/// digest, say it paused and ping nobody.
async fn paused_alert(fake: &FakeDiscord, bot: &Bot, digest: &str) -> String {
    let alert = wait_n(fake, bot, |r| is_post_to(r, SECOND_CHANNEL_ID), 1, WAIT)
        .await
        .remove(0);
    assert_eq!(alert.status, 200);
    let text = alert.json("content").as_str().unwrap_or("").to_string();
    assert!(text.contains(digest), "names the digest: {text:?}");
    assert!(text.contains("paused"), "says it paused: {text:?}");
    assert_eq!(alert.json("allowed_mentions")["parse"], json!([]), "{text}");
    text
}

/// Nothing more is executed for two periods after `now`: the digest is paused.
async fn assert_no_more_executions(fake: &FakeDiscord, bot: &Bot) {
    let before = fake.requests_matching(is_execution).len();
    tokio::time::sleep(Duration::from_secs(2 * PERIOD as u64 + 1)).await;
    let after = fake.requests_matching(is_execution).len();
    assert_eq!(before, after, "paused, nothing sent\n{}", bot.logs());
}

// ---------------------------------------------------------------------------------------------
// 1. Under its own name, through one webhook, pinging nobody but its role

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_digest_posts_under_its_name_through_one_reused_webhook_and_pings_nobody() {
    let fake = FakeDiscord::start().await;
    let config = format!(
        "{}{}",
        hook_digest("sahel-hook", CHANNEL_ID, "target = \"webhook\""),
        hook_digest(
            "role-hook",
            SECOND_CHANNEL_ID,
            &format!("target = \"webhook\"\nmention_role = {MODERATOR_ROLE_ID}")
        ),
    );
    let bot = Bot::launch(&fake, spec(&config));
    // Two fires of each, so the second went through the webhook the first made.
    wait_n(&fake, &bot, is_execution, 4, FIRST_POST).await;
    let hook = only_hook(&fake, CHANNEL_ID);
    let role_hook = only_hook(&fake, SECOND_CHANNEL_ID);
    let hook_of = hook.clone();
    let runs = wait_n(&fake, &bot, move |r| is_execution_of(r, &hook_of), 2, WAIT).await;
    for channel in [CHANNEL_ID, SECOND_CHANNEL_ID] {
        let made = fake.requests_matching(|r| is_hook_creation(r, channel));
        assert_eq!(made.len(), 1, "made once, then reused: {made:?}");
    }

    for run in &runs {
        assert_eq!(run.status, 200, "{}", run.summary());
        let query = run.query.as_deref().unwrap_or("");
        assert!(query.split('&').any(|q| q == "wait=true"), "{query}");
        assert_eq!(run.json("username"), NAME);
        assert_eq!(run.json("avatar_url"), AVATAR);
        assert_eq!(run.json("allowed_mentions"), &json!({"parse": []}));
        assert!(run.json("nonce").is_null(), "a webhook takes no nonce");
    }
    let messages = fake.channel_messages(CHANNEL_ID);
    assert!(messages.len() >= 2, "{messages:?}");
    for m in &messages {
        assert_under_the_name(m, &hook);
        assert_eq!(m["mention_everyone"], false, "{m}");
        assert_eq!(m["mentions"], json!([]), "{m}");
        assert_eq!(m["mention_roles"], json!([]), "{m}");
    }
    let body = messages[0].to_string();
    assert!(
        body.contains("@everyone") && body.contains("<@123>"),
        "{body}"
    );
    assert_each_once(&fires_in(&fake, CHANNEL_ID));

    // The role digest pings its role, and only it.
    let role_messages = fake.channel_messages(SECOND_CHANNEL_ID);
    let first = &role_messages[0];
    assert_under_the_name(first, &role_hook);
    let role = MODERATOR_ROLE_ID.to_string();
    assert_eq!(first["mention_roles"], json!([role]), "{first}");
    assert_eq!(first["mention_everyone"], false, "{first}");
    assert_eq!(first["mentions"], json!([]), "{first}");
}

// ---------------------------------------------------------------------------------------------
// 2. A deleted webhook: made again once, then the digest pauses

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_webhook_is_made_again_once_and_then_the_digest_pauses_with_an_alert() {
    let fake = FakeDiscord::start().await;
    let config = alerting(&hook_digest(
        "sahel-hook",
        CHANNEL_ID,
        "target = \"webhook\"",
    ));
    let bot = Bot::launch(&fake, spec(&config));
    let first = wait_n(&fake, &bot, is_execution, 1, FIRST_POST).await;
    assert_eq!(first[0].status, 200);
    let original = only_hook(&fake, CHANNEL_ID);

    // A moderator deletes it: the next fire makes a new one and posts through it.
    assert!(fake.delete_webhook(original.parse().unwrap()));
    wait_n(&fake, &bot, |r| is_hook_creation(r, CHANNEL_ID), 2, WAIT).await;
    let remade = only_hook(&fake, CHANNEL_ID);
    assert_ne!(remade, original);
    let remade_of = remade.clone();
    let posted = wait_n(
        &fake,
        &bot,
        move |r| is_execution_of(r, &remade_of) && r.status == 200,
        1,
        WAIT,
    )
    .await;
    assert_eq!(posted[0].json("username"), NAME);

    // Deleted again, and the one made in its place is unknown too: no third try in that
    // send, the digest pauses and the guild hears it.
    fake.discord_error("POST", "/webhooks/", 2, 404, 10015, "Unknown Webhook");
    assert!(fake.delete_webhook(remade.parse().unwrap()));
    let text = paused_alert(&fake, &bot, "sahel-hook").await;
    assert!(text.contains("webhook"), "says what is gone: {text:?}");
    let made = fake.requests_matching(|r| is_hook_creation(r, CHANNEL_ID));
    assert_eq!(made.len(), 3, "made again once per loss: {made:?}");
    assert_no_more_executions(&fake, &bot).await;
    assert_each_once(&fires_in(&fake, CHANNEL_ID));
    let paused = events(&bot.logs())
        .into_iter()
        .any(|e| message_of(&e).contains("digest paused"));
    assert!(paused, "{}", bot.logs());
}

// ---------------------------------------------------------------------------------------------
// 3. Without Manage Webhooks

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_manage_webhooks_the_digest_pauses_and_the_alert_names_the_permission() {
    let mut cfg = FakeConfig::default();
    let without = perms::BOT_DEFAULT & !perms::MANAGE_WEBHOOKS;
    cfg.guilds[0] = GuildSpec::default_guild().with_bot_permissions(without);
    let fake = FakeDiscord::start_with(cfg).await;
    let config = alerting(&hook_digest(
        "sahel-hook",
        CHANNEL_ID,
        "target = \"webhook\"",
    ));
    let bot = Bot::launch(&fake, spec(&config));
    let text = paused_alert(&fake, &bot, "sahel-hook").await;
    assert!(text.contains("Manage Webhooks"), "names it: {text:?}");
    assert!(fake.webhooks(CHANNEL_ID).is_empty());
    assert!(fake.channel_messages(CHANNEL_ID).is_empty());
    let asked = fake.requests_matching(|r| r.route() == format!("/channels/{CHANNEL_ID}/webhooks"));
    assert!(asked.iter().all(|r| r.status == 403), "{asked:?}");
    assert_no_more_executions(&fake, &bot).await;
}

// ---------------------------------------------------------------------------------------------
// 4. Into a forum

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_forum_digest_opens_one_post_per_fire_owned_by_the_webhook() {
    let fake = FakeDiscord::start_with(with_forum()).await;
    let config = hook_digest("sahel-forum", FORUM_ID, "target = \"forum\"");
    let bot = Bot::launch(&fake, spec(&config));
    let runs = wait_n(&fake, &bot, is_execution, 2, FIRST_POST).await;
    let hook = only_hook(&fake, FORUM_ID);
    for run in &runs {
        assert_eq!(run.status, 200, "{}", run.summary());
        let title = run.json("thread_name").as_str().unwrap_or("");
        assert!((1..=100).contains(&title.chars().count()), "{title:?}");
        assert_eq!(run.json("username"), NAME);
    }
    let posts = fake.threads(FORUM_ID);
    assert!(posts.len() >= 2, "{posts:?}");
    let mut fires = Vec::new();
    for post in &posts {
        assert_eq!(post["owner_id"].as_str(), Some(hook.as_str()), "{post}");
        assert_under_the_name(&post["message"], &hook);
        fires.extend(fire_in(post["message"]["content"].as_str().unwrap_or("")));
    }
    assert_eq!(
        fires.len(),
        posts.len(),
        "each post names its fire: {posts:?}"
    );
    assert_each_once(&fires);
    let forum_route = format!("/channels/{FORUM_ID}/threads");
    assert!(fake
        .requests_matching(|r| r.route() == forum_route)
        .is_empty());
}

// ---------------------------------------------------------------------------------------------
// 5. 429s and server errors on every webhook route

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_server_errors_on_the_webhook_routes_are_retried_into_one_message() {
    let fake = FakeDiscord::start().await;
    let hooks = format!("/channels/{CHANNEL_ID}/webhooks");
    for method in ["GET", "POST"] {
        fake.rate_limit(method, &hooks, 1, 0.5, false);
        fake.server_error(method, &hooks, 1, 502);
    }
    fake.rate_limit("POST", "/webhooks/", 1, 0.5, false);
    fake.server_error("POST", "/webhooks/", 1, 500);
    let config = hook_digest("sahel-hook", CHANNEL_ID, "target = \"webhook\"");
    let bot = Bot::launch(&fake, spec(&config));
    let ok = |r: &RecordedRequest| is_execution(r) && r.status == 200;
    let done = wait_n(&fake, &bot, ok, 2, FIRST_POST + WAIT).await;

    let faulted = |r: &RecordedRequest| {
        (r.route() == hooks || is_execution(r)) && (r.status == 429 || r.status >= 500)
    };
    let refused = fake.requests_matching(faulted);
    let summaries: Vec<String> = refused.iter().map(|r| r.summary()).collect();
    assert_eq!(refused.len(), 6, "every armed fault was met: {summaries:?}");
    assert!(
        refused.iter().all(|r| r.index < done[0].index),
        "{summaries:?}"
    );
    let first_fire = fire_in(done[0].json("content").as_str().unwrap_or(""));
    let fires = fires_in(&fake, CHANNEL_ID);
    assert_eq!(fires.first().copied(), first_fire, "{fires:?}");
    assert_each_once(&fires);
    only_hook(&fake, CHANNEL_ID);
}

// ---------------------------------------------------------------------------------------------
// 6. kill -9 after an execution took effect

/// Kills the bot while its first execution (a message, or a forum post) is held back after the fake posted
/// it, restarts it on the same database, and checks the fire is there exactly once: the
/// restarted bot found it instead of sending it again, and closed the delivery.
async fn kill_9_after_the_execution_took_effect(forum: bool) {
    let (fake, config) = if forum {
        let fake = FakeDiscord::start_with(with_forum()).await;
        let config = hook_digest("sahel-crash", FORUM_ID, "target = \"forum\"");
        (fake, config)
    } else {
        let fake = FakeDiscord::start().await;
        let config = hook_digest("sahel-crash", CHANNEL_ID, "target = \"webhook\"");
        (fake, config)
    };
    let fires_now = |fake: &FakeDiscord| -> Vec<i64> {
        if forum {
            let posts = fake.threads(FORUM_ID);
            let text = |p: &Value| p["message"]["content"].as_str().unwrap_or("").to_string();
            posts.iter().filter_map(|p| fire_in(&text(p))).collect()
        } else {
            fires_in(fake, CHANNEL_ID)
        }
    };
    fake.stall_after_create("POST", "/webhooks/", 1, Duration::from_secs(8));
    let mut bot = Bot::launch(&fake, spec(&config));
    let first = wait_n(&fake, &bot, is_execution, 1, FIRST_POST)
        .await
        .remove(0);
    let fire = fire_in(first.json("content").as_str().unwrap_or("")).expect("a fire time");
    assert_eq!(fires_now(&fake), [fire], "posted, its answer held back");

    bot.kill_hard();
    bot.relaunch(&fake, spec(&config));
    wait_event(&bot, "the lookup found the earlier post", |e| {
        e["span"]["fire"].as_i64() == Some(fire)
            && message_of(e) == "the earlier send had gone through; not sent again"
    })
    .await;
    wait_event(&bot, "the interrupted delivery closed", |e| {
        e["span"]["fire"].as_i64() == Some(fire) && message_of(e) == "digest delivered"
    })
    .await;
    // A later fire goes out, so the digest went on.
    let later = |r: &RecordedRequest| {
        is_execution(r)
            && r.status == 200
            && fire_in(r.json("content").as_str().unwrap_or("")).is_some_and(|f| f > fire)
    };
    wait_n(&fake, &bot, later, 1, WAIT).await;
    let fires = fires_now(&fake);
    assert_eq!(fires.iter().filter(|f| **f == fire).count(), 1, "{fires:?}");
    assert_each_once(&fires);
    let again = |r: &RecordedRequest| {
        is_execution(r) && fire_in(r.json("content").as_str().unwrap_or("")) == Some(fire)
    };
    assert_eq!(fake.requests_matching(again).len(), 1, "not sent again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_after_a_webhook_message_took_effect_leaves_exactly_one() {
    kill_9_after_the_execution_took_effect(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_after_a_webhook_forum_post_took_effect_leaves_exactly_one() {
    kill_9_after_the_execution_took_effect(true).await;
}
