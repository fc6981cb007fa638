//! Scheduled digests end to end: the real `briefbot run` against the fake Discord, with 6-field
//! cron schedules firing every 2 s. What a channel ends up holding is the measure: the right
//! briefings and sections, the scheduled fire time as `<t:UNIX:f>`, a nonce per (digest, fire),
//! exactly one message per fire through crashes, restarts, rate limits and server errors, the
//! catch-up policies after downtime, and a forbidden channel pausing its digest with an alert.
//!
//! Logs are read as JSON (`--log-format json`) so that a test can tell when the scheduler loaded
//! and what it decided without sleeping on a guess.

use crate::support::{Bot, BotSpec, WAIT};
use fake_discord::*;
use serde_json::{json, Value};
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Every 2 seconds, on even seconds.
const EVERY_2S: &str = "*/2 * * * * *";
const PERIOD: i64 = 2;
/// Discord's `SUPPRESS_NOTIFICATIONS` message flag.
const SILENT: u64 = 1 << 12;
/// Long enough for a start (connect, READY) plus a first fire on a loaded machine.
const FIRST_POST: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// Briefings, config and launching

/// A Markdown briefing with the three usual sections, whose bodies name the briefing.
fn briefing(file: &str, title: &str, date: &str, tags: &[&str]) -> (String, String) {
    let tags = tags
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\ntags = [{tags}]\n+++\n\
         ## What's Happening?\n{title}: what is happening.\n\n\
         ## Why It's Important?\n{title}: why it matters.\n\n\
         ## What's Next?\n{title}: what comes next.\n"
    );
    (file.to_string(), text)
}

/// Two `sahel` briefings and a newer `lake-chad` one.
fn library() -> Vec<(String, String)> {
    vec![
        briefing("sahel-new.md", "Sahel newest", "2026-11-27", &["sahel"]),
        briefing(
            "sahel-old.md",
            "Sahel older",
            "2026-11-20",
            &["sahel", "climate"],
        ),
        briefing("chad.md", "Lake Chad plan", "2026-11-28", &["lake-chad"]),
    ]
}

/// A `[[digest]]` firing every 2 s into `channel`, plus `extra` lines.
fn digest(name: &str, channel: u64, extra: &str) -> String {
    format!(
        "[[digest]]\nname = \"{name}\"\nchannel_id = {channel}\nschedule = \"{EVERY_2S}\"\n{extra}\n\n"
    )
}

fn spec(extra_config: &str) -> BotSpec {
    BotSpec {
        extra_config: extra_config.to_string(),
        args: vec!["--log-format".into(), "json".into()],
        ..BotSpec::new(&library())
    }
}

// ---------------------------------------------------------------------------------------------
// Reading what the bot sent

fn is_post_to(r: &RecordedRequest, channel: u64) -> bool {
    r.method == "POST" && r.route() == format!("/channels/{channel}/messages")
}

/// Every `POST /channels/{channel}/messages`, in arrival order (failed attempts included).
fn posts_to(fake: &FakeDiscord, channel: u64) -> Vec<RecordedRequest> {
    fake.requests_matching(|r| is_post_to(r, channel))
}

/// Waits until `n` messages were posted to `channel` (any status) and returns the first `n`.
async fn wait_posts(
    fake: &FakeDiscord,
    bot: &Bot,
    channel: u64,
    n: usize,
    timeout: Duration,
) -> Vec<RecordedRequest> {
    match fake
        .wait_for_nth(|r| is_post_to(r, channel), n, timeout)
        .await
    {
        Ok(posts) => posts,
        Err(e) => panic!("{e:?}\nlogs:\n{}", bot.all_logs()),
    }
}

fn content(r: &RecordedRequest) -> &str {
    r.json("content").as_str().unwrap_or("")
}

/// The scheduled fire time a digest message names as `<t:UNIX:f>` (exactly one of them).
fn fire_of(text: &str) -> i64 {
    let stamps: Vec<i64> = text
        .match_indices("<t:")
        .filter_map(|(at, _)| {
            let rest = &text[at + 3..];
            let end = rest.find(":f>")?;
            rest[..end].parse().ok()
        })
        .collect();
    assert_eq!(stamps.len(), 1, "one <t:UNIX:f> fire time in {text:?}");
    stamps[0]
}

