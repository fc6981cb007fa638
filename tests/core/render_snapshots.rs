//! Snapshots of the exact Discord payloads for the seed briefing, whole and per section, and
//! for a digest carrying it. A change to the rendering shows up here as a reviewable diff.

use briefbot::briefings::{parse_briefing, Briefing, ParseInput, SectionCatalog, SourceKind};
use briefbot::render::{self, DigestEntry, DigestView};
use chrono::{TimeZone, Utc};

fn seed() -> Briefing {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/briefings/sahel-alliance-joint-operations.txt"
    );
    let catalog = SectionCatalog::default();
    let input = ParseInput {
        id: "sahel-alliance-joint-operations",
        path,
        kind: SourceKind::Text,
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
