//! Properties of the rendering API over arbitrary briefings and digests: every payload is within
//! Discord's limits, pings no one it should not, and loses none of a section's text.

use super::tests::{assert_sendable, briefing, descriptions, non_ws, section};
use super::*;
use crate::answer::Tag;
use crate::briefings::Briefing;
use chrono::DateTime;
use proptest::prelude::*;
use proptest::sample::select;

/// Markdown-ish text of up to `max_tokens` tokens, built from plain integers so that generating
/// 30,000-character bodies stays cheap: words, mentions that must not ping, links with spaces,
/// long words, emoji and CJK, code spans, separated by spaces, line breaks and blank lines.
fn text(max_tokens: usize) -> impl Strategy<Value = String> {
    const WORDS: [&str; 8] = [
        "alliance", "troupes", "patrols", "Niamey", "à", "the", "of", "été",
    ];
    const ODD: [&str; 8] = [
        "@everyone",
        "@here",
        "<@&123>",
        "<@456>",
        "😀👍🏽",
        "漢字かな。",
        "**b**",
        "#tag",
    ];
    const SEPS: [&str; 8] = [" ", " ", " ", " ", "  ", "\n", "\n\n", ". "];
    prop::collection::vec(any::<u32>(), 0..max_tokens).prop_map(|xs| {
        let mut out = String::new();
        for x in xs {
            let pick = |list: &[&'static str], shift: u32| list[(x >> shift) as usize % list.len()];
            match x % 16 {
                0..=10 => out.push_str(pick(&WORDS, 4)),
                11 => out.push_str(pick(&ODD, 4)),
                12 => out.push_str(&format!(
                    "[{} {}](https://example.org/{})",
                    pick(&WORDS, 4),
                    pick(&WORDS, 8),
                    x >> 12
                )),
                13 => out.push_str(&"abcdefghij".repeat((x >> 4) as usize % 60 + 1)),
                14 => out.push_str(&format!("`{} {}`", pick(&WORDS, 4), pick(&WORDS, 8))),
                _ => out.push_str(&pick(&WORDS, 4).to_uppercase()),
            }
            out.push_str(pick(&SEPS, 20));
        }
        out
    })
}

fn any_briefing() -> impl Strategy<Value = Briefing> {
    let key = select(vec![
        "whats_happening",
        "why_it_matters",
        "whats_next",
        "beyond_the_headlines",
        "timeline",
    ]);
    let sec = (key, text(12), text(1050)).prop_map(|(k, h, b)| section(k, &h, &b));
    let source = prop::option::of(select(vec![
        "https://example.org/a",
        "ftp://x.org",
        "not a url",
    ]));
    (
        text(40),
        prop::collection::vec(sec, 0..4),
        prop::collection::vec("[a-z#]{1,30}", 0..100),
    )
        .prop_flat_map(move |(title, sections, tags)| {
            (source.clone(), 0i64..4_000_000_000, any::<bool>()).prop_map(
                move |(src, secs, only)| {
                    let mut b = briefing(sections.clone());
                    b.title = title.clone();
                    b.tags = Tag::all(tags.iter().map(String::as_str));
                    b.source = src.map(String::from);
                    b.date = DateTime::from_timestamp(secs, 0).unwrap();
                    b.date_only = only;
                    b
                },
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn briefings_render_within_limits_pinging_no_one_and_losing_nothing(b in any_briefing()) {
        let all = render_briefing(&b);
        let n = all.len();
        for (i, p) in all.iter().enumerate() {
            assert_sendable(p);
            prop_assert_eq!(&p.allowed_mentions, &AllowedMentions::none());
            prop_assert!(p.content.is_empty() && p.flags.is_none());
            // The title once, on the first embed; the date, tags and place once, on the last.
            let last = p.embeds.len() - 1;
            for (k, e) in p.embeds.iter().enumerate() {
                prop_assert_eq!(e.author.is_some(), k == 0 && !b.title.trim().is_empty());
                prop_assert_eq!(e.timestamp.is_some(), k == last);
                prop_assert!(e.footer.is_none() || k == last);
                prop_assert!(e.url.is_none());
            }
            let footer = p.embeds[last].footer.as_ref().map_or("", |f| f.text.as_str());
            if n > 1 {
                prop_assert!(footer.ends_with(&format!("{}/{n}", i + 1)), "{}", footer);
            }
        }
        let mut embeds = 0;
        for s in &b.sections {
            let one = render_section(&b, s);
            prop_assert_eq!(non_ws(&descriptions(&one)), non_ws(&s.body));
            embeds += one.iter().map(|p| p.embeds.len()).sum::<usize>();
        }
        prop_assert_eq!(all.iter().map(|p| p.embeds.len()).sum::<usize>(), embeds.max(1));
    }

    #[test]
    fn digests_allow_only_their_role_on_the_first_message(
        briefings in prop::collection::vec(any_briefing(), 0..3),
        only in prop::option::of(select(vec!["whats_next", "timeline"])),
        name in text(300),
        role in prop::option::of(any::<u64>()),
        silent in any::<bool>(),
    ) {
        // A whole-briefing digest, or a section digest gathering one section across briefings.
        let entries: Vec<DigestEntry> = briefings
            .iter()
            .map(|b| DigestEntry {
                briefing: b,
                sections: b.sections.iter().filter(|s| only.is_none_or(|k| s.key.as_str() == k)).collect(),
            })
            .collect();
        let carries = entries.iter().any(|e| !e.sections.is_empty());
        let fire_time = DateTime::from_timestamp(1_764_230_400, 0).unwrap();
        let d = DigestView { name: &name, fire_time, entries, mention_role: role, silent, nothing_new: "Nothing new to post." };
        let out = render_digest(&d);
        prop_assert!(out[0].content.contains("<t:1764230400:f>"));
        prop_assert_eq!(out.len() == 1 && out[0].embeds.is_empty(), !carries);
        for (i, p) in out.iter().enumerate() {
            assert_sendable(p);
            let expected = match role {
                Some(r) if i == 0 && carries => AllowedMentions::only_role(r),
                _ => AllowedMentions::none(),
            };
            prop_assert_eq!(&p.allowed_mentions, &expected);
            prop_assert_eq!(p.flags, silent.then_some(SUPPRESS_NOTIFICATIONS));
            prop_assert_eq!(i == 0, !p.content.is_empty());
        }
    }
}