fn fire_of_request(r: &RecordedRequest) -> i64 {
    fire_of(content(r))
}

/// The fire times of the messages now in `channel`, oldest message first.
fn fires_in_channel(fake: &FakeDiscord, channel: u64) -> Vec<i64> {
    fake.channel_messages(channel)
        .iter()
        .map(|m| fire_of(m["content"].as_str().unwrap_or("")))
        .collect()
}

fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// When the fake received `r`, as Unix seconds.
fn received_unix(r: &RecordedRequest) -> f64 {
    now_unix() - r.received_at.elapsed().as_secs_f64()
}

async fn sleep_until_unix(t: f64) {
    let wait = t - now_unix();
    if wait > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(wait)).await;
    }
}

/// The fire time is a tick of the schedule, and the message came at that tick: not before it,
/// and less than a period after it (so a message labelled with the neighbouring tick fails).
fn assert_on_time(r: &RecordedRequest, fire: i64) {
    assert_eq!(fire % PERIOD, 0, "{fire} is not a tick of {EVERY_2S}");
    let late = received_unix(r) - fire as f64;
    assert!(
        (-0.25..1.75).contains(&late),
        "fire time <t:{fire}:f> but received {late:.3} s after it"
    );
}

/// A digest message's nonce: a string of 1 to 25 characters, sent with `enforce_nonce`.
fn assert_nonce(r: &RecordedRequest) -> String {
    let nonce = r
        .json("nonce")
        .as_str()
        .expect("a string nonce")
        .to_string();
    assert!(
        !nonce.is_empty() && nonce.chars().count() <= 25,
        "nonce {nonce:?} must be 1..=25 characters"
    );
    assert_eq!(r.json("enforce_nonce"), &json!(true), "enforce_nonce");
    nonce
}

/// `allowed_mentions` lets nothing ping but the given roles.
fn assert_mentions_only(r: &RecordedRequest, roles: &[u64]) {
    let am = r.json("allowed_mentions");
    assert!(
        am.is_object(),
        "allowed_mentions is always sent: {}",
        r.json("content")
    );
    let list = |k: &str| am[k].as_array().cloned().unwrap_or_default();
    assert!(list("parse").is_empty(), "nothing parsed: {am}");
    assert!(list("users").is_empty(), "no users: {am}");
    assert_ne!(am["replied_user"], json!(true), "{am}");
    let allowed: Vec<String> = list("roles")
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
        .collect();
    let expected: Vec<String> = roles.iter().map(u64::to_string).collect();
    assert_eq!(allowed, expected, "allowed roles in {am}");
}

/// (author, title, description) of each embed of a request.
fn embeds_of(r: &RecordedRequest) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    r.json("embeds")
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                text(&e["author"]["name"]),
                text(&e["title"]),
                text(&e["description"]),
            )
        })
        .collect()
}

/// The first embed of a briefing in a message: its title is the author line.
fn section(author: &str, heading: &str, body: &str) -> (String, String, String) {
    (
        author.to_string(),
        heading.to_string(),
        format!("{author}: {body}"),
    )
}

/// A later embed of the same briefing in the same message: the title is not repeated.
fn more(briefing: &str, heading: &str, body: &str) -> (String, String, String) {
    (
        String::new(),
        heading.to_string(),
        format!("{briefing}: {body}"),
    )
}

// ---------------------------------------------------------------------------------------------
// Reading the bot's JSON logs

