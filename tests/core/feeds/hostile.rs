//! Hostile feeds: each gets a clear error (or its bad items are skipped with their reason),
//! and nothing else is lost: a feed's kept items stay, other feeds are untouched.

use super::*;
use axum::body::Body;
use axum::routing::get;
use std::sync::Mutex;

fn rss(items: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>\
         <link>https://h.example.org/</link><description>d</description>{items}</channel></rss>"
    )
}

const BOMB: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><link>https://h.example.org/</link>
<description>d</description><item><title>&lol9;</title><guid>bomb</guid>
<description>&lol9;</description></item></channel></rss>"#;

/// One good feed and one whose body the test swaps, both served by one server.
struct Bench {
    _dir: tempfile::TempDir,
    config: Config,
    body: Arc<Mutex<Vec<u8>>>,
}

async fn bench() -> Bench {
    let body = Arc::new(Mutex::new(fixture("wordpress.xml").into_bytes()));
    let shared = Arc::clone(&body);
    let router = Router::new()
        .route("/good", get(|| async { fixture("feed.json") }))
        .route(
            "/swap",
            get(move || {
                let bytes = shared.lock().unwrap().clone();
                async move { bytes }
            }),
        )
        .route(
            "/huge",
            get(|| async {
                // 100 MB, streamed without a length: the limit must stop it on the way.
                let chunk = axum::body::Bytes::from(vec![b' '; 1 << 20]);
                let stream = futures::stream::iter(
                    (0..100).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
                );
                Body::from_stream(stream)
            }),
        );
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let feeds = [
        ("good", format!("http://{addr}/good")),
        ("swap", format!("http://{addr}/swap")),
        ("huge", format!("http://{addr}/huge")),
    ];
    let config = config(dir.path(), &feeds, "");
    Bench {
        _dir: dir,
        config,
        body,
    }
}

impl Bench {
    async fn swap(&self, bytes: Vec<u8>) -> Result<Polled, FeedError> {
        *self.body.lock().unwrap() = bytes;
        poll_feed(&self.config, &self.config.feeds.list[1]).await.1
    }
}

#[tokio::test]
async fn broken_feeds_get_a_clear_error_and_lose_nothing_else() {
    let b = bench().await;
    poll_feed(&b.config, &b.config.feeds.list[0])
        .await
        .1
        .unwrap();
    assert_eq!(
        b.swap(fixture("wordpress.xml").into_bytes())
            .await
            .unwrap()
            .applied
            .kept,
        2
    );

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "invalid XML",
            b"<rss><channel><item><title>x</channel>".to_vec(),
            "unable to parse",
        ),
        (
            "not a feed",
            b"<html><body>hello</body></html>".to_vec(),
            "not a feed",
        ),
        ("empty body", Vec::new(), "not a feed"),
        (
            "invalid UTF-8",
            [
                b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>"
                    .as_slice(),
                &[0xff, 0xfe, 0xc3],
                b"</title></channel></rss>",
            ]
            .concat(),
            "not a feed",
        ),
    ];
    for (what, bytes, expected) in cases {
        let err = b.swap(bytes).await.unwrap_err().to_string();
        assert!(err.contains(expected), "{what}: {err}");
        let (library, report) = library(&b.config);
        assert!(report.errors.is_empty(), "{what}: {:?}", report.errors);
        assert_eq!(library.len(), 3, "{what}: every kept item is still served");
    }
    let huge = poll_feed(&b.config, &b.config.feeds.list[2])
        .await
        .1
        .unwrap_err();
    assert_eq!(
        huge.to_string(),
        "fetch failed: the body is larger than 1048576 bytes"
    );
}

#[tokio::test]
async fn an_entity_bomb_is_not_expanded() {
    let b = bench().await;
    let started = std::time::Instant::now();
    let result = b.swap(BOMB.as_bytes().to_vec()).await;
    // Either refused or read without expanding: never a gigabyte of "lol".
    if let Ok(polled) = &result {
        let (library, _) = library(&b.config);
        for briefing in library.newest_first() {
            let text: usize = briefing.sections.iter().map(|s| s.body.len()).sum();
            assert!(text < 10_000 && briefing.title.len() < 1_000, "{polled:?}");
        }
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[tokio::test]
async fn a_latin1_feed_is_read_in_its_declared_encoding() {
    let b = bench().await;
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>T</title><link>https://h.example.org/</link><description>d</description><item><title>R".to_vec();
    bytes.push(0xe9); // é in Latin-1
    bytes.extend_from_slice(b"colte</title><guid>l1</guid><description>Bl");
    bytes.push(0xe9);
    bytes.extend_from_slice(b"</description></item></channel></rss>");
    let polled = b.swap(bytes).await.unwrap();
    assert!(polled.skipped.is_empty(), "{:?}", polled.skipped);
    let (library, _) = library(&b.config);
    assert!(library.newest_first().any(|b| b.title == "Récolte"));
}

#[tokio::test]
async fn bad_items_are_skipped_with_their_reason_and_the_rest_kept() {
    let b = bench().await;
    let items = "\
        <item><title>First</title><guid>dup</guid><pubDate>Tue, 24 Nov 2026 07:00:00 GMT</pubDate><description>one</description></item>\
        <item><title>Second</title><guid>dup</guid><description>two</description></item>\
        <item><description>No id, no link, no title</description></item>\
        <item><link>https://h.example.org/untitled</link><description>&lt;p&gt;Text without a title, nor a date.&lt;/p&gt;</description></item>\
        <item><title>Pings @everyone</title><guid>ping</guid><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>\
        <description>&lt;p&gt;Hello @everyone and &amp;lt;@&amp;amp;123&amp;gt; and @here. \
        &lt;a href=\"javascript:alert(1)\"&gt;Click&lt;/a&gt; &lt;a href=\"JaVaScRiPt:x\"&gt;me&lt;/a&gt;&lt;/p&gt;</description></item>";
    let polled = b.swap(rss(items).into_bytes()).await.unwrap();
    assert_eq!(polled.skipped.len(), 2, "{:?}", polled.skipped);
    assert_eq!(
        polled.skipped,
        [
            "item 2: duplicate id `dup`, kept the first",
            "item 3: no id, no link: nothing names it"
        ]
    );

    let (library, report) = library(&b.config);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let first = library.newest_first().find(|b| b.title == "First").unwrap();
    assert_eq!(first.section("whats_happening").unwrap().body, "one");
    let untitled = library
        .newest_first()
        .find(|b| b.source.as_deref() == Some("https://h.example.org/untitled"))
        .unwrap();
    assert_eq!(untitled.title, "Text without a title, nor a date.");
    assert_eq!(untitled.date, now(), "no date: when it was first seen");
    let ping = library
        .newest_first()
        .find(|b| b.id.starts_with("feeds/swap/ping-"))
        .unwrap();
    let text = format!(
        "{} {}",
        ping.title,
        ping.section("whats_happening").unwrap().body
    );
    for forbidden in ["@everyone", "@here", "<@&123>", "javascript", "JaVaScRiPt"] {
        assert!(!text.contains(forbidden), "{forbidden} in {text}");
    }
    assert!(
        text.contains("Click") && text.contains("everyone"),
        "{text}"
    );
}
