//! A bare serenity + poise bot against the fake: it connects, identifies, registers `/ping` in the
//! fake's guild and answers an injected `/ping`; then the gateway faults later tests rely on are
//! shown to drive serenity's real reconnect paths (resume, re-identify).

use std::time::{Duration, Instant};

use fake_discord::bare_bot::spawn_bare_bot;
use fake_discord::*;

const WAIT: Duration = Duration::from_secs(10);
/// serenity waits 5 s between two identifies of a shard, so a re-identify needs longer.
const REIDENTIFY_WAIT: Duration = Duration::from_secs(20);

async fn assert_ping_answered(fake: &FakeDiscord) {
    let ix = fake.command("ping").send().await;
    let callback = fake
        .wait_for_callback(&ix, WAIT)
        .await
        .expect("the bot answers /ping");
    assert_eq!(callback.status, 204, "the fake accepted the callback");
    assert_eq!(callback.json("type"), 4);
    assert_eq!(callback.json("data")["content"], "pong");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bare_bot_answers_ping_through_the_fake() {
    let started = Instant::now();
    let fake = FakeDiscord::start().await;
    let bot = spawn_bare_bot(&fake, "ping", "pong").await;

    let identifies = fake.wait_for_identifies(1, WAIT).await.expect("identify");
    // serenity prefixes the token with "Bot " in Identify too.
    assert_eq!(identifies[0]["token"], format!("Bot {}", fake.token()));
    assert_eq!(identifies[0]["intents"], 1, "GUILDS only");
    let route = format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
    let put = fake
        .wait_for(|r| r.is("PUT", &route), WAIT)
        .await
        .expect("commands registered");
    assert_eq!(put.status, 200);
    assert_eq!(
        put.header("authorization"),
        Some(format!("Bot {}", fake.token()).as_str())
    );
    assert_eq!(
        fake.registered_command_names(Scope::Guild(GUILD_ID)),
        ["ping"]
    );
    assert_eq!(
        fake.scopes_with_commands(),
        [Scope::Guild(GUILD_ID)],
        "nothing registered globally"
    );

    let ix = fake.command("ping").send().await;
    let answer = fake.wait_for_answer(&ix, WAIT).await.expect("answered");
    assert_eq!(answer.callback_type(), Some(4));
    assert_eq!(answer.contents(), ["pong"]);
    assert!(!answer.is_ephemeral());

    // What serenity and poise call on their own at start.
    let gets: Vec<String> = fake
        .requests_matching(|r| r.method == "GET")
        .iter()
        .map(|r| r.route().to_owned())
        .collect();
    assert!(gets.contains(&"/gateway".to_owned()), "{gets:?}");
    assert!(
        gets.contains(&"/oauth2/applications/@me".to_owned()),
        "{gets:?}"
    );
    assert_eq!(fake.gateway_log().connect_queries, ["v=10"]);

    bot.stop().await.expect("clean stop");
    eprintln!(
        "smoke test: start to answered and stopped in {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bare_bot_resumes_after_dropped_socket_op7_and_close_4000() {
    let fake = FakeDiscord::start().await;
    let bot = spawn_bare_bot(&fake, "ping", "pong").await;
    fake.wait_for(|r| r.is("PUT", "/commands"), WAIT)
        .await
        .expect("registered");

    assert!(fake.drop_connection());
    fake.wait_for_resumes(1, WAIT)
        .await
        .expect("resumed after a dropped socket");
    assert_ping_answered(&fake).await;

    assert!(fake.send_reconnect());
    fake.wait_for_resumes(2, WAIT)
        .await
        .expect("resumed after op 7");
    assert_ping_answered(&fake).await;

    assert!(fake.close_connection(4000));
    fake.wait_for_resumes(3, WAIT)
        .await
        .expect("resumed after close 4000");
    assert_ping_answered(&fake).await;
    assert_eq!(
        fake.gateway_log().identifies.len(),
        1,
        "resumes, never a new identify"
    );
    bot.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bare_bot_reidentifies_after_invalid_session() {
    let fake = FakeDiscord::start().await;
    let bot = spawn_bare_bot(&fake, "ping", "pong").await;
    fake.wait_for(|r| r.is("PUT", "/commands"), WAIT)
        .await
        .expect("registered");

    assert!(fake.invalidate_session(false));
    fake.wait_for_identifies(2, REIDENTIFY_WAIT)
        .await
        .expect("identified again");
    assert_ping_answered(&fake).await;
    let puts = fake.requests_matching(|r| r.is("PUT", "/commands"));
    assert_eq!(
        puts.len(),
        1,
        "poise runs setup once, even though READY came twice"
    );
    bot.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bare_bot_reconnects_when_heartbeats_are_not_acked() {
    let cfg = FakeConfig {
        heartbeat_interval: Duration::from_millis(300),
        ..FakeConfig::default()
    };
    let fake = FakeDiscord::start_with(cfg).await;
    let bot = spawn_bare_bot(&fake, "ping", "pong").await;
    fake.wait_for_ready(WAIT).await.expect("connected");
    fake.wait_for_gateway("a heartbeat", |g| g.heartbeats >= 1, WAIT)
        .await
        .expect("heartbeats");

    fake.set_heartbeat_ack(false);
    // serenity restarts the shard when an ACK is missing: a fresh connection and identify.
    fake.wait_for_gateway("a new connection", |g| g.connections >= 2, REIDENTIFY_WAIT)
        .await
        .expect("reconnected");
    fake.set_heartbeat_ack(true);
    fake.wait_for_identifies(2, REIDENTIFY_WAIT)
        .await
        .expect("identified again");
    assert_ping_answered(&fake).await;
    bot.stop().await.expect("clean stop");
}
