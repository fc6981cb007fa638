//! What Discord refuses on forum posts, threads and webhooks, answered with Discord's codes.

use fake_discord::raw_client::rest as call;
use fake_discord::*;
use serde_json::{json, Value};

use super::targets::{config, tag, FORUM, STRICT_FORUM, TAGS, THREAD};

/// `(status, code)` of an answer, and the first field error's code if any (`errors.a.b._errors`).
pub fn refusal(answer: &(u16, reqwest::header::HeaderMap, Value)) -> (u16, Option<u64>) {
    (answer.0, answer.2["code"].as_u64())
}

fn field_code(body: &Value, path: &[&str]) -> String {
    let mut at = &body["errors"];
    for p in path {
        at = &at[*p];
    }
    at["_errors"][0]["code"].as_str().unwrap_or("").to_owned()
}

#[tokio::test]
async fn forum_posts_and_threads_refuse_what_discord_refuses() {
    let fake = FakeDiscord::start_with(config()).await;
    let posts = format!("/channels/{FORUM}/threads");
    let post = |name: Value, extra: Value| {
        let mut body = json!({"name": name, "message": {"content": "hi"}});
        if let Some(map) = extra.as_object() {
            for (k, v) in map {
                body[k] = v.clone();
            }
        }
        body
    };
    let too_long = call(
        &fake,
        "POST",
        &posts,
        Some(post(json!("x".repeat(101)), json!({}))),
    )
    .await;
    assert_eq!(refusal(&too_long), (400, Some(50035)), "{}", too_long.2);
    assert_eq!(field_code(&too_long.2, &["name"]), "BASE_TYPE_BAD_LENGTH");
    let empty = call(&fake, "POST", &posts, Some(post(json!(""), json!({})))).await;
    assert_eq!(refusal(&empty), (400, Some(50035)));
    let all: Vec<String> = TAGS.iter().map(|t| tag(&fake, t)).collect();
    let six = call(
        &fake,
        "POST",
        &posts,
        Some(post(json!("six"), json!({"applied_tags": all}))),
    )
    .await;
    assert_eq!(
        field_code(&six.2, &["applied_tags"]),
        "BASE_TYPE_MAX_LENGTH",
        "{}",
        six.2
    );
    let foreign = call(
        &fake,
        "POST",
        &posts,
        Some(post(json!("t"), json!({"applied_tags": ["12345"]}))),
    )
    .await;
    assert_eq!(refusal(&foreign), (400, Some(50035)), "a tag of no forum");
    let duration = call(
        &fake,
        "POST",
        &posts,
        Some(post(json!("d"), json!({"auto_archive_duration": 30}))),
    )
    .await;
    assert_eq!(refusal(&duration), (400, Some(50035)));
    let long_message = json!({"name": "m", "message": {"content": "x".repeat(2001)}});
    let answer = call(&fake, "POST", &posts, Some(long_message)).await;
    assert_eq!(
        field_code(&answer.2, &["message", "content"]),
        "INVALID",
        "{}",
        answer.2
    );
    let no_message = call(&fake, "POST", &posts, Some(json!({"name": "m"}))).await;
    assert_eq!(
        field_code(&no_message.2, &["message"]),
        "BASE_TYPE_REQUIRED"
    );
    let untagged = format!("/channels/{STRICT_FORUM}/threads");
    let answer = call(&fake, "POST", &untagged, Some(post(json!("u"), json!({})))).await;
    assert_eq!(refusal(&answer), (400, Some(40067)));
    let messages_in_forum = format!("/channels/{FORUM}/messages");
    let answer = call(
        &fake,
        "POST",
        &messages_in_forum,
        Some(json!({"content": "x"})),
    )
    .await;
    assert_eq!(refusal(&answer), (400, Some(50008)));
    assert!(
        fake.threads(FORUM).is_empty(),
        "nothing refused was created"
    );

    let five = json!({"applied_tags": all[..5]});
    let answer = call(
        &fake,
        "POST",
        &posts,
        Some(post(json!("x".repeat(100)), five)),
    )
    .await;
    assert_eq!(answer.0, 201, "{}", answer.2);
    assert_eq!(answer.2["applied_tags"].as_array().map(Vec::len), Some(5));

    // Threads under a message.
    let (_, _, msg) = call(
        &fake,
        "POST",
        &format!("/channels/{CHANNEL_ID}/messages"),
        Some(json!({"content": "d"})),
    )
    .await;
    let from = |id: &str| format!("/channels/{CHANNEL_ID}/messages/{id}/threads");
    let id = msg["id"].as_str().unwrap();
    let unknown = call(&fake, "POST", &from("1"), Some(json!({"name": "t"}))).await;
    assert_eq!(refusal(&unknown), (404, Some(10008)));
    let named = call(
        &fake,
        "POST",
        &from(id),
        Some(json!({"name": "x".repeat(101)})),
    )
    .await;
    assert_eq!(refusal(&named), (400, Some(50035)));
    assert_eq!(
        call(&fake, "POST", &from(id), Some(json!({"name": "t"})))
            .await
            .0,
        201
    );
    let second = call(&fake, "POST", &from(id), Some(json!({"name": "t2"}))).await;
    assert_eq!(refusal(&second), (400, Some(160004)));
    assert_eq!(
        second.2["message"],
        "A thread has already been created for this message"
    );
}

