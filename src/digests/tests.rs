//! Digest specs and content selection.

use super::*;
use crate::answer::Tag;
use crate::briefings::{Briefing, Library, Section, SectionKey};
use crate::config::{CatchUp, DigestConfig, ScheduleConfig, WhenEmpty};
use crate::digests::schedule::Schedule;
use crate::locales::Words;
use crate::render::{limits, SUPPRESS_NOTIFICATIONS};
use crate::store::NewDigest;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

fn section(key: &str) -> Section {
    Section {
        key: SectionKey::new(key),
        heading: key.replace('_', " "),
        body: format!("Body of {key}."),
    }
}

/// Briefing `id` dated day `day` of June 2025, with `tags` and sections `keys`.
fn briefing(id: &str, day: u32, tags: &[&str], keys: &[&str]) -> Briefing {
    Briefing {
        id: id.into(),
        title: format!("Title {id}"),
        date: format!("2025-06-{day:02}T00:00:00Z").parse().unwrap(),
        date_only: true,
        tags: Tag::all(tags.iter().copied()),
        source: None,
        lang: "en".into(),
        sections: keys.iter().map(|k| section(k)).collect(),
    }
}

fn library() -> Library {
    const ALL: &[&str] = &["whats_happening", "why_it_matters", "whats_next"];
    Library::from_briefings(vec![
        briefing("a", 1, &["sahel"], ALL),
        briefing("b", 2, &["economy"], ALL),
        briefing("c", 3, &["sahel", "security"], &["whats_happening"]),
        briefing("d", 4, &["sahel"], ALL),
        briefing("e", 5, &["security"], &["whats_next"]),
    ])
}

fn config_digest() -> DigestConfig {
    DigestConfig {
        name: "Morning".into(),
        channel_id: 10,
        guild_id: Some(1),
        schedule: Schedule::parse("0 8 * * MON-FRI", Tz::UTC).unwrap(),
        timezone: Tz::UTC,
        sections: vec![],
        tags: vec![],
        max_briefings: 3,
        only_new: true,
        when_empty: WhenEmpty::Skip,
        silent: false,
        mention_role: None,
        catch_up: CatchUp::Once,
        grace: Duration::from_secs(3600),
        lang: None,
        target: Default::default(),
    }
}

fn spec(f: impl FnOnce(&mut DigestSpec)) -> DigestSpec {
    let mut s = DigestSpec::from_config(&config_digest());
    f(&mut s);
    s
}

fn ids(entries: &[crate::render::DigestEntry]) -> Vec<String> {
    entries.iter().map(|e| e.briefing.id.clone()).collect()
}

#[test]
fn newest_matching_briefings_first_up_to_the_maximum() {
    let lib = library();
    let none = HashSet::new();
    #[rustfmt::skip]
    let cases: Vec<(DigestSpec, HashSet<String>, &[&str])> = vec![
        (spec(|_| {}), none.clone(), &["e", "d", "c"]),
        (spec(|s| s.max_briefings = 10), none.clone(), &["e", "d", "c", "b", "a"]),
        (spec(|s| s.tags = Tag::all(["sahel"])), none.clone(), &["d", "c", "a"]),
        (spec(|s| s.tags = Tag::all(["economy", "security"])), none.clone(), &["e", "c", "b"]),
        (spec(|s| s.tags = Tag::all(["nothing"])), none.clone(), &[]),
        // only_new leaves out what was posted; without it, posted briefings come again.
        (spec(|_| {}), ["e".into(), "d".into()].into(), &["c", "b", "a"]),
        (spec(|s| s.only_new = false), ["e".into(), "d".into()].into(), &["e", "d", "c"]),
        // A section digest skips briefings without the section, and they do not count.
        (spec(|s| s.sections = vec![SectionKey::new("whats_next")]), none.clone(), &["e", "d", "b"]),
        (spec(|s| s.sections = vec![SectionKey::new("beyond_the_headlines")]), none.clone(), &[]),
    ];
    for (i, (s, posted, want)) in cases.iter().enumerate() {
        assert_eq!(ids(&select_content(s, &lib, posted)), *want, "case {i}");
    }
}

#[test]
fn entries_show_the_requested_sections_in_the_digest_order() {
    let lib = library();
    let s = spec(|s| {
        s.sections = vec![
            SectionKey::new("whats_next"),
            SectionKey::new("whats_happening"),
        ];
        s.max_briefings = 5;
    });
    let entries = select_content(&s, &lib, &HashSet::new());
    let keys =
        |i: usize| -> Vec<&str> { entries[i].sections.iter().map(|s| s.key.as_str()).collect() };
    assert_eq!(ids(&entries), ["e", "d", "c", "b", "a"]);
    assert_eq!(keys(0), ["whats_next"]);
    assert_eq!(keys(1), ["whats_next", "whats_happening"]);
    assert_eq!(keys(2), ["whats_happening"]);
    // All sections, in the briefing's order, when none are requested.
    let all = select_content(&spec(|_| {}), &lib, &HashSet::new());
    assert_eq!(all[1].sections.len(), 3);
}

#[test]
fn a_resumed_delivery_gets_the_briefings_it_chose() {
    let lib = library();
    let chosen = ["c".to_string(), "gone".into(), "a".into()];
    let entries = entries_by_id(&spec(|_| {}), &lib, &chosen);
    assert_eq!(ids(&entries), ["c", "a"]);
}

