//! Hot reload of config digests: an edited `[[digest]]` takes effect without a restart, an
//! unchanged one keeps its next fire, a removed one stops, and `[schedule]` defaults and alert
//! channels follow the new file.

use crate::scheduler_support::*;
use briefbot::config::{CatchUp, WhenEmpty};
use briefbot::digests::scheduler::PostError;
use briefbot::store::NewDigest;
use std::time::Duration;

const BEFORE: &str = r#"
[[digest]]
name = "morning"
channel_id = 10
guild_id = 1
schedule = "0 8 * * *"

[[digest]]
name = "evening"
channel_id = 11
guild_id = 1
schedule = "0 18 * * *"

[[digest]]
name = "gone"
channel_id = 12
schedule = "0 9 * * *"
"#;

const AFTER: &str = r#"
[schedule]
catch_up = "all"
grace = "2h"

[[guild]]
id = 1
alert_channel_id = 98

[[digest]]
name = "morning"
channel_id = 10
guild_id = 1
schedule = "0 8 * * *"
tags = ["sahel"]

[[digest]]
name = "evening"
channel_id = 11
guild_id = 1
schedule = "0 19 * * *"

[[digest]]
name = "noon"
channel_id = 13
guild_id = 1
schedule = "0 12 * * *"
"#;

#[tokio::test(start_paused = true)]
async fn a_reloaded_config_takes_effect_without_restart() {
    with_db(|db| async move {
        let (handle, discord, _) = scheduler(
            &parse_config(BEFORE),
            &db,
            &MemoryPoster::new(),
            "2025-06-04T07:00:00Z",
        )
        .await;
        handle.start().await.unwrap();
        let runtime = NewDigest {
            guild_id: 1,
            name: "mine".into(),
            channel_id: 14,
            schedule: "0 20 * * *".into(),
            timezone: "UTC".into(),
            sections: vec![],
            tag: None,
            mention_role: None,
            silent: false,
            max_briefings: 3,
            only_new: true,
            when_empty: WhenEmpty::Skip,
            created_by: 5,
            lang: None,
            target: Default::default(),
        };
        handle.add(runtime).await.unwrap();
        assert_eq!(handle.get("g:1:mine").unwrap().catch_up, CatchUp::Once);

        handle.apply_config(&parse_config(AFTER)).await.unwrap();
        assert_eq!(
            handle.next_fire("cfg:morning"),
            Some(at("2025-06-04T08:00:00Z"))
        );
        assert_eq!(handle.get("cfg:morning").unwrap().tags, ["sahel"]);
        assert_eq!(
            handle.next_fire("cfg:evening"),
            Some(at("2025-06-04T19:00:00Z"))
        );
        assert_eq!(
            handle.next_fire("cfg:noon"),
            Some(at("2025-06-04T12:00:00Z"))
        );
        assert!(handle.get("cfg:gone").is_none());
        let mine = handle.get("g:1:mine").unwrap();
        assert_eq!(
            (mine.catch_up, mine.grace),
            (CatchUp::All, Duration::from_secs(7200))
        );

        // The new digest fires, and its failure alerts the newly configured channel.
        discord.fail(
            13,
            [PostError::Gone {
                status: 404,
                reason: "Unknown Channel".into(),
            }],
        );
        let messages = discord.wait_for(2, Duration::from_secs(6 * 3600)).await;
        assert_eq!((messages[0].channel_id, messages[1].channel_id), (10, 98));
        assert!(
            discord.calls().iter().all(|c| c.0 != 12),
            "a removed digest never fires"
        );
        handle.shutdown().await;
    })
    .await;
}

/// `/digest edit` underneath: a runtime digest changed in place keeps its key, ledger and
/// posted briefings; an unchanged schedule keeps its next fire, a new one re-plans it; a
/// config digest is refused.
#[tokio::test(start_paused = true)]
async fn an_edited_runtime_digest_keeps_its_history_and_replans_a_new_schedule() {
    with_db(|db| async move {
        let config = parse_config(BEFORE);
        let (handle, discord, store) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:00:00Z").await;
        handle.start().await.unwrap();
        let digest = NewDigest {
            guild_id: 1,
            name: "Noon".into(),
            channel_id: 20,
            schedule: "0 12 * * *".into(),
            timezone: "UTC".into(),
            sections: vec![],
            tag: None,
            mention_role: None,
            silent: false,
            max_briefings: 1,
            only_new: true,
            when_empty: WhenEmpty::Skip,
            created_by: 42,
            lang: None,
            target: Default::default(),
        };
        handle.add(digest.clone()).await.unwrap();
        // Morning (08:00) and gone (09:00) post first; the first noon post carries the newest
        // briefing, `b`.
        let first = discord.wait_for(3, Duration::from_secs(6 * 3600)).await;
        let noon = first.iter().find(|m| m.channel_id == 20).unwrap();
        assert_eq!(noon.payload.embeds.len(), 2, "one briefing, two sections");

        let stored = handle.stored(1, "noon").await.unwrap();
        let silent = NewDigest {
            silent: true,
            max_briefings: 2,
            ..stored.digest.clone()
        };
        let spec = handle.update(silent).await.unwrap();
        assert_eq!(
            (spec.key.as_str(), spec.name.as_str()),
            ("g:1:noon", "Noon")
        );
        assert_eq!(
            handle.next_fire("g:1:noon"),
            Some(at("2025-06-05T12:00:00Z"))
        );

        let hourly = NewDigest {
            schedule: "0 * * * *".into(),
            ..stored.digest.clone()
        };
        handle.update(hourly).await.unwrap();
        assert_eq!(
            handle.next_fire("g:1:noon"),
            Some(at("2025-06-04T13:00:00Z"))
        );
        // At 13:00 only `a` is new: `b` was posted before the edits.
        let later = discord.wait_for(4, Duration::from_secs(2 * 3600)).await;
        let second = later.iter().filter(|m| m.channel_id == 20).nth(1).unwrap();
        let bodies: Vec<_> = second
            .payload
            .embeds
            .iter()
            .map(|e| e.description.clone())
            .collect();
        assert!(
            bodies
                .iter()
                .all(|b| b.as_deref().unwrap().ends_with("of a.")),
            "{bodies:?}"
        );
        let ledger = store
            .call(|s| s.recent_deliveries("g:1:noon", 10))
            .await
            .unwrap();
        assert_eq!(ledger.len(), 2, "the ledger of before the edit is kept");

        let refused = handle.stored(1, "morning").await.unwrap_err();
        assert!(refused.to_string().contains("config file"), "{refused}");
        handle.shutdown().await;
    })
    .await;
}
