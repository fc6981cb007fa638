use super::*;
use crate::briefings::{
    parse_briefing, ParseInput, Section, SectionCatalog, SectionKey, SourceKind,
};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use std::sync::OnceLock;

const SEED: &[u8] = include_bytes!("../../../../briefings/sahel-alliance-joint-operations.txt");
const SEED_ID: &str = "sahel-alliance-joint-operations";

fn seed() -> Briefing {
    let input = ParseInput {
        id: SEED_ID,
        path: "sahel-alliance-joint-operations.txt",
        kind: SourceKind::Text,
        modified: Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap(),
        catalog: &SectionCatalog::default(),
        default_lang: "en",
    };
    parse_briefing(&input, SEED).expect("seed parses")
}

fn briefing(id: &str, title: &str, tags: &[&str], sections: &[(&str, &str)]) -> Briefing {
    Briefing {
        id: id.into(),
        title: title.into(),
        date: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        date_only: true,
        tags: Tag::all(tags.iter().copied()),
        source: None,
        lang: "en".into(),
        sections: sections
            .iter()
            .map(|(key, body)| Section {
                key: SectionKey::new(*key),
                heading: key.replace('_', " "),
                body: body.to_string(),
            })
            .collect(),
    }
}

/// The seed plus a few hand-made briefings, built once for every test.
fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let library = Library::from_briefings(vec![
            seed(),
            briefing("uranium-deal", "Niger signs uranium deal", &["Energy"], &[
                ("whats_happening", "Niamey signed an agreement with a mining company."),
                ("whats_next", "Exports start next year; @everyone should *watch* prices_now."),
            ]),
            briefing("markets", "Markets wrap", &["economy"], &[
                ("whats_happening", "Stocks rose. Traders also mentioned uranium once among many other commodities such as gold, copper and oil."),
            ]),
            briefing("fr/monnaie", "Une monnaie commune", &["sahel"], &[
                ("whats_happening", "Les ministres parlent d'économie et de la suite après le sommet."),
            ]),
            briefing("dup", "Duplicate sections", &[], &[
                ("whats_next", "Flooding along the river."),
                ("whats_next", "Flooding again, same key."),
            ]),
        ]);
        SearchIndex::build(&library).expect("index builds")
    })
}

fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.briefing_id.as_str()).collect()
}

#[test]
fn finds_the_seed_briefing() {
    let hits = index().search("Bamako summit", None, 5).unwrap();
    assert_eq!(ids(&hits), [SEED_ID]);
    assert_eq!(hits[0].section_key, "whats_happening");
    assert_eq!(hits[0].heading, "What's Happening?");
    let hits = index()
        .search("large-scale operations Traoré", None, 5)
        .unwrap();
    assert_eq!(hits[0].briefing_id, SEED_ID);
}

