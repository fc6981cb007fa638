//! How well `/search` ranks: queries as members type them (singulars and plurals, other verb
//! forms, French without accents, small typos, quoted phrases, a tag) over the shipped briefings
//! and the fixtures in `tests/fixtures/search`, each with the briefing that must come first.
//! `cargo test --test core search_relevance -- --nocapture` prints the table, the mean
//! reciprocal rank and the top-1 rate; the test fails below 90 % top-1.

use briefbot::answer::Tag;
use briefbot::briefings::search::SearchIndex;
use briefbot::briefings::{Library, SectionCatalog, Symlinks};
use std::path::Path;

const SEED: &str = "sahel-alliance-joint-operations";
const FLOODS: &str = "2026/niger-river-flooding";
const LAKE_CHAD: &str = "2026/lake-chad-water-deal";
const MONNAIE: &str = "2026/alliance-sahel-monnaie-fr";
const GOLD: &str = "mali-gold-mines";
const BANKS: &str = "bamako-banks-strike";
const ELECTIONS: &str = "niger-elections-fr";
const PETROLE: &str = "tchad-petrole-fr";
const SCHOOLS: &str = "burkina-schools-reopen";
const SECHERESSE: &str = "secheresse-recoltes-fr";
const WEEKLY_NEWER: &str = "weekly-security-brief-2026-11";

/// (what it tests, query, tag, the briefing that must come first)
#[rustfmt::skip]
const CASES: &[(&str, &str, Option<&str>, &str)] = &[
    ("singular for plural", "operation", None, SEED),
    ("singular for plural", "flood", None, FLOODS),
    ("singular for plural", "mine", None, GOLD),
    ("singular for plural", "school", None, SCHOOLS),
    ("plural, a rival in a body", "operations", None, SEED),
    ("singulier pour pluriel", "élection", None, ELECTIONS),
    ("singulier pour pluriel", "récolte", None, SECHERESSE),
    ("verb form", "negotiate", None, GOLD),
    ("verb form", "displacing", None, FLOODS),
    ("verb form", "signing", None, LAKE_CHAD),
    ("verb form", "expelled", None, SEED),
    ("verb form", "reopening", None, SCHOOLS),
    ("forme verbale", "reporté", None, ELECTIONS),
    ("forme verbale", "négocier", None, PETROLE),
    ("forme verbale", "réunis", None, MONNAIE),
    ("no accents", "negociations", None, PETROLE),
    ("no accents", "secheresse", None, SECHERESSE),
    ("no accents", "Traore", None, SEED),
    ("no accents", "tresor", None, MONNAIE),
    ("no accents", "prix des cereales", None, SECHERESSE),
    ("no accents", "elections reportees", None, ELECTIONS),
    ("no accents, plural", "petrolieres", None, PETROLE),
    ("apostrophe", "N'Djamena basin", None, LAKE_CHAD),
    ("typo", "flodding", None, FLOODS),
    ("typo", "irigation", None, LAKE_CHAD),
    ("typo", "cholerra", None, FLOODS),
    ("typo", "monaie", None, MONNAIE),
    ("typo", "secheresee", None, SECHERESSE),
    ("typo", "Bamoko strike", None, BANKS),
    ("typo", "battaloin", None, SEED),
    ("typo and a word", "irrigaton projects", None, LAKE_CHAD),
    ("phrase", "\"joint operations\"", None, SEED),
    ("phrase", "\"water levels\"", None, LAKE_CHAD),
    ("phrase", "\"health centres\"", None, FLOODS),
    ("phrase", "“monnaie commune”", None, MONNAIE),
    ("phrase", "\"banque centrale\" calendrier", None, MONNAIE),
    ("tag", "Niger", Some("climate"), FLOODS),
    ("tag", "Mali", Some("Sahel"), FLOODS),
    ("tag", "accord", Some("énergie"), PETROLE),
    ("title over body", "strike", None, BANKS),
    ("title over body", "gold", None, GOLD),
    ("words", "military battalion", None, SEED),
    ("words", "water plan chad", None, LAKE_CHAD),
    ("words", "displaced children", None, SCHOOLS),
    ("words", "hunger malaria", None, FLOODS),
    ("tie: newer first", "weekly security brief", None, WEEKLY_NEWER),
];

fn library(dir: &Path) -> Library {
    let (library, report) =
        Library::load(dir, &SectionCatalog::default(), "en", Symlinks::InsideOnly).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    library
}

/// The shipped briefings and the fixtures, in one library.
fn index() -> SearchIndex {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = library(&root.join("briefings"));
    let fixtures = library(&root.join("tests/fixtures/search"));
    let all = shipped
        .newest_first()
        .chain(fixtures.newest_first())
        .map(|b| (**b).clone())
        .collect();
    SearchIndex::build(&Library::from_briefings(all)).unwrap()
}

#[test]
fn search_relevance() {
    assert!(CASES.len() >= 30, "the relevance set shrank");
    let index = index();
    let mut reciprocal_ranks = 0.0;
    let mut top1 = 0;
    println!(
        "{:<22} {:<32} {:<32} {:<32} rank",
        "kind", "query", "expected", "got"
    );
    for (kind, query, tag, expected) in CASES {
        let tag = tag.and_then(Tag::new);
        let hits = index.search(query, tag.as_ref(), 20).unwrap();
        // Ranked by briefing: the sections of one briefing count once, where the first is.
        let mut briefings: Vec<&str> = Vec::new();
        for hit in &hits {
            if !briefings.contains(&hit.briefing_id.as_str()) {
                briefings.push(&hit.briefing_id);
            }
        }
        let rank = briefings
            .iter()
            .position(|id| id == expected)
            .map(|i| i + 1);
        reciprocal_ranks += rank.map_or(0.0, |r| 1.0 / r as f64);
        top1 += usize::from(rank == Some(1));
        let shown = match &tag {
            Some(t) => format!("{query} tag:{t}"),
            None => query.to_string(),
        };
        println!(
            "{kind:<22} {shown:<32} {expected:<32} {:<32} {}",
            briefings.first().copied().unwrap_or("(nothing)"),
            rank.map_or("-".to_string(), |r| r.to_string()),
        );
    }
    let n = CASES.len() as f64;
    let top1_rate = top1 as f64 / n;
    println!(
        "{} queries: MRR {:.3}, top-1 {:.1} % ({top1})",
        CASES.len(),
        reciprocal_ranks / n,
        top1_rate * 100.0
    );
    assert!(
        top1_rate >= 0.9,
        "top-1 {:.1} % is below 90 %: see the table with --nocapture",
        top1_rate * 100.0
    );
}
