//! Table-driven parser tests over `tests/fixtures`: every broken briefing in `invalid/` must
//! produce exactly the errors in its `.expected` file (`line: reason`, one a line), and every
//! file in `valid/` must parse. Set `BLESS=1` to write missing `.expected` files for review.

use briefbot::briefings::{parse_briefing, ParseInput, SectionCatalog, SourceKind};
use chrono::{TimeZone, Utc};
use std::path::{Path, PathBuf};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| SourceKind::from_path(p).is_some())
        .collect();
    files.sort();
    files
}

fn parse(path: &Path) -> Result<briefbot::briefings::Briefing, Vec<String>> {
    let catalog = SectionCatalog::default();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let input = ParseInput {
        id: "fixture",
        path: &name,
        kind: SourceKind::from_path(path).unwrap(),
        modified: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        catalog: &catalog,
        default_lang: "en",
    };
    parse_briefing(&input, &std::fs::read(path).unwrap())
        .map_err(|errs| errs.iter().map(|e| e.to_string()).collect())
}

#[test]
fn every_invalid_fixture_reports_its_expected_errors() {
    let files = fixtures("invalid");
    assert!(files.len() >= 10, "the invalid fixtures are missing");
    let mut failures = Vec::new();
    for path in files {
        let expected_path = path.with_extension(format!(
            "{}.expected",
            path.extension().unwrap().to_string_lossy()
        ));
        let got = match parse(&path) {
            Ok(_) => vec!["<parsed without error>".to_string()],
            Err(errs) => errs,
        };
        let got = got.join("\n") + "\n";
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == got => {}
            Ok(expected) => failures.push(format!(
                "{}:\n  expected: {expected}  got:      {got}",
                path.display()
            )),
            Err(_) if std::env::var_os("BLESS").is_some() => {
                std::fs::write(&expected_path, &got).unwrap()
            }
            Err(_) => failures.push(format!("{}: no .expected file", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bom_and_crlf_are_accepted_and_soft_wraps_joined() {
    let b = parse(&fixtures("valid")[0]).unwrap();
    assert_eq!(b.title, "CRLF title");
    let happening = b.section("whats_happening").unwrap();
    assert_eq!(happening.body, "Line one wraps here.\n\nSecond paragraph.");
    assert_eq!(b.section("why_it_matters").unwrap().body, "Because.");
    // No date in a text file: the file's modification time is used.
    assert_eq!(b.date, Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap());
}

#[test]
fn french_headings_and_custom_sections() {
    let b = parse(&fixtures("valid")[1]).unwrap();
    let keys: Vec<&str> = b.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["whats_happening", "why_it_matters", "key_players"]);
    assert_eq!(b.sections[2].heading, "Key Players");
    assert_eq!(b.sections[2].body, "- One\n- Two");
    // No title anywhere: the file name, humanized.
    assert_eq!(b.title, "French no front matter");
}

#[test]
fn a_config_alias_makes_a_text_heading_known() {
    let mut catalog = SectionCatalog::default();
    catalog.add_aliases("whats_next", &["Looking Ahead".to_string()]);
    let input = ParseInput {
        id: "x",
        path: "x.txt",
        kind: SourceKind::Text,
        modified: Utc::now(),
        catalog: &catalog,
        default_lang: "en",
    };
    let b = parse_briefing(&input, b"What's Happening?\nA.\nLooking ahead:\nB.\n").unwrap();
    assert_eq!(b.section("whats_next").unwrap().body, "B.");
}