#[tokio::test]
async fn webhooks_refuse_what_discord_refuses() {
    let fake = FakeDiscord::start_with(config()).await;
    let hooks = format!("/channels/{SECOND_CHANNEL_ID}/webhooks");
    for (name, code) in [
        ("Clyde News", "USERNAME_INVALID_CONTAINS"),
        ("my DISCORD digest", "USERNAME_INVALID_CONTAINS"),
        ("", "BASE_TYPE_BAD_LENGTH"),
        (&"x".repeat(81), "BASE_TYPE_BAD_LENGTH"),
    ] {
        let answer = call(&fake, "POST", &hooks, Some(json!({"name": name}))).await;
        assert_eq!(refusal(&answer), (400, Some(50035)), "{name}");
        assert_eq!(field_code(&answer.2, &["name"]), code, "{name}");
    }
    let mut made = Vec::new();
    for i in 0..15 {
        let name = format!("{i}{}", "x".repeat(79 - i.to_string().len()));
        let answer = call(&fake, "POST", &hooks, Some(json!({"name": name}))).await;
        assert_eq!(answer.0, 200, "{}", answer.2);
        made.push(answer.2);
    }
    let sixteenth = call(&fake, "POST", &hooks, Some(json!({"name": "one more"}))).await;
    assert_eq!(refusal(&sixteenth), (400, Some(30007)));
    assert_eq!(fake.webhooks(SECOND_CHANNEL_ID).len(), 15);

    // Executed with the token alone; a wrong token, a deleted webhook.
    let url = |hook: &Value, token: &str| {
        format!(
            "{}/api/v10/webhooks/{}/{token}",
            fake.base_url(),
            hook["id"].as_str().unwrap()
        )
    };
    let execute = |url: String, body: Value| async move {
        let resp = reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .expect("answer");
        let status = resp.status().as_u16();
        (status, resp.json::<Value>().await.unwrap_or(Value::Null))
    };
    let hook = &made[0];
    let token = hook["token"].as_str().unwrap();
    let plain = json!({"content": "digest"});
    assert_eq!(execute(url(hook, token), plain.clone()).await.0, 204);
    let (status, msg) = execute(format!("{}?wait=true", url(hook, token)), plain.clone()).await;
    assert_eq!((status, &msg["author"]["username"]), (200, &hook["name"]));
    let (status, body) = execute(url(hook, "wrong"), plain.clone()).await;
    assert_eq!((status, body["code"].as_u64()), (401, Some(50027)));
    for bad in ["clyde", "Discord Brief", ""] {
        let (status, body) =
            execute(url(hook, token), json!({"content": "x", "username": bad})).await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (400, Some(50035)),
            "username {bad:?}"
        );
    }
    let (status, _) = execute(
        url(hook, token),
        json!({"content": "x", "thread_name": "t"}),
    )
    .await;
    assert_eq!(status, 400, "thread_name outside a forum");
    let (status, body) = execute(
        format!("{}?thread_id={THREAD}", url(hook, token)),
        plain.clone(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (404, Some(10003)),
        "a thread of another channel"
    );
    assert!(fake.delete_webhook(hook["id"].as_str().unwrap().parse().unwrap()));
    let (status, body) = execute(url(hook, token), plain.clone()).await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(10015)));
    let other = format!("/webhooks/{}", made[1]["id"].as_str().unwrap());
    assert_eq!(call(&fake, "DELETE", &other, None).await.0, 204);
    assert_eq!(
        refusal(&call(&fake, "DELETE", &other, None).await),
        (404, Some(10015))
    );

    // A forum needs a thread_name or a thread_id, not both; tags as for a post.
    let forum_hook = call(
        &fake,
        "POST",
        &format!("/channels/{FORUM}/webhooks"),
        Some(json!({"name": "f"})),
    )
    .await
    .2;
    let forum_url = url(&forum_hook, forum_hook["token"].as_str().unwrap());
    let (status, body) = execute(forum_url.clone(), plain.clone()).await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(220001)));
    assert_eq!(
        body["message"],
        "Webhooks posted to forum channels must have a thread_name or thread_id"
    );
    let named = json!({"content": "x", "thread_name": "x".repeat(101)});
    assert_eq!(execute(forum_url.clone(), named).await.0, 400);
    let (status, post) = execute(
        format!("{forum_url}?wait=true"),
        json!({"content": "x", "thread_name": "p"}),
    )
    .await;
    assert_eq!(status, 200);
    let both = format!(
        "{forum_url}?thread_id={}",
        post["channel_id"].as_str().unwrap()
    );
    let (status, body) = execute(both, json!({"content": "x", "thread_name": "p"})).await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(220002)));
    // Editing a message in a post without its thread_id does not find it, as on Discord.
    let edit = format!(
        "/webhooks/{}/{}/messages/{}",
        forum_hook["id"].as_str().unwrap(),
        forum_hook["token"].as_str().unwrap(),
        post["id"].as_str().unwrap()
    );
    assert_eq!(
        refusal(&call(&fake, "PATCH", &edit, Some(json!({"content": "y"}))).await),
        (404, Some(10008))
    );
    let in_thread = format!("{edit}?thread_id={}", post["channel_id"].as_str().unwrap());
    assert_eq!(
        call(&fake, "PATCH", &in_thread, Some(json!({"content": "y"})))
            .await
            .0,
        200
    );
}
