//! Digest targets through the real scheduler on a paused clock, posting to the in-memory
//! Discord: where each target's messages go (forum posts with titles and tags, threads,
//! webhooks), and exactly once for the steps Discord takes no nonce for: an answer lost, or a
//! process killed during the call, is followed by a lookup that finds the message rather than
//! a second post. The same cases with the lookup blinded post twice, which is what proves it.

use crate::scheduler_support::*;
use briefbot::config::Config;
use briefbot::digests::scheduler::PostError;
use briefbot::digests::steps::{Place, ThreadRef, Via};
use briefbot::digests::{ForumPost, Identity, Target, ThreadTarget};
use briefbot::store::{AsyncStore, DeliveryStatus};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

fn config_with(target: Target) -> Config {
    let mut config = parse_config(
        "[[guild]]\nid = 1\nalert_channel_id = 99\n\n[[digest]]\nname = \"morning\"\n\
         channel_id = 10\nguild_id = 1\nschedule = \"0 8 * * *\"\nmention_role = 77\n",
    );
    config.digests[0].target = target;
    config
}

fn forum(post: ForumPost) -> Target {
    Target::Forum {
        post,
        tags: true,
        identity: None,
    }
}

fn webhook() -> Target {
    Target::Webhook(Identity {
        username: Some("Sahel Brief".into()),
        avatar_url: Some("https://example.org/a.png".into()),
    })
}

async fn sent(store: &AsyncStore) -> bool {
    let fire = at("2025-06-04T08:00:00Z");
    let row = store.call(move |s| s.delivery("cfg:morning", fire)).await;
    row.unwrap()
        .is_some_and(|r| r.status == DeliveryStatus::Sent)
}