#[test]
fn a_title_match_beats_a_body_mention() {
    let hits = index().search("uranium", None, 10).unwrap();
    assert_eq!(hits[0].briefing_id, "uranium-deal");
    assert_eq!(hits.last().unwrap().briefing_id, "markets");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn an_adjacent_phrase_ranks_above_scattered_words() {
    let hits = index().search("security forces", None, 5).unwrap();
    assert_eq!(hits[0].section_key, "whats_happening", "{hits:#?}");
    assert!(hits[0].snippet.contains("**security** **forces**"));
}

#[test]
fn the_tag_filter_ignores_case_and_excludes_the_rest() {
    let hits = index()
        .search("uranium", Tag::new(" ENERGY ").as_ref(), 10)
        .unwrap();
    assert_eq!(ids(&hits), ["uranium-deal", "uranium-deal"]);
    assert!(index()
        .search("uranium", Tag::new("sahel").as_ref(), 10)
        .unwrap()
        .is_empty());
    assert!(index()
        .search("uranium", Tag::new("nope").as_ref(), 10)
        .unwrap()
        .is_empty());
    assert_eq!(
        index()
            .search("uranium", Tag::new("").as_ref(), 10)
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn limit_caps_the_hits() {
    assert_eq!(index().search("the", None, 2).unwrap().len(), 2);
    assert!(index().search("the", None, 0).unwrap().is_empty());
    assert!(index().search("the", None, usize::MAX).unwrap().len() <= index().len());
}

#[test]
fn hostile_queries_are_just_words() {
    let emoji = "🦀👍🏽".repeat(100);
    let hostile = [
        "\"unbalanced",
        "AND OR",
        "title:x",
        "*",
        "../../etc/passwd",
        &emoji,
        "\u{0}\u{7}\u{1b}[2J",
        "مالي والنيجر",
        "\u{202e}Sahel\u{202c}",
        "a~2 b^3 [x TO y] (((",
        "-",
        "NOT",
        "\\",
    ];
    for q in hostile {
        assert!(index().search(q, None, 5).is_ok(), "{q:?}");
        assert!(index().search(q, Tag::new(q).as_ref(), 5).is_ok(), "{q:?}");
    }
    assert_eq!(
        ids(&index().search("title:uranium", None, 1).unwrap()),
        ["uranium-deal"]
    );
    assert!(index().search("", None, 5).unwrap().is_empty());
    assert!(index().search("a b c", None, 5).unwrap().is_empty());
    assert!(index().search(" \t\n ", None, 5).unwrap().is_empty());
}

#[test]
fn snippets_bold_the_match_and_stay_short() {
    let hits = index().search("bamako", None, 1).unwrap();
    let snippet = &hits[0].snippet;
    assert!(snippet.contains("**Bamako**"), "{snippet}");
    assert!(snippet.chars().count() <= SNIPPET_MAX_CHARS);
    assert!(
        snippet.ends_with('…') && !snippet.contains('\n'),
        "{snippet}"
    );
}

#[test]
fn apostrophes_do_not_make_words() {
    let hits = index().search("what's next", None, 1).unwrap();
    assert_eq!(hits[0].section_key, "whats_next");
    assert!(
        !hits.iter().any(|h| h.snippet.contains("**s**")),
        "{hits:#?}"
    );
}

#[test]
fn snippets_escape_markdown_and_mentions() {
    let hits = index().search("exports", None, 1).unwrap();
    assert_eq!(
        hits[0].snippet,
        r"**Exports** start next year; \@everyone should \*watch\* prices\_now."
    );
}

#[test]
fn a_title_only_match_shows_the_body_start() {
    let hits = index().search("deal", None, 5).unwrap();
    assert_eq!(hits[0].briefing_id, "uranium-deal");
    let bodies = [
        "Niamey signed an agreement with a mining company.",
        r"Exports start next year; \@everyone should \*watch\* prices\_now.",
    ];
    assert!(
        hits.iter().all(|h| bodies.contains(&h.snippet.as_str())),
        "{hits:#?}"
    );
}

#[test]
fn accents_are_folded_both_ways() {
    for q in ["economie", "économie", "apres", "APRÈS"] {
        let hits = index().search(q, None, 5).unwrap();
        assert_eq!(ids(&hits), ["fr/monnaie"], "{q}");
    }
    let hits = index().search("economie", None, 1).unwrap();
    assert!(
        hits[0].snippet.contains("**économie**"),
        "{}",
        hits[0].snippet
    );
}

#[test]
fn one_hit_per_section() {
    let hits = index().search("flooding", None, 10).unwrap();
    assert_eq!(ids(&hits), ["dup"]);
    let hits = index()
        .search("the sahel region alliance", None, 50)
        .unwrap();
    let keys: HashSet<_> = hits
        .iter()
        .map(|h| (&h.briefing_id, &h.section_key))
        .collect();
    assert_eq!(keys.len(), hits.len());
}

#[test]
fn long_words_are_cut_on_char_boundaries() {
    let crab = "🦀".repeat(300);
    let library = Library::from_briefings(vec![briefing("c", "Crabs", &[], &[("x", &crab)])]);
    let hits = SearchIndex::build(&library)
        .unwrap()
        .search("crabs", None, 1)
        .unwrap();
    assert_eq!(
        hits[0].snippet,
        format!("{}…", "🦀".repeat(SNIPPET_MAX_CHARS - 1))
    );
}

#[test]
fn an_empty_library_finds_nothing() {
    let empty = SearchIndex::build(&Library::default()).unwrap();
    assert!(empty.is_empty());
    assert!(empty.search("sahel", None, 5).unwrap().is_empty());
}

#[test]
fn the_index_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<SearchIndex>();
}

proptest! {
    #[test]
    fn any_query_is_fine(query in any::<String>(), tag in proptest::option::of("\\PC{0,8}"), limit in 0usize..8) {
        let hits = index().search(&query, tag.as_deref().and_then(Tag::new).as_ref(), limit).unwrap();
        prop_assert!(hits.len() <= limit);
        for hit in hits {
            prop_assert!(hit.snippet.chars().count() <= SNIPPET_MAX_CHARS);
        }
    }

    /// Queries made of the index's own words, quotes, accents and typos: every path (phrases,
    /// corrections, both stemmers) runs, and none fails.
    #[test]
    fn any_mix_of_words_and_quotes_is_fine(
        words in proptest::collection::vec(prop_oneof![
            Just("\""), Just("“"), Just("»"), Just("l'"), Just("s"), Just("é"),
            Just("security"), Just("forces"), Just("uranium"), Just("uranuim"),
            Just("économie"), Just("economie"), Just("flooding"), Just("flodding"),
            Just("Niamey~2"), Just("what's"), Just("next"),
        ], 0..12),
        limit in 1usize..8,
    ) {
        let query = words.join(" ");
        let hits = index().search(&query, None, limit).unwrap();
        prop_assert!(hits.len() <= limit);
        prop_assert!(hits.windows(2).all(|w| w[0].score >= w[1].score), "{hits:#?}");
    }
}

mod matching;
