//! What happens on the wire besides a plain answer: retries after 429 and 5xx, a second READY,
//! switching the registration scope, the ops endpoint and JSON logs.

use crate::support::{embeds, shipped_briefings, text_of, Bot, BotSpec, WAIT};
use fake_discord::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_and_two_5xx_are_retried_and_the_answer_arrives_once() {
    let body = "A sentence that is long enough to need a few embeds in the end. ".repeat(140);
    let file = format!("## What's Next?\n{}\n", body.trim_end());
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &[("long.md".into(), file)], "").await;
    fake.rate_limit("POST", "/callback", 1, 0.3, false);
    fake.server_error("POST", "/webhooks/", 2, 502);
    let ix = fake.command("whats-next").send().await;
    let view = fake
        .wait_for_interaction(&ix, "every part", |v| embeds(v).len() >= 3, WAIT)
        .await
        .unwrap();
    assert_eq!(text_of(&view), body.trim_end());
    let callbacks = fake.requests_matching(|r| r.method == "POST" && r.path.ends_with("/callback"));
    assert_eq!(
        callbacks.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 204]
    );
    let statuses: Vec<u16> = fake
        .requests_matching(|r| r.method == "POST" && r.path.contains("/webhooks/"))
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(&statuses[..2], [502, 502]);
    assert_eq!(
        view.followups.len(),
        statuses.iter().filter(|s| **s == 200).count(),
        "no duplicate follow-up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ready_does_not_register_again_and_the_bot_keeps_answering() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, &shipped_briefings(), "").await;
    assert!(fake.invalidate_session(false));
    // serenity waits 5 s between identifies.
    fake.wait_for_identifies(2, Duration::from_secs(20))
        .await
        .unwrap();
    let ix = fake.command("whats-next").send().await;
    fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let registrations =
        fake.requests_matching(|r| r.method == "PUT" && r.path.contains("/commands"));
    assert_eq!(registrations.len(), 1, "{}", bot.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_to_global_registration_removes_the_guild_copies() {
    let fake = FakeDiscord::start().await;
    let mut guild_bot = Bot::start(&fake, &shipped_briefings(), "").await;
    assert_eq!(guild_bot.terminate().code(), Some(0));
    assert_eq!(fake.scopes_with_commands(), [Scope::Guild(GUILD_ID)]);

    let spec = BotSpec {
        discord: "guild_ids = []".into(),
        ..BotSpec::new(&shipped_briefings())
    };
    let global_bot = Bot::launch(&fake, spec);
    let global = format!("/applications/{APPLICATION_ID}/commands");
    fake.wait_for(|r| r.is("PUT", &global), WAIT).await.unwrap();
    let cleared = format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
    fake.wait_for_nth(|r| r.is("PUT", &cleared), 2, WAIT)
        .await
        .unwrap();
    assert_eq!(
        fake.scopes_with_commands(),
        [Scope::Global],
        "{}",
        global_bot.logs()
    );
    let mut global = fake.registered_command_names(Scope::Global);
    global.sort();
    assert!(
        global.len() >= 9 && global.contains(&"whats-next".to_string()),
        "{global:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_endpoint_serves_health_and_metrics_and_logs_can_be_json() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fake = FakeDiscord::start().await;
    let spec = BotSpec {
        extra_config: format!("[ops]\nlisten = \"127.0.0.1:{port}\""),
        args: vec!["--log-format".into(), "json".into()],
        ..BotSpec::new(&shipped_briefings())
    };
    let mut bot = Bot::launch(&fake, spec);
    let route = format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
    fake.wait_for(|r| r.is("PUT", &route), WAIT).await.unwrap();
    let ix = fake.command("whats-next").send().await;
    fake.wait_for_answer(&ix, WAIT).await.unwrap();

    let base = format!("http://127.0.0.1:{port}");
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    // The answer is counted once Discord has acknowledged it, just after the fake records it.
    let mut metrics = String::new();
    for _ in 0..50 {
        metrics = reqwest::get(format!("{base}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if metrics.contains("briefbot_interactions_total") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for expected in [
        "briefbot_interactions_total{command=\"whats-next\",outcome=\"ok\"} 1",
        "briefbot_briefings_loaded 4",
        "briefbot_briefings_skipped 0",
        "briefbot_answer_seconds_bucket",
        "briefbot_gateway_latency_seconds",
    ] {
        assert!(
            metrics.contains(expected),
            "missing {expected} in\n{metrics}"
        );
    }
    assert!(!metrics.contains(fake.token()));

    assert_eq!(bot.terminate().code(), Some(0));
    let logs = bot.logs();
    let first = logs.lines().next().unwrap();
    let parsed: serde_json::Value =
        serde_json::from_str(first).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert!(
        parsed["level"].is_string() && parsed["fields"].is_object(),
        "{parsed}"
    );
    assert!(!logs.contains(fake.token()));
}
