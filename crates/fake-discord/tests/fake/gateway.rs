//! The fake's gateway, frame by frame through a raw client: Hello, Identify checks, heartbeat
//! ACKs, resume with replay, and the faults (close codes, op 9) reaching the client.

use std::time::Duration;

use fake_discord::raw_client::{heartbeat_frame, identify_frame, resume_frame, Frame, RawGateway};
use fake_discord::*;

const QUIET: Duration = Duration::from_millis(300);
const WAIT: Duration = Duration::from_secs(5);

async fn expect_close(gw: &mut RawGateway, code: u16) {
    loop {
        match gw.recv_within(WAIT).await {
            Some(Frame::Json(_)) => continue,
            Some(Frame::Closed(got)) => return assert_eq!(got, Some(code)),
            other => panic!("expected close {code}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn hello_identify_ready_and_heartbeats() {
    let cfg = FakeConfig {
        heartbeat_interval: Duration::from_millis(250),
        ..FakeConfig::default()
    };
    let fake = FakeDiscord::start_with(cfg).await;
    let mut gw = RawGateway::connect(&fake).await;
    assert_eq!(gw.recv_json().await["d"]["heartbeat_interval"], 250);
    gw.send(identify_frame(&format!("Bot {}", fake.token()), 1))
        .await;
    let ready = gw.recv_dispatch("READY").await;
    assert_eq!(
        (
            ready["s"].as_u64(),
            ready["d"]["resume_gateway_url"].as_str()
        ),
        (Some(1), Some(fake.gateway_url().as_str()))
    );
    assert_eq!(gw.recv_dispatch("GUILD_CREATE").await["s"], 2);
    let identify = &fake.gateway_log().identifies[0];
    assert_eq!(
        (identify["intents"].as_u64(), identify["shard"].clone()),
        (Some(1), serde_json::json!([0, 1]))
    );

    gw.send(heartbeat_frame(Some(2))).await;
    assert_eq!(gw.recv_json().await["op"], 11);
    fake.set_heartbeat_ack(false);
    gw.send(heartbeat_frame(Some(2))).await;
    assert!(
        gw.recv_within(QUIET).await.is_none(),
        "no ACK while withheld"
    );
    assert_eq!(fake.gateway_log().heartbeats, 2);
}

#[tokio::test]
async fn identify_is_refused_for_a_wrong_token_privileged_intents_or_twice() {
    let fake = FakeDiscord::start().await;
    let mut gw = RawGateway::connect(&fake).await;
    gw.recv_json().await;
    gw.send(identify_frame("not-the-token", 1)).await;
    expect_close(&mut gw, 4004).await;

    let mut gw = RawGateway::connect(&fake).await;
    gw.recv_json().await;
    gw.send(identify_frame(fake.token(), 1 | (1 << 15))).await;
    expect_close(&mut gw, 4014).await;

    let mut gw = RawGateway::connected(&fake).await;
    gw.send(identify_frame(fake.token(), 1)).await;
    expect_close(&mut gw, 4005).await;
}

#[tokio::test]
async fn other_opcodes_are_logged_and_unknown_ones_close_4001() {
    let fake = FakeDiscord::start().await;
    let mut gw = RawGateway::connected(&fake).await;
    let presence = serde_json::json!({
        "op": 3,
        "d": {"since": null, "activities": [], "status": "online", "afk": false},
    });
    gw.send(presence.clone()).await;
    assert!(
        gw.recv_within(QUIET).await.is_none(),
        "a presence update gets no answer"
    );
    assert_eq!(fake.gateway_log().other_frames, [presence]);
    assert!(fake.is_connected(), "and the session goes on");

    gw.send(serde_json::json!({"op": 42, "d": null})).await;
    expect_close(&mut gw, 4001).await;
    assert_eq!(fake.gateway_log().closes_sent, [Some(4001)]);
}

#[tokio::test]
async fn resume_replays_missed_dispatches_then_resumed() {
    let fake = FakeDiscord::start().await;
    let mut gw = RawGateway::connect(&fake).await;
    let frames = gw.identify(&fake, fake.token(), 1).await;
    let session = frames[0]["d"]["session_id"]
        .as_str()
        .expect("session id")
        .to_owned();
    let last_seen = frames.last().expect("frames")["s"].as_u64().expect("seq");

    assert!(fake.drop_connection());
    assert!(matches!(
        gw.recv_within(WAIT).await,
        Some(Frame::Ended) | None
    ));
    fake.wait_for_gateway("the drop", |g| g.disconnections == 1, WAIT)
        .await
        .expect("disconnected");
    // Dispatched while nobody listens: kept for the resume.
    let seq = fake
        .dispatch_event("GUILD_UPDATE_TEST", serde_json::json!({}))
        .expect("a session exists");
    assert_eq!(seq, last_seen + 1);

    let mut again = RawGateway::connect(&fake).await;
    again.recv_json().await;
    again
        .send(resume_frame(fake.token(), &session, last_seen))
        .await;
    let replayed = again.recv_json().await;
    assert_eq!(
        (replayed["t"].as_str(), replayed["s"].as_u64()),
        (Some("GUILD_UPDATE_TEST"), Some(seq))
    );
    let resumed = again.recv_json().await;
    assert_eq!(
        (resumed["t"].as_str(), resumed["s"].as_u64()),
        (Some("RESUMED"), Some(seq + 1))
    );
    assert!(fake.is_connected());
    assert_eq!(fake.gateway_log().resumed_sent, 1);

    let mut stranger = RawGateway::connect(&fake).await;
    stranger.recv_json().await;
    stranger
        .send(resume_frame(fake.token(), "no-such-session", 0))
        .await;
    assert_eq!(
        stranger.recv_json().await,
        serde_json::json!({"op": 9, "d": false, "s": null, "t": null})
    );
}

#[tokio::test]
async fn ending_faults_make_the_session_unresumable() {
    // Two identifies of shard 0 in quick succession, which Discord's 5 s rule would refuse.
    let fake = FakeDiscord::start_with(FakeConfig {
        identify_interval: Duration::ZERO,
        ..FakeConfig::default()
    })
    .await;
    for fault in ["close 4009", "op 9 false"] {
        let mut gw = RawGateway::connect(&fake).await;
        let frames = gw.identify(&fake, fake.token(), 1).await;
        let session = frames[0]["d"]["session_id"]
            .as_str()
            .expect("session")
            .to_owned();
        if fault == "close 4009" {
            assert!(fake.close_connection(4009));
            expect_close(&mut gw, 4009).await;
        } else {
            assert!(fake.invalidate_session(false));
            assert_eq!(gw.recv_json().await["op"], 9);
        }
        let mut again = RawGateway::connect(&fake).await;
        again.recv_json().await;
        again.send(resume_frame(fake.token(), &session, 2)).await;
        assert_eq!(
            again.recv_json().await["d"],
            false,
            "{fault}: resume refused"
        );
    }
    assert!(
        !fake.is_connected(),
        "an invalidated session is not a connected bot"
    );
    assert!(
        !fake.drop_connection(),
        "faults report when no bot is connected"
    );
}
