//! Tests of the rendering API on small examples: exact payloads, markers, digests, preview.
//! Properties over arbitrary briefings and digests are in `proptests.rs`.

use super::*;
use crate::answer::Tag;
use crate::briefings::{Briefing, Section, SectionKey};
use chrono::{TimeZone, Utc};
use serde_json::json;

pub(super) fn section(key: &str, heading: &str, body: &str) -> Section {
    Section {
        key: SectionKey::new(key),
        heading: heading.into(),
        body: body.into(),
    }
}

pub(super) fn briefing(sections: Vec<Section>) -> Briefing {
    Briefing {
        id: "2026/sahel-alliance".into(),
        title: "Sahel alliance plans joint operations".into(),
        date: Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap(),
        date_only: true,
        tags: Tag::all(["sahel", "security"]),
        source: Some("https://example.org/article".into()),
        lang: "en".into(),
        sections,
    }
}

pub(super) fn non_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

pub(super) fn descriptions(payloads: &[MessagePayload]) -> String {
    let embeds = payloads.iter().flat_map(|p| &p.embeds);
    embeds.filter_map(|e| e.description.as_deref()).collect()
}

pub(super) fn sentences(min_chars: usize) -> String {
    let s = "Officials said the joint patrols would begin within weeks, funding permitting.";
    let n = min_chars / (s.len() + 1) + 1;
    vec![s; n].join(" ")
}

pub(super) fn assert_sendable(p: &MessagePayload) {
    assert_eq!(limits::check(p), Ok(()));
    assert!(p.allowed_mentions.parse.is_empty());
}

#[test]
fn a_short_section_is_one_embed_in_discords_json_shape() {
    let b = briefing(vec![section(
        "whats_next",
        "What's Next?",
        "Talks resume @everyone.",
    )]);
    let out = render_section(&b, &b.sections[0]);
    assert_eq!(
        serde_json::to_value(&out).unwrap(),
        json!([{
            "embeds": [{
                "title": "What's Next?",
                "description": "Talks resume @everyone.",
                // A date without a time shows at noon UTC: the same day for nearly every reader.
                "timestamp": "2026-11-27T12:00:00Z",
                "color": 0x10B981,
                "author": {
                    "name": "Sahel alliance plans joint operations",
                    "url": "https://example.org/article"
                },
                "footer": {"text": "#sahel · #security"}
            }],
            "allowed_mentions": {"parse": []}
        }])
    );
}

#[test]
fn a_long_section_spans_marked_embeds_packed_within_the_total() {
    let body = sentences(9000);
    let b = briefing(vec![section(
        "why_it_matters",
        "Why It's Important?",
        &body,
    )]);
    let out = render_section(&b, &b.sections[0]);
    let titles: Vec<_> = out
        .iter()
        .flat_map(|p| &p.embeds)
        .map(|e| e.title.clone().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Why It's Important? (1/3)",
            "Why It's Important? (2/3)",
            "Why It's Important? (3/3)"
        ]
    );
    // Two full descriptions would pass the 6,000 total; the short third joins the second.
    let per_message: Vec<_> = out.iter().map(|p| p.embeds.len()).collect();
    assert_eq!(per_message, [1, 2]);
    for p in &out {
        assert_sendable(p);
        assert!(p.embeds[0].description.as_deref().unwrap().ends_with('.'));
    }
    assert_eq!(non_ws(&descriptions(&out)), non_ws(&body));
    // Each message reads on its own: the title on its first embed, its place and the date on
    // its last, nothing repeated in between.
    let chrome: Vec<Vec<_>> = out
        .iter()
        .map(|p| {
            p.embeds
                .iter()
                .map(|e| {
                    let author = e.author.as_ref().map(|a| a.name.as_str());
                    let footer = e.footer.as_ref().map(|f| f.text.as_str());
                    (author, footer, e.timestamp.is_some())
                })
                .collect()
        })
        .collect();
    let title = Some("Sahel alliance plans joint operations");
    assert_eq!(
        chrome,
        [
            vec![(title, Some("#sahel · #security · 1/2"), true)],
            vec![
                (title, None, false),
                (None, Some("#sahel · #security · 2/2"), true)
            ],
        ]
    );
}

#[test]
fn small_sections_share_messages_up_to_ten_embeds() {
    let sections = (0..23)
        .map(|i| section(&format!("s{i}"), &format!("Part {i}"), "Short."))
        .collect();
    let out = render_briefing(&briefing(sections));
    let sizes: Vec<_> = out.iter().map(|p| p.embeds.len()).collect();
    assert_eq!(sizes, [10, 10, 3]);
    assert_eq!(out[0].embeds[3].color, Some(CUSTOM_SECTION_COLOR));
}

#[test]
fn long_titles_are_cut_at_a_word_and_only_web_sources_link() {
    let mut b = briefing(vec![section(
        "whats_happening",
        &"Heading ".repeat(60),
        "Body.",
    )]);
    b.title = "Sahel alliance ".repeat(40);
    b.source = Some("javascript:alert(1)".into());
    let e = &render_briefing(&b)[0].embeds[0];
    let author = e.author.as_ref().unwrap();
    assert!(
        author.name.ends_with("alliance…") && limits::chars(&author.name) <= limits::AUTHOR_NAME
    );
    assert!(e.title.as_deref().unwrap().ends_with("Heading…"));
    assert_eq!((&author.url, &e.url), (&None, &None));
}

