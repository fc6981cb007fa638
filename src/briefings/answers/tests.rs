//! The query layer with plain values: libraries built in memory, answers checked as payloads.
use super::*;
use crate::briefings::{Section, SectionKey};
use crate::locales::Locales;
use chrono::{TimeZone, Utc};

fn en() -> Words {
    Words::english()
}

fn briefing(id: &str, title: &str, day: u32, tags: &[&str]) -> Briefing {
    Briefing {
        id: id.into(),
        title: title.into(),
        date: Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0).unwrap(),
        date_only: true,
        tags: Tag::all(tags.iter().copied()),
        source: None,
        lang: "en".into(),
        sections: vec![Section {
            key: SectionKey::new("whats_next"),
            heading: "What's Next?".into(),
            body: format!("Next for {title}."),
        }],
    }
}

fn library(n: u32) -> Library {
    Library::from_briefings(
        (1..=n)
            .map(|i| {
                briefing(
                    &format!("b{i:02}"),
                    &format!("Story {i}"),
                    i.min(28),
                    if i % 2 == 0 { &["even"] } else { &["odd"] },
                )
            })
            .collect(),
    )
}

#[test]
fn missing_briefing_names_recent_ones_and_echoes_input_safely() {
    let lib = library(3);
    let err = find_briefing(&en(), &lib, Some("@everyone `x`")).unwrap_err();
    assert!(
        err.0.contains("Recent briefings: `b03`, `b02`, `b01`"),
        "{err}"
    );
    assert!(
        !err.0.contains("@everyone") && err.0.contains("'everyone 'x'"),
        "{err}"
    );
    assert_eq!(find_briefing(&en(), &lib, None).unwrap().id, "b03");
    assert_eq!(find_briefing(&en(), &lib, Some("  ")).unwrap().id, "b03");
    assert!(find_briefing(&en(), &Library::default(), None)
        .unwrap_err()
        .0
        .contains("No briefings"));
}

#[test]
fn path_like_ids_never_leave_the_library() {
    let lib = library(2);
    for id in [
        "../../etc/passwd",
        "/etc/passwd",
        "b01/../../x",
        "..",
        "%2e%2e/",
    ] {
        assert!(find_briefing(&en(), &lib, Some(id)).is_err(), "{id}");
    }
}

#[test]
fn missing_section_lists_the_ones_there_are() {
    let lib = library(1);
    let cache = AnswerCache::new(&lib);
    let catalog = SectionCatalog::default();
    let err = section(&en(), &lib, &cache, &catalog, None, "whats_happening").unwrap_err();
    assert_eq!(
        err.0,
        "“Story 1” has no What's Happening? section. It has: What's Next?."
    );
    assert!(section(&en(), &lib, &cache, &catalog, None, "whats-next").is_ok());
    assert!(section(&en(), &lib, &cache, &catalog, Some("b01"), "What's next?").is_ok());
}

#[test]
fn answers_are_rendered_once_per_snapshot_and_never_stale() {
    let lib = library(2);
    let cache = AnswerCache::new(&lib);
    let catalog = SectionCatalog::default();
    let b = lib.get("b01").unwrap();
    let whole = brief(&en(), &lib, &cache, Some("b01")).unwrap();
    assert_eq!(whole.payloads(), render::render_briefing(b));
    let next = section(&en(), &lib, &cache, &catalog, Some("b01"), "whats_next").unwrap();
    assert_eq!(next.payloads(), render::render_section(b, &b.sections[0]));
    // Asked again, the same messages come back without rendering them again.
    let again = section(&en(), &lib, &cache, &catalog, Some("b01"), "whats-next").unwrap();
    assert!(again
        .messages()
        .zip(next.messages())
        .all(|(a, n)| std::ptr::eq(a, n)));

    // A newer snapshot with an edited b01 answers with the edit, even through the old cache.
    let mut edited = (**b).clone();
    edited.sections[0].body = "Edited.".into();
    let newer = Library::from_briefings(vec![edited]);
    let shown = section(&en(), &newer, &cache, &catalog, Some("b01"), "whats_next").unwrap();
    assert_eq!(
        shown.payloads()[0].embeds[0].description.as_deref(),
        Some("Edited.")
    );
    let fresh = AnswerCache::new(&newer);
    let shown = brief(&en(), &newer, &fresh, Some("b01")).unwrap();
    assert_eq!(
        shown.payloads()[0].embeds[0].description.as_deref(),
        Some("Edited.")
    );
}

