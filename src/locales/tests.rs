use super::*;
use std::collections::BTreeSet;

fn ids(text: &str) -> BTreeSet<String> {
    let resource = fluent_syntax::parser::parse(text).unwrap_or_else(|(_, errors)| {
        panic!("a shipped file has syntax errors: {errors:?}");
    });
    resource
        .body
        .iter()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn problems(files: &[(&str, &str)]) -> Vec<String> {
    let dir = folder(files);
    let problems = Locales::load(Some(dir.path())).expect_err("the folder has problems");
    problems
        .into_iter()
        .map(|p| match p {
            LoadProblem::Folder(m) => m,
            LoadProblem::File(p) => {
                let file = p.path.file_name().unwrap().to_string_lossy().to_string();
                format!("{file}:{}:{}: {}", p.line, p.col, p.message)
            }
        })
        .collect()
}

#[test]
fn every_shipped_locale_has_every_key_and_no_other() {
    let english = ids(SHIPPED[0].1);
    assert!(english.len() > 80, "{english:?}");
    for (tag, text) in &SHIPPED[1..] {
        let theirs = ids(text);
        let missing: Vec<_> = english.difference(&theirs).collect();
        let extra: Vec<_> = theirs.difference(&english).collect();
        assert!(missing.is_empty(), "locales/{tag}.ftl lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "locales/{tag}.ftl has unknown keys {extra:?}"
        );
    }
    let shipped = Locales::shipped();
    assert_eq!(shipped.tags().collect::<Vec<_>>(), ["en", "fr"]);
    assert!(shipped.warnings().is_empty(), "{:?}", shipped.warnings());
}

/// Every `words.t("key", …)` and `words.text("key")` in the code names a key English has, so a
/// typo cannot ship as a raw key in a member's face.
#[test]
fn every_key_the_code_asks_for_exists_in_english() {
    let english = ids(SHIPPED[0].1);
    let mut asked = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            // This module's own examples and tests name made-up keys.
            if path.ends_with("locales") || path.parent().is_some_and(|p| p.ends_with("locales")) {
                continue;
            }
            let code = std::fs::read_to_string(&path).unwrap();
            let code: Vec<&str> = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            let code = code.join("\n");
            for call in [".t(\"", ".text(\""] {
                for (at, _) in code.match_indices(call) {
                    let rest = &code[at + call.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    asked.insert((key.to_string(), path.display().to_string()));
                }
            }
        }
    }
    assert!(asked.len() > 40, "found only {asked:?}");
    let unknown: Vec<_> = asked.iter().filter(|(k, _)| !english.contains(k)).collect();
    assert!(unknown.is_empty(), "keys missing from en.ftl: {unknown:?}");
}

#[test]
fn a_member_gets_their_language_else_the_guilds_else_english() {
    let locales = Locales::shipped();
    let pick =
        |user: Option<&str>, guild: Option<&str>| locales.words(&[user, guild]).lang().to_string();
    assert_eq!(pick(Some("fr"), Some("en-US")), "fr");
    assert_eq!(
        pick(Some("en-US"), Some("fr")),
        "en",
        "the member's own language wins"
    );
    assert_eq!(pick(Some("xx"), None), "en");
    assert_eq!(pick(Some("de"), Some("fr")), "fr");
    assert_eq!(pick(Some("de"), Some("es-ES")), "en");
    assert_eq!(pick(None, None), "en");
    assert_eq!(locales.resolve("fr-CA"), Some("fr"));
    assert_eq!(locales.resolve("EN_gb"), Some("en"));
    assert_eq!(locales.resolve(""), None);
}