#[test]
fn digest_names_its_fire_time_and_pings_only_its_role() {
    let b = briefing(vec![
        section("whats_happening", "What's Happening?", "Troops moved."),
        section("whats_next", "What's Next?", &sentences(9000)),
    ]);
    let fire = Utc.with_ymd_and_hms(2025, 11, 27, 8, 0, 0).unwrap();
    let d = DigestView {
        name: "morning",
        fire_time: fire,
        entries: vec![DigestEntry {
            briefing: &b,
            sections: vec![&b.sections[1]],
        }],
        mention_role: Some(42),
        silent: true,
        nothing_new: "Nothing new to post.",
    };
    let out = render_digest(&d);
    assert_eq!(out[0].content, "<@&42> **morning** · <t:1764230400:f>");
    assert_eq!(out[0].allowed_mentions, AllowedMentions::only_role(42));
    assert_eq!(out.len(), 2);
    for p in &out[1..] {
        assert!(p.content.is_empty());
        assert_eq!(p.allowed_mentions, AllowedMentions::none());
    }
    assert!(out.iter().all(|p| p.flags == Some(SUPPRESS_NOTIFICATIONS)));
    let first = &out[0].embeds[0];
    assert_eq!(first.author.as_ref().unwrap().name, b.title);
    assert_eq!(first.title.as_deref(), Some("What's Next? (1/3)"));
}

#[test]
fn a_digest_names_each_briefing_once_per_message() {
    let first = briefing(vec![
        section("whats_happening", "What's Happening?", "Troops moved."),
        section("whats_next", "What's Next?", "Talks."),
    ]);
    let mut second = first.clone();
    second.title = "Niger River floods".into();
    second.source = None;
    second.tags = Vec::new();
    second.date_only = false;
    let d = DigestView {
        name: "morning",
        fire_time: Utc.with_ymd_and_hms(2025, 11, 27, 8, 0, 0).unwrap(),
        nothing_new: "Nothing new to post.",
        entries: vec![
            DigestEntry {
                briefing: &first,
                sections: first.sections.iter().collect(),
            },
            DigestEntry {
                briefing: &second,
                sections: vec![&second.sections[1]],
            },
        ],
        mention_role: None,
        silent: false,
    };
    let out = render_digest(&d);
    assert_eq!(out.len(), 1);
    let shown: Vec<_> = out[0]
        .embeds
        .iter()
        .map(|e| {
            let author = e.author.as_ref().map(|a| a.name.as_str());
            (
                author,
                e.footer.as_ref().map(|f| f.text.as_str()),
                e.timestamp.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (Some("Sahel alliance plans joint operations"), None, None),
            (
                None,
                Some("#sahel · #security"),
                Some("2026-11-27T12:00:00Z")
            ),
            (
                Some("Niger River floods"),
                None,
                Some("2026-11-27T00:00:00Z")
            ),
        ]
    );
}

#[test]
fn empty_digest_posts_a_notice_without_pinging() {
    let d = DigestView {
        name: "evening *wrap*",
        fire_time: Utc.with_ymd_and_hms(2025, 11, 27, 18, 0, 0).unwrap(),
        entries: vec![],
        mention_role: Some(42),
        silent: false,
        nothing_new: "Nothing new to post.",
    };
    let out = render_digest(&d);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].content,
        "**evening \\*wrap\\*** · <t:1764266400:f>\nNothing new to post."
    );
    assert_eq!(out[0].allowed_mentions, AllowedMentions::none());
    assert_eq!(out[0].flags, None);
}

#[test]
fn absurd_digest_names_are_shortened_to_fit_the_content() {
    let name = "*".repeat(5000);
    let fire = Utc.with_ymd_and_hms(2025, 11, 27, 8, 0, 0).unwrap();
    let d = DigestView {
        name: &name,
        fire_time: fire,
        entries: vec![],
        mention_role: None,
        silent: false,
        nothing_new: "Nothing new to post.",
    };
    let content = &render_digest(&d)[0].content;
    assert!(limits::chars(content) <= limits::CONTENT);
    assert!(content.contains("<t:1764230400:f>"));
}

#[test]
fn text_preview_shows_messages_and_embeds() {
    let b = briefing(vec![section("whats_next", "What's Next?", "Talks resume.")]);
    let d = DigestView {
        name: "morning",
        fire_time: Utc.with_ymd_and_hms(2025, 11, 27, 8, 0, 0).unwrap(),
        entries: vec![DigestEntry {
            briefing: &b,
            sections: vec![&b.sections[0]],
        }],
        mention_role: None,
        silent: true,
        nothing_new: "Nothing new to post.",
    };
    let text = to_text(&render_digest(&d));
    let expected = "──── message 1/1 · silent\n\
        **morning** · <t:1764230400:f> (2025-11-27 08:00 UTC)\n\n\
        Sahel alliance plans joint operations\n<https://example.org/article>\n## What's Next?\n\n\
        Talks resume.\n\n— #sahel · #security · 2026-11-27 12:00 UTC\n";
    assert_eq!(text, expected);
}

#[test]
fn tags_that_do_not_fit_the_footer_are_left_out_whole() {
    let mut b = briefing(vec![section("whats_next", "What's Next?", "Soon.")]);
    let raw: Vec<String> = (0..200).map(|i| format!("#tag-number-{i:03}")).collect();
    b.tags = Tag::all(raw.iter().map(String::as_str));
    let footer = render_briefing(&b)[0].embeds[0]
        .footer
        .clone()
        .unwrap()
        .text;
    assert!(footer.starts_with("#tag-number-000 · #tag-number-001"));
    assert!(footer.ends_with(" · …") && limits::chars(&footer) <= limits::FOOTER_TEXT);
    assert!(footer.trim_end_matches(" · …").ends_with(char::is_numeric));
}
