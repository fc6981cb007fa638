//! The faults a bot killed mid-request meets on the routes that take no nonce: an answer held
//! back after a forum post or a webhook execution took effect leaves exactly one; a 429 or a
//! request that never arrived leaves none.

use std::time::Duration;

use fake_discord::raw_client::rest as call;
use fake_discord::*;
use serde_json::{json, Value};

use super::targets::{config, FORUM};

/// A raw POST whose answer the client gives up on, as a bot killed mid-request would.
async fn abandoned(fake: &FakeDiscord, route: &str, body: Value, with_token: bool) {
    let mut req = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .expect("client")
        .post(format!("{}/api/v10{route}", fake.base_url()))
        .header("content-type", "application/json")
        .body(body.to_string());
    if with_token {
        req = req.header("authorization", format!("Bot {}", fake.token()));
    }
    assert!(req.send().await.is_err(), "the answer is held back");
}

#[tokio::test]
async fn a_stalled_post_or_execution_still_lands_exactly_once() {
    let fake = FakeDiscord::start_with(config()).await;
    let stall = Duration::from_millis(500);
    fake.stall_after_create("POST", "/threads", 1, stall);
    let post = json!({"name": "Sahel", "message": {"content": "first", "nonce": "n"}});
    abandoned(&fake, &format!("/channels/{FORUM}/threads"), post, true).await;
    assert_eq!(fake.threads(FORUM).len(), 1);
    let recorded = fake.requests().pop().expect("recorded");
    assert_eq!(
        (recorded.route(), recorded.status),
        (format!("/channels/{FORUM}/threads").as_str(), 201)
    );

    let (_, _, hook) = call(
        &fake,
        "POST",
        &format!("/channels/{SECOND_CHANNEL_ID}/webhooks"),
        Some(json!({"name": "Brief"})),
    )
    .await;
    let execute = format!(
        "/webhooks/{}/{}?wait=true",
        hook["id"].as_str().unwrap(),
        hook["token"].as_str().unwrap()
    );
    fake.stall_after_create("POST", "/webhooks/", 1, stall);
    abandoned(&fake, &execute, json!({"content": "digest"}), false).await;
    assert_eq!(fake.channel_messages(SECOND_CHANNEL_ID).len(), 1);

    // The two faults that must not take effect: a 429 and a send that never arrived.
    fake.rate_limit("POST", "/threads", 1, 0.5, false);
    let post = json!({"name": "Again", "message": {"content": "second"}});
    let (status, _, _) = call(
        &fake,
        "POST",
        &format!("/channels/{FORUM}/threads"),
        Some(post.clone()),
    )
    .await;
    assert_eq!(status, 429);
    fake.stall_before_create("POST", "/threads", 1, Duration::from_millis(10));
    let (status, _, _) = call(
        &fake,
        "POST",
        &format!("/channels/{FORUM}/threads"),
        Some(post),
    )
    .await;
    assert_eq!(status, 503);
    assert_eq!(fake.threads(FORUM).len(), 1);
}