#[test]
fn nonces_are_short_stable_and_distinct() {
    let fire: DateTime<Utc> = "2025-06-04T08:00:00Z".parse().unwrap();
    let n = nonce("cfg:morning", fire, 0);
    assert_eq!(n, nonce("cfg:morning", fire, 0));
    assert_eq!(n.len(), 22);
    assert!(n.len() <= limits::NONCE);
    let mut seen = HashSet::new();
    for key in ["cfg:morning", "cfg:evening", "g:1:morning", "g:2:morning"] {
        for secs in [0, 1, 3600] {
            for index in 0..12 {
                let fire = fire + chrono::TimeDelta::seconds(secs);
                assert!(seen.insert(nonce(key, fire, index)), "{key} {secs} {index}");
            }
        }
    }
    // Pinned, so a change of the scheme (which would re-send after an upgrade) is noticed.
    assert_eq!(nonce("cfg:morning", fire, 3), "33016eezm2ktn0sxbnk003");
}

#[test]
fn delivery_messages_carry_name_fire_time_nonces_role_and_silence() {
    let lib = library();
    let fire: DateTime<Utc> = "2025-06-04T08:00:00Z".parse().unwrap();
    let s = spec(|s| {
        s.mention_role = Some(77);
        s.silent = true;
        s.max_briefings = 5;
    });
    let msgs = render_delivery(
        &s,
        fire,
        select_content(&s, &lib, &HashSet::new()),
        &Words::english(),
    );
    assert!(msgs[0]
        .content
        .starts_with("<@&77> **Morning** · <t:1749024000:f>"));
    assert_eq!(msgs[0].allowed_mentions.roles, ["77"]);
    for (i, m) in msgs.iter().enumerate() {
        assert_eq!(m.nonce.as_deref(), Some(nonce(&s.key, fire, i).as_str()));
        assert_eq!(m.enforce_nonce, Some(true));
        assert_eq!(
            m.flags.unwrap_or(0) & SUPPRESS_NOTIFICATIONS,
            SUPPRESS_NOTIFICATIONS
        );
        limits::check(m).unwrap();
    }
    let notice = render_delivery(&s, fire, vec![], &Words::english());
    assert_eq!(notice.len(), 1);
    assert!(
        notice[0].content.contains("Nothing new"),
        "{}",
        notice[0].content
    );
}

#[test]
fn specs_from_config_and_from_store_rows() {
    let s = DigestSpec::from_config(&config_digest());
    assert_eq!((s.key.as_str(), s.is_config()), ("cfg:morning", true));

    let row = crate::store::DigestRow {
        key: "g:9:news".into(),
        digest: NewDigest {
            guild_id: 9,
            name: "News".into(),
            channel_id: 5,
            schedule: "30 2 * * *".into(),
            timezone: "America/New_York".into(),
            sections: vec!["whats_next".into()],
            tag: Some(" #Sahel ".into()),
            mention_role: None,
            silent: false,
            max_briefings: 2,
            only_new: false,
            when_empty: WhenEmpty::Notice,
            created_by: 3,
            lang: None,
            target: Default::default(),
        },
        created_at: "2025-06-01T00:00:00Z".parse().unwrap(),
        paused: true,
        paused_reason: Some("gone".into()),
    };
    let defaults = ScheduleConfig {
        default_timezone: Tz::UTC,
        catch_up: CatchUp::All,
        grace: Duration::from_secs(60),
        edit_window: std::time::Duration::ZERO,
        targets: crate::digests::TargetKind::ALL.to_vec(),
    };
    let s = DigestSpec::from_row(&row, &defaults).unwrap();
    assert_eq!(s.key, "g:9:news");
    assert_eq!(s.tags, ["sahel"]);
    assert_eq!(s.schedule.timezone(), chrono_tz::America::New_York);
    assert_eq!(
        (s.catch_up, s.grace, s.paused),
        (CatchUp::All, defaults.grace, true)
    );
    assert!(!s.is_config());

    // Digests with the same schedule share one parsed copy (a croner `Cron` weighs ~5 KB).
    let twin = DigestSpec::from_row(&row, &defaults).unwrap();
    assert!(Arc::ptr_eq(&s.schedule, &twin.schedule));

    let mut bad = row.clone();
    bad.digest.timezone = "Mars/Olympus".into();
    assert!(DigestSpec::from_row(&bad, &defaults).is_err());
}

#[test]
fn an_empty_delivery_says_so_in_the_digests_language() {
    let s = spec(|s| s.when_empty = WhenEmpty::Notice);
    let fire = "2026-11-27T08:00:00Z".parse().unwrap();
    let fr = crate::locales::Locales::shipped().words(&[Some("fr")]);
    let notice = render_delivery(&s, fire, vec![], &fr);
    assert_eq!(
        notice[0].content,
        "**Morning** · <t:1795766400:f>\nRien de nouveau à publier."
    );
}

#[test]
fn a_forum_posts_title_shows_the_time_only_when_the_day_has_several_fires() {
    let words = Words::english();
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    let daily = spec(|_| {});
    let title = crate::digests::steps::post_title(&daily, at("2025-06-04T08:00:00Z"), &words);
    assert_eq!(title, "Morning · 2025-06-04");
    // Twice a day in Paris: each post says which one, on the digest's own clock.
    let paris: Tz = "Europe/Paris".parse().unwrap();
    let twice = spec(|s| s.schedule = Arc::new(Schedule::parse("0 8,18 * * *", paris).unwrap()));
    let morning = crate::digests::steps::post_title(&twice, at("2025-06-04T06:00:00Z"), &words);
    let evening = crate::digests::steps::post_title(&twice, at("2025-06-04T16:00:00Z"), &words);
    assert_eq!(
        (morning.as_str(), evening.as_str()),
        ("Morning · 2025-06-04 08:00", "Morning · 2025-06-04 18:00")
    );
}
