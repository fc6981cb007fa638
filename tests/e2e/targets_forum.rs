//! Digests delivered as forum posts and into threads, through the real binary: what a member
//! sees in the forum (one post per fire, or per briefing, titled and tagged, its follow-ups in
//! the post), threads opened under each digest message or an existing thread written into,
//! 429s and 5xx on the thread routes retried into exactly one post, and a bot killed while a
//! post was on the wire finding it after the restart instead of posting it twice.
//!
//! The fake checks every payload against Discord's limits (a title over 100 characters, an
//! embed too long, a tag the forum lacks are 400s), so every request here answering 2xx is
//! itself a check.

use crate::support::targets::*;
use crate::support::{Bot, BotSpec, WAIT};
use fake_discord::*;
use serde_json::Value;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

/// Every request the bot made to `route`s containing `fragment` answered 2xx.
fn all_succeeded(fake: &FakeDiscord, fragment: &str) {
    let failed: Vec<String> = fake
        .requests_matching(|r| r.route().contains(fragment) && r.status >= 300)
        .iter()
        .map(|r| format!("{} {}", r.summary(), r.body_text))
        .collect();
    assert!(failed.is_empty(), "refused by the fake: {failed:#?}");
}

fn tag_id(fake: &FakeDiscord, name: &str) -> String {
    fake.forum_tag_id(FORUM, name).unwrap().to_string()
}

