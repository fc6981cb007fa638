//! Messages through the fake behave like Discord's: one callback per interaction within the
//! deadline, message and autocomplete limits, deferred answers completed by editing `@original`,
//! and channel messages deduplicated by `enforce_nonce`.

use std::time::Duration;

use fake_discord::bare_bot::http_for as http;
use fake_discord::raw_client::{rest as call, RawGateway};
use fake_discord::*;
use serde_json::{json, Value};
use serenity::all::{ChannelId, CreateAttachment};

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn interaction_callbacks_follow_discords_rules() {
    let cfg = FakeConfig {
        interaction_deadline: Duration::from_millis(300),
        ..FakeConfig::default()
    };
    let fake = FakeDiscord::start_with(cfg).await;
    let _gw = RawGateway::connected(&fake).await;
    let callback = |ix: &Injected| format!("/interactions/{}/{}/callback", ix.id, ix.token);
    let followup = |ix: &Injected| format!("/webhooks/{APPLICATION_ID}/{}", ix.token);

    let ix = fake.command("brief").send().await;
    let (status, _, body) = call(
        &fake,
        "POST",
        &followup(&ix),
        Some(json!({"content": "early"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (404, Some(10015)),
        "follow-up before the callback"
    );
    let too_long = json!({"type": 4, "data": {"content": "x".repeat(2001)}});
    assert_eq!(
        call(&fake, "POST", &callback(&ix), Some(too_long)).await.0,
        400
    );
    let empty = json!({"type": 4, "data": {"content": ""}});
    assert_eq!(
        call(&fake, "POST", &callback(&ix), Some(empty)).await.0,
        400
    );
    let exact = json!({"type": 4, "data": {"content": "x".repeat(2000)}});
    assert_eq!(
        call(&fake, "POST", &callback(&ix), Some(exact)).await.0,
        204
    );
    let (status, _, body) = call(
        &fake,
        "POST",
        &callback(&ix),
        Some(json!({"type": 4, "data": {"content": "again"}})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(40060)),
        "second callback"
    );
    assert_eq!(
        call(
            &fake,
            "POST",
            &followup(&ix),
            Some(json!({"content": "more"}))
        )
        .await
        .0,
        200
    );
    let view = fake.interaction(&ix);
    assert_eq!(
        view.contents()
            .iter()
            .map(|c| c.chars().count())
            .collect::<Vec<_>>(),
        [2000, 4]
    );

    let ac = fake.autocomplete("brief", "briefing").send().await;
    let (status, _, _) = call(
        &fake,
        "POST",
        &callback(&ac),
        Some(json!({"type": 4, "data": {"content": "no"}})),
    )
    .await;
    assert_eq!(status, 400, "autocomplete only takes type 8");
    let choices: Vec<Value> = (0..26)
        .map(|i| json!({"name": format!("b{i}"), "value": format!("b{i}")}))
        .collect();
    let (status, _, _) = call(
        &fake,
        "POST",
        &callback(&ac),
        Some(json!({"type": 8, "data": {"choices": choices}})),
    )
    .await;
    assert_eq!(status, 400, "26 choices");
    let (status, _, _) = call(
        &fake,
        "POST",
        &callback(&ac),
        Some(json!({"type": 8, "data": {"choices": choices[..25]}})),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(fake.interaction(&ac).choices().len(), 25);

    let late = fake.command("brief").send().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, _, body) = call(&fake, "POST", &callback(&late), Some(json!({"type": 5}))).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (404, Some(10062)),
        "past the deadline"
    );
}

#[tokio::test]
async fn deferred_answers_complete_by_editing_the_original() {
    let fake = FakeDiscord::start().await;
    let _gw = RawGateway::connected(&fake).await;
    let ix = fake.command("search").option("query", "rates").send().await;
    let cb = format!("/interactions/{}/{}/callback", ix.id, ix.token);
    assert_eq!(
        call(
            &fake,
            "POST",
            &cb,
            Some(json!({"type": 5, "data": {"flags": 64}}))
        )
        .await
        .0,
        204
    );
    assert!(!fake.interaction(&ix).is_answered(), "still thinking");
    let original = format!("/webhooks/{APPLICATION_ID}/{}/messages/@original", ix.token);
    let (status, _, msg) = call(
        &fake,
        "PATCH",
        &original,
        Some(json!({"content": "**rates** found"})),
    )
    .await;
    assert_eq!(
        (status, msg["flags"].as_u64()),
        (200, Some(64)),
        "loading flag cleared, ephemeral kept"
    );
    let view = fake.wait_for_answer(&ix, WAIT).await.expect("answered");
    assert!(view.is_ephemeral());
    assert_eq!(view.contents(), ["**rates** found"]);
}

#[tokio::test]
async fn channel_messages_honour_enforce_nonce_and_multipart() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);
    let channel = ChannelId::new(SECOND_CHANNEL_ID);
    let send = |body: Value| {
        let http = &http;
        async move {
            http.send_message(channel, vec![], &body)
                .await
                .expect("sent")
                .id
        }
    };
    let first = send(json!({"content": "digest", "nonce": "d1-2024", "enforce_nonce": true})).await;
    assert_eq!(
        send(json!({"content": "digest", "nonce": "d1-2024", "enforce_nonce": true})).await,
        first
    );
    assert_ne!(
        send(json!({"content": "digest", "nonce": "d1-2024"})).await,
        first,
        "without enforce_nonce"
    );
    assert_ne!(
        send(json!({"content": "digest", "nonce": "d2-2024", "enforce_nonce": true})).await,
        first
    );
    assert_eq!(fake.channel_messages(SECOND_CHANNEL_ID).len(), 3);

    let file = CreateAttachment::bytes(b"hello".to_vec(), "brief.md");
    http.send_message(channel, vec![file], &json!({"content": "with a file"}))
        .await
        .expect("multipart");
    let last = fake.requests().pop().expect("recorded");
    assert_eq!(
        last.json("content"),
        "with a file",
        "payload_json is read from multipart"
    );

    let unknown = http
        .send_message(ChannelId::new(1), vec![], &json!({"content": "x"}))
        .await;
    assert!(format!("{:?}", unknown.expect_err("unknown channel")).contains("10003"));
}