async fn until_sent(store: &AsyncStore) {
    for _ in 0..3600 {
        if sent(store).await {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    panic!("not sent within an hour");
}

#[tokio::test(start_paused = true)]
async fn a_forum_digest_makes_one_titled_tagged_post_per_fire() {
    with_db(|db| async move {
        let config = config_with(forum(ForumPost::Digest));
        let (handle, discord, store) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:59:00Z").await;
        handle.start().await.unwrap();
        until_sent(&store).await;
        let posts = discord.messages();
        assert_eq!(posts.len(), 1, "{posts:#?}");
        let Place::NewForumPost { forum, title, tags } = &posts[0].place else {
            panic!("not a forum post: {:?}", posts[0].place)
        };
        assert_eq!((*forum, title.as_str()), (10, "morning · 2025-06-04"));
        assert_eq!(
            tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            ["sahel"]
        );
        assert!(
            posts[0].payload.nonce.is_none(),
            "a forum post takes no nonce"
        );
        assert!(posts[0].payload.content.starts_with("<@&77> **morning**"));
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_post_per_briefing_titles_each_and_pings_once() {
    with_db(|db| async move {
        let config = config_with(forum(ForumPost::Briefing));
        let (handle, discord, store) =
            scheduler(&config, &db, &MemoryPoster::new(), "2025-06-04T07:59:00Z").await;
        handle.start().await.unwrap();
        until_sent(&store).await;
        let titles: Vec<String> = (discord.messages().iter())
            .filter_map(|m| match &m.place {
                Place::NewForumPost { title, .. } => Some(title.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(titles, ["Briefing b", "Briefing a"]);
        let pings = (discord.messages().iter())
            .filter(|m| m.payload.content.contains("<@&77>"))
            .count();
        assert_eq!(pings, 1, "one ping per fire");
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn thread_targets_post_into_the_thread_or_open_one_under_each_message() {
    with_db(|db| async move {
        let existing = Target::Thread(ThreadTarget::Existing { thread_id: 500 });
        let (handle, discord, store) = scheduler(
            &config_with(existing),
            &db,
            &MemoryPoster::new(),
            "2025-06-04T07:59:00Z",
        )
        .await;
        handle.start().await.unwrap();
        until_sent(&store).await;
        let posted = discord.messages();
        assert!(posted.iter().all(|m| m.channel_id == 500
            && m.place
                == Place::IntoThread {
                    parent: 10,
                    thread: ThreadRef::Known(500)
                }
            && m.payload.nonce.is_some()));
        handle.shutdown().await;
    })
    .await;
    with_db(|db| async move {
        let open = Target::Thread(ThreadTarget::OpenUnderEach);
        let (handle, discord, store) = scheduler(
            &config_with(open),
            &db,
            &MemoryPoster::new(),
            "2025-06-04T07:59:00Z",
        )
        .await;
        handle.start().await.unwrap();
        until_sent(&store).await;
        let posted = discord.messages();
        let threads = discord.threads();
        assert_eq!(threads.len(), posted.len(), "{threads:?}");
        for ((channel, message, name), m) in threads.iter().zip(&posted) {
            assert_eq!((*channel, *message), (10, m.id));
            assert!(name.starts_with("Briefing ") && name.chars().count() <= 100);
        }
        handle.shutdown().await;
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_webhook_digest_posts_under_its_name_without_a_nonce() {
    with_db(|db| async move {
        let (handle, discord, store) = scheduler(
            &config_with(webhook()),
            &db,
            &MemoryPoster::new(),
            "2025-06-04T07:59:00Z",
        )
        .await;
        handle.start().await.unwrap();
        until_sent(&store).await;
        let posted = discord.messages();
        assert!(!posted.is_empty());
        for (i, m) in posted.iter().enumerate() {
            let Via::Webhook(identity) = &m.via else {
                panic!("not through the webhook")
            };
            assert_eq!(identity.username.as_deref(), Some("Sahel Brief"));
            assert!(m.payload.nonce.is_none());
            let roles = &m.payload.allowed_mentions.roles;
            assert!(m.payload.allowed_mentions.parse.is_empty());
            assert_eq!(
                roles.is_empty(),
                i > 0,
                "only the first message may ping, the role"
            );
        }
        handle.shutdown().await;
    })
    .await;
}

/// The first nonce-less send of a fire is accepted and its answer lost; `blind` scheduler
/// never finds what it sent. Returns how many messages Discord holds.
async fn lost_answer(target: Target, blind: bool) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("briefbot.db");
    let discord = MemoryPoster::new();
    discord.lose_answer_on_next(1);
    if blind {
        discord.blind_lookups();
    }
    let (handle, discord, store) =
        scheduler(&config_with(target), &db, &discord, "2025-06-04T07:59:00Z").await;
    handle.start().await.unwrap();
    until_sent(&store).await;
    assert!(discord.finds() >= 1, "looked before sending again");
    handle.shutdown().await;
    discord.messages().len()
}

#[tokio::test(start_paused = true)]
async fn a_lost_answer_is_looked_for_not_posted_twice() {
    for target in [forum(ForumPost::Digest), webhook()] {
        assert_eq!(lost_answer(target.clone(), false).await, 1, "{target:?}");
        // The same without looking posts twice: the lookup is what keeps it once.
        assert_eq!(lost_answer(target.clone(), true).await, 2, "{target:?}");
    }
}

/// The process dies while the first nonce-less send is in flight (Discord took it); a new
/// scheduler on the same ledger resumes. Returns how many messages Discord holds and how
/// many lookups the restart made.
async fn killed_during_send(target: Target, blind: bool) -> (usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("briefbot.db");
    let config = config_with(target);
    let discord = MemoryPoster::new();
    discord.hang_on_next(1);
    let (a, discord, _) = scheduler(&config, &db, &discord, "2025-06-04T07:59:00Z").await;
    a.start().await.unwrap();
    discord.wait_for(1, HOUR).await;
    a.shutdown().await; // the send never returns: abandoned
    if blind {
        discord.blind_lookups();
    }
    let finds = discord.finds();
    let (b, discord, store) = scheduler(&config, &db, &discord, "2025-06-04T08:02:00Z").await;
    b.start().await.unwrap();
    until_sent(&store).await;
    b.shutdown().await;
    (discord.messages().len(), discord.finds() - finds)
}

#[tokio::test(start_paused = true)]
async fn a_resumed_nonceless_send_looks_first() {
    for target in [forum(ForumPost::Digest), webhook()] {
        let (messages, finds) = killed_during_send(target.clone(), false).await;
        assert_eq!((messages, finds), (1, 1), "{target:?}");
        let (messages, _) = killed_during_send(target.clone(), true).await;
        assert_eq!(messages, 2, "{target:?}: without the lookup, posted twice");
    }
}

#[tokio::test(start_paused = true)]
async fn a_webhook_gone_for_good_pauses_the_digest_and_alerts() {
    with_db(|db| async move {
        let (handle, discord, _) = scheduler(
            &config_with(webhook()),
            &db,
            &MemoryPoster::new(),
            "2025-06-04T07:59:00Z",
        )
        .await;
        // What the Discord poster answers once the webhook, made again, is gone again.
        let reason = "the bot's webhook in the channel was deleted again right after it was made";
        discord.fail(
            10,
            [PostError::Gone {
                status: 404,
                reason: reason.into(),
            }],
        );
        handle.start().await.unwrap();
        let alert = &discord.wait_for(1, HOUR).await[0];
        assert_eq!(alert.channel_id, 99);
        assert!(
            alert.payload.content.contains("is paused"),
            "{}",
            alert.payload.content
        );
        assert!(
            alert.payload.content.contains("webhook 10"),
            "{}",
            alert.payload.content
        );
        let status = &handle.list(1).await.unwrap()[0];
        assert!(status.paused);
        handle.shutdown().await;
    })
    .await;
}