fn events(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

fn message(e: &Value) -> &str {
    e["fields"]["message"].as_str().unwrap_or("")
}

/// The fire time of the `digest_delivery` span an event was logged in.
fn span_fire(e: &Value) -> Option<i64> {
    e["span"]["fire"].as_i64()
}

fn span_digest(e: &Value) -> &str {
    e["span"]["digest"].as_str().unwrap_or("")
}

fn event_unix(e: &Value) -> f64 {
    let stamp = e["timestamp"].as_str().expect("timestamped log event");
    let t = chrono::DateTime::parse_from_rfc3339(stamp).expect("RFC 3339 timestamp");
    t.timestamp_micros() as f64 / 1e6
}

/// `first`/`last` of a "missed" event: chrono's `2025-06-04 08:00:00 UTC`.
fn logged_time(v: &Value) -> i64 {
    let s = v.as_str().unwrap_or_default();
    chrono::NaiveDateTime::parse_from_str(s.trim_end_matches(" UTC"), "%Y-%m-%d %H:%M:%S")
        .unwrap_or_else(|e| panic!("{s:?}: {e}"))
        .and_utc()
        .timestamp()
}

/// Waits for the first event of the current process that satisfies `pred`.
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

// ---------------------------------------------------------------------------------------------
// 1. On time, with the right content

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_digest_posts_on_time_with_its_sections_mention_nonce_and_fire_time() {
    let fake = FakeDiscord::start().await;
    let config = format!(
        "{}{}",
        digest(
            "sahel-next",
            CHANNEL_ID,
            &format!(
                "sections = [\"whats_next\", \"whats_happening\"]\ntags = [\"sahel\"]\n\
                 mention_role = {MODERATOR_ROLE_ID}\nsilent = true"
            ),
        ),
        digest(
            "chad-notice",
            SECOND_CHANNEL_ID,
            "tags = [\"lake-chad\"]\nwhen_empty = \"notice\""
        ),
    );
    let bot = Bot::launch(&fake, spec(&config));

    // sahel-next: only `sahel` briefings, newest first, only its two sections in its order,
    // the role pinged and nothing else allowed to ping, silently.
    let sahel = wait_posts(&fake, &bot, CHANNEL_ID, 1, FIRST_POST)
        .await
        .remove(0);
    assert_eq!(sahel.status, 200);
    let text = content(&sahel);
    assert!(text.contains("sahel-next"), "names the digest: {text:?}");
    assert!(
        text.contains(&format!("<@&{MODERATOR_ROLE_ID}>")),
        "pings the role: {text:?}"
    );
    let fire = fire_of(text);
    assert_on_time(&sahel, fire);
    assert_eq!(
        embeds_of(&sahel),
        [
            section("Sahel newest", "What's Next?", "what comes next."),
            more("Sahel newest", "What's Happening?", "what is happening."),
            section("Sahel older", "What's Next?", "what comes next."),
            more("Sahel older", "What's Happening?", "what is happening."),
        ]
    );
    assert_mentions_only(&sahel, &[MODERATOR_ROLE_ID]);
    let flags = sahel.json("flags").as_u64().unwrap_or(0);
    assert_eq!(flags & SILENT, SILENT, "silent = true sets flag 4096");
    let sahel_nonce = assert_nonce(&sahel);

    // chad-notice: every section of the one `lake-chad` briefing, no ping, not silent.
    let chad = wait_posts(&fake, &bot, SECOND_CHANNEL_ID, 1, FIRST_POST)
        .await
        .remove(0);
    assert_eq!(chad.status, 200);
    let text = content(&chad);
    assert!(text.contains("chad-notice"), "names the digest: {text:?}");
    assert!(
        !text.contains("<@"),
        "no mention without mention_role: {text:?}"
    );
    let chad_fire = fire_of(text);
    assert_on_time(&chad, chad_fire);
    assert_eq!(
        embeds_of(&chad),
        [
            section("Lake Chad plan", "What's Happening?", "what is happening."),
            more("Lake Chad plan", "Why It's Important?", "why it matters."),
            more("Lake Chad plan", "What's Next?", "what comes next."),
        ]
    );
    assert_mentions_only(&chad, &[]);
    assert_eq!(chad.json("flags").as_u64().unwrap_or(0) & SILENT, 0);
    let chad_nonce = assert_nonce(&chad);
    assert_ne!(chad_nonce, sahel_nonce, "nonces differ across digests");

    // Second fire, only_new: nothing new for either. chad-notice says so, under its own fire
    // time and nonce; sahel-next (when_empty = skip) posts nothing.
    let notice = wait_posts(&fake, &bot, SECOND_CHANNEL_ID, 2, WAIT)
        .await
        .remove(1);
    assert_eq!(notice.status, 200);
    let text = content(&notice);
    assert!(text.contains("chad-notice"), "{text:?}");
    assert!(
        text.to_lowercase().contains("nothing new"),
        "the notice says there is nothing new: {text:?}"
    );
    let notice_fire = fire_of(text);
    assert!(notice_fire > chad_fire, "{notice_fire} after {chad_fire}");
    assert_on_time(&notice, notice_fire);
    assert!(
        embeds_of(&notice).is_empty(),
        "a notice carries no briefing"
    );
    assert_mentions_only(&notice, &[]);
    assert_ne!(
        assert_nonce(&notice),
        chad_nonce,
        "nonces differ across fires"
    );

    let skipped = wait_event(&bot, "sahel-next skipping its second fire", |e| {
        span_digest(e).contains("sahel-next")
            && span_fire(e).is_some_and(|f| f > fire)
            && message(e).contains("nothing new")
    })
    .await;
    let second = span_fire(&skipped).unwrap();
    assert_eq!(second % PERIOD, 0, "{skipped}");
    assert_eq!(posts_to(&fake, CHANNEL_ID).len(), 1, "skip posts nothing");
    assert_eq!(fires_in_channel(&fake, CHANNEL_ID), [fire]);
    assert_eq!(
        fires_in_channel(&fake, SECOND_CHANNEL_ID),
        [chad_fire, notice_fire]
    );
}

// ---------------------------------------------------------------------------------------------
// 2. kill -9 in the middle of a send

/// Kills the bot (SIGKILL) while its first digest message is on the wire, either after the fake
/// created it (the answer is held back) or before (the request is lost), restarts it on the same
/// database and checks that the channel holds that fire exactly once, sent under one nonce.
async fn kill_9_during_the_send(created_before_the_kill: bool) {
    let fake = FakeDiscord::start().await;
    let path = format!("/channels/{CHANNEL_ID}/messages");
    let stall = Duration::from_secs(8);
    if created_before_the_kill {
        fake.stall_after_create("POST", &path, 1, stall);
    } else {
        fake.stall_before_create("POST", &path, 1, stall);
    }
    // catch_up = skip: the restart adds nothing for the seconds it was down, so the channel
    // shows exactly the interrupted fire and the ones after the restart.
    let config = digest(
        "crash-test",
        CHANNEL_ID,
        "only_new = false\ncatch_up = \"skip\"",
    );
    let mut bot = Bot::launch(&fake, spec(&config));
    let first = wait_posts(&fake, &bot, CHANNEL_ID, 1, FIRST_POST)
        .await
        .remove(0);
    let fire = fire_of_request(&first);
    let nonce = assert_nonce(&first);
    let on_discord = usize::from(created_before_the_kill);
    assert_eq!(
        fires_in_channel(&fake, CHANNEL_ID).len(),
        on_discord,
        "while the answer is pending"
    );

    let status = bot.kill_hard();
    assert_eq!(status.signal(), Some(9), "killed by SIGKILL");
    // Restart halfway to the next tick: a resumed send labelled (or nonced) with the time it
    // runs rather than the fire time it was due for would show.
    sleep_until_unix(fire as f64 + 1.0).await;
    bot.relaunch(&fake, spec(&config));

    // The interrupted delivery resumes with the very same message and nonce...
    let again = fake
        .wait_for(
            |r| {
                is_post_to(r, CHANNEL_ID)
                    && r.index > first.index
                    && r.json("nonce").as_str() == Some(nonce.as_str())
            },
            WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("not resumed: {e:?}\nlogs:\n{}", bot.all_logs()));
    assert_eq!(again.status, 200);
    assert_eq!(
        again.body, first.body,
        "the resumed send is the same message"
    );
    // ...is recorded as delivered this time...
    wait_event(&bot, "the resumed delivery closed", |e| {
        span_fire(e) == Some(fire) && message(e) == "digest delivered"
    })
    .await;
    // ...and the digest goes on with the next fires.
    let next = fake
        .wait_for(
            |r| {
                is_post_to(r, CHANNEL_ID)
                    && r.index > again.index
                    && r.status == 200
                    && fire_of_request(r) > fire
            },
            WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("no fire after the restart: {e:?}\n{}", bot.all_logs()));
    assert_ne!(assert_nonce(&next), nonce);

    let fires = fires_in_channel(&fake, CHANNEL_ID);
    assert_eq!(
        fires.iter().filter(|f| **f == fire).count(),
        1,
        "the interrupted fire {fire} exactly once in {fires:?}"
    );
    assert!(
        fires.windows(2).all(|w| w[0] < w[1]),
        "each fire at most once, in order: {fires:?}"
    );
    let sends_of_fire: Vec<u16> = posts_to(&fake, CHANNEL_ID)
        .iter()
        .filter(|r| fire_of_request(r) == fire)
        .map(|r| {
            assert_eq!(
                r.json("nonce").as_str(),
                Some(nonce.as_str()),
                "every send of the fire, one nonce"
            );
            r.status
        })
        .collect();
    let first_status = if created_before_the_kill { 200 } else { 503 };
    assert_eq!(sends_of_fire, [first_status, 200]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_after_discord_created_the_message_then_restart_neither_duplicates_nor_loses_it() {
    kill_9_during_the_send(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_before_the_message_reached_discord_then_restart_still_delivers_it_once() {
    kill_9_during_the_send(false).await;
}

// ---------------------------------------------------------------------------------------------
// 3. Catch-up after downtime

/// What a restart after downtime delivered.
struct CatchUp {
    /// Fires of the schedule that passed while the bot was down: after the last fire the first
    /// run delivered, up to the moment the second run's scheduler loaded.
    missed: Vec<i64>,
    /// The second run's fires, in the order they were posted, up to its first live fire.
    posted: Vec<i64>,
    /// When the second run's scheduler loaded (Unix seconds, from its log).
    loaded_at: f64,
    /// The "fire times missed while down" log event, if any.
    missed_event: Option<Value>,
    bot: Bot,
    fake: FakeDiscord,
}

/// Runs the bot until it delivered one fire, stops it (SIGTERM), keeps it down across `down`
/// more fire times and starts it again with the same config and database.
async fn restart_after_downtime(schedule_config: &str, digest_extra: &str, down: i64) -> CatchUp {
    let fake = FakeDiscord::start().await;
    let config = format!(
        "{schedule_config}\n\n{}",
        digest(
            "downtime",
            CHANNEL_ID,
            &format!("only_new = false\n{digest_extra}")
        )
    );
    let mut bot = Bot::launch(&fake, spec(&config));
    wait_posts(&fake, &bot, CHANNEL_ID, 1, FIRST_POST).await;
    assert_eq!(bot.terminate().code(), Some(0), "{}", bot.logs());
    let before = posts_to(&fake, CHANNEL_ID);
    let last = before.iter().map(fire_of_request).max().unwrap();
    let boundary = fake.requests().len();

    // Start again halfway between two ticks: far from both, and a catch-up labelled with the
    // time it ran instead of the fire time it was due for would show.
    sleep_until_unix((last + down * PERIOD) as f64 + 1.0).await;
    bot.relaunch(&fake, spec(&config));
    let loaded = wait_event(&bot, "the scheduler loaded", |e| {
        message(e) == "scheduler loaded"
    })
    .await;
    let loaded_at = event_unix(&loaded);
    let live = fake
        .wait_for(
            |r| {
                r.index >= boundary
                    && is_post_to(r, CHANNEL_ID)
                    && fire_of_request(r) as f64 > loaded_at
            },
            WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("no live fire after the restart: {e:?}\n{}", bot.all_logs()));
    let posted: Vec<i64> = posts_to(&fake, CHANNEL_ID)
        .iter()
        .filter(|r| r.index >= boundary && r.index <= live.index)
        .map(|r| {
            assert_eq!(r.status, 200);
            fire_of_request(r)
        })
        .collect();
    let missed: Vec<i64> = (1..)
        .map(|k| last + k * PERIOD)
        .take_while(|t| (*t as f64) <= loaded_at)
        .collect();
    assert!(
        missed.len() as i64 >= down,
        "down across {down} fire times, saw {missed:?}"
    );
    let missed_event = events(&bot.logs())
        .into_iter()
        .find(|e| message(e) == "fire times missed while down");
    CatchUp {
        missed,
        posted,
        loaded_at,
        missed_event,
        bot,
        fake,
    }
}

impl CatchUp {
    /// The second run's posts for fires it had missed (the rest are live fires).
    fn caught_up(&self) -> Vec<i64> {
        (self.posted.iter())
            .filter(|f| self.missed.contains(f))
            .copied()
            .collect()
    }

    /// The log names the fires not delivered: how many, the first and the last.
    fn assert_logged_missed(&self, not_delivered: &[i64], policy: &str) {
        let e = self.missed_event.as_ref().unwrap_or_else(|| {
            panic!(
                "missed fires {not_delivered:?} not logged:\n{}",
                self.bot.logs()
            )
        });
        assert_eq!(e["fields"]["count"], json!(not_delivered.len()), "{e}");
        assert_eq!(e["fields"]["policy"], json!(policy), "{e}");
        assert!(
            e["fields"]["digest"]
                .as_str()
                .unwrap_or("")
                .contains("downtime"),
            "{e}"
        );
        assert_eq!(logged_time(&e["fields"]["first"]), not_delivered[0], "{e}");
        assert_eq!(
            logged_time(&e["fields"]["last"]),
            *not_delivered.last().unwrap(),
            "{e}"
        );
    }

    /// Every fire at most once in the channel, across both runs.
    fn assert_no_duplicates(&self) {
        let mut fires = fires_in_channel(&self.fake, CHANNEL_ID);
        let n = fires.len();
        fires.sort();
        fires.dedup();
        assert_eq!(fires.len(), n, "a fire posted twice");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_downtime_catch_up_skip_posts_none_of_the_missed_fires() {
    let run =
        restart_after_downtime("[schedule]\ncatch_up = \"skip\"\ngrace = \"1h\"", "", 3).await;
    assert_eq!(run.caught_up(), [] as [i64; 0], "missed {:?}", run.missed);
    run.assert_logged_missed(&run.missed, "skip");
    run.assert_no_duplicates();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_downtime_catch_up_once_posts_only_the_latest_missed_fire() {
    let run =
        restart_after_downtime("[schedule]\ncatch_up = \"once\"\ngrace = \"1h\"", "", 3).await;
    let latest = *run.missed.last().unwrap();
    assert_eq!(run.caught_up(), [latest], "missed {:?}", run.missed);
    assert_eq!(
        run.posted[0], latest,
        "the catch-up comes before live fires"
    );
    run.assert_logged_missed(&run.missed[..run.missed.len() - 1], "once");
    run.assert_no_duplicates();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_downtime_catch_up_all_posts_every_missed_fire_oldest_first() {
    let run = restart_after_downtime("[schedule]\ncatch_up = \"all\"\ngrace = \"1h\"", "", 3).await;
    assert_eq!(run.caught_up(), run.missed);
    assert_eq!(
        run.posted[..run.missed.len()],
        run.missed[..],
        "the catch-ups, oldest first, before live fires"
    );
    assert!(
        run.missed_event.is_none(),
        "nothing skipped, nothing logged as missed"
    );
    run.assert_no_duplicates();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_downtime_fires_older_than_grace_are_not_delivered() {
    // The digest's own catch_up and grace override [schedule]'s.
    let run = restart_after_downtime(
        "[schedule]\ncatch_up = \"skip\"\ngrace = \"1h\"",
        "catch_up = \"all\"\ngrace = \"4s\"",
        4,
    )
    .await;
    // Ages at the restart are 2k s + 1 s + the start-up time, so about 1 s from the 4 s
    // grace either way; a fire too close to it to call (clock reads) is not judged.
    let age = |f: i64| run.loaded_at - f as f64;
    let fresh: Vec<i64> = run
        .missed
        .iter()
        .copied()
        .filter(|f| age(*f) < 3.8)
        .collect();
    let stale: Vec<i64> = run
        .missed
        .iter()
        .copied()
        .filter(|f| age(*f) > 4.2)
        .collect();
    assert!(!fresh.is_empty() && stale.len() >= 2, "{:?}", run.missed);
    let caught_up = run.caught_up();
    for f in &fresh {
        assert!(caught_up.contains(f), "{f} is within grace: {caught_up:?}");
    }
    for f in &stale {
        assert!(
            !caught_up.contains(f),
            "{f} is older than grace: {caught_up:?}"
        );
    }
    let mut sorted = caught_up.clone();
    sorted.sort();
    assert_eq!(caught_up, sorted, "oldest first");
    let not_delivered: Vec<i64> = (run.missed.iter())
        .filter(|f| !caught_up.contains(f))
        .copied()
        .collect();
    run.assert_logged_missed(&not_delivered, "all");
    run.assert_no_duplicates();
}

// ---------------------------------------------------------------------------------------------
// 4. 429 and 5xx

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_then_two_5xx_still_deliver_the_digest_once_under_one_nonce() {
    let fake = FakeDiscord::start().await;
    let path = format!("/channels/{CHANNEL_ID}/messages");
    fake.rate_limit("POST", &path, 1, 0.5, false);
    fake.server_error("POST", &path, 1, 502);
    fake.server_error("POST", &path, 1, 503);
    // only_new (the default): the fires after the first have nothing new and post nothing.
    let bot = Bot::launch(&fake, spec(&digest("retry-news", CHANNEL_ID, "")));
    let attempts = wait_posts(
        &fake,
        &bot,
        CHANNEL_ID,
        4,
        FIRST_POST + Duration::from_secs(5),
    )
    .await;
    let statuses: Vec<u16> = attempts.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 502, 503, 200], "{}", bot.logs());
    let fire = fire_of_request(&attempts[0]);
    assert_on_time(&attempts[0], fire);
    let nonce = assert_nonce(&attempts[0]);
    for r in &attempts[1..] {
        assert_eq!(
            r.body, attempts[0].body,
            "every attempt is the same message"
        );
    }
    let t: Vec<f64> = attempts.iter().map(received_unix).collect();
    assert!(t[1] - t[0] >= 0.45, "Retry-After 0.5 s honoured: {t:?}");
    assert!(t[2] - t[1] >= 0.5, "backoff after a 5xx: {t:?}");
    assert!(t[3] - t[2] > t[2] - t[1], "the backoff grows: {t:?}");

    // The delivery is closed and the schedule has moved on: later fires find nothing new.
    wait_event(&bot, "a later fire skipped", |e| {
        span_fire(e).is_some_and(|f| f > fire) && message(e).contains("nothing new")
    })
    .await;
    let posts = posts_to(&fake, CHANNEL_ID);
    assert_eq!(posts.len(), 4, "no send after the success");
    assert!(posts
        .iter()
        .all(|r| r.json("nonce").as_str() == Some(nonce.as_str())));
    assert_eq!(
        fires_in_channel(&fake, CHANNEL_ID),
        [fire],
        "delivered once"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. A forbidden or deleted channel

/// A channel id the fake's guild does not have: posting there is 404 Unknown Channel.
const DELETED_CHANNEL_ID: u64 = 920_000_000_000_000_099;

/// `[[guild]]` with its alert channel and a digest into `channel`, naming the guild or not.
fn alerting_config(channel: u64, digest_names_guild: bool) -> String {
    let guild_line = if digest_names_guild {
        format!("guild_id = {GUILD_ID}\n")
    } else {
        String::new()
    };
    format!(
        "[[guild]]\nid = {GUILD_ID}\nalert_channel_id = {SECOND_CHANNEL_ID}\n\n{}",
        digest(
            "forbidden-news",
            channel,
            &format!("{guild_line}only_new = false")
        )
    )
}

/// Waits for the digest's first send (refused with `status`) and the alert that follows, checks
/// the alert names the digest, says it paused and gives Discord's `reason`; returns the fire.
async fn refused_then_alerted(
    fake: &FakeDiscord,
    bot: &Bot,
    channel: u64,
    status: u16,
    reason: &str,
) -> i64 {
    let refused = wait_posts(fake, bot, channel, 1, FIRST_POST)
        .await
        .remove(0);
    assert_eq!(refused.status, status);
    let fire = fire_of_request(&refused);
    let alert = wait_posts(fake, bot, SECOND_CHANNEL_ID, 1, WAIT)
        .await
        .remove(0);
    assert_eq!(alert.status, 200);
    let text = content(&alert);
    assert!(
        text.contains("forbidden-news"),
        "names the digest: {text:?}"
    );
    assert!(text.contains(reason), "gives Discord's reason: {text:?}");
    assert!(
        text.to_lowercase().contains("paused"),
        "says it paused: {text:?}"
    );
    assert_mentions_only(&alert, &[]);
    fire
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_pauses_the_digest_and_alerts_the_guild_even_across_a_restart() {
    let fake = FakeDiscord::start().await;
    let path = format!("/channels/{CHANNEL_ID}/messages");
    fake.missing_permissions("POST", &path, u32::MAX);
    let config = alerting_config(CHANNEL_ID, true);
    let mut bot = Bot::launch(&fake, spec(&config));
    let fire = refused_then_alerted(&fake, &bot, CHANNEL_ID, 403, "Missing Permissions").await;

    // Paused: the next fires are not attempted (and a 403 is not retried).
    sleep_until_unix((fire + 2 * PERIOD) as f64 + 0.5).await;
    assert_eq!(posts_to(&fake, CHANNEL_ID).len(), 1, "{}", bot.logs());

    // Still paused after a restart, even though the channel now accepts messages.
    assert_eq!(bot.terminate().code(), Some(0));
    fake.clear_faults();
    bot.relaunch(&fake, spec(&config));
    let loaded = wait_event(&bot, "the scheduler loaded", |e| {
        message(e) == "scheduler loaded"
    })
    .await;
    sleep_until_unix(event_unix(&loaded) + 2.0 * PERIOD as f64 + 0.5).await;
    assert_eq!(posts_to(&fake, CHANNEL_ID).len(), 1, "{}", bot.all_logs());
    assert!(fires_in_channel(&fake, CHANNEL_ID).is_empty());
    assert_eq!(
        posts_to(&fake, SECOND_CHANNEL_ID).len(),
        1,
        "one alert, not one per fire or per start"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_deleted_channel_pauses_the_digest_and_alerts_the_guild() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::launch(&fake, spec(&alerting_config(DELETED_CHANNEL_ID, true)));
    let fire = refused_then_alerted(&fake, &bot, DELETED_CHANNEL_ID, 404, "Unknown Channel").await;
    sleep_until_unix((fire + PERIOD) as f64 + 0.5).await;
    assert_eq!(
        posts_to(&fake, DELETED_CHANNEL_ID).len(),
        1,
        "{}",
        bot.logs()
    );
    assert_eq!(posts_to(&fake, SECOND_CHANNEL_ID).len(), 1);
}

/// A `[[digest]]` without `guild_id` posts into a channel of a guild whose alert channel is
/// configured: the bot knows the channel's guild (GUILD_CREATE, or `GET /channels/{id}`), so
/// the admin expects the alert there too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_alerts_the_channels_guild_even_when_the_digest_names_no_guild_id() {
    let fake = FakeDiscord::start().await;
    let path = format!("/channels/{CHANNEL_ID}/messages");
    fake.missing_permissions("POST", &path, u32::MAX);
    let bot = Bot::launch(&fake, spec(&alerting_config(CHANNEL_ID, false)));
    refused_then_alerted(&fake, &bot, CHANNEL_ID, 403, "Missing Permissions").await;
}

// ---------------------------------------------------------------------------------------------
// The fake's faults these tests rely on

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fakes_stall_and_missing_permissions_faults_behave_as_documented() {
    let fake = FakeDiscord::start().await;
    let url = format!("{}/api/v10/channels/{CHANNEL_ID}/messages", fake.base_url());
    let client = reqwest::Client::new();
    let post = |nonce: &str| {
        client
            .post(&url)
            .header("authorization", format!("Bot {}", fake.token()))
            .json(&json!({"content": "hello", "nonce": nonce, "enforce_nonce": true}))
            .send()
    };
    let delay = Duration::from_millis(600);

    fake.stall_after_create("POST", "/messages", 1, delay);
    let started = std::time::Instant::now();
    let pending = tokio::spawn(post("n1"));
    fake.wait_for(|r| is_post_to(r, CHANNEL_ID), WAIT)
        .await
        .unwrap();
    assert_eq!(
        fake.channel_messages(CHANNEL_ID).len(),
        1,
        "created at once"
    );
    let answer = pending.await.unwrap().unwrap();
    assert!(started.elapsed() >= delay, "answered late");
    assert_eq!(answer.status(), 200);

    fake.stall_before_create("POST", "/messages", 1, delay);
    let started = std::time::Instant::now();
    let answer = post("n2").await.unwrap();
    assert!(started.elapsed() >= delay);
    assert_eq!(answer.status(), 503);
    assert_eq!(fake.channel_messages(CHANNEL_ID).len(), 1, "not created");

    fake.missing_permissions("POST", "/messages", 1);
    let answer = post("n3").await.unwrap();
    assert_eq!(answer.status(), 403);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        body,
        json!({"code": 50013, "message": "Missing Permissions"})
    );
    // Used up: the same send now goes through, and a repeated nonce returns the first message.
    assert_eq!(post("n3").await.unwrap().status(), 200);
    assert_eq!(post("n1").await.unwrap().status(), 200);
    assert_eq!(fake.channel_messages(CHANNEL_ID).len(), 2);
}
