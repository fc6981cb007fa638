//! Digests delivered while the bot runs: on time, with the right content and nonce, through
//! rate limits and server errors, and paused (with an alert) when the channel is gone.
//! Time is tokio's paused clock, so hours pass instantly; one test uses the real clock.

use crate::scheduler_support::*;
use briefbot::digests::nonce;
use briefbot::digests::scheduler::{DeliveryOutcome as Outcome, PostError};
use briefbot::store::DeliveryStatus;
use std::time::Duration;

const DAY: Duration = Duration::from_secs(86_400);

fn morning(extra: &str) -> String {
    format!(
        "[[guild]]\nid = 1\nalert_channel_id = 99\n\n[[digest]]\nname = \"morning\"\n\
         channel_id = 10\nguild_id = 1\nschedule = \"0 8 * * *\"\n{extra}\n"
    )
}

#[tokio::test(start_paused = true)]
async fn a_config_digest_fires_on_time_with_its_content_and_nonce() {
    with_db(|db| async move {
        let config = parse_config(&morning("sections = [\"whats_next\"]\ntags = [\"sahel\"]"));
        let (handle, discord, store) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:59:00Z").await;
        handle.start().await.unwrap();
        let fire = at("2025-06-04T08:00:00Z");
        let messages = discord.wait_for(1, DAY).await;
        let m = &messages[0];
        assert_eq!((m.channel_id, m.at, m.fire_time()), (10, fire, Some(fire)));
        assert_eq!(m.payload.content, "**morning** · <t:1749024000:f>");
        assert_eq!(m.payload.nonce, Some(nonce("cfg:morning", fire, 0)));
        assert_eq!(m.payload.enforce_nonce, Some(true));
        // The newest briefing first, each showing only the digest's section.
        let titles: Vec<_> = m.payload.embeds.iter().map(|e| e.title.clone()).collect();
        assert_eq!(
            titles,
            [Some("whats next".to_string()), Some("whats next".into())]
        );
        let bodies: Vec<_> = m
            .payload
            .embeds
            .iter()
            .map(|e| e.description.clone())
            .collect();
        assert_eq!(
            bodies,
            [
                Some("whats_next of b.".into()),
                Some("whats_next of a.".into())
            ]
        );
        assert_eq!(
            handle.next_fire("cfg:morning"),
            Some(fire + chrono::TimeDelta::days(1))
        );

        // The next day nothing is new: skipped, recorded, nothing posted.
        tokio::time::sleep(DAY + Duration::from_secs(60)).await;
        let next = fire + chrono::TimeDelta::days(1);
        let row = store
            .call(move |s| s.delivery("cfg:morning", next))
            .await
            .unwrap();
        assert_eq!(row.unwrap().status, DeliveryStatus::SkippedEmpty);
        assert_eq!(discord.messages().len(), 1);
        let status = &handle.list(1).await.unwrap()[0];
        assert_eq!(status.last_delivery, Some(fire));
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn nothing_new_posts_a_notice_when_asked_to() {
    with_db(|db| async move {
        let config = parse_config(&morning("when_empty = \"notice\"\ntags = [\"nothing\"]"));
        let (handle, discord, _) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:59:00Z").await;
        handle.start().await.unwrap();
        let m = &discord.wait_for(1, DAY).await[0];
        assert!(
            m.payload.content.ends_with("Nothing new to post."),
            "{}",
            m.payload.content
        );
        assert!(m.payload.embeds.is_empty());
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_is_waited_out_and_the_digest_posted_once() {
    with_db(|db| async move {
        let (handle, discord, _) = scheduler(
            &parse_config(&morning("")),
            &db,
            &MemoryPoster::new(),
            "2025-06-04T07:59:00Z",
        )
        .await;
        let retry_after = Duration::from_millis(2500);
        discord.fail(
            10,
            [PostError::RateLimited {
                retry_after,
                global: false,
            }],
        );
        handle.start().await.unwrap();
        let m = &discord.wait_for(1, DAY).await[0];
        assert_eq!(m.at, at("2025-06-04T08:00:02.500Z"));
        let calls = discord.calls();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].1, calls[1].1, "the retry carries the same nonce");
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(discord.messages().len(), 1);
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn two_server_errors_then_success_deliver_exactly_once() {
    with_db(|db| async move {
        let (handle, discord, store) = scheduler(
            &parse_config(&morning("")),
            &db,
            &MemoryPoster::new(),
            "2025-06-04T07:59:00Z",
        )
        .await;
        discord.fail(
            10,
            [
                PostError::Server { status: 502 },
                PostError::Server { status: 503 },
            ],
        );
        handle.start().await.unwrap();
        let m = &discord.wait_for(1, DAY).await[0];
        // Backoff 1 s, then 2 s.
        assert_eq!(m.at, at("2025-06-04T08:00:03Z"));
        assert_eq!(discord.calls().len(), 3);
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(discord.messages().len(), 1);
        let fire = at("2025-06-04T08:00:00Z");
        let row = store
            .call(move |s| s.delivery("cfg:morning", fire))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.status, row.attempts, row.message_ids),
            (DeliveryStatus::Sent, 3, vec![m.id])
        );
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_forbidden_channel_pauses_the_digest_and_alerts_the_guild() {
    with_db(|db| async move {
        let (handle, discord, _) = scheduler(
            &parse_config(&morning("")),
            &db,
            &MemoryPoster::new(),
            "2025-06-04T07:59:00Z",
        )
        .await;
        let reason = "Missing Access".to_string();
        discord.fail(
            10,
            [PostError::Gone {
                status: 403,
                reason,
            }],
        );
        handle.start().await.unwrap();
        let alert = &discord.wait_for(1, DAY).await[0];
        assert_eq!(alert.channel_id, 99);
        assert!(
            alert.payload.content.contains("Digest `morning` is paused"),
            "{}",
            alert.payload.content
        );
        assert!(alert.payload.allowed_mentions.parse.is_empty());

        let status = &handle.list(1).await.unwrap()[0];
        assert!(status.paused);
        assert!(status
            .paused_reason
            .as_deref()
            .unwrap()
            .contains("HTTP 403: Missing Access"));
        assert_eq!(status.next_fire, None);
        // Paused: the next days pass without a call to the channel.
        tokio::time::sleep(DAY * 2).await;
        assert_eq!(discord.calls().iter().filter(|c| c.0 == 10).count(), 1);

        // Resumed, it fires at its next time (and catches up nothing from the pause).
        let resumed = handle.resume("cfg:morning").await.unwrap();
        // Paused at the failed 08:00 fire of 4 June: 5 and 6 June were skipped.
        let skipped = resumed.skipped.unwrap();
        assert_eq!((skipped.count, skipped.at_least), (2, false));
        assert_eq!(resumed.next_fire, Some(at("2025-06-07T08:00:00Z")));
        let messages = discord.wait_for(2, DAY * 2).await;
        assert_eq!(messages[1].fire_time(), Some(at("2025-06-07T08:00:00Z")));
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn send_now_delivers_at_once_and_only_once_per_second() {
    with_db(|db| async move {
        let (handle, discord, _) = scheduler(
            &parse_config(&morning("")),
            &db,
            &MemoryPoster::new(),
            "2025-06-04T10:00:00Z",
        )
        .await;
        handle.start().await.unwrap();
        let outcome = handle.send_now("cfg:morning").await.unwrap();
        assert_eq!(outcome, Outcome::Sent { messages: 1 });
        let m = &discord.messages()[0];
        assert_eq!(m.fire_time(), Some(at("2025-06-04T10:00:00Z")));
        let again = handle.send_now("cfg:morning").await.unwrap();
        assert_eq!(again, Outcome::AlreadyClosed(DeliveryStatus::Sent));
        assert_eq!(discord.messages().len(), 1);
        assert!(handle.send_now("cfg:nothing").await.is_err());
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_thousand_digests_due_in_the_same_second_are_each_delivered_once() {
    with_db(|db| async move {
        let config = parse_config(&morning("only_new = false"));
        let (handle, discord, _) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:59:00Z").await;
        let template = briefbot::digests::DigestSpec::all_from_config(&config).remove(0);
        for i in 0..1000u64 {
            let mut spec = template.clone();
            (spec.key, spec.name, spec.channel_id) =
                (format!("cfg:d{i}"), format!("d{i}"), 1000 + i);
            handle.upsert(spec).await.unwrap();
        }
        handle.start().await.unwrap();
        let messages = discord.wait_for(1001, DAY).await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let messages_later = discord.messages();
        assert_eq!(messages_later.len(), 1001, "each digest once");
        let mut channels: Vec<u64> = messages.iter().map(|m| m.channel_id).collect();
        channels.sort();
        channels.dedup();
        assert_eq!(channels.len(), 1001);
        let fire = at("2025-06-04T08:00:00Z");
        assert!(messages.iter().all(|m| m.fire_time() == Some(fire)));
        handle.shutdown().await;
    })
    .await;
}

/// The production path: the system clock, a 6-field schedule every two seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fires_on_the_real_clock_within_a_second() {
    use briefbot::digests::scheduler::{
        fixed_library, SchedulerDeps, SchedulerHandle, SystemClock,
    };
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let config = parse_config(
        "[[digest]]\nname = \"tick\"\nchannel_id = 5\nschedule = \"*/2 * * * * *\"\nonly_new = false\n",
    );
    let discord = MemoryPoster::new();
    let deps = SchedulerDeps {
        store: Arc::new(
            briefbot::store::SqliteStorage::open(dir.path().join("b.db"))
                .await
                .unwrap(),
        ),
        claims: briefbot::store::Lease::new("test", briefbot::store::DEFAULT_CLAIM_LEASE),
        poster: Arc::new(discord.clone()),
        library: fixed_library(library()),
        clock: Arc::new(SystemClock),
    };
    let handle = SchedulerHandle::new(deps, &config, options());
    handle.start().await.unwrap();
    let messages = discord.wait_for(2, Duration::from_secs(10)).await;
    handle.shutdown().await;
    for m in &messages[..2] {
        let fire = m.fire_time().unwrap();
        let late = m.at - fire;
        assert!(
            late >= chrono::TimeDelta::zero() && late < chrono::TimeDelta::seconds(1),
            "{late}"
        );
    }
    assert_eq!(
        messages[1].fire_time().unwrap() - messages[0].fire_time().unwrap(),
        chrono::TimeDelta::seconds(2)
    );
}

#[tokio::test(start_paused = true)]
async fn preview_shows_what_would_be_posted_without_posting() {
    with_db(|db| async move {
        let config = parse_config(&morning(""));
        let (handle, discord, _) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:00:00Z").await;
        handle.start().await.unwrap();
        let preview = handle.preview("cfg:morning").await.unwrap();
        assert_eq!(preview[0].content, "**morning** · <t:1749024000:f>");
        assert_eq!(
            preview[0].embeds.len(),
            4,
            "two briefings, two sections each"
        );
        assert!(preview.iter().all(|m| m.nonce.is_none()));
        assert!(discord.calls().is_empty());
        // Once posted, only_new leaves nothing: the preview says so.
        discord.wait_for(1, DAY).await;
        let preview = handle.preview("cfg:morning").await.unwrap();
        assert!(preview[0].content.ends_with("Nothing new to post."));
        handle.shutdown().await;
    })
    .await;
}
