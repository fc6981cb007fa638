//! briefbot as a process: hot reload of the briefings folder, clean shutdown on SIGTERM, a
//! token that never reaches the logs, and no silent fallback to Discord when `api_base` fails.

use crate::support::{shipped_briefings, text_of, write_file, Bot, WAIT};
use fake_discord::*;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_briefing_is_served_without_restart_and_sigterm_exits_0_without_leaking_the_token() {
    let fake = FakeDiscord::start().await;
    let mut bot = Bot::start(&fake, &shipped_briefings(), "").await;

    let added = Instant::now();
    write_file(
        &bot.briefings_dir().join("2026/fresh.md"),
        "+++\ntitle = \"Fresh\"\n+++\n## What's Next?\nJust added.\n",
    );
    let served = loop {
        let ix = fake
            .command("whats-next")
            .option("briefing", "2026/fresh")
            .send()
            .await;
        let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
        if !view.is_ephemeral() {
            break view;
        }
        assert!(
            added.elapsed() < Duration::from_secs(2),
            "not served within 2 s:\n{}",
            bot.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(text_of(&served), "Just added.");

    // A broken edit keeps the last good version.
    write_file(
        &bot.briefings_dir().join("2026/fresh.md"),
        "+++\ntitle = \n",
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let ix = fake
        .command("whats-next")
        .option("briefing", "2026/fresh")
        .send()
        .await;
    assert_eq!(
        text_of(&fake.wait_for_answer(&ix, WAIT).await.unwrap()),
        "Just added."
    );

    let status = bot.terminate();
    assert_eq!(status.code(), Some(0), "logs:\n{}", bot.logs());
    let logs = bot.logs();
    // Logs are written in batches by a thread of their own: the line logged just before the
    // process ends still makes it out.
    assert!(logs.lines().any(|l| l.ends_with(": stopped")), "{logs}");
    assert!(logs.contains("briefings folder changed"), "{logs}");
    assert!(
        logs.contains("fresh.md:1: front matter opened"),
        "the broken edit is logged: {logs}"
    );
    assert!(
        !logs.contains(fake.token()),
        "the token leaked into the logs"
    );
    assert!(logs.lines().count() > 20, "debug logs were captured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_gateway_endpoint_is_a_clear_error_not_a_connection_elsewhere() {
    let fake = FakeDiscord::start().await;
    fake.fail_gateway_lookup();
    let mut bot = Bot::spawn(&fake, &shipped_briefings(), "");
    let status = bot
        .wait(Duration::from_secs(60))
        .expect("briefbot should give up");
    assert_eq!(status.code(), Some(2));
    let logs = bot.logs();
    let last = logs.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("briefbot: cannot get the gateway address from http://127.0.0.1:"),
        "{logs}"
    );
    assert!(!logs.contains("gateway.discord.gg"), "{logs}");
    assert_eq!(fake.gateway_log().connections, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_on_serenitys_own_gateway_lookup_does_not_send_the_bot_to_discord() {
    let fake = FakeDiscord::start().await;
    // briefbot's own lookup passes; serenity's, right after it and without briefbot's rate
    // limiting, is refused, as when replicas start together. Serenity would then connect to
    // wss://gateway.discord.gg.
    fake.rate_limit_after("GET", "/gateway", 1, 1, 5.0);
    let bot = Bot::start(&fake, &shipped_briefings(), "").await;
    assert_eq!(fake.gateway_log().connections, 1, "{}", bot.logs());
    let lookups: Vec<u16> = (fake.requests().iter())
        .filter(|r| r.is("GET", "/gateway"))
        .map(|r| r.status)
        .collect();
    assert_eq!(lookups[..2], [200, 429], "{}", bot.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_token_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "[briefings]\ndir = \".\"\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["run"])
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "briefbot: the bot token is missing: set the environment variable DISCORD_TOKEN"
    );
}
