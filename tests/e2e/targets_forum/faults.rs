//! 429s (the route's and the global one) and 5xx on the two thread routes: a forum post and a
//! thread opened under a digest message are retried into exactly one.

use super::*;

/// A 429 for the route, a global 429, then a 502 and a 503 on `fragment`.
fn arm(fake: &FakeDiscord, fragment: &str) {
    fake.rate_limit("POST", fragment, 1, 0.3, false);
    fake.rate_limit("POST", fragment, 1, 0.3, true);
    fake.server_error("POST", fragment, 1, 502);
    fake.server_error("POST", fragment, 1, 503);
}

fn statuses(requests: &[RecordedRequest]) -> Vec<u16> {
    requests.iter().map(|r| r.status).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_server_errors_on_a_forum_post_still_make_one_post() {
    let fake = FakeDiscord::start_with(guild()).await;
    let route = format!("/channels/{FORUM}/threads");
    arm(&fake, &route);
    let config = digest("retried", FORUM, "target = \"forum\"\nforum_tags = true");
    let bot = Bot::launch(&fake, spec(&config));
    let fire = delivered(&bot, 1, FIRST_POST + WAIT).await[0];

    let tries = requests_to(&fake, "POST", &route);
    assert_eq!(statuses(&tries), [429, 429, 502, 503, 201], "{tries:#?}");
    assert!(tries.iter().all(|r| r.body == tries[0].body), "one post");
    // After each 5xx it looked for the post before sending it again.
    let looks = fake.requests_matching(|r| r.route().ends_with("/threads/active"));
    assert_eq!(looks.len(), 2, "{}", bot.logs());
    let posts = posts(&fake, FORUM);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert_eq!(posts[0].0, Some(fire));
    let logged = events(&bot.logs());
    let done = logged.iter().find(|e| message(e) == "digest delivered");
    let messages = done.unwrap()["fields"]["messages"].as_u64().unwrap() as usize;
    assert_eq!(
        follow_ups(&fake, &posts[0].1).len() + 1,
        messages,
        "all in the post"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_server_errors_on_opening_a_thread_still_open_one() {
    let fake = FakeDiscord::start_with(guild()).await;
    // Only the first message's thread meets the faults.
    let fragment = format!("/channels/{CHANNEL_ID}/messages/");
    arm(&fake, &fragment);
    let config = digest(
        "discuss",
        CHANNEL_ID,
        "target = \"thread\"\nopen_thread = true",
    );
    let bot = Bot::launch(&fake, spec(&config));
    delivered(&bot, 1, FIRST_POST + WAIT).await;

    let first = fake
        .channel_messages(CHANNEL_ID)
        .into_iter()
        .find(|m| m["webhook_id"].is_null())
        .unwrap();
    let route = format!("/channels/{CHANNEL_ID}/messages/{}/threads", id_of(&first));
    let tries = requests_to(&fake, "POST", &route);
    assert_eq!(statuses(&tries), [429, 429, 502, 503, 201], "{tries:#?}");
    let opened: Vec<Value> = fake
        .threads(CHANNEL_ID)
        .into_iter()
        .filter(|t| t["id"] == first["id"])
        .collect();
    assert_eq!(opened.len(), 1);
    let sends = requests_to(&fake, "POST", &format!("/channels/{CHANNEL_ID}/messages"));
    let mut nonces: Vec<&Value> = sends.iter().map(|r| r.json("nonce")).collect();
    nonces.dedup();
    assert_eq!(nonces.len(), sends.len(), "no message sent twice");
}