#[test]
fn words_format_plurals_and_hold_no_invisible_marks() {
    let fr = Locales::shipped().words(&[Some("fr")]);
    let args = |n: usize| {
        [
            ("page", Arg::from(1usize)),
            ("pages", 2usize.into()),
            ("count", n.into()),
        ]
    };
    assert_eq!(fr.t("list-footer", &args(1)), "Page 1 sur 2 · 1 briefing");
    assert_eq!(
        fr.t("list-footer", &args(12)),
        "Page 1 sur 2 · 12 briefings"
    );
    let en = Words::english();
    let text = en.t("digest-removed", &[("name", "morning".into())]);
    assert_eq!(text, "Removed `morning`. It won't post again.");
    assert_eq!(en.text("no-such-key"), "no-such-key");
    // A Discord id is text, not a float that would round it.
    let text = en.t(
        "digest-channel-unseen",
        &[("channel", "123456789012345678".into())],
    );
    assert!(
        text.starts_with("I can't see <#123456789012345678>."),
        "{text}"
    );
}

#[test]
fn an_admins_folder_overrides_one_message_and_adds_a_language_that_falls_back_to_english() {
    let dir = folder(&[
        ("fr.ftl", "list-title = Les briefings\n"),
        ("de.ftl", "button-next = Weiter\nlist-titel = Briefings\n"),
        ("notes.txt", "not a locale"),
    ]);
    let locales = Arc::new(Locales::load(Some(dir.path())).unwrap());
    assert_eq!(locales.tags().collect::<Vec<_>>(), ["en", "fr", "de"]);
    let fr = locales.words(&[Some("fr")]);
    assert_eq!(fr.text("list-title"), "Les briefings");
    assert_eq!(
        fr.text("button-next"),
        "Suivant",
        "the rest of shipped French stays"
    );
    let de = locales.words(&[Some("de-AT")]);
    assert_eq!(de.lang(), "de");
    assert_eq!(de.text("button-next"), "Weiter");
    assert_eq!(
        de.text("button-previous"),
        "Previous",
        "English fills the gap"
    );
    let warnings = locales.warnings().join("\n");
    let de_file = dir.path().join("de.ftl").display().to_string();
    assert!(
        warnings.contains(&format!(
            "{de_file}: `button-previous` is missing; English is used"
        )),
        "{warnings}"
    );
    assert!(
        warnings.contains(&format!(
            "{de_file}:2: `list-titel` is not a message briefbot uses"
        )),
        "{warnings}"
    );
    assert!(!warnings.contains("fr.ftl"), "{warnings}");
}

#[test]
fn broken_overrides_are_problems_at_their_line() {
    let mut found = problems(&[(
        "fr.ftl",
        "button-next = Suivant\n\
         list-title-tagged = Briefings #{ $tga }\n\
         cmd-brief = Lire\n    .name = Lire Le Briefing\n\
         list-footer = Page { $page\n\
         button-previous = Précédent\n\
         button-previous = Avant\n",
    )]);
    found.sort();
    assert_eq!(
        found,
        [
            "fr.ftl:2:1: `list-title-tagged` uses `{ $tga }`, which it is never given: it is given `{ $tag }`",
            "fr.ftl:4:1: `cmd-brief.name` must be 1 to 32 lowercase letters, digits, `-` or `_` (Discord's rule for command names), found `Lire Le Briefing`",
            "fr.ftl:5:27: syntax error: Expected a token starting with \"}\"",
            "fr.ftl:7:1: `button-previous` is defined twice (first on line 6)",
        ]
    );
}

#[test]
fn a_choice_name_discord_would_refuse_is_a_problem_at_its_line() {
    let long = "x".repeat(101);
    let found = problems(&[(
        "fr.ftl",
        &format!(
            "cmd-digest-add-opt-target = Cible\n    .name = cible\n    .choice-forum = {long}\n"
        ),
    )]);
    assert_eq!(
        found,
        [
            "fr.ftl:3:1: `cmd-digest-add-opt-target.choice-forum` names a choice: 1 to 100 \
          characters of plain text"
        ]
    );
}

#[test]
fn a_file_named_after_no_language_is_a_folder_problem() {
    let found = problems(&[("english.ftl", "button-next = Next\n")]);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].contains("is not named after a language"),
        "{found:?}"
    );
}