fn strings(v: &Value) -> Vec<String> {
    let items = v.as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The fire's date and time as the digest's calendar (UTC) writes them in a post's title: these
/// digests fire every few seconds, so the day has several fires and the title says which.
fn date_of(fire: i64) -> String {
    let at = chrono::DateTime::from_timestamp(fire, 0).unwrap();
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// Checks one post of a whole delivery: the title, the tags, the starter message and the
/// follow-ups in the post's thread (each with its nonce), all nine sections in order.
fn assert_whole_post(fake: &FakeDiscord, post: &Value, title: &str) {
    assert_eq!(post["name"], title);
    let tags = strings(&post["applied_tags"]);
    assert_eq!(
        tags,
        [tag_id(fake, "Sahel"), tag_id(fake, "Climate")],
        "the matching tags only, in the forum's order"
    );
    let thread = id_of(post);
    let follow_ups = follow_ups(fake, post);
    assert!(!follow_ups.is_empty(), "a digest of several messages");
    for m in &follow_ups {
        assert_eq!(m["channel_id"], thread.to_string(), "inside the post");
        assert!(m["nonce"].as_str().is_some_and(|n| !n.is_empty()), "{m}");
    }
    let mut messages = vec![post["message"].clone()];
    messages.extend(follow_ups);
    let embeds = embeds(&messages);
    assert_eq!(embeds.len(), SECTIONS, "every section once");
    let last = embeds[SECTIONS - 1]["footer"]["text"].as_str().unwrap();
    let n = messages.len();
    assert!(last.ends_with(&format!("{n}/{n}")), "{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forum_digest_makes_one_tagged_post_per_fire_with_its_follow_ups_inside() {
    let fake = FakeDiscord::start_with(guild()).await;
    // The longest name a digest may have (50): its title still fits.
    let name = "sahel-and-lake-chad-the-morning-brief-for-everyone";
    let config = digest(
        name,
        FORUM,
        "target = \"forum\"\nforum_tags = true\nonly_new = false\ncatch_up = \"all\"",
    );
    let mut bot = Bot::launch(&fake, spec(&config));
    let fires = delivered(&bot, 2, FIRST_POST + WAIT).await;
    bot.terminate();

    let posts = posts(&fake, FORUM);
    for fire in &fires {
        let of_fire: Vec<&Value> = posts
            .iter()
            .filter(|(f, _)| f == &Some(*fire))
            .map(|(_, p)| p)
            .collect();
        assert_eq!(of_fire.len(), 1, "one post for fire {fire}: {posts:#?}");
        let title = format!("{name} · {}", date_of(*fire));
        assert!(title.chars().count() <= 100);
        assert_whole_post(&fake, of_fire[0], &title);
    }
    assert!(
        posts.iter().all(|(f, _)| f.is_some()),
        "every post is a fire's"
    );
    all_succeeded(&fake, "/threads");
    all_succeeded(&fake, "/messages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_title_in_another_language_is_clipped_to_what_discord_accepts() {
    let fake = FakeDiscord::start_with(guild()).await;
    // An admin's French words make the title long: the name is at most 50 characters, so
    // only words can take a title past Discord's 100.
    let words = tempfile::tempdir().unwrap();
    std::fs::write(
        words.path().join("fr.ftl"),
        "digest-post-title = { $name } du { $date } : les nouvelles du Sahel, du lac Tchad \
         et des marchés, pour toute la communauté\n",
    )
    .unwrap();
    let name = "sahel-et-lac-tchad";
    let config = format!(
        "[locales]\ndir = \"{}\"\n\n{}",
        words.path().display(),
        digest(name, FORUM, "target = \"forum\"\nlang = \"fr\"")
    );
    let mut bot = Bot::launch(&fake, spec(&config));
    let fire = delivered(&bot, 1, FIRST_POST).await[0];
    bot.terminate();

    let posts = posts(&fake, FORUM);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let title = posts[0].1["name"].as_str().unwrap();
    // Cut at 99 and the space before the ellipsis dropped: within 100 either way.
    assert!(
        title.chars().count() >= 98 && title.chars().count() <= 100,
        "{title}"
    );
    let start = format!("{name} du {} : les nouvelles", date_of(fire));
    assert!(title.starts_with(&start) && title.ends_with('…'), "{title}");
    // Without `forum_tags`, no tags.
    assert!(strings(&posts[0].1["applied_tags"]).is_empty());
    all_succeeded(&fake, "/threads");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_per_briefing_is_titled_and_tagged_by_its_briefing() {
    let fake = FakeDiscord::start_with(guild()).await;
    let config = digest(
        "per-story",
        FORUM,
        "target = \"forum\"\nforum_post = \"briefing\"\nforum_tags = true",
    );
    let bot = Bot::launch(&fake, spec(&config));
    let fire = delivered(&bot, 1, FIRST_POST).await[0];
    // only_new: the next fire has nothing new and posts nothing.
    wait_event(&bot, "a later fire skipped", |e| {
        span_fire(e).is_some_and(|f| f > fire) && message(e).contains("nothing new")
    })
    .await;

    let posts = posts(&fake, FORUM);
    let titles: Vec<&str> = posts
        .iter()
        .map(|(_, p)| p["name"].as_str().unwrap())
        .collect();
    let clipped: String = LONG_TITLE.chars().take(99).collect::<String>() + "…";
    assert_eq!(
        titles,
        [clipped.as_str(), "Lake Chad plan", "Sahel older"],
        "newest briefing first, one post each"
    );
    assert!(posts.iter().all(|(f, _)| *f == Some(fire)));
    let tags: Vec<Vec<String>> = posts
        .iter()
        .map(|(_, p)| strings(&p["applied_tags"]))
        .collect();
    let (sahel, climate) = (tag_id(&fake, "Sahel"), tag_id(&fake, "Climate"));
    assert_eq!(tags, [vec![sahel.clone()], vec![], vec![sahel, climate]]);
    // Each post holds its own briefing's three sections, under its title.
    for (_, post) in &posts {
        let mut messages = vec![post["message"].clone()];
        messages.extend(follow_ups(&fake, post));
        let embeds = embeds(&messages);
        assert_eq!(embeds.len(), 3, "{post}");
        let author = embeds[0]["author"]["name"].as_str().unwrap();
        let title = post["name"].as_str().unwrap();
        assert!(
            author.starts_with(title.trim_end_matches('…')),
            "{author} / {title}"
        );
    }
    all_succeeded(&fake, "/threads");
    all_succeeded(&fake, "/messages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_thread_opens_one_thread_per_digest_message_named_from_its_briefing() {
    let fake = FakeDiscord::start_with(guild()).await;
    let config = digest(
        "discuss",
        CHANNEL_ID,
        "target = \"thread\"\nopen_thread = true",
    );
    let bot = Bot::launch(&fake, spec(&config));
    delivered(&bot, 1, FIRST_POST).await;

    let ours: Vec<Value> = fake
        .channel_messages(CHANNEL_ID)
        .into_iter()
        .filter(|m| m["webhook_id"].is_null())
        .collect();
    assert!(ours.len() > 1, "a digest of several messages");
    assert_eq!(embeds(&ours).len(), SECTIONS);
    let mut threads = fake.threads(CHANNEL_ID);
    threads.retain(|t| id_of(t) != THREAD);
    assert_eq!(threads.len(), ours.len(), "one thread per message");
    for m in &ours {
        let thread = threads.iter().find(|t| t["id"] == m["id"]);
        let thread = thread.unwrap_or_else(|| panic!("no thread under {m}"));
        let author = m["embeds"][0]["author"]["name"].as_str().unwrap();
        let name = thread["name"].as_str().unwrap();
        if author.chars().count() <= 100 {
            assert_eq!(name, author);
        } else {
            assert_eq!(name.chars().count(), 100, "{name}");
            assert!(author.starts_with(name.trim_end_matches('…')), "{name}");
        }
    }
    all_succeeded(&fake, "/threads");
    all_succeeded(&fake, "/messages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_into_an_existing_thread_posts_there_with_nonces() {
    let fake = FakeDiscord::start_with(guild()).await;
    let config = digest(
        "in-thread",
        CHANNEL_ID,
        &format!("target = \"thread\"\nthread_id = {THREAD}"),
    );
    let bot = Bot::launch(&fake, spec(&config));
    delivered(&bot, 1, FIRST_POST).await;

    let in_thread = fake.channel_messages(THREAD);
    assert!(in_thread.len() > 1, "{in_thread:#?}");
    assert_eq!(embeds(&in_thread).len(), SECTIONS);
    let mut nonces: Vec<&str> = in_thread
        .iter()
        .map(|m| m["nonce"].as_str().expect("a nonce"))
        .collect();
    nonces.dedup();
    assert_eq!(nonces.len(), in_thread.len(), "one nonce per message");
    let posted = requests_to(&fake, "POST", &format!("/channels/{THREAD}/messages"));
    assert!(posted.iter().all(|r| r.json("enforce_nonce") == true));
    let in_channel = fake.channel_messages(CHANNEL_ID);
    assert!(
        in_channel.iter().all(|m| !m["webhook_id"].is_null()),
        "nothing in the parent channel: {in_channel:#?}"
    );
    all_succeeded(&fake, "/messages");
}

mod faults;

mod crash {
    use super::*;

    /// Kills the bot (SIGKILL) while its forum post is held in the fake, either after the fake
    /// made it (`StallAfter`) or before (`StallBefore`), restarts it on the same database and
    /// checks that the forum holds that fire's post exactly once, whole, and that the ledger
    /// closed it.
    async fn killed_during_a_forum_post(post_made: bool) {
        let fake = FakeDiscord::start_with(guild()).await;
        let route = format!("/channels/{FORUM}/threads");
        let stall = Duration::from_secs(8);
        if post_made {
            fake.stall_after_create("POST", &route, 1, stall);
        } else {
            fake.stall_before_create("POST", &route, 1, stall);
        }
        // catch_up = skip: the restart adds nothing for the seconds it was down.
        let config = digest(
            "crash",
            FORUM,
            "target = \"forum\"\nforum_tags = true\ncatch_up = \"skip\"",
        );
        let spec: BotSpec = spec(&config);
        let mut bot = Bot::launch(&fake, spec.clone());
        let held = fake
            .wait_for(|r| r.is("POST", &route), FIRST_POST)
            .await
            .unwrap_or_else(|e| panic!("{e:?}\n{}", bot.logs()));
        let fire = fire_of(
            held.body.as_ref().unwrap()["message"]["content"]
                .as_str()
                .unwrap(),
        )
        .expect("a fire time");
        assert_eq!(posts(&fake, FORUM).len(), usize::from(post_made));
        assert_eq!(bot.kill_hard().signal(), Some(9));

        bot.relaunch(&fake, spec);
        let closed = wait_event_for(
            &bot,
            "the interrupted fire delivered",
            |e| span_fire(e) == Some(fire) && message(e) == "digest delivered",
            FIRST_POST,
        )
        .await;
        // The next fire has nothing new: the ledger knows what the interrupted one posted.
        wait_event(&bot, "a later fire skipped", |e| {
            span_fire(e).is_some_and(|f| f > fire) && message(e).contains("nothing new")
        })
        .await;

        let posts = posts(&fake, FORUM);
        assert_eq!(posts.len(), 1, "exactly one post: {posts:#?}");
        assert_eq!(posts[0].0, Some(fire));
        let found = events(&bot.logs())
            .iter()
            .any(|e| span_fire(e) == Some(fire) && message(e).contains("had gone through"));
        assert_eq!(found, post_made, "{}", bot.all_logs());
        let messages = closed["fields"]["messages"].as_u64().unwrap() as usize;
        assert_eq!(follow_ups(&fake, &posts[0].1).len() + 1, messages);
        assert_whole_post(&fake, &posts[0].1, &format!("crash · {}", date_of(fire)));
        let sent = requests_to(&fake, "POST", &route);
        let expected: &[u16] = if post_made { &[201] } else { &[503, 201] };
        assert_eq!(statuses(&sent), expected);
    }

    /// No crash: the post is made but its answer is held past the bot's request timeout (15 s).
    /// The same process then looks before sending again, finds the post, and sends no second.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_forum_post_whose_answer_never_came_is_found_not_posted_again() {
        let fake = FakeDiscord::start_with(guild()).await;
        let route = format!("/channels/{FORUM}/threads");
        fake.stall_after_create("POST", &route, 1, Duration::from_secs(20));
        let config = digest("late", FORUM, "target = \"forum\"\ncatch_up = \"skip\"");
        let bot = Bot::launch(&fake, spec(&config));
        let held = fake.wait_for(|r| r.is("POST", &route), FIRST_POST).await;
        let held = held.unwrap_or_else(|e| panic!("{e:?}\n{}", bot.logs()));
        let content = held.body.as_ref().unwrap()["message"]["content"].as_str();
        let fire = fire_of(content.unwrap()).expect("a fire time");
        wait_event_for(
            &bot,
            "the held fire delivered",
            |e| span_fire(e) == Some(fire) && message(e) == "digest delivered",
            Duration::from_secs(45),
        )
        .await;
        let posts = posts(&fake, FORUM);
        assert_eq!(posts.len(), 1, "exactly one post: {posts:#?}");
        let found = events(&bot.logs())
            .iter()
            .any(|e| span_fire(e) == Some(fire) && message(e).contains("had gone through"));
        assert!(found, "the lookup found it: {}", bot.all_logs());
        assert_eq!(statuses(&requests_to(&fake, "POST", &route)), [201]);
    }

    /// Killed while Discord opened the thread under the digest's first message but its answer
    /// was held: the restart opens it again, Discord says it exists (160004), and the rest of
    /// the digest follows with one thread under each message, none twice.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn killed_while_a_thread_was_opened_the_restart_opens_no_second() {
        let fake = FakeDiscord::start_with(guild()).await;
        let route = format!("/channels/{CHANNEL_ID}/messages/");
        fake.stall_after_create("POST", "/threads", 1, Duration::from_secs(8));
        let config = digest(
            "discuss",
            CHANNEL_ID,
            "target = \"thread\"\nopen_thread = true\ncatch_up = \"skip\"",
        );
        let spec: BotSpec = spec(&config);
        let mut bot = Bot::launch(&fake, spec.clone());
        let held = fake
            .wait_for(|r| r.is("POST", "/threads"), FIRST_POST)
            .await;
        let held = held.unwrap_or_else(|e| panic!("{e:?}\n{}", bot.logs()));
        assert!(
            held.path.starts_with(&format!("/api/v10{route}")),
            "{}",
            held.path
        );
        let first = fake.channel_messages(CHANNEL_ID);
        assert_eq!(
            first.len(),
            1,
            "the thread is opened before the next message"
        );
        let fire = fire_of(first[0]["content"].as_str().unwrap()).expect("a fire time");
        assert_eq!(bot.kill_hard().signal(), Some(9));

        bot.relaunch(&fake, spec);
        wait_event_for(
            &bot,
            "the interrupted fire delivered",
            |e| span_fire(e) == Some(fire) && message(e) == "digest delivered",
            FIRST_POST,
        )
        .await;
        let ours: Vec<Value> = fake
            .channel_messages(CHANNEL_ID)
            .into_iter()
            .filter(|m| fire_of(m["content"].as_str().unwrap_or("")).is_none_or(|f| f == fire))
            .collect();
        assert_eq!(embeds(&ours).len(), SECTIONS, "every section once");
        let mut threads = fake.threads(CHANNEL_ID);
        threads.retain(|t| id_of(t) != THREAD);
        assert_eq!(
            threads.len(),
            ours.len(),
            "one thread per message: {threads:#?}"
        );
        let opened = fake.requests_matching(|r| r.is("POST", "/threads"));
        let refused = opened.iter().filter(|r| r.status == 400).count();
        assert_eq!(
            refused, 1,
            "the first thread asked for once more, and found there"
        );
    }

    fn statuses(requests: &[RecordedRequest]) -> Vec<u16> {
        requests.iter().map(|r| r.status).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn killed_after_the_forum_post_was_made_the_restart_finds_it_and_posts_none() {
        killed_during_a_forum_post(true).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn killed_before_the_forum_post_reached_discord_the_restart_posts_it_once() {
        killed_during_a_forum_post(false).await;
    }
}
