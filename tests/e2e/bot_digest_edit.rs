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
