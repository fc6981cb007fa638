//! Autocomplete answers go through briefbot's own REST client: a 429 on the callback is waited
//! out and the member still gets the choices; typing in an option does not spend the cooldown.

use crate::support::{shipped_briefings, Bot, WAIT};
use fake_discord::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_autocomplete_answer_is_retried_and_arrives() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &shipped_briefings(), "").await;

    for global in [false, true] {
        fake.rate_limit("POST", "/callback", 1, 0.3, global);
        let ix = fake
            .autocomplete("brief", "briefing")
            .option("briefing", "")
            .send()
            .await;
        let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
        assert_eq!(view.callback_type(), Some(8));
        assert!(!view.choices().is_empty(), "global {global}: no choices");
        let callback = format!("/interactions/{}/{}/callback", ix.id, ix.token);
        let statuses: Vec<u16> = fake
            .requests()
            .iter()
            .filter(|r| r.is("POST", &callback))
            .map(|r| r.status)
            .collect();
        assert_eq!(statuses, [429, 204], "global {global}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_in_an_option_does_not_spend_the_cooldown() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &shipped_briefings(), "[limits]\ncooldown = \"30s\"").await;

    let ix = fake
        .autocomplete("brief", "briefing")
        .option("briefing", "sah")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert_eq!(view.callback_type(), Some(8));
    let ix = fake.command("brief").send().await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(!view.is_ephemeral(), "refused: {:?}", view.contents());
}
