//! Corrections end to end: a briefing corrected after a digest posted it edits the posted
//! message in place (PATCH, once), also when the correction happened while the bot was down;
//! a deleted briefing is marked withdrawn; past `edit_window` nothing is edited.

use crate::support::{write_file, Bot, BotSpec};
use fake_discord::*;
use serde_json::Value;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

fn story(body: &str) -> String {
    format!(
        "+++\ntitle = \"Niamey talks\"\ndate = 2026-11-27\ntags = [\"corr\"]\n+++\n\
         ## What's Happening?\n{body}\n"
    )
}

/// A digest every 2 s carrying the `corr` briefing once (`only_new`), and `extra` config.
fn spec(body: &str, extra: &str) -> BotSpec {
    BotSpec {
        extra_config: format!(
            "{extra}\n[[digest]]\nname = \"corr\"\nchannel_id = {CHANNEL_ID}\n\
             schedule = \"*/2 * * * * *\"\ntags = [\"corr\"]\n"
        ),
        args: vec!["--log-format".into(), "json".into()],
        ..BotSpec::new(&[("story.md".to_string(), story(body))])
    }
}

fn is_patch(r: &RecordedRequest) -> bool {
    r.method == "PATCH"
        && r.route()
            .starts_with(&format!("/channels/{CHANNEL_ID}/messages/"))
}

fn patches(fake: &FakeDiscord) -> Vec<RecordedRequest> {
    fake.requests_matching(is_patch)
}

/// The digest message, once posted.
async fn posted(fake: &FakeDiscord, bot: &Bot) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(m) = fake.channel_messages(CHANNEL_ID).into_iter().next() {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "no digest posted\n{}",
            bot.all_logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_patches(fake: &FakeDiscord, bot: &Bot, n: usize) -> Vec<RecordedRequest> {
    match fake.wait_for_nth(is_patch, n, WAIT).await {
        Ok(p) => p,
        Err(e) => panic!("{e:?}\n{}", bot.all_logs()),
    }
}

fn text(message: &Value) -> String {
    serde_json::to_string(message).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_edits_the_posted_message_once_even_across_a_restart() {
    let fake = FakeDiscord::start().await;
    let mut bot = Bot::launch(&fake, spec("Talks resume on Monday.", ""));
    let first = posted(&fake, &bot).await;
    let id = first["id"].as_str().unwrap().to_string();
    assert!(text(&first).contains("Talks resume on Monday."));

    write_file(
        &bot.briefings_dir().join("story.md"),
        &story("Talks resume on Tuesday."),
    );
    let edit = wait_patches(&fake, &bot, 1).await.remove(0);
    assert_eq!(
        edit.route(),
        format!("/channels/{CHANNEL_ID}/messages/{id}")
    );
    assert_eq!(
        edit.json("allowed_mentions"),
        &serde_json::json!({"parse": []})
    );
    let now = fake.message(id.parse().unwrap()).unwrap();
    assert!(text(&now).contains("Talks resume on Tuesday."), "{now}");
    let content = now["content"].as_str().unwrap();
    assert!(content.contains("\n-# Updated <t:"), "{content}");
    assert!(now["edited_timestamp"].is_string());

    // Corrected while the bot is down: the restart edits it, once.
    bot.terminate();
    write_file(
        &bot.briefings_dir().join("story.md"),
        &story("Talks resume on Wednesday."),
    );
    bot.relaunch(&fake, spec("Talks resume on Wednesday.", ""));
    wait_patches(&fake, &bot, 2).await;
    let now = fake.message(id.parse().unwrap()).unwrap();
    assert!(text(&now).contains("Talks resume on Wednesday."), "{now}");
    // Later passes (a reload, the sweep) find nothing more to do.
    write_file(
        &bot.briefings_dir().join("other.md"),
        "## What's Next?\nUnrelated.\n",
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(patches(&fake).len(), 2, "{}", bot.all_logs());
    assert_eq!(
        fake.channel_messages(CHANNEL_ID).len(),
        1,
        "corrections post nothing new"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_briefing_is_marked_withdrawn_not_deleted() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::launch(&fake, spec("Talks resume on Monday.", ""));
    let first = posted(&fake, &bot).await;
    let id: u64 = first["id"].as_str().unwrap().parse().unwrap();
    std::fs::remove_file(bot.briefings_dir().join("story.md")).unwrap();
    wait_patches(&fake, &bot, 1).await;
    let now = fake.message(id).unwrap();
    let content = now["content"].as_str().unwrap();
    assert!(content.contains("-# Withdrawn: Niamey talks"), "{content}");
    assert_eq!(now["embeds"], serde_json::json!([]), "{now}");
    assert!(!text(&now).contains("Talks resume"), "{now}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_the_edit_window_nothing_is_edited() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::launch(
        &fake,
        spec(
            "Talks resume on Monday.",
            "[schedule]\nedit_window = \"1s\"\n",
        ),
    );
    posted(&fake, &bot).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    write_file(
        &bot.briefings_dir().join("story.md"),
        &story("Talks resume on Tuesday."),
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(bot.all_logs().contains("reloaded"), "{}", bot.all_logs());
    assert!(patches(&fake).is_empty());
}
