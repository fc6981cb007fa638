//! A digest delivery that still fails after its immediate retries stays pending: the moderator
//! who sent it is told it will be tried again, `/digest list` shows it, and a restart resumes it
//! with the same nonce, so the message lands once.

use crate::support::{embeds, shipped_briefings, Bot, BotSpec, WAIT};
use fake_discord::*;
use std::time::Duration;

/// The immediate retries (1 + 2 + 4 + 8 s of backoff) and a loaded machine.
const IMMEDIATE_RETRIES: Duration = Duration::from_secs(40);

fn spec(db: &std::path::Path) -> BotSpec {
    BotSpec {
        extra_config: format!(
            "[storage]\npath = \"{}\"\n\n[[digest]]\nname = \"evening\"\nchannel_id = {CHANNEL_ID}\n\
             guild_id = {GUILD_ID}\nschedule = \"0 0 1 1 *\"\n",
            db.display()
        ),
        ..BotSpec::new(&shipped_briefings())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_failing_its_retries_stays_pending_and_lands_once_after_a_restart() {
    let fake = FakeDiscord::start().await;
    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().join("briefbot.db");
    let route = format!("/channels/{CHANNEL_ID}/messages");
    fake.server_error("POST", &route, u32::MAX, 503);
    let mut bot = Bot::launch(&fake, spec(&db));
    let ix = fake
        .command("digest send-now")
        .user(MODERATOR_USER_ID)
        .option("name", "evening")
        .send()
        .await;
    let answer = fake.wait_for_answer(&ix, IMMEDIATE_RETRIES + WAIT).await;
    let answer = answer.unwrap_or_else(|e| panic!("{e:?}\n{}", bot.logs()));
    let text = answer.contents().concat();
    assert!(answer.is_ephemeral());
    assert!(
        text.contains("failed") && text.contains("HTTP 503") && text.contains("tried again"),
        "{text}"
    );
    let ix = fake
        .command("digest list")
        .user(MODERATOR_USER_ID)
        .send()
        .await;
    let list = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let listed = embeds(&list)[0]["fields"][0]["value"].to_string();
    assert!(listed.contains("Retrying the post"), "{listed}");

    let failed: Vec<RecordedRequest> = fake
        .requests()
        .into_iter()
        .filter(|r| r.is("POST", &route))
        .collect();
    assert_eq!(failed.len(), 5, "five immediate attempts");
    let nonce = failed[0].json("nonce").clone();
    assert!(failed.iter().all(|r| r.json("nonce") == &nonce));

    // Killed while waiting for its next try; Discord is fine again when it comes back.
    bot.kill_hard();
    fake.clear_faults();
    bot.relaunch(&fake, spec(&db));
    let posted = fake
        .wait_for(|r| r.is("POST", &route) && r.status == 200, WAIT * 2)
        .await
        .unwrap_or_else(|e| panic!("{e:?}\n{}", bot.all_logs()));
    assert_eq!(posted.json("nonce"), &nonce, "resumed under the same nonce");
    tokio::time::sleep(Duration::from_secs(2)).await;
    // The digest's own messages (not the interaction answers): each of its nonces once.
    let nonces: Vec<String> = fake
        .channel_messages(CHANNEL_ID)
        .iter()
        .filter(|m| m["webhook_id"].is_null())
        .map(|m| m["nonce"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(nonces.first().map(|n| n.as_str()), nonce.as_str());
    let mut unique = nonces.clone();
    unique.dedup();
    assert_eq!(unique, nonces, "no message twice");
}