#[test]
fn a_full_cache_still_answers_and_keeps_no_more() {
    let lib = library(3);
    let size = |id| -> usize {
        let answer = brief(&en(), &lib, &AnswerCache::new(&lib), Some(id)).unwrap();
        answer.messages().map(str::len).sum()
    };
    // Room for the first two briefings' answers, not the third.
    let kept = size("b01") + size("b02");
    let cache = AnswerCache::with_limit(&lib, kept + size("b03") / 2);
    let same = |a: &Prepared, b: &Prepared| {
        a.messages()
            .zip(b.messages())
            .all(|(x, y)| std::ptr::eq(x, y))
    };
    for id in ["b01", "b02", "b03"] {
        let first = brief(&en(), &lib, &cache, Some(id)).unwrap();
        let again = brief(&en(), &lib, &cache, Some(id)).unwrap();
        let b = lib.get(id).unwrap();
        assert_eq!(again.payloads(), render::render_briefing(b));
        assert_eq!(same(&first, &again), id != "b03", "{id}");
    }
    assert_eq!(cache.bytes(), kept);
}

#[test]
fn pages_carry_their_state_in_the_buttons() {
    let lib = library(23);
    let first = list_page(&en(), &lib, None, 1, 10).unwrap();
    assert_eq!(
        first.embeds[0].footer.as_ref().unwrap().text,
        "Page 1 of 3 · 23 briefing(s)"
    );
    let buttons = &first.components[0].components;
    assert!(buttons[0].disabled && !buttons[1].disabled);
    assert_eq!(parse_list_button(&buttons[1].custom_id), Some((2, None)));

    let tagged = list_page(&en(), &lib, Some("#Even"), 2, 10).unwrap();
    let next = &tagged.components[0].components[1];
    assert!(next.disabled, "page 2 of 2 has no next");
    assert_eq!(
        parse_list_button(&tagged.components[0].components[0].custom_id),
        Some((1, Some("even".into())))
    );
    // After a reload shrank the list, an old button shows the last page.
    let late = list_page(&en(), &lib, None, 9, 10).unwrap();
    assert!(late.embeds[0]
        .footer
        .as_ref()
        .unwrap()
        .text
        .starts_with("Page 3 of 3"));
    assert!(render::limits::check(&late).is_ok());
    assert!(list_page(&en(), &lib, Some("nope"), 1, 10)
        .unwrap_err()
        .0
        .contains("`even`, `odd`"));
}

#[test]
fn forged_button_ids_are_rejected() {
    for id in [
        "",
        "brf:list:",
        "brf:list:x:",
        "brf:list:0:",
        "brf:list:-1:",
        "brf:list:99999999999999999999:",
        "other:1:",
        "brf:list:1",
    ] {
        assert_eq!(parse_list_button(id), None, "{id:?}");
    }
    let long_tag = "t".repeat(300);
    assert!(list_button_id(7, &long_tag).chars().count() <= render::limits::CUSTOM_ID);
}

#[test]
fn autocomplete_is_capped_and_ranks_prefixes_first() {
    let mut many: Vec<Briefing> = (0..40)
        .map(|i| briefing(&format!("x{i:02}"), "Other", 1, &[]))
        .collect();
    many.push(briefing("sahel", "Sahel alliance", 2, &[]));
    many.push(briefing("mali-sahel", "Mali", 3, &[]));
    let lib = Library::from_briefings(many);
    assert_eq!(complete_briefings(&lib, "").len(), MAX_CHOICES);
    let sahel: Vec<String> = complete_briefings(&lib, "sah")
        .into_iter()
        .map(|c| c.value)
        .collect();
    assert_eq!(sahel, ["sahel", "mali-sahel"]);
    assert_eq!(
        complete_briefings(&lib, "sahel")[0].name,
        "Sahel alliance (2026-11-02)"
    );
    assert!(complete_briefings(&lib, "zzz").is_empty());
}

