use super::*;
use crate::locales::Words;

fn en() -> Words {
    Words::english()
}
use crate::config::{CatchUp, ScheduleConfig};
use crate::store::{runtime_key, DigestRow};
use std::time::Duration;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const NOW: &str = "2025-06-04T10:00:00Z";

fn morning() -> NewDigest {
    NewDigest {
        guild_id: 1,
        name: "morning".into(),
        channel_id: 10,
        schedule: "0 8 * * MON-FRI".into(),
        timezone: "Europe/Paris".into(),
        sections: vec!["whats_next".into()],
        tag: Some("sahel".into()),
        mention_role: Some(5),
        silent: false,
        max_briefings: 3,
        only_new: true,
        when_empty: WhenEmpty::Skip,
        lang: None,
        created_by: 7,
        target: Default::default(),
    }
}

fn edit_of(edit: EditOptions<'_>) -> Result<NewDigest, String> {
    apply_edit(
        &en(),
        &morning(),
        &edit,
        &SectionCatalog::default(),
        &crate::digests::TargetKind::ALL,
        at(NOW),
    )
    .map_err(|e| e.0)
}

#[test]
fn an_edit_changes_only_what_it_names() {
    let edited = edit_of(EditOptions {
        schedule: Some("30 7 * * *"),
        max_briefings: Some(5),
        when_empty: Some(WhenEmpty::Notice),
        only_new: Some(false),
        silent: Some(true),
        ..EditOptions::default()
    })
    .unwrap();
    let want = NewDigest {
        schedule: "30 7 * * *".into(),
        max_briefings: 5,
        when_empty: WhenEmpty::Notice,
        only_new: false,
        silent: true,
        ..morning()
    };
    assert_eq!(edited, want, "the zone, sections, tag and mention stay");

    // A new zone keeps the schedule; a tag is kept in its normal form.
    let edited = edit_of(EditOptions {
        timezone: Some("America/New_York"),
        tag: Some(" #Lake Chad "),
        sections: Some("all"),
        ..EditOptions::default()
    })
    .unwrap();
    assert_eq!(edited.schedule, "0 8 * * MON-FRI");
    assert_eq!(edited.timezone, "America/New_York");
    assert_eq!(edited.tag.as_deref(), Some("lake chad"));
    assert!(edited.sections.is_empty(), "all: every section");

    for (clear, check) in [
        (
            Clear::Tag,
            (|d: &NewDigest| d.tag.is_none()) as fn(&NewDigest) -> bool,
        ),
        (Clear::MentionRole, |d| d.mention_role.is_none()),
        (Clear::Sections, |d| d.sections.is_empty()),
    ] {
        let edited = edit_of(EditOptions {
            clear: Some(clear),
            ..EditOptions::default()
        })
        .unwrap();
        assert!(check(&edited), "{clear:?}: {edited:?}");
    }
}

#[test]
fn a_refused_edit_names_the_option() {
    #[rustfmt::skip]
    let cases: &[(EditOptions, &str)] = &[
        (EditOptions { schedule: Some("0 25 * * *"), ..Default::default() },
         "`schedule`: `0 25 * * *` is not a schedule I understand: hour `25` is out of range"),
        (EditOptions { timezone: Some("Europe/Pariss"), ..Default::default() },
         "`timezone`: Unknown time zone `Europe/Pariss`. Did you mean `Europe/Paris`?"),
        (EditOptions { schedule: Some("0 0 30 2 *"), ..Default::default() },
         "`schedule`: `0 0 30 2 *` never fires"),
        (EditOptions { sections: Some("whats_next, numbers"), ..Default::default() },
         "`sections`: Unknown section `numbers`."),
        (EditOptions { tag: Some(" # "), ..Default::default() },
         "`tag` needs a word"),
        (EditOptions { mention_role: Some(1), ..Default::default() },
         "`mention_role`: A digest can't mention @everyone."),
        (EditOptions { max_briefings: Some(0), ..Default::default() },
         "`max_briefings` must be from 1 to 10; you gave 0."),
        (EditOptions { max_briefings: Some(11), ..Default::default() },
         "`max_briefings` must be from 1 to 10; you gave 11."),
        (EditOptions { tag: Some("x"), clear: Some(Clear::Tag), ..Default::default() },
         "`clear: tag` and `tag` contradict each other"),
        (EditOptions::default(), "Nothing to change: give at least one of `schedule`"),
    ];
    for (edit, want) in cases {
        let err = edit_of(edit.clone()).unwrap_err();
        assert!(err.starts_with(want), "{err}\nwanted: {want}");
    }
    assert_eq!(check_max_briefings(&en(), 10), Ok(10));
}

