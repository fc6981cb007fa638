//! A delivery that still fails after its immediate retries stays pending and is tried again
//! with backoff (1 min, doubling, at most 15 min) until its catch-up grace runs out; only then
//! is it recorded failed and alerted. It survives a restart with the same nonces, and a gone
//! channel still pauses at once (`scheduler_delivery`).

use crate::scheduler_support::*;
use briefbot::digests::scheduler::{DeliveryOutcome as Outcome, PostError, SchedulerError};
use briefbot::store::{AsyncStore, Delivery, DeliveryStatus};
use chrono::{DateTime, Utc};
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

fn morning(extra: &str) -> String {
    format!(
        "[[guild]]\nid = 1\nalert_channel_id = 99\n\n[[digest]]\nname = \"morning\"\n\
         channel_id = 10\nguild_id = 1\nschedule = \"0 8 * * *\"\n{extra}\n"
    )
}

fn server_errors(n: usize) -> impl Iterator<Item = PostError> {
    (0..n).map(|_| PostError::Server { status: 500 })
}

async fn row(store: &AsyncStore, fire: DateTime<Utc>) -> Delivery {
    let row = store.call(move |s| s.delivery("cfg:morning", fire)).await;
    row.unwrap().expect("a ledger row")
}

fn calls_to(discord: &MemoryPoster, channel: u64) -> Vec<Option<String>> {
    let calls = discord.calls().into_iter();
    calls.filter(|c| c.0 == channel).map(|c| c.1).collect()
}

