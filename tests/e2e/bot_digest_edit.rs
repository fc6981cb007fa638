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