#[tokio::test]
async fn messages_report_who_would_be_pinged() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);
    let channel = ChannelId::new(CHANNEL_ID);
    let text = format!("@everyone see <@&{MODERATOR_ROLE_ID}> and <@!{MEMBER_USER_ID}>");
    let send = |allowed: Option<Value>| {
        let (http, text) = (&http, text.clone());
        async move {
            let mut body = json!({ "content": text });
            if let Some(a) = allowed {
                body["allowed_mentions"] = a;
            }
            http.send_message(channel, vec![], &body)
                .await
                .expect("sent")
        }
    };
    let loud = send(None).await;
    assert!(loud.mention_everyone);
    assert_eq!(loud.mention_roles.len(), 1);
    assert_eq!(loud.mentions[0].name, "pat-member");

    let quiet = send(Some(json!({"parse": []}))).await;
    assert!(!quiet.mention_everyone && quiet.mention_roles.is_empty() && quiet.mentions.is_empty());

    let only_user = send(Some(
        json!({"parse": [], "users": [MEMBER_USER_ID.to_string()]}),
    ))
    .await;
    assert!(!only_user.mention_everyone && only_user.mention_roles.is_empty());
    assert_eq!(only_user.mentions.len(), 1);
}

#[tokio::test]
async fn channel_messages_are_edited_in_place_with_the_limits_of_a_create() {
    let fake = FakeDiscord::start().await;
    let posted = format!("/channels/{CHANNEL_ID}/messages");
    let (status, _, msg) = call(
        &fake,
        "POST",
        &posted,
        Some(json!({"content": "**digest**", "embeds": [{"description": "old"}]})),
    )
    .await;
    assert_eq!(status, 200);
    let id = msg["id"].as_str().unwrap().to_string();
    let edit = format!("/channels/{CHANNEL_ID}/messages/{id}");

    let (status, _, edited) = call(
        &fake,
        "PATCH",
        &edit,
        Some(json!({"content": "**digest**\n-# Updated", "embeds": [], "allowed_mentions": {"parse": []}})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["embeds"], json!([]));
    assert!(edited["edited_timestamp"].is_string());
    let stored = fake.message(id.parse().unwrap()).unwrap();
    assert_eq!(stored["content"], "**digest**\n-# Updated");

    let too_long = "x".repeat(2001);
    let (status, _, error) = call(&fake, "PATCH", &edit, Some(json!({"content": too_long}))).await;
    assert_eq!(
        (status, error["code"].as_u64()),
        (400, Some(50035)),
        "{error}"
    );
    let elsewhere = format!("/channels/{SECOND_CHANNEL_ID}/messages/{id}");
    let (status, _, error) = call(&fake, "PATCH", &elsewhere, Some(json!({"content": "x"}))).await;
    assert_eq!((status, error["code"].as_u64()), (404, Some(10008)));
}
