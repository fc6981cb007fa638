//! Feeds end to end: the real `briefbot run` reads feeds from an HTTP server the test starts on
//! 127.0.0.1 and serves their items through every command and digests; a failing feed shows in
//! `/briefbot status` and `/metrics` and alerts the guild once, and once more on recovery.

use crate::support::{
    free_port, metrics_containing, ops_config, shipped_briefings, text_of, Bot, WAIT,
};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use fake_discord::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A feed the test rewrites: `None` answers 500.
type Served = Arc<Mutex<Option<String>>>;

async fn serve(body: Served) -> String {
    let router = Router::new().route(
        "/feed.xml",
        get(move || {
            let body = body.lock().unwrap().clone();
            async move {
                let response: Response = match body {
                    Some(b) => ([("content-type", "application/rss+xml")], b).into_response(),
                    None => (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response(),
                };
                response
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/feed.xml")
}

fn rss(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, text)| {
            format!(
                "<item><title>{title}</title><guid>{guid}</guid>\
                 <link>https://desk.example.org/{guid}</link>\
                 <pubDate>Mon, 30 Nov 2026 09:00:00 GMT</pubDate>\
                 <description>&lt;p&gt;{text}&lt;/p&gt;</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Desk</title>\
         <link>https://desk.example.org/</link><description>d</description>{items}</channel></rss>"
    )
}

async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn admin(fake: &FakeDiscord, command: &str) -> Vec<String> {
    let ix = fake.command(command).user(ADMIN_USER_ID).send().await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    view.contents()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_item_is_served_by_brief_search_and_a_digest_within_one_poll() {
    let body: Served = Arc::new(Mutex::new(Some(rss(&[(
        "talks",
        "Niamey talks resume",
        "Negotiators returned on Thursday.",
    )]))));
    let url = serve(Arc::clone(&body)).await;
    let fake = FakeDiscord::start().await;
    let config = format!(
        "[[feed]]\nname = \"desk\"\nurl = \"{url}\"\npoll = \"1h\"\ntags = [\"deskfeed\"]\n\n\
         [[digest]]\nname = \"desk\"\nchannel_id = {CHANNEL_ID}\nschedule = \"*/2 * * * * *\"\n\
         tags = [\"deskfeed\"]\nmax_briefings = 1\n"
    );
    let bot = Bot::start(&fake, &shipped_briefings(), &config).await;

    // The digest carries it: it was read at start-up.
    eventually("the digest posts the feed item", || {
        let posted = serde_json::to_string(&fake.channel_messages(CHANNEL_ID)).unwrap();
        posted.contains("Niamey talks resume").then_some(())
    })
    .await;
    let file = std::fs::read_dir(bot.briefings_dir().join("feeds/desk"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .find(|n| n.ends_with(".md"))
        .unwrap();
    let id = format!("feeds/desk/{}", file.trim_end_matches(".md"));

    let ix = fake
        .command("brief")
        .option("briefing", id.as_str())
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(
        text_of(&view).contains("Negotiators returned on Thursday."),
        "{:?}",
        view.contents()
    );

    // A new item, and an admin's reload polls at once (the feed's period is an hour).
    *body.lock().unwrap() = Some(rss(&[
        (
            "talks",
            "Niamey talks resume",
            "Negotiators returned on Thursday.",
        ),
        (
            "floods",
            "Niger river floods recede",
            "Waters fell in Niamey overnight.",
        ),
    ]));
    admin(&fake, "briefbot reload").await;
    let mut found = String::new();
    for _ in 0..100 {
        let ix = fake
            .command("search")
            .option("query", "river floods recede")
            .send()
            .await;
        let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
        found = serde_json::to_string(&crate::support::embeds(&view)).unwrap();
        if found.contains("Niger river floods recede") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(found.contains("Niger river floods recede"), "{found}");

    // The publisher corrects the item: the digest message that carried it is edited.
    *body.lock().unwrap() = Some(rss(&[
        (
            "talks",
            "Niamey talks resume",
            "Negotiators returned on Friday.",
        ),
        (
            "floods",
            "Niger river floods recede",
            "Waters fell in Niamey overnight.",
        ),
    ]));
    admin(&fake, "briefbot reload").await;
    let is_edit = |r: &RecordedRequest| {
        r.method == "PATCH"
            && r.route()
                .starts_with(&format!("/channels/{CHANNEL_ID}/messages/"))
    };
    let edit = fake
        .wait_for(is_edit, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(
        edit.body_text.contains("Negotiators returned on Friday."),
        "{}",
        edit.body_text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_feed_shows_in_status_and_metrics_and_alerts_once_then_on_recovery() {
    let body: Served = Arc::new(Mutex::new(None));
    let url = serve(Arc::clone(&body)).await;
    let fake = FakeDiscord::start().await;
    let port = free_port();
    let config = format!(
        "{}[feeds]\nalert_after = \"0s\"\n\n[[guild]]\nid = {GUILD_ID}\nalert_channel_id = {SECOND_CHANNEL_ID}\n\n\
         [[feed]]\nname = \"desk\"\nurl = \"{url}\"\npoll = \"1h\"\n",
        ops_config(port)
    );
    let _bot = Bot::start(&fake, &shipped_briefings(), &config).await;
    let alerts = || -> Vec<String> {
        fake.channel_messages(SECOND_CHANNEL_ID)
            .iter()
            .filter_map(|m| m["content"].as_str().map(str::to_string))
            .collect()
    };
    let first = eventually("the failure alert", || alerts().first().cloned()).await;
    assert!(
        first.starts_with("⚠️ Feed `desk` has been failing since <t:"),
        "{first}"
    );
    assert!(first.contains("HTTP 500"), "{first}");

    let status = admin(&fake, "briefbot status").await.join("\n");
    assert!(status.contains("`desk` ⚠️ failing since <t:"), "{status}");
    let metrics = metrics_containing(
        port,
        "briefbot_feed_polls_total{feed=\"desk\",outcome=\"error\"} 1",
        WAIT,
    )
    .await;
    assert!(
        metrics.contains("briefbot_feed_polls_total{feed=\"desk\",outcome=\"error\"}"),
        "{metrics}"
    );

    // Polled again while still failing: no second alert.
    admin(&fake, "briefbot reload").await;
    metrics_containing(
        port,
        "briefbot_feed_polls_total{feed=\"desk\",outcome=\"error\"} 2",
        WAIT,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(alerts().len(), 1, "{:?}", alerts());

    *body.lock().unwrap() = Some(rss(&[("ok", "Back", "Working.")]));
    admin(&fake, "briefbot reload").await;
    let all = eventually("the recovery alert", || {
        let all = alerts();
        (all.len() >= 2).then_some(all)
    })
    .await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[1], "✅ Feed `desk` works again.");
    let status = admin(&fake, "briefbot status").await.join("\n");
    assert!(
        status.contains("`desk` 1 items, last success <t:"),
        "{status}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_feeds_fetches_each_feed_once_and_reports_per_feed() {
    let good = serve(Arc::new(Mutex::new(Some(rss(&[
        ("a", "First", "One."),
        ("a", "Again", "Duplicate."),
    ])))))
    .await;
    let bad = serve(Arc::new(Mutex::new(None))).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    let config = format!(
        "[briefings]\ndir = \"b\"\n[[feed]]\nname = \"good\"\nurl = \"{good}\"\n\
         [[feed]]\nname = \"bad\"\nurl = \"{bad}\"\n"
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let path = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_briefbot"))
            .args(["check", "--feeds"])
            .current_dir(path)
            .env_remove("BRIEFBOT_CONFIG")
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("feed good ({good}): ok, 1 item(s), 1 skipped")),
        "{stdout}"
    );
    assert!(
        stdout.contains("feed good: skipped item 2: duplicate id `a`, kept the first"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("feed bad ({bad}): fetch failed: HTTP 500")),
        "{stdout}"
    );
    assert!(stdout.contains("1 problem(s) found"), "{stdout}");
    assert!(!dir.path().join("b/feeds").exists(), "check writes nothing");
}