#[tokio::test(start_paused = true)]
async fn a_delivery_failing_its_immediate_retries_is_tried_again_a_minute_later() {
    with_db(|db| async move {
        let config = parse_config(&morning(""));
        let (handle, discord, store) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:59:00Z").await;
        // Five answers of 500: the immediate retries (1 + 2 + 4 + 8 s) all fail.
        discord.fail(10, server_errors(5));
        handle.start().await.unwrap();
        let fire = at("2025-06-04T08:00:00Z");
        tokio::time::sleep(MINUTE + Duration::from_secs(30)).await; // 08:00:30
        let pending = row(&store, fire).await;
        assert_eq!(
            (pending.status, pending.attempts),
            (DeliveryStatus::Pending, 5)
        );
        assert!(pending.last_error.unwrap().contains("HTTP 500"));
        let listed = &handle.list(1).await.unwrap()[0];
        let retry = listed.retrying.as_ref().expect("shown as retrying");
        assert_eq!(retry.fire, fire);
        assert_eq!(retry.next_try, at("2025-06-04T08:01:15Z"));
        assert_eq!(retry.until, at("2025-06-04T09:00:00Z"), "grace is 1h");
        assert!(discord.messages().is_empty());

        let m = &discord.wait_for(1, HOUR).await[0];
        assert_eq!((m.channel_id, m.at), (10, at("2025-06-04T08:01:15Z")));
        // The poster holds the message a moment before the scheduler has recorded it (the
        // store works on real threads): give it a few turns.
        let mut settled = None;
        for _ in 0..200 {
            let listed = handle.list(1).await.unwrap().remove(0);
            if listed.retrying.is_none() {
                settled = Some(listed);
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let listed = settled.expect("no longer shown as retrying once sent");
        let sent = row(&store, fire).await;
        assert_eq!((sent.status, sent.attempts), (DeliveryStatus::Sent, 6));
        let calls = calls_to(&discord, 10);
        assert!(calls.iter().all(|n| *n == calls[0]), "one nonce throughout");
        assert_eq!(listed.last_delivery, Some(fire));
        tokio::time::sleep(HOUR).await;
        assert!(calls_to(&discord, 99).is_empty(), "no alert");
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_delivery_that_keeps_failing_fails_when_its_grace_runs_out_and_alerts() {
    with_db(|db| async move {
        let config = parse_config(&morning("grace = \"10m\""));
        let (handle, discord, store) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:59:00Z").await;
        discord.fail(10, server_errors(1000));
        handle.start().await.unwrap();
        let alert = &discord.wait_for(1, HOUR).await[0];
        // Rounds at 08:00:00, 08:01:15, 08:03:30, 08:07:45 and the last at the end of the
        // grace, 08:10:00, each 15 s of immediate retries.
        assert_eq!(
            (alert.channel_id, alert.at),
            (99, at("2025-06-04T08:10:15Z"))
        );
        let text = &alert.payload.content;
        assert!(text.contains("could not be delivered"), "{text}");
        assert!(text.contains("retried for 10m"), "{text}");
        let fire = at("2025-06-04T08:00:00Z");
        let failed = row(&store, fire).await;
        assert_eq!(
            (failed.status, failed.attempts),
            (DeliveryStatus::Failed, 25)
        );
        assert_eq!(calls_to(&discord, 10).len(), 25);
        let listed = &handle.list(1).await.unwrap()[0];
        assert!(listed.last_error.as_deref().unwrap().contains("HTTP 500"));
        assert!(!listed.paused, "a server error does not pause the digest");
        assert_eq!(listed.retrying, None);
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_retried_delivery_resumes_after_a_restart_with_the_same_nonce() {
    with_db(|db| async move {
        let config = parse_config(&morning(""));
        let discord = MemoryPoster::new();
        discord.fail(10, server_errors(7));
        let (a, discord, store) = scheduler(&config, &db, &discord, "2025-06-04T07:59:00Z").await;
        a.start().await.unwrap();
        tokio::time::sleep(MINUTE + Duration::from_secs(30)).await;
        a.shutdown().await; // while it waits for its next try
        let fire = at("2025-06-04T08:00:00Z");
        assert_eq!(row(&store, fire).await.status, DeliveryStatus::Pending);

        // Back within the grace: resumed at once; two more 500s, then it lands.
        let (b, discord, store) = scheduler(&config, &db, &discord, "2025-06-04T08:20:00Z").await;
        b.start().await.unwrap();
        let m = &discord.wait_for(1, HOUR).await[0];
        assert_eq!(m.at, at("2025-06-04T08:20:03Z"));
        let sent = row(&store, fire).await;
        assert_eq!((sent.status, sent.attempts), (DeliveryStatus::Sent, 8));
        let calls = calls_to(&discord, 10);
        assert_eq!(calls.len(), 8);
        assert!(calls.iter().all(|n| *n == calls[0]), "one nonce throughout");
        b.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_retried_delivery_whose_grace_ran_out_while_down_fails_and_alerts_at_start() {
    with_db(|db| async move {
        let config = parse_config(&morning(""));
        let discord = MemoryPoster::new();
        discord.fail(10, server_errors(5));
        let (a, discord, store) = scheduler(&config, &db, &discord, "2025-06-04T07:59:00Z").await;
        a.start().await.unwrap();
        tokio::time::sleep(MINUTE + Duration::from_secs(30)).await;
        a.shutdown().await;

        let (b, discord, store_b) = scheduler(&config, &db, &discord, "2025-06-04T09:30:00Z").await;
        b.start().await.unwrap();
        let alert = &discord.wait_for(1, MINUTE).await[0];
        assert_eq!(alert.channel_id, 99);
        assert!(
            alert.payload.content.contains("HTTP 500"),
            "{}",
            alert.payload.content
        );
        let fire = at("2025-06-04T08:00:00Z");
        assert_eq!(row(&store_b, fire).await.status, DeliveryStatus::Failed);
        assert_eq!(calls_to(&discord, 10).len(), 5, "not sent again");
        drop(store);
        b.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn pausing_a_digest_stops_its_retries() {
    with_db(|db| async move {
        let config = parse_config(&morning(""));
        let (handle, discord, store) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:59:00Z").await;
        discord.fail(10, server_errors(1000));
        handle.start().await.unwrap();
        tokio::time::sleep(MINUTE + Duration::from_secs(30)).await;
        handle
            .pause("cfg:morning", "paused in a test")
            .await
            .unwrap();
        tokio::time::sleep(HOUR).await;
        assert_eq!(calls_to(&discord, 10).len(), 5);
        let fire = at("2025-06-04T08:00:00Z");
        let missed = row(&store, fire).await;
        assert_eq!(missed.status, DeliveryStatus::Missed);
        assert!(missed.last_error.unwrap().contains("paused"));
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn send_now_reports_a_retry_and_refuses_a_second_send_meanwhile() {
    with_db(|db| async move {
        let config = parse_config(&morning(""));
        let (handle, discord, _) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T10:00:00Z").await;
        discord.fail(10, server_errors(5));
        handle.start().await.unwrap();
        let outcome = handle.send_now("cfg:morning").await.unwrap();
        let Outcome::Retrying {
            error,
            next_try,
            until,
        } = outcome
        else {
            panic!("{outcome:?}");
        };
        assert!(error.contains("HTTP 500"), "{error}");
        assert_eq!(next_try, at("2025-06-04T10:01:15Z"));
        assert_eq!(until, at("2025-06-04T11:00:00Z"));
        let again = handle.send_now("cfg:morning").await;
        assert!(
            matches!(again, Err(SchedulerError::Retrying(_))),
            "{again:?}"
        );
        let m = &discord.wait_for(1, HOUR).await[0];
        assert_eq!(m.at, at("2025-06-04T10:01:15Z"));
        handle.shutdown().await;
    })
    .await;
}
