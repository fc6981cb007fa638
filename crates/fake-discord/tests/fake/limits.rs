//! Discord's rate limits, enforced when the config asks: the global limit over everything the
//! bot token authorises (interaction routes exempt), each channel's message bucket, Discord's
//! documented 429, the bucket headers on success, and the count of 429s a test asserts on.
//! Windows are long here so that the counts do not depend on how fast the machine is.

use std::time::Duration;

use fake_discord::raw_client::rest as call;
use fake_discord::*;
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

fn limited(global: u32, channel_messages: u32, window: Duration) -> FakeConfig {
    FakeConfig {
        rate_limits: Some(RateLimits {
            global,
            global_window: window,
            channel_messages,
            channel_window: window,
        }),
        ..FakeConfig::default()
    }
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// The bucket headers, parsed to the types serenity's ratelimiter reads them as (limit and
/// remaining `i64`, reset and reset-after `f64`): (limit, remaining, reset-after).
fn bucket(headers: &HeaderMap) -> (i64, i64, f64) {
    let reset: f64 = header(headers, "x-ratelimit-reset").parse().unwrap();
    assert!(reset > 1.7e9, "a Unix time in seconds: {reset}");
    assert_eq!(
        header(headers, "x-ratelimit-bucket"),
        CHANNEL_MESSAGES_BUCKET
    );
    (
        header(headers, "x-ratelimit-limit").parse().unwrap(),
        header(headers, "x-ratelimit-remaining").parse().unwrap(),
        header(headers, "x-ratelimit-reset-after").parse().unwrap(),
    )
}

fn message() -> Option<Value> {
    Some(json!({"content": "hi"}))
}

#[tokio::test]
async fn the_global_limit_answers_discords_429_and_spares_interaction_routes() {
    let fake = FakeDiscord::start_with(limited(3, 100, Duration::from_secs(60))).await;
    for _ in 0..3 {
        assert_eq!(call(&fake, "GET", "/users/@me", None).await.0, 200);
    }
    let (status, headers, body) = call(&fake, "GET", "/oauth2/applications/@me", None).await;
    assert_eq!(status, 429);
    let retry_after = body["retry_after"].as_f64().expect("retry_after");
    assert!(retry_after > 59.0 && retry_after <= 60.0, "{body}");
    assert_eq!(
        body,
        json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": true})
    );
    assert_eq!(header(&headers, "retry-after"), "60");
    assert_eq!(header(&headers, "x-ratelimit-global"), "true");
    assert_eq!(header(&headers, "x-ratelimit-scope"), "global");
    // A refused message is not created and does not use the channel's bucket.
    let route = format!("/channels/{CHANNEL_ID}/messages");
    assert_eq!(call(&fake, "POST", &route, message()).await.0, 429);
    assert!(fake.channel_messages(CHANNEL_ID).is_empty());
    // Interaction answers are authorised by their token and exempt: Discord's own error here.
    let (status, _, body) = call(&fake, "POST", "/interactions/1/nope/callback", None).await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(10062)));
    assert_eq!(
        fake.rate_limited(),
        RateLimitCounts {
            global: 2,
            channel: 0
        }
    );
}

#[tokio::test]
async fn a_channel_bucket_counts_down_then_refuses_that_channel_only() {
    let fake = FakeDiscord::start_with(limited(100, 3, Duration::from_secs(60))).await;
    let route = format!("/channels/{CHANNEL_ID}/messages");
    for remaining in [2, 1, 0] {
        let (status, headers, _) = call(&fake, "POST", &route, message()).await;
        assert_eq!(status, 200);
        assert_eq!(bucket(&headers), (3, remaining, 60.0));
    }
    let (status, headers, body) = call(&fake, "POST", &route, message()).await;
    assert_eq!((status, body["global"].as_bool()), (429, Some(false)));
    assert_eq!(body["message"], "You are being rate limited.");
    let (limit, remaining, reset_after) = bucket(&headers);
    assert_eq!((limit, remaining), (3, 0));
    assert_eq!(Some(reset_after), body["retry_after"].as_f64());
    assert_eq!(header(&headers, "x-ratelimit-scope"), "user");
    assert!(headers.get("x-ratelimit-global").is_none());
    assert_eq!(fake.channel_messages(CHANNEL_ID).len(), 3);
    let other = format!("/channels/{SECOND_CHANNEL_ID}/messages");
    assert_eq!(call(&fake, "POST", &other, message()).await.0, 200);
    assert_eq!(
        fake.rate_limited(),
        RateLimitCounts {
            global: 0,
            channel: 1
        }
    );
}

#[tokio::test]
async fn waiting_retry_after_is_enough() {
    let fake = FakeDiscord::start_with(limited(2, 100, Duration::from_millis(300))).await;
    let mut refused = None;
    for _ in 0..20 {
        let (status, _, body) = call(&fake, "GET", "/users/@me", None).await;
        if status == 429 {
            refused = body["retry_after"].as_f64();
            break;
        }
    }
    let wait = refused.expect("a 429 within 20 quick requests");
    tokio::time::sleep(Duration::from_secs_f64(wait)).await;
    assert_eq!(call(&fake, "GET", "/users/@me", None).await.0, 200);
}

#[tokio::test]
async fn limits_are_off_unless_asked_for() {
    let fake = FakeDiscord::start().await;
    let route = format!("/channels/{CHANNEL_ID}/messages");
    for _ in 0..60 {
        let (status, headers, _) = call(&fake, "POST", &route, message()).await;
        assert_eq!(status, 200);
        assert!(headers.get("x-ratelimit-remaining").is_none());
    }
    assert_eq!(fake.rate_limited().total(), 0);
}
