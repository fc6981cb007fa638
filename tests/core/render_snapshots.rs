//! Snapshots of the exact Discord payloads for the seed briefing, whole and per section, and
//! for a digest carrying it. A change to the rendering shows up here as a reviewable diff.

use briefbot::briefings::{parse_briefing, Briefing, ParseInput, SectionCatalog, SourceKind};
use briefbot::render::{self, DigestEntry, DigestView};
use chrono::{TimeZone, Utc};

fn seed() -> Briefing {
    shipped("sahel-alliance-joint-operations.txt", SourceKind::Text)
}

/// A briefing shipped in `briefings/`, parsed as the library would.
fn shipped(name: &str, kind: SourceKind) -> Briefing {
    let path = format!("{}/briefings/{name}", env!("CARGO_MANIFEST_DIR"));
    let path = path.as_str();
    let catalog = SectionCatalog::default();
    let input = ParseInput {
        id: name,
        path,
        kind,
        // A fixed "modification time" so the snapshot does not depend on the checkout.
        modified: Utc.with_ymd_and_hms(2026, 11, 27, 7, 0, 0).unwrap(),
        catalog: &catalog,
        default_lang: "en",
    };
    parse_briefing(&input, &std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn seed_briefing_whole() {
    let payloads = render::render_briefing(&seed());
    for p in &payloads {
        render::limits::check(p).unwrap();
    }
    insta::assert_json_snapshot!(payloads);
}

/// The title linked to its source on the first embed; tags and the date on the last.
#[test]
fn tagged_briefing_with_a_source_whole() {
    let b = shipped("2026/niger-river-flooding.md", SourceKind::Markdown);
    let payloads = render::render_briefing(&b);
    for p in &payloads {
        render::limits::check(p).unwrap();
    }
    insta::assert_json_snapshot!(payloads);
}

#[test]
fn seed_briefing_per_section() {
    let b = seed();
    let keys: Vec<&str> = b.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "whats_happening",
            "why_it_matters",
            "whats_next",
            "beyond_the_headlines"
        ]
    );
    for section in &b.sections {
        let payloads = render::render_section(&b, section);
        insta::assert_json_snapshot!(format!("seed_section_{}", section.key), payloads);
    }
}

#[test]
fn seed_in_a_silent_section_digest_with_a_role() {
    let b = seed();
    let view = DigestView {
        name: "morning",
        fire_time: Utc.with_ymd_and_hms(2026, 11, 30, 7, 0, 0).unwrap(),
        entries: vec![DigestEntry {
            briefing: &b,
            sections: vec![b.section("whats_next").unwrap()],
        }],
        mention_role: Some(123456789012345679),
        silent: true,
        nothing_new: "Nothing new to post.",
    };
    insta::assert_json_snapshot!(render::render_digest(&view));
}
