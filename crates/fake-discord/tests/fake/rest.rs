//! The fake's REST side behaves like Discord where a bot can go wrong: auth, unknown routes,
//! command scopes and validation, and the 429/5xx faults later tests inject.

use std::time::Duration;

use fake_discord::bare_bot::http_for as http;
use fake_discord::raw_client::rest as call;
use fake_discord::*;
use serde_json::{json, Value};
use serenity::all::GuildId;

fn command(name: &str) -> Value {
    json!({"name": name, "description": format!("The {name} command"), "type": 1})
}

#[tokio::test]
async fn unauthorized_and_unknown_routes_answer_like_discord() {
    let fake = FakeDiscord::start().await;
    let anonymous = reqwest::get(format!("{}/api/v10/users/@me", fake.base_url()))
        .await
        .expect("answer");
    assert_eq!(anonymous.status().as_u16(), 401);
    let (status, _, body) = call(&fake, "GET", "/no/such/route", None).await;
    assert_eq!(
        (status, body),
        (404, json!({"code": 0, "message": "404: Not Found"}))
    );
    let seen: Vec<(String, u16)> = fake
        .requests()
        .iter()
        .map(|r| (r.route().to_owned(), r.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("/users/@me".to_owned(), 401),
            ("/no/such/route".to_owned(), 404)
        ]
    );
    // The query string is recorded apart from the path, which routing looks at alone.
    let (status, _, _) = call(&fake, "GET", "/gateway?v=10", None).await;
    assert_eq!(status, 200);
    let last = fake.requests().pop().expect("recorded");
    assert_eq!(
        (last.route(), last.query.as_deref()),
        ("/gateway", Some("v=10"))
    );
}

#[tokio::test]
async fn commands_are_kept_per_scope_with_stable_ids() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);
    let guild = GuildId::new(GUILD_ID);
    let first = http
        .create_guild_commands(guild, &json!([command("brief"), command("search")]))
        .await
        .expect("put");
    assert_eq!(
        fake.registered_command_names(Scope::Guild(GUILD_ID)),
        ["brief", "search"]
    );
    assert_eq!(fake.scopes_with_commands(), [Scope::Guild(GUILD_ID)]);

    let second = http
        .create_guild_commands(guild, &json!([command("brief")]))
        .await
        .expect("overwrite");
    assert_eq!(second[0].id, first[0].id, "same name keeps its id");
    assert_ne!(second[0].version, first[0].version);
    assert_eq!(
        fake.registered_command_names(Scope::Guild(GUILD_ID)),
        ["brief"]
    );

    http.create_global_commands(&json!([command("brief")]))
        .await
        .expect("global");
    assert_eq!(
        fake.scopes_with_commands(),
        [Scope::Global, Scope::Guild(GUILD_ID)]
    );
    http.create_global_commands(&json!([]))
        .await
        .expect("clear global");
    http.delete_guild_command(guild, second[0].id)
        .await
        .expect("delete");
    assert!(fake.scopes_with_commands().is_empty());

    let (status, _, body) = call(&fake, "PUT", "/applications/1/commands", Some(json!([]))).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (403, Some(50001)),
        "another application's commands"
    );
    let (status, _, _) = call(
        &fake,
        "PUT",
        &format!("/applications/{APPLICATION_ID}/guilds/1/commands"),
        Some(json!([])),
    )
    .await;
    assert_eq!(status, 403, "a guild the bot is not in");
}

#[tokio::test]
async fn command_validation_refuses_what_discord_refuses() {
    let fake = FakeDiscord::start().await;
    let route = format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
    let optional = json!({"type": 3, "name": "a", "description": "a"});
    let required = json!({"type": 3, "name": "b", "description": "b", "required": true});
    let cases = [
        ("uppercase name", json!([command("Brief")])),
        ("space in name", json!([command("whats next")])),
        (
            "French locale spelled fr-FR",
            json!([{"name": "brief", "description": "d", "name_localizations": {"fr-FR": "resume"}}]),
        ),
        (
            "long description",
            json!([{"name": "brief", "description": "x".repeat(101)}]),
        ),
        (
            "required after optional",
            json!([{"name": "brief", "description": "d", "options": [optional, required]}]),
        ),
        (
            "duplicate names",
            json!([command("brief"), command("brief")]),
        ),
    ];
    for (what, body) in cases {
        let (status, _, answer) = call(&fake, "PUT", &route, Some(body)).await;
        assert_eq!(
            (status, answer["code"].as_u64()),
            (400, Some(50035)),
            "{what}: {answer}"
        );
    }
    let (status, _, _) = call(&fake, "PUT", &route, Some(json!([command("whats-next")]))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn faults_answer_429_and_5xx_the_requested_number_of_times() {
    let fake = FakeDiscord::start().await;
    let route = format!("/channels/{CHANNEL_ID}/messages");
    let msg = || Some(json!({"content": "hi"}));
    fake.rate_limit("POST", "/messages", 2, 1.5, false);
    for _ in 0..2 {
        let (status, headers, body) = call(&fake, "POST", &route, msg()).await;
        assert_eq!(
            (
                status,
                body["retry_after"].as_f64(),
                body["global"].as_bool()
            ),
            (429, Some(1.5), Some(false))
        );
        assert_eq!(headers["retry-after"], "2");
        assert!(headers.get("x-ratelimit-global").is_none());
    }
    assert_eq!(call(&fake, "POST", &route, msg()).await.0, 200);

    fake.rate_limit("*", "", 1, 0.25, true);
    let (status, headers, body) = call(&fake, "GET", "/users/@me", None).await;
    assert_eq!((status, body["global"].as_bool()), (429, Some(true)));
    assert_eq!(
        (
            &headers["x-ratelimit-global"],
            &headers["x-ratelimit-scope"]
        ),
        (&"true".parse().unwrap(), &"global".parse().unwrap())
    );

    fake.server_error("GET", "/users/@me", 2, 502);
    assert_eq!(call(&fake, "GET", "/users/@me", None).await.0, 502);
    assert_eq!(call(&fake, "GET", "/users/@me", None).await.0, 502);
    assert_eq!(call(&fake, "GET", "/users/@me", None).await.0, 200);

    fake.fail_gateway_lookup();
    let http = http(&fake);
    assert!(http.get_gateway().await.is_err());
    assert!(http.get_bot_gateway().await.is_err());
    fake.clear_faults();
    assert_eq!(
        http.get_gateway().await.expect("gateway again").url,
        fake.gateway_url()
    );
}

#[tokio::test]
async fn a_failed_wait_lists_what_was_recorded() {
    let fake = FakeDiscord::start().await;
    call(&fake, "GET", "/users/@me", None).await;
    let err = fake
        .wait_for(
            |r| r.path.ends_with("/callback"),
            Duration::from_millis(100),
        )
        .await
        .expect_err("nothing matches");
    let text = format!("{err:?}");
    assert!(
        text.contains("GET /api/v10/users/@me -> 200") && text.contains("gateway: 0 connection(s)"),
        "{text}"
    );
}