#[test]
fn section_choices_follow_the_chosen_briefing() {
    let lib = library(2);
    let catalog = SectionCatalog::default();
    let choices = complete_sections(&lib, &catalog, Some("b01"), "");
    assert_eq!(
        choices,
        [Choice {
            name: "What's Next?".into(),
            value: "whats_next".into()
        }]
    );
    assert_eq!(
        complete_sections(&lib, &catalog, Some("missing"), "why")[0].value,
        "why_it_matters"
    );
}

#[test]
fn search_answers_fit_discord_and_refuse_bad_queries() {
    let lib = library(3);
    let index = SearchIndex::build(&lib).unwrap();
    let found = search(&en(), &index, "story", None, 5, 200).unwrap();
    assert_eq!(found.embeds[0].fields.len(), 3);
    assert!(render::limits::check(&found).is_ok());
    // Nothing found is a refusal (shown to the caller only), echoing the query as typed.
    let none = search(&en(), &index, "zebra_crossing *now*", None, 5, 200).unwrap_err();
    assert_eq!(none.0, r"No briefing matches “zebra\_crossing \*now\*”.");
    assert!(search(&en(), &index, "   ", None, 5, 200).is_err());
    assert!(search(&en(), &index, &"a".repeat(201), None, 5, 200)
        .unwrap_err()
        .0
        .contains("200"));
}

#[test]
fn a_french_member_reads_french_refusals_titles_and_buttons() {
    let fr = Locales::shipped().words(&[Some("fr")]);
    let lib = library(23);
    let page = list_page(&fr, &lib, Some("even"), 1, 10).unwrap();
    let embed = &page.embeds[0];
    assert_eq!(
        embed.title.as_deref(),
        Some("Briefings avec le mot-clé #even")
    );
    assert_eq!(
        embed.footer.as_ref().unwrap().text,
        "Page 1 sur 2 · 11 briefings"
    );
    let labels: Vec<&str> = page.components[0]
        .components
        .iter()
        .map(|b| b.label.as_str())
        .collect();
    assert_eq!(labels, ["Précédent", "Suivant"]);
    let err = find_briefing(&fr, &lib, Some("nope")).unwrap_err();
    assert!(
        err.0
            .starts_with("Je ne trouve pas de briefing nommé `nope`."),
        "{err}"
    );
    let lib = library(1);
    let err = section(
        &fr,
        &lib,
        &AnswerCache::new(&lib),
        &SectionCatalog::default(),
        None,
        "whats_happening",
    );
    assert_eq!(
        err.unwrap_err().0,
        "« Story 1 » n'a pas de section What's Happening?. Ses sections : What's Next?."
    );
}

#[test]
fn search_echoes_the_query_as_typed() {
    let index = SearchIndex::build(&library(3)).unwrap();
    let title = |q: &str| {
        search(&en(), &index, q, None, 5, 200).unwrap().embeds[0]
            .title
            .clone()
    };
    assert_eq!(
        title("section:whats_next Story~2").unwrap(),
        r"Search: section:whats\_next Story\~2"
    );
    assert_eq!(
        title("`story` <@&1> @everyone [x](y)").unwrap(),
        r"Search: \`story\` \<\@&1\> \@everyone \[x\](y)"
    );
    // Cut to 100 characters before escaping, so the cut never splits an escape.
    let long = format!("story {}", "\\".repeat(150));
    let shown = title(&long).unwrap();
    assert!(shown.ends_with(r"\\…"), "{shown}");
    assert!(render::limits::chars(&shown) <= render::limits::EMBED_TITLE);
}
