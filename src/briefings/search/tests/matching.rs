//! How words meet briefings: stems per language, accents, typos, quoted phrases, the language
//! hint, ties, and what the shown query and snippets look like.

use super::super::*;
use crate::briefings::{Section, SectionKey};
use crate::render::escape_markdown;
use chrono::{TimeDelta, TimeZone, Utc};
use std::sync::OnceLock;

/// A one-section briefing in `lang`, `day` days into November.
fn doc(id: &str, lang: &str, day: i64, title: &str, body: &str) -> Briefing {
    Briefing {
        id: id.into(),
        title: title.into(),
        date: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + TimeDelta::days(day),
        date_only: true,
        tags: Vec::new(),
        source: None,
        lang: lang.into(),
        sections: vec![Section {
            key: SectionKey::new("whats_happening"),
            heading: "What's Happening?".into(),
            body: body.into(),
        }],
    }
}

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let library = Library::from_briefings(vec![
            doc("ops", "en", 1, "Joint patrols", "The alliance plans joint military operations. Joint exercises and other operations follow."),
            doc("scattered", "en", 2, "Drills", "Operations resumed; a joint committee met."),
            doc("flood", "en", 3, "River report", "Flooding along the river displaced families."),
            doc("drivers", "en", 4, "Road report", "Truck drivers blocked the border."),
            doc("rivers", "en", 5, "Water report", "Both rivers rose."),
            doc("inondations", "fr", 6, "Bulletin", "Les inondations ont déplacé des familles; les négociations reprennent."),
            doc("deutsch", "de", 7, "Bericht", "Die Verhandlungen über Wasser dauern an."),
            doc("uranium", "en", 8, "Mining", "Uranium exports rose."),
            doc("twin-old", "en", 9, "Weekly brief", "A quiet week."),
            doc("twin-new", "en", 10, "Weekly brief", "A quiet week."),
            doc("side-by-side", "en", 11, "Note", "Security forces waited while talks improved."),
            doc("apart", "en", 12, "Note", "Security talks improved while forces waited."),
        ]);
        SearchIndex::build(&library).expect("index builds")
    })
}

fn ids(query: &str) -> Vec<String> {
    ids_as(query, QueryLang::Any)
}

fn ids_as(query: &str, lang: QueryLang) -> Vec<String> {
    index()
        .search_as(query, lang, None, 10)
        .unwrap()
        .into_iter()
        .map(|h| h.briefing_id)
        .collect()
}

#[test]
fn a_singular_finds_the_plural_and_bolds_it() {
    let hits = index().search("operation", None, 5).unwrap();
    assert_eq!(hits[0].briefing_id, "ops");
    assert!(hits[0].snippet.contains("**operations**"), "{hits:#?}");
    assert_eq!(ids("flooded"), ["flood"]);
    assert_eq!(ids("displacing family"), ["flood"]);
}

#[test]
fn french_without_accents_meets_french_with_them() {
    for query in ["inondation", "INONDEES", "negociation", "déplacées"] {
        assert_eq!(ids(query), ["inondations"], "{query}");
    }
    let hits = index().search("negociation", None, 1).unwrap();
    assert!(
        hits[0].snippet.contains("**négociations**"),
        "{}",
        hits[0].snippet
    );
}

#[test]
fn a_language_without_a_stemmer_matches_folded_words_only() {
    assert_eq!(ids("verhandlungen"), ["deutsch"]);
    assert_eq!(ids("VERHANDLUNGEN über"), ["deutsch"]);
    assert!(ids("verhandlung").is_empty());
}

#[test]
fn a_language_hint_keeps_exact_words_and_that_languages_stems() {
    let french = QueryLang::Only(Lang::French);
    let english = QueryLang::Only(Lang::English);
    assert_eq!(ids_as("inondé", french), ["inondations"]);
    // Read as English, a French inflection is no match, but the word as written still is.
    assert!(ids_as("inondé", english).is_empty());
    assert_eq!(ids_as("inondations", english), ["inondations"]);
    assert!(ids_as("operational", french).is_empty());
    assert_eq!(ids_as("operational", english).len(), 2);
    let mut exact = ids_as("operations", french);
    exact.sort();
    assert_eq!(exact, ["ops", "scattered"]);
}

#[test]
fn an_unknown_word_is_read_as_a_typo_below_real_matches() {
    assert_eq!(ids("flodding"), ["flood"]);
    assert_eq!(ids("uranuim"), ["uranium"]);
    let both = index().search("flodding uranium", None, 5).unwrap();
    assert_eq!(
        both.iter()
            .map(|h| h.briefing_id.as_str())
            .collect::<Vec<_>>(),
        ["uranium", "flood"]
    );
    assert!(both[1].snippet.contains("**Flooding**"), "{both:#?}");
    // A word the index knows is taken as meant, not corrected towards a neighbour.
    assert_eq!(ids("drivers"), ["drivers"]);
    // Under five letters, too many words are one edit away to guess.
    assert!(ids("rivr").is_empty());
    // Inside quotes, a word is meant as written.
    assert!(ids("\"flodding\"").is_empty());
}

#[test]
fn quoted_phrases_must_match_side_by_side() {
    assert_eq!(ids("\"joint operations\""), Vec::<String>::new());
    assert_eq!(ids("\"military operations\""), ["ops"]);
    assert_eq!(ids("«military operation»"), ["ops"]);
    assert_eq!(ids("“joint military” alliance"), ["ops"]);
    // An unclosed quote is just words.
    assert_eq!(ids("\"operations joint")[..2], ["ops", "scattered"]);
    assert!(ids("\"\"").is_empty());
}

#[test]
fn words_typed_side_by_side_rank_sections_holding_them_so_first() {
    // The same words in both; the one without them side by side is newer.
    assert_eq!(ids("security forces"), ["side-by-side", "apart"]);
    assert_eq!(ids("forces security"), ["apart", "side-by-side"]);
}

#[test]
fn ties_go_to_the_newer_briefing() {
    assert_eq!(ids("weekly quiet"), ["twin-new", "twin-old"]);
}

#[test]
fn the_query_is_escaped_not_rewritten() {
    assert_eq!(
        escape_markdown("section:whats_next Niamey~2"),
        r"section:whats\_next Niamey\~2"
    );
    assert_eq!(
        escape_markdown("`x` **y** <@&1> [a](b) > q \\"),
        r"\`x\` \*\*y\*\* \<\@&1\> \[a\](b) \> q \\"
    );
    assert_eq!(
        escape_markdown(" a\n\tb\u{7}\u{202e}c  "),
        "a bc",
        "control and direction characters are dropped, whitespace collapsed"
    );
}
