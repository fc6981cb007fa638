//! `/digest edit` changes a runtime digest in place; server-only commands say so in a DM;
//! resuming a paused digest says how many fire times it skipped.

use crate::support::{shipped_briefings, Bot, WAIT};
use fake_discord::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_only_commands_in_a_dm_say_they_work_only_in_a_server() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &shipped_briefings(), "").await;
    for (command, name) in [
        ("digest list", None),
        ("digest remove", Some("morning")),
        ("digest send-now", Some("morning")),
        ("briefbot status", None),
    ] {
        let mut ix = fake.command(command).user(ADMIN_USER_ID).dm();
        if let Some(name) = name {
            ix = ix.option("name", name);
        }
        let ix = ix.send().await;
        let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
        let text = view.contents().concat();
        assert!(view.is_ephemeral(), "/{command}: {text}");
        assert!(text.contains("servers only"), "/{command}: {text}");
    }
    // Typing a digest's name in a DM: no choices, and no message (Discord refuses one there).
    let ix = fake
        .autocomplete("digest remove", "name")
        .option("name", "")
        .user(ADMIN_USER_ID)
        .dm()
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert_eq!(view.callback_type(), Some(8));
    assert!(view.choices().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_says_how_many_fire_times_the_pause_skipped() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &shipped_briefings(), "").await;
    let ask = |command: &'static str| {
        fake.command(command)
            .user(MODERATOR_USER_ID)
            .option("name", "ticker")
    };
    let ix = ask("digest add")
        .option("channel", CHANNEL_ID)
        .option("schedule", "*/2 * * * * *")
        .send()
        .await;
    let added = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(
        added.contents().concat().contains("created"),
        "{:?}",
        added.contents()
    );
    let ix = ask("digest pause").send().await;
    fake.wait_for_answer(&ix, WAIT).await.unwrap();
    // Every 2 s for 5 s: two or three fire times pass while paused.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let ix = ask("digest resume").send().await;
    let text = fake
        .wait_for_answer(&ix, WAIT)
        .await
        .unwrap()
        .contents()
        .concat();
    let count: usize = text
        .split("; next post ")
        .nth(1)
        .and_then(|rest| rest.split(". ").nth(1))
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {text}"));
    assert!((2..=4).contains(&count), "{text}");
    assert!(
        text.contains("posts were due while it was paused; they are skipped"),
        "{text}"
    );
}

async fn reply(fake: &FakeDiscord, ix: Injected) -> String {
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    view.contents().concat()
}

/// The briefings (embed authors) of every digest message `send-now` posted so far, per post.
fn posted_briefings(fake: &FakeDiscord) -> Vec<(Vec<String>, u64)> {
    let route = format!("/channels/{CHANNEL_ID}/messages");
    let mut posts: Vec<(Vec<String>, u64)> = Vec::new();
    for r in fake.requests() {
        if !(r.is("POST", &route) && r.status == 200) {
            continue;
        }
        let authors: Vec<String> = r
            .json("embeds")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["author"]["name"].as_str().map(str::to_string))
            .collect();
        let flags = r.json("flags").as_u64().unwrap_or(0);
        // A message whose content names the digest starts a post; the rest continue it.
        if r.json("content")
            .as_str()
            .is_some_and(|c| c.contains("**ticker**"))
        {
            posts.push((Vec::new(), flags));
        }
        if let Some(post) = posts.last_mut() {
            for a in authors {
                if !post.0.contains(&a) {
                    post.0.push(a);
                }
            }
        }
    }
    posts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_changes_a_digest_in_place_and_keeps_what_it_posted() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &shipped_briefings(), "").await;
    let ask = |command: &'static str| {
        fake.command(command)
            .user(MODERATOR_USER_ID)
            .option("name", "ticker")
    };
    let ix = ask("digest add")
        .option("channel", CHANNEL_ID)
        .option("schedule", "0 0 1 1 *")
        .option("max_briefings", 1)
        .send()
        .await;
    assert!(reply(&fake, ix).await.contains("created"));
    let sent = reply(&fake, ask("digest send-now").send().await).await;
    assert!(sent.starts_with("Sent"), "{sent}");

    // Refusals name the option.
    let ix = ask("digest edit").option("max_briefings", 11).send().await;
    assert_eq!(
        reply(&fake, ix).await,
        "`max_briefings` must be from 1 to 10; you gave 11."
    );
    let ix = ask("digest edit")
        .option("timezone", "Mars/Olympus")
        .send()
        .await;
    assert!(reply(&fake, ix)
        .await
        .starts_with("`timezone`: Unknown time zone"));

    let ix = ask("digest edit")
        .option("max_briefings", 2)
        .option("silent", true)
        .option("when_empty", 1) // the second choice: notice
        .send()
        .await;
    let text = reply(&fake, ix).await;
    assert!(
        text.starts_with("Digest `ticker` updated: it posts to")
            && text.contains(
                "Up to 2 briefings, only new ones; every section; nothing new: a notice; silent"
            ),
        "{text}"
    );
    // A send-now is a fire at the current second: the next one must be in another second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let sent = reply(&fake, ask("digest send-now").send().await).await;
    assert!(sent.starts_with("Sent"), "{sent}");
    let posts = posted_briefings(&fake);
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert_eq!((posts[0].0.len(), posts[1].0.len()), (1, 2), "{posts:?}");
    assert!(
        !posts[1].0.contains(&posts[0].0[0]),
        "only_new remembers what the digest posted before the edit: {posts:?}"
    );
    assert_eq!(posts[1].1 & (1 << 12), 1 << 12, "silent after the edit");

    // A new schedule re-plans the next post: every minute, so within the next 60 s.
    let ix = ask("digest edit")
        .option("schedule", "* * * * *")
        .send()
        .await;
    let text = reply(&fake, ix).await;
    let next: i64 = text
        .split("Next post: <t:")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no next post in {text}"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now..=now + 61).contains(&next), "{text}");
    let ix = fake
        .command("digest list")
        .user(MODERATOR_USER_ID)
        .send()
        .await;
    let list = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let value = crate::support::embeds(&list)[0]["fields"][0]["value"].to_string();
    assert!(value.starts_with("\"`* * * * *` (UTC)"), "{value}");
    assert!(
        value.contains("Last delivery: <t:"),
        "the state is kept: {value}"
    );
}
