//! Polite fetching against real HTTP: validators and 304s, compression, redirects, slow and
//! failing servers.

use super::*;
use axum::extract::{Path as UrlPath, State as Shared};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use briefbot::feeds::FetchError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// A feed whose body the test can change, counting full answers and 304s.
#[derive(Default)]
struct Origin {
    body: Mutex<String>,
    full: AtomicUsize,
    not_modified: AtomicUsize,
}

async fn conditional(Shared(origin): Shared<Arc<Origin>>, headers: HeaderMap) -> Response {
    let body = origin.body.lock().unwrap().clone();
    let etag = format!(
        "\"{:x}\"",
        briefbot::feeds::slug_of(&body).len() + body.len()
    );
    if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        origin.not_modified.fetch_add(1, Ordering::SeqCst);
        return StatusCode::NOT_MODIFIED.into_response();
    }
    origin.full.fetch_add(1, Ordering::SeqCst);
    ([("etag", etag)], body).into_response()
}

#[tokio::test]
async fn an_unchanged_feed_costs_a_304_and_no_parse_and_a_change_rewrites_only_its_item() {
    let origin = Arc::new(Origin::default());
    *origin.body.lock().unwrap() = fixture("wordpress.xml");
    let router = Router::new()
        .route("/feed", get(conditional))
        .with_state(Arc::clone(&origin));
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[("desk", format!("http://{addr}/feed"))], "");
    let feed = &config.feeds.list[0];

    let first = poll_feed(&config, feed).await.1.unwrap();
    assert_eq!(first.applied.written, 2);
    let state_file = config.feeds.dir.join("desk/.state.json");
    let written = std::fs::metadata(&state_file).unwrap().modified().unwrap();
    let second = poll_feed(&config, feed).await.1.unwrap();
    let rewritten = std::fs::metadata(&state_file).unwrap().modified().unwrap();
    assert_eq!(
        written, rewritten,
        "a 304 writes nothing in the watched folder"
    );
    assert!(second.not_modified);
    assert_eq!((second.applied.written, second.applied.kept), (0, 2));
    assert_eq!(origin.not_modified.load(Ordering::SeqCst), 1);
    assert_eq!(origin.full.load(Ordering::SeqCst), 1);

    // The validators survive a restart: they are in the folder's state file.
    let state = briefbot::feeds::FeedFolder::new(&config.feeds.dir, "desk").load_state();
    assert!(state.validators.etag.is_some());

    // A corrected item is written again; the other is left alone.
    let corrected = fixture("wordpress.xml").replace("second week", "third week");
    *origin.body.lock().unwrap() = corrected;
    let third = poll_feed(&config, feed).await.1.unwrap();
    assert_eq!((third.not_modified, third.applied.written), (false, 1));
    let (library, _) = library(&config);
    let fuel = library
        .newest_first()
        .find(|b| b.title.contains("fuel"))
        .unwrap();
    assert!(fuel
        .section("whats_happening")
        .unwrap()
        .body
        .contains("third week"));
}

#[tokio::test]
async fn a_gzip_body_is_decompressed() {
    use flate2::write::GzEncoder;
    use std::io::Write;
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(fixture("feed.json").as_bytes()).unwrap();
    let body = gz.finish().unwrap();
    let router = Router::new().route(
        "/feed",
        get(move |headers: HeaderMap| {
            let body = body.clone();
            async move {
                let accepts = headers
                    .get("accept-encoding")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                assert!(
                    accepts.contains("gzip") && accepts.contains("br"),
                    "{accepts}"
                );
                ([("content-encoding", "gzip")], body)
            }
        }),
    );
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[("notes", format!("http://{addr}/feed"))], "");
    let polled = poll_feed(&config, &config.feeds.list[0]).await.1.unwrap();
    assert_eq!(polled.applied.written, 1);
}

async fn hop(UrlPath(n): UrlPath<u32>) -> Response {
    if n == 0 {
        return fixture("feed.json").into_response();
    }
    (StatusCode::FOUND, [("location", format!("/hop/{}", n - 1))]).into_response()
}

#[tokio::test]
async fn redirects_are_followed_five_times_and_only_to_http() {
    let router = Router::new().route("/hop/{n}", get(hop)).route(
        "/to-ftp",
        get(|| async {
            (
                StatusCode::MOVED_PERMANENTLY,
                [("location", "ftp://example.org/feed")],
            )
        }),
    );
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let feeds = [
        ("five", format!("http://{addr}/hop/5")),
        ("six", format!("http://{addr}/hop/6")),
        ("ftp", format!("http://{addr}/to-ftp")),
    ];
    let config = config(dir.path(), &feeds, "");
    let five = poll_feed(&config, &config.feeds.list[0]).await.1;
    assert_eq!(five.unwrap().applied.written, 1);
    let six = poll_feed(&config, &config.feeds.list[1])
        .await
        .1
        .unwrap_err();
    assert!(six.to_string().contains("more than 5 redirects"), "{six}");
    let ftp = poll_feed(&config, &config.feeds.list[2])
        .await
        .1
        .unwrap_err();
    assert!(ftp.to_string().contains("`ftp:` URL, not http(s)"), "{ftp}");
}

#[tokio::test]
async fn a_slow_server_times_out_and_a_failing_one_says_when_to_come_back() {
    let router = Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                fixture("feed.json")
            }),
        )
        .route(
            "/busy",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [("retry-after", "120")],
                    "busy",
                )
            }),
        );
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let feeds = [
        ("slow", format!("http://{addr}/slow")),
        ("busy", format!("http://{addr}/busy")),
    ];
    let config = config(dir.path(), &feeds, "");
    let (state, slow) = poll_feed(&config, &config.feeds.list[0]).await;
    match slow.unwrap_err() {
        FeedError::Fetch(FetchError::Timeout(d)) => assert_eq!(d, Duration::from_secs(2)),
        other => panic!("expected a timeout, got {other}"),
    }
    assert_eq!(state.failing_since, Some(now()));
    assert!(state
        .last_error
        .unwrap()
        .contains("no complete answer within 2s"));
    let busy = poll_feed(&config, &config.feeds.list[1])
        .await
        .1
        .unwrap_err();
    assert_eq!(busy.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(busy.to_string(), "fetch failed: HTTP 503");
}

#[tokio::test]
async fn max_items_bounds_what_is_kept() {
    let router = Router::new().route("/feed", get(|| async { fixture("wordpress.xml") }));
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/feed");
    let config = config(
        dir.path(),
        &[],
        &format!("[[feed]]\nname = \"desk\"\nurl = \"{url}\"\nmax_items = 1\n"),
    );
    let polled = poll_feed(&config, &config.feeds.list[0]).await.1.unwrap();
    assert_eq!(
        (
            polled.applied.written,
            polled.applied.removed,
            polled.applied.kept
        ),
        (2, 1, 1)
    );
    let (library, _) = library(&config);
    assert_eq!(library.len(), 1);
    assert!(
        library.latest().unwrap().title.starts_with("Niamey"),
        "the newest is kept"
    );
}
