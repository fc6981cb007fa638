use super::*;
use crate::answer::{Choice, MAX_CHOICES};
use crate::config::{CatchUp, ScheduleConfig, WhenEmpty};
use crate::digests::scheduler::{
    DeliveryOutcome, DigestStatus, PendingRetry, SchedulerError, SkippedFires,
};
use crate::digests::{DigestSource, DigestSpec, Target};
use crate::locales::Words;
use crate::render::limits;
use crate::render::MessagePayload;
use crate::store::StoreError;
use crate::store::{runtime_key, DigestRow, NewDigest};
use std::sync::Arc;
use std::time::Duration;

const NEW_YORK: Tz = chrono_tz::America::New_York;

fn en() -> Words {
    Words::english()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn spec(name: &str, schedule: &str, config: bool) -> Arc<DigestSpec> {
    let row = DigestRow {
        key: runtime_key(1, name),
        digest: NewDigest {
            guild_id: 1,
            name: name.into(),
            channel_id: 10,
            schedule: schedule.into(),
            timezone: "Europe/Paris".into(),
            sections: vec![],
            tag: None,
            mention_role: None,
            silent: false,
            max_briefings: 3,
            only_new: true,
            when_empty: WhenEmpty::Skip,
            created_by: 7,
            lang: None,
            target: Default::default(),
        },
        created_at: at("2025-06-01T00:00:00Z"),
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
    let mut spec = DigestSpec::from_row(&row, &defaults).unwrap();
    if config {
        spec.source = DigestSource::Config;
    }
    Arc::new(spec)
}

fn status(name: &str, config: bool) -> DigestStatus {
    DigestStatus {
        spec: spec(name, "0 8 * * MON-FRI", config),
        next_fire: Some(at("2025-06-02T06:00:00Z")),
        paused: false,
        paused_reason: None,
        last_delivery: None,
        last_error: None,
        last_error_at: None,
        retrying: None,
    }
}

#[test]
fn moderators_hold_manage_server_administrator_or_a_configured_role() {
    let roles = [42];
    #[rustfmt::skip]
    let cases = [
        (Some(MANAGE_GUILD), &[][..], true),
        (Some(ADMINISTRATOR), &[], true),
        (Some(1 << 10 | 1 << 11), &[], false),
        (Some(0), &[42, 5], true),
        (None, &[42], true),
        (None, &[5], false),
        (None, &[], false),
    ];
    for (permissions, member_roles, want) in cases {
        assert_eq!(
            is_moderator(permissions, member_roles, &roles),
            want,
            "{permissions:?} {member_roles:?}"
        );
    }
}

#[test]
fn names_are_short_words_and_refusals_say_what_is_allowed() {
    for ok in ["morning", "Morning-News_2", "matin-été", &"x".repeat(50)] {
        assert_eq!(check_name(&en(), &format!(" {ok} ")), Ok(ok));
    }
    for bad in [
        "",
        "two words",
        "a/b",
        "@everyone",
        &"x".repeat(51),
        "emoji🙂",
    ] {
        let err = check_name(&en(), bad).unwrap_err().0;
        assert!(err.contains("letters, digits, `-` or `_`"), "{err}");
    }
}

#[test]
fn schedules_are_checked_in_their_zone() {
    let now = at("2025-06-04T10:00:00Z");
    let s = check_schedule(&en(), "0 8 * * *", Some("america/new_york"), Tz::UTC, now).unwrap();
    assert_eq!(s.timezone(), NEW_YORK);
    let s = check_schedule(&en(), "*/3 * * * * *", None, NEW_YORK, now).unwrap();
    assert_eq!(s.timezone(), NEW_YORK, "the config's default zone");
    assert!(check_schedule(&en(), "@weekly", Some(" "), Tz::UTC, now).is_ok());

    let err = check_schedule(&en(), "0 25 * * *", None, Tz::UTC, now)
        .unwrap_err()
        .0;
    assert!(
        err.starts_with(
            "`0 25 * * *` is not a schedule I understand: hour `25` is out of range 0-23"
        ),
        "{err}"
    );
    assert!(err.contains("`@daily`"), "{err}");
    let err = check_schedule(&en(), "every day", None, Tz::UTC, now)
        .unwrap_err()
        .0;
    assert!(err.contains("expected 5 fields"), "{err}");

    let err = check_schedule(&en(), "0 8 * * *", Some("Amerca/New_Yrok"), Tz::UTC, now);
    assert_eq!(
        err.unwrap_err().0,
        "Unknown time zone `Amerca/New_Yrok`. Did you mean `America/New_York`?"
    );
    let err = check_schedule(&en(), "0 8 * * *", Some("Nowhere/`x`"), Tz::UTC, now);
    let err = err.unwrap_err().0;
    assert!(
        err.starts_with("Unknown time zone `Nowhere/'x'`. Use an IANA name such as"),
        "{err}"
    );

    let err = check_schedule(&en(), "0 0 30 2 *", None, Tz::UTC, now)
        .unwrap_err()
        .0;
    assert!(err.contains("never fires"), "{err}");
}

#[test]
fn sections_are_keys_or_headings_and_unknown_ones_name_the_valid_keys() {
    let catalog = SectionCatalog::default();
    let parse = |s: &str| parse_sections(&en(), Some(s), &catalog);
    assert_eq!(parse(""), Ok(vec![]));
    assert_eq!(parse_sections(&en(), None, &catalog), Ok(vec![]));
    assert_eq!(
        parse("whats_happening why-it-matters"),
        Ok(vec!["whats_happening".into(), "why_it_matters".into()])
    );
    assert_eq!(
        parse("What's Next?, Et après ,whats_next, Between the lines"),
        Ok(vec!["whats_next".into(), "beyond_the_headlines".into()])
    );
    let err = parse("whats_next, key_numbers").unwrap_err().0;
    assert_eq!(
        err,
        "Unknown section `key_numbers`. Sections are `whats_happening`, `why_it_matters`, \
         `whats_next`, `beyond_the_headlines`; separate several with commas."
    );
    let err = parse("whats_next nope").unwrap_err().0;
    assert!(err.starts_with("Unknown section `nope`."), "{err}");
    let err = parse("What is new").unwrap_err().0;
    assert!(err.starts_with("Unknown section `What is new`."), "{err}");
}

#[test]
fn channels_must_be_text_channels_of_the_guild() {
    let facts = |guild, kind| {
        Some(ChannelFacts {
            guild_id: Some(guild),
            kind,
            parent_id: None,
        })
    };
    let check =
        |facts: Option<ChannelFacts>| check_channel(&en(), 5, facts.as_ref(), 1).map(|_| ());
    assert!(check(facts(1, 0)).is_ok());
    assert!(check(facts(1, 5)).is_ok());
    let other = check(facts(2, 0)).unwrap_err().0;
    assert!(other.contains("not a channel of this server"), "{other}");
    let voice = check(facts(1, 2)).unwrap_err().0;
    assert!(
        voice.contains("not a channel a digest can post in"),
        "{voice}"
    );
    assert!(check(facts(1, 15)).is_ok(), "a forum");
    let unseen = check(None).unwrap_err().0;
    assert!(unseen.starts_with("I can't see <#5>"), "{unseen}");
}

#[test]
fn the_add_reply_lists_three_fire_times_with_the_zone() {
    let s = Schedule::parse("30 2 * * *", NEW_YORK).unwrap();
    // Across the spring-forward gap: 02:30 does not exist on 9 March and fires at 03:00.
    let now = at("2025-03-08T00:00:00Z");
    let text = added_text(&en(), "morning", 10, &Target::Channel, &s, now, None);
    assert_eq!(
        text,
        "Digest `morning` created: it posts to <#10> on `30 2 * * *` (America/New_York).\n\
         Next fire times:\n\
         - <t:1741419000:F> (2025-03-08 02:30:00 EST, America/New_York)\n\
         - <t:1741503600:F> (2025-03-09 03:00:00 EDT, America/New_York)\n\
         - <t:1741588200:F> (2025-03-10 02:30:00 EDT, America/New_York)"
    );
    let text = added_text(
        &en(),
        "m",
        10,
        &Target::Channel,
        &s,
        at("2025-03-08T12:00:00Z"),
        Some("sah`el"),
    );
    assert!(text.ends_with("No briefing is tagged `sah'el` yet, so it posts nothing until one is."));
    let open = Target::Thread(crate::digests::ThreadTarget::OpenUnderEach);
    let text = added_text(&en(), "m", 10, &open, &s, now, None);
    assert!(
        text.contains("EDT, America/New_York)\nDelivery: threads under each message in <#10>."),
        "{text}"
    );
}

#[test]
fn the_list_shows_state_marks_config_digests_and_fits_discord() {
    assert!(list_payload(&en(), &[]).content.contains("no digests yet"));
    let mut paused = status("evening", false);
    paused.paused = true;
    paused.paused_reason = Some("paused by <@7> with /digest pause".into());
    paused.last_delivery = Some(at("2025-06-01T18:00:00Z"));
    paused.last_error = Some("channel is gone or forbidden (HTTP 403: Missing Access)".into());
    paused.last_error_at = Some(at("2025-06-02T18:00:00Z"));
    let payload = list_payload(&en(), &[status("morning", true), paused]);
    let embed = &payload.embeds[0];
    assert_eq!(embed.fields[0].name, "morning (config)");
    assert_eq!(
        embed.fields[0].value,
        "`0 8 * * MON-FRI` (Europe/Paris) → <#10>\nNext: <t:1748844000:F>\nLast delivery: none yet\n\
         Up to 3 briefings, only new ones; every section; nothing new: skipped"
    );
    assert_eq!(embed.fields[1].name, "evening · paused");
    assert_eq!(
        embed.fields[1].value,
        "`0 8 * * MON-FRI` (Europe/Paris) → <#10>\n\
         Paused: paused by ''7' with /digest pause\n\
         Last delivery: <t:1748800800:F>\n\
         Up to 3 briefings, only new ones; every section; nothing new: skipped\n\
         Last error: channel is gone or forbidden (HTTP 403: Missing Access) (<t:1748887200:R>)"
    );
    assert_eq!(embed.footer.as_ref().unwrap().text, "2 digest(s)");
    assert!(limits::check(&payload).is_ok());

    let many: Vec<DigestStatus> = (0..40)
        .map(|i| status(&format!("d{i:02}"), false))
        .collect();
    let payload = list_payload(&en(), &many);
    assert_eq!(payload.embeds[0].fields.len(), 25);
    assert_eq!(
        payload.embeds[0].footer.as_ref().unwrap().text,
        "40 digest(s); 15 more not shown (use /digest preview with a name)"
    );
    assert!(limits::check(&payload).is_ok());

    // Long errors fill the embed's 6,000 characters before 25 fields do.
    let noisy: Vec<DigestStatus> = (0..25)
        .map(|i| DigestStatus {
            last_error: Some("e".repeat(1000)),
            ..status(&"n".repeat(40 + i), false)
        })
        .collect();
    let payload = list_payload(&en(), &noisy);
    assert!(payload.embeds[0].fields.len() < 25);
    assert!(limits::check(&payload).is_ok());
}

#[test]
fn time_zone_choices_rank_the_best_match_first() {
    let now = at("2025-01-15T00:00:00Z");
    let choices = complete_timezones("new_y", Tz::UTC, now);
    assert_eq!(choices[0].value, "America/New_York");
    assert_eq!(choices[0].name, "America/New_York (UTC-05:00)");
    assert_eq!(
        complete_timezones("New York", Tz::UTC, now)[0].value,
        "America/New_York"
    );
    assert_eq!(
        complete_timezones("paris", Tz::UTC, now)[0].value,
        "Europe/Paris"
    );
    assert_eq!(complete_timezones("utc", Tz::UTC, now)[0].value, "UTC");
    // Region/City names before legacy aliases of the same rank.
    let york: Vec<String> = complete_timezones("york", Tz::UTC, now)
        .into_iter()
        .map(|c| c.value)
        .collect();
    assert_eq!(york[0], "America/New_York");
    for partial in ["", "a", "america", "e"] {
        assert!(
            complete_timezones(partial, Tz::UTC, now).len() <= MAX_CHOICES,
            "{partial}"
        );
    }
    assert_eq!(complete_timezones("a", Tz::UTC, now).len(), MAX_CHOICES);
    let empty = complete_timezones("", chrono_tz::Africa::Bamako, now);
    assert_eq!(empty[0].value, "Africa/Bamako", "the default zone first");
    assert_eq!(
        empty.iter().filter(|c| c.value == "Africa/Bamako").count(),
        1
    );
    assert!(complete_timezones("zzzz", Tz::UTC, now).is_empty());
}

#[test]
fn name_choices_are_the_guild_digests_prefix_first() {
    let mut statuses = vec![status("evening-news", false), status("news", true)];
    statuses[0].paused = true;
    let choices = complete_names(&en(), &statuses, "new");
    assert_eq!(
        choices,
        [
            Choice {
                name: "news (config)".into(),
                value: "news".into()
            },
            Choice {
                name: "evening-news · paused".into(),
                value: "evening-news".into()
            },
        ]
    );
    assert!(complete_names(&en(), &statuses, "zzz").is_empty());
}

#[test]
fn refusals_explain_and_internal_failures_stay_internal() {
    let config = explain_refusal(
        &en(),
        &SchedulerError::ConfigDigest("weekly".into()),
        "weekly",
    );
    assert!(config
        .unwrap()
        .0
        .contains("defined in the bot's config file"));
    assert!(duplicate_name(&en(), "morning")
        .0
        .contains("already exists"));
    let db = SchedulerError::Store(StoreError::Task("disk I/O error at /var/lib/x.db".into()));
    assert_eq!(explain_refusal(&en(), &db, "x"), None);
    let missing = no_such_digest(&en(), "`<@&1>`", &["a".into(), "b".into()]).0;
    assert_eq!(
        missing,
        "There's no digest called `'<@&1>'` in this server. Digests here: `a`, `b`."
    );
    assert!(no_such_digest(&en(), "x", &[]).0.contains("no digests yet"));
}

#[test]
fn send_now_outcomes_read_as_sentences() {
    let sent = send_now_text(&en(), "morning", 10, &DeliveryOutcome::Sent { messages: 2 });
    assert_eq!(sent, "Sent `morning` to <#10> (2 message(s)).");
    let gone = DeliveryOutcome::Failed {
        error: "channel is gone or forbidden (HTTP 404: Unknown Channel)".into(),
        paused: true,
    };
    assert!(send_now_text(&en(), "morning", 10, &gone).contains("The digest is paused"));
    assert!(
        send_now_text(&en(), "morning", 10, &DeliveryOutcome::SkippedEmpty)
            .starts_with("Nothing new")
    );
    let retrying = DeliveryOutcome::Retrying {
        error: "channel 10: Discord server error (HTTP 503)".into(),
        next_try: at("2025-06-04T08:01:15Z"),
        until: at("2025-06-04T09:00:00Z"),
    };
    assert_eq!(
        send_now_text(&en(), "morning", 10, &retrying),
        "Sending `morning` to <#10> failed (channel 10: Discord server error (HTTP 503)). It is \
         tried again <t:1749024075:R>, until <t:1749027600:f>; `/digest list` shows how it goes."
    );
}

fn pending_retry() -> PendingRetry {
    PendingRetry {
        fire: at("2025-06-04T08:00:00Z"),
        error: "channel 10: Discord server error (HTTP 503)".into(),
        next_try: at("2025-06-04T08:01:15Z"),
        until: at("2025-06-04T09:00:00Z"),
    }
}

#[test]
fn a_delivery_being_retried_is_listed_and_refuses_another_send() {
    let mut retrying = status("morning", false);
    retrying.retrying = Some(pending_retry());
    let payload = list_payload(&en(), &[retrying]);
    assert!(
        payload.embeds[0].fields[0].value.ends_with(
            "\nRetrying the post for <t:1749024000:f> (channel 10: Discord server error (HTTP \
             503)): next try <t:1749024075:R>, until <t:1749027600:f>"
        ),
        "{}",
        payload.embeds[0].fields[0].value
    );
    let refusal = explain_refusal(&en(), &SchedulerError::Retrying(pending_retry()), "morning");
    let refusal = refusal.unwrap().0;
    assert!(
        refusal.starts_with("`morning` has a post being retried"),
        "{refusal}"
    );
    assert!(refusal.contains("<t:1749024075:R>"), "{refusal}");
}

#[test]
fn small_answers() {
    assert!(check_mention_role(&en(), Some(1), 1)
        .unwrap_err()
        .0
        .contains("@everyone"));
    assert!(
        check_mention_role(&en(), Some(2), 1).is_ok() && check_mention_role(&en(), None, 1).is_ok()
    );
    assert!(paused_text(&en(), "m", true).contains("already paused"));
    let next = Some(at("2025-06-04T08:00:00Z"));
    assert_eq!(
        resumed_text(&en(), "m", next, None, false),
        "Resumed `m`; next post <t:1749024000:F>. Posts missed while paused are skipped."
    );
    let skipped = |count, at_least| Some(SkippedFires { count, at_least });
    #[rustfmt::skip]
    let cases = [
        (skipped(0, false), "No post was due while it was paused."),
        (skipped(1, false), "1 post was due while it was paused; it is skipped, not sent now."),
        (skipped(3, false), "3 posts were due while it was paused; they are skipped, not sent now."),
        (skipped(10_000, true), "At least 10000 posts were due while it was paused; they are skipped, not sent now."),
    ];
    for (skipped, want) in cases {
        let text = resumed_text(&en(), "m", next, skipped, false);
        assert_eq!(
            text,
            format!("Resumed `m`; next post <t:1749024000:F>. {want}")
        );
    }
    assert_eq!(
        resumed_text(&en(), "m", next, skipped(3, false), true),
        "`m` isn't paused; next post <t:1749024000:F>."
    );
    let mut previews = vec![MessagePayload::with_content("**m** · <t:1:f>")];
    label_preview(&en(), &mut previews);
    assert_eq!(
        previews[0].content,
        "Preview (only you see this) · **m** · <t:1:f>"
    );
    let mut long = vec![MessagePayload::with_content("x".repeat(1990))];
    label_preview(&en(), &mut long);
    assert_eq!(long[0].content.len(), 1990);
}
