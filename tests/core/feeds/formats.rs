//! Real-world feed shapes become briefings the library loads like files an editor wrote.

use super::*;
use axum::routing::get;

async fn one_feed(
    name: &str,
    body: String,
    content_type: &'static str,
) -> (tempfile::TempDir, Config) {
    let router = Router::new().route(
        "/feed",
        get(move || {
            let body = body.clone();
            async move { ([("content-type", content_type)], body) }
        }),
    );
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(name, format!("http://{addr}/feed"))], "");
    (dir, config)
}

#[tokio::test]
async fn a_wordpress_feed_with_content_encoded() {
    let (_dir, config) = one_feed("desk", fixture("wordpress.xml"), "application/rss+xml").await;
    let (state, result) = poll_feed(&config, &config.feeds.list[0]).await;
    let polled = result.unwrap();
    assert_eq!((polled.applied.written, polled.applied.kept), (2, 2));
    assert!(polled.skipped.is_empty(), "{:?}", polled.skipped);
    assert_eq!(state.items.len(), 2);

    let (library, report) = library(&config);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let ids: Vec<&str> = library.newest_first().map(|b| b.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0].starts_with("feeds/desk/4211-"), "{ids:?}");
    let talks = library.get(ids[0]).unwrap();
    assert_eq!(talks.title, "Niamey talks resume after two-week pause");
    assert_eq!(
        talks.date,
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
    );
    assert_eq!(talks.lang, "en", "en-US is served as en");
    assert_eq!(
        talks.source.as_deref(),
        Some("https://desk.example.org/2026/11/26/niamey-talks-resume/")
    );
    let tags: Vec<&str> = talks.tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["niger", "diplomacy"]);
    let body = &talks.section("whats_happening").unwrap().body;
    assert!(
        body.contains("on **Thursday**, ending a two-week pause."),
        "{body}"
    );
    assert!(
        body.contains("[agenda](https://desk.example.org/docs/agenda.pdf)"),
        "{body}"
    );
    assert!(
        !body.contains("pixel.example.net") && !body.contains("trackReader"),
        "{body}"
    );
}

#[tokio::test]
async fn an_atom_feed_with_xhtml_content_in_french() {
    let (_dir, config) = one_feed(
        "bulletin",
        fixture("atom-xhtml.xml"),
        "application/atom+xml",
    )
    .await;
    poll_feed(&config, &config.feeds.list[0]).await.1.unwrap();
    let (library, _) = library(&config);
    let b = library.latest().unwrap();
    assert!(b.id.starts_with("feeds/bulletin/recoltes-mil-"), "{}", b.id);
    assert_eq!(b.title, "Récoltes : le mil résiste");
    assert_eq!(b.lang, "fr");
    assert_eq!(
        b.date,
        Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap(),
        "updated, no published"
    );
    let body = &b.section("whats_happening").unwrap().body;
    assert!(body.contains("les récoltes de *mil* tiennent"), "{body}");
    assert!(body.contains("Nord : en baisse"), "{body}");
}

#[tokio::test]
async fn a_json_feed() {
    let (_dir, config) = one_feed("notes", fixture("feed.json"), "application/feed+json").await;
    poll_feed(&config, &config.feeds.list[0]).await.1.unwrap();
    let (library, _) = library(&config);
    let b = library.latest().unwrap();
    assert!(
        b.id.starts_with("feeds/notes/notes-2026-11-24-oil-"),
        "{}",
        b.id
    );
    assert_eq!(b.title, "Pipeline flows back to normal");
    let tags: Vec<&str> = b.tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["chad", "energy"]);
}

#[tokio::test]
async fn known_headings_make_a_sectioned_briefing_in_english_and_french() {
    let (_dir, config) = one_feed("briefs", fixture("sectioned.xml"), "application/rss+xml").await;
    poll_feed(&config, &config.feeds.list[0]).await.1.unwrap();
    let (library, report) = library(&config);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let summit = library
        .newest_first()
        .find(|b| b.title == "Sahel alliance summit")
        .unwrap();
    let keys: Vec<&str> = summit.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["whats_happening", "why_it_matters", "whats_next"]);
    assert_eq!(
        summit.section("whats_happening").unwrap().body,
        "Leaders meet in Ouagadougou."
    );
    let next = &summit.section("whats_next").unwrap().body;
    assert!(next.starts_with("A vote in **December**."), "{next}");
    assert!(
        next.contains("**Background**"),
        "an unknown heading stays in its section: {next}"
    );
    let sommet = library
        .newest_first()
        .find(|b| b.title == "Sommet de l'alliance")
        .unwrap();
    let keys: Vec<&str> = sommet.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["whats_happening", "whats_next"]);
}