fn spec_of(d: NewDigest) -> DigestSpec {
    let row = DigestRow {
        key: runtime_key(d.guild_id, &d.name),
        digest: d,
        created_at: at(NOW),
        paused: false,
        paused_reason: None,
    };
    let defaults = ScheduleConfig {
        default_timezone: Tz::UTC,
        catch_up: CatchUp::Once,
        grace: Duration::from_secs(3600),
        edit_window: std::time::Duration::ZERO,
        targets: crate::digests::TargetKind::ALL.to_vec(),
    };
    DigestSpec::from_row(&row, &defaults).unwrap()
}

#[test]
fn settings_read_as_one_line() {
    let spec = spec_of(morning());
    assert_eq!(
        settings_line(&en(), &spec),
        "Up to 3 briefings tagged `sahel`, only new ones; sections `whats_next`; nothing new: \
         skipped; mentions <@&5>"
    );
    let plain = spec_of(NewDigest {
        sections: vec![],
        tag: None,
        mention_role: None,
        max_briefings: 1,
        only_new: false,
        when_empty: WhenEmpty::Notice,
        silent: true,
        ..morning()
    });
    assert_eq!(
        settings_line(&en(), &plain),
        "Up to 1 briefing, new or already posted; every section; nothing new: a notice; silent"
    );
    assert_eq!(
        edited_text(&en(), &plain, Some(at("2025-06-05T06:00:00Z"))),
        "Digest `morning` updated: it posts to <#10> on `0 8 * * MON-FRI` (Europe/Paris).\n\
         Up to 1 briefing, new or already posted; every section; nothing new: a notice; \
         silent.\nNext post: <t:1749103200:F>."
    );
}

#[test]
fn an_edit_of_target_options_alone_changes_the_target_only() {
    let edited = edit_of(EditOptions {
        target: Some(crate::digests::TargetOptions {
            target: Some("thread".into()),
            open_thread: Some(true),
            ..Default::default()
        }),
        ..EditOptions::default()
    })
    .unwrap();
    let open = crate::digests::ThreadTarget::OpenUnderEach;
    assert_eq!(edited.target, crate::digests::Target::Thread(open));
    assert_eq!(
        (edited.channel_id, edited.schedule),
        (10, morning().schedule)
    );
}

#[test]
fn clearing_a_webhooks_name_or_avatar_gives_back_the_webhooks_own() {
    use crate::digests::{ForumPost, Identity, Target};
    let sahel = Identity {
        username: Some("Sahel Brief".into()),
        avatar_url: Some("https://example.org/sahel.png".into()),
    };
    let clear = |target: Target, clear: Clear| {
        let current = NewDigest {
            target,
            ..morning()
        };
        let edit = EditOptions {
            clear: Some(clear),
            ..EditOptions::default()
        };
        let catalog = SectionCatalog::default();
        apply_edit(
            &en(),
            &current,
            &edit,
            &catalog,
            &crate::digests::TargetKind::ALL,
            at(NOW),
        )
        .unwrap()
        .target
    };
    let hook = clear(Target::Webhook(sahel.clone()), Clear::Username);
    let avatar_only = Identity {
        username: None,
        ..sahel.clone()
    };
    assert_eq!(hook, Target::Webhook(avatar_only.clone()));
    // A forum left with neither posts as the bot again.
    let forum = |identity| Target::Forum {
        post: ForumPost::Digest,
        tags: false,
        identity,
    };
    assert_eq!(
        clear(forum(Some(avatar_only)), Clear::AvatarUrl),
        forum(None)
    );
    let refused = edit_of(EditOptions {
        clear: Some(Clear::Username),
        target: Some(crate::digests::target::TargetOptions {
            username: Some("Other".into()),
            ..Default::default()
        }),
        ..EditOptions::default()
    });
    assert!(
        refused
            .unwrap_err()
            .starts_with("`clear: username` and `username` contradict"),
        "clearing and setting at once is refused"
    );
}
