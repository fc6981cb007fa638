//! Restarts: a process killed between the send and the ledger update resumes with the same
//! nonces (no duplicate, no loss); fires missed while down follow each catch-up policy;
//! runtime digests and pauses survive. Each "restart" is a new scheduler on the same database
//! file and the same fake Discord, on a clock set later.

use crate::scheduler_support::*;
use briefbot::briefings::{Briefing, Library, Section, SectionKey};
use briefbot::config::WhenEmpty;
use briefbot::digests::scheduler::{PostError, SchedulerError};
use briefbot::store::{AsyncStore, DeliveryStatus, NewDigest};
use chrono::{DateTime, Utc};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

fn digest(name: &str, schedule: &str, extra: &str) -> String {
    format!(
        "[[digest]]\nname = \"{name}\"\nchannel_id = 10\nguild_id = 1\n\
         schedule = \"{schedule}\"\n{extra}\n"
    )
}

async fn status(store: &AsyncStore, key: &str, fire: DateTime<Utc>) -> Option<DeliveryStatus> {
    let key = key.to_string();
    let row = store.call(move |s| s.delivery(&key, fire)).await.unwrap();
    row.map(|r| r.status)
}

/// Waits (virtual time, up to two hours) until the ledger shows `want` for the fire.
async fn until_status(store: &AsyncStore, key: &str, fire: DateTime<Utc>, want: DeliveryStatus) {
    for _ in 0..7200 {
        if status(store, key, fire).await == Some(want) {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    panic!(
        "{key} at {fire}: {:?}, not {want:?}",
        status(store, key, fire).await
    );
}

#[tokio::test(start_paused = true)]
async fn killed_between_send_and_ledger_then_restarted_reuses_the_nonce() {
    // Restarted within grace the fire is resumed (and deduplicated); later it is recorded missed.
    for (restart, resumed) in [
        ("2025-06-04T08:05:00Z", true),
        ("2025-06-04T09:30:00Z", false),
    ] {
        with_db(|db| async move {
            let config = parse_config(&digest("morning", "0 8 * * *", ""));
            let fire = at("2025-06-04T08:00:00Z");
            let discord = MemoryPoster::new();
            discord.hang_on_next(1);
            let (a, discord, store) =
                scheduler(&config, &db, &discord, "2025-06-04T07:59:00Z").await;
            a.start().await.unwrap();
            discord.wait_for(1, HOUR).await;
            a.shutdown().await; // the send never returns: abandoned after the grace
            assert_eq!(
                status(&store, "cfg:morning", fire).await,
                Some(DeliveryStatus::Pending)
            );

            let (b, discord, store) = scheduler(&config, &db, &discord, restart).await;
            b.start().await.unwrap();
            let want = if resumed {
                DeliveryStatus::Sent
            } else {
                DeliveryStatus::Missed
            };
            until_status(&store, "cfg:morning", fire, want).await;
            let calls = discord.calls();
            if resumed {
                assert_eq!(calls.len(), 2, "{calls:?}");
                assert_eq!(calls[0].1, calls[1].1, "same nonce");
            } else {
                assert_eq!(calls.len(), 1, "{calls:?}");
            }
            assert_eq!(discord.messages().len(), 1, "never a duplicate");
            b.shutdown().await;
        })
        .await;
    }
}

/// Three briefings with two 3,000-character sections: one embed per message, six messages.
fn long_library() -> Library {
    let briefing = |id: &str, day: u32| Briefing {
        id: id.into(),
        title: id.into(),
        date: at(&format!("2025-01-{day:02}T00:00:00Z")),
        date_only: true,
        tags: vec![],
        source: None,
        lang: "en".into(),
        sections: ["whats_happening", "whats_next"]
            .iter()
            .map(|k| Section {
                key: SectionKey::new(*k),
                heading: k.to_string(),
                body: "word ".repeat(600),
            })
            .collect(),
    };
    Library::from_briefings(vec![briefing("a", 1), briefing("b", 2), briefing("c", 3)])
}

#[tokio::test(start_paused = true)]
async fn a_delivery_killed_midway_sends_only_the_rest_after_restart() {
    with_db(|db| async move {
        let config = parse_config(&digest("long", "0 8 * * *", ""));
        let discord = MemoryPoster::new();
        discord.hang_on_next(3);
        let start = "2025-06-04T07:59:00Z";
        let (a, discord, _) = scheduler_with(&config, &db, &discord, start, long_library()).await;
        a.start().await.unwrap();
        discord.wait_for(3, HOUR).await;
        a.shutdown().await;

        let restart = "2025-06-04T08:01:00Z";
        let (b, discord, store) =
            scheduler_with(&config, &db, &discord, restart, long_library()).await;
        b.start().await.unwrap();
        let fire = at("2025-06-04T08:00:00Z");
        until_status(&store, "cfg:long", fire, DeliveryStatus::Sent).await;
        let messages = discord.messages();
        assert_eq!(messages.len(), 6);
        let nonces: Vec<_> = discord.calls().into_iter().map(|c| c.1.unwrap()).collect();
        // 1, 2, 3 (hung), then 3 again (deduplicated), 4, 5, 6.
        assert_eq!(nonces.len(), 7);
        assert_eq!(nonces[2], nonces[3]);
        let row = store
            .call(move |s| s.delivery("cfg:long", fire))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.message_ids,
            messages.iter().map(|m| m.id).collect::<Vec<_>>()
        );
        b.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn downtime_across_several_fires_follows_each_catch_up_policy() {
    // Down from just after 01:00 until 04:30: 02:00, 03:00 and 04:00 were missed.
    #[rustfmt::skip]
    let cases: [(&str, &[&str], &[&str]); 3] = [
        ("catch_up = \"once\"\ngrace = \"1h\"", &["04:00"], &["02:00", "03:00"]),
        ("catch_up = \"skip\"", &[], &["02:00", "03:00", "04:00"]),
        ("catch_up = \"all\"\ngrace = \"2h\"", &["03:00", "04:00"], &["02:00"]),
    ];
    for (policy, delivered, missed) in cases {
        with_db(|db| async move {
            let hour = |h: &str| at(&format!("2025-06-04T{h}:00Z"));
            let config = parse_config(&digest(
                "hourly",
                "0 * * * *",
                &format!("only_new = false\n{policy}"),
            ));
            let (a, discord, _) =
                scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T00:30:00Z").await;
            a.start().await.unwrap();
            discord.wait_for(1, HOUR).await;
            a.shutdown().await;

            let (b, discord, store) =
                scheduler(&config, &db, &discord, "2025-06-04T04:30:00Z").await;
            b.start().await.unwrap();
            let after: Vec<_> = discord.wait_for(1 + delivered.len(), HOUR / 4).await[1..]
                .iter()
                .map(|m| m.fire_time().unwrap())
                .collect();
            let want: Vec<_> = delivered.iter().map(|h| hour(h)).collect();
            assert_eq!(after, want, "{policy}: delivered, oldest first");
            for h in missed {
                assert_eq!(
                    status(&store, "cfg:hourly", hour(h)).await,
                    Some(DeliveryStatus::Missed),
                    "{policy} {h}"
                );
            }
            // Back on schedule: 05:00 fires as usual.
            let next = discord.wait_for(2 + delivered.len(), HOUR).await;
            assert_eq!(
                next.last().unwrap().fire_time(),
                Some(hour("05:00")),
                "{policy}"
            );
            b.shutdown().await;
        })
        .await;
    }
}

fn evening() -> NewDigest {
    NewDigest {
        guild_id: 7,
        name: "Evening".into(),
        channel_id: 70,
        schedule: "0 18 * * *".into(),
        timezone: "Europe/Paris".into(),
        sections: vec!["whats_next".into()],
        tag: Some("sahel".into()),
        mention_role: Some(700),
        silent: true,
        max_briefings: 1,
        only_new: true,
        when_empty: WhenEmpty::Skip,
        created_by: 42,
        lang: None,
        target: Default::default(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_runtime_digest_persists_across_restart_fires_and_can_be_removed() {
    with_db(|db| async move {
        let config = parse_config(&digest("morning", "0 8 * * *", ""));
        let (a, discord, _) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T10:00:00Z").await;
        a.start().await.unwrap();
        let spec = a.add(evening()).await.unwrap();
        assert_eq!(spec.key, "g:7:evening");
        assert_eq!(a.next_fire("g:7:evening"), Some(at("2025-06-04T16:00:00Z")));
        let duplicate = a
            .add(NewDigest {
                name: "EVENING".into(),
                ..evening()
            })
            .await;
        assert!(duplicate
            .unwrap_err()
            .to_string()
            .contains("already exists"));
        let bad = a
            .add(NewDigest {
                name: "x".into(),
                schedule: "0 25 * * *".into(),
                ..evening()
            })
            .await;
        assert!(matches!(bad, Err(SchedulerError::Schedule(_))));
        a.shutdown().await;

        let (b, discord, _) = scheduler(&config, &db, &discord, "2025-06-04T10:05:00Z").await;
        b.start().await.unwrap();
        let m = &discord.wait_for(1, HOUR * 8).await[0];
        assert_eq!((m.channel_id, m.at), (70, at("2025-06-04T16:00:00Z")));
        assert!(
            m.payload.content.starts_with("<@&700> **Evening**"),
            "{}",
            m.payload.content
        );
        assert_eq!(m.payload.allowed_mentions.roles, ["700"]);

        let listed: Vec<_> = b
            .list(7)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.spec.name.clone())
            .collect();
        assert_eq!(listed, ["Evening"]);
        assert!(
            b.list(8).await.unwrap().is_empty(),
            "another guild sees nothing"
        );
        assert!(matches!(
            b.remove(1, "morning").await,
            Err(SchedulerError::ConfigDigest(_))
        ));
        assert!(matches!(
            b.remove(8, "evening").await,
            Err(SchedulerError::NotFound(_))
        ));
        b.remove(7, "evening").await.unwrap();
        assert!(b.get("g:7:evening").is_none());
        b.shutdown().await;

        let (c, _, store) = scheduler(&config, &db, &discord, "2025-06-04T10:10:00Z").await;
        c.start().await.unwrap();
        assert!(c.get("g:7:evening").is_none());
        assert!(store.call(|s| s.list_digests(7)).await.unwrap().is_empty());
        c.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_pause_survives_a_restart() {
    with_db(|db| async move {
        let config = parse_config(&digest("morning", "0 8 * * *", ""));
        let discord = MemoryPoster::new();
        discord.fail(
            10,
            [PostError::Gone {
                status: 404,
                reason: "Unknown Channel".into(),
            }],
        );
        let (a, discord, store) = scheduler(&config, &db, &discord, "2025-06-04T07:59:00Z").await;
        a.start().await.unwrap();
        let fire = at("2025-06-04T08:00:00Z");
        until_status(&store, "cfg:morning", fire, DeliveryStatus::Failed).await;
        a.shutdown().await;

        let (b, discord, _) = scheduler(&config, &db, &discord, "2025-06-04T09:00:00Z").await;
        b.start().await.unwrap();
        let listed = &b.list(1).await.unwrap()[0];
        assert!(listed.paused, "{listed:?}");
        assert!(listed
            .paused_reason
            .as_deref()
            .unwrap()
            .contains("Unknown Channel"));
        tokio::time::sleep(HOUR * 48).await;
        assert_eq!(discord.calls().len(), 1);
        b.shutdown().await;
    })
    .await;
}
