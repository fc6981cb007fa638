//! What only the PostgreSQL backend has to prove, on clusters the tests start: migrations that
//! two replicas may run at once, a newer schema refused, and a server that goes away and comes
//! back (calls retried, notifications resumed, a due digest delivered, not dropped).

use crate::scheduler_support::{library, options, parse_config, MemoryPoster};
use briefbot::digests::scheduler::{
    fixed_library, SchedulerDeps, SchedulerHandle, SchedulerOptions, SendRetry, SystemClock,
};
use briefbot::store::postgres::{self, PgStorage};
use briefbot::store::{Claim, Lease, Storage, StoreError, DEFAULT_CLAIM_LEASE};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use test_postgres::TestCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_migrating_at_once_both_start_and_a_newer_schema_is_refused() {
    let Some(cluster) = test_postgres::shared() else {
        return;
    };
    let url = cluster.database().await;
    let (a, b) = tokio::join!(PgStorage::connect(&url), PgStorage::connect(&url));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.schema_version().await.unwrap(),
        postgres::schema_version()
    );
    assert_eq!(
        b.schema_version().await.unwrap(),
        postgres::schema_version()
    );

    let client = a.client().await.unwrap();
    client
        .batch_execute("UPDATE schema_version SET version = 99")
        .await
        .unwrap();
    drop(client);
    let err = PgStorage::connect(&url).await.unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    let text = err.to_string();
    let knows = postgres::schema_version();
    assert!(
        text.starts_with("database postgres://postgres@127.0.0.1:")
            && text.ends_with(&format!(
                "was written by a newer briefbot (schema 99, this build knows {knows})"
            )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_claims_and_notifications_survive_a_server_restart() {
    let Some(cluster) = TestCluster::start() else {
        return;
    };
    let url = cluster.database().await;
    let store = Arc::new(
        PgStorage::connect_with(&url, Duration::from_secs(60))
            .await
            .unwrap(),
    );
    let (fire, lease) = (Utc::now(), Lease::new("a", DEFAULT_CLAIM_LEASE));
    store.mark_seen(&["cfg:m".into()], fire).await.unwrap();
    let mut changes = store.subscribe();

    cluster.stop();
    // A claim made while the server is down waits for it rather than failing.
    let claim = tokio::spawn({
        let (store, lease) = (Arc::clone(&store), lease.clone());
        async move { store.claim("cfg:m", fire, &lease, fire).await }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(!claim.is_finished(), "answered while the server was down");
    cluster.restart();
    let claim = claim.await.unwrap().unwrap();
    assert!(matches!(claim, Claim::Ours(_)), "{claim:?}");
    // Pooled connections that died are replaced: later calls just work.
    assert!(store.state("cfg:m").await.unwrap().is_some());

    // The listener reconnects by itself, says so, and what is announced once it is back
    // arrives.
    let (mut heard, mut heard_reconnect) = (None, false);
    for _ in 0..40 {
        store.notify_digest_changed("g:1:x").await.unwrap();
        let next = tokio::time::timeout(Duration::from_millis(500), changes.recv()).await;
        match next {
            // The empty key says the listener reconnected; the announcement comes after it.
            Ok(Ok(key)) if key.is_empty() => heard_reconnect = true,
            Ok(Ok(key)) => {
                heard = Some(key);
                break;
            }
            _ => {}
        }
    }
    assert_eq!(heard.as_deref(), Some("g:1:x"), "{}", cluster.log());
    assert!(heard_reconnect, "no reconnect announced to subscribers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_away_longer_than_the_retry_bound_is_a_transient_error() {
    let Some(cluster) = TestCluster::start() else {
        return;
    };
    let url = cluster.database().await;
    let store = PgStorage::connect_with(&url, Duration::from_millis(300))
        .await
        .unwrap();
    cluster.stop();
    let err = store.all_digests().await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.to_string().contains("unreachable"), "{err}");
    cluster.restart();
}

/// The scheduler on PostgreSQL, on the real clock: a digest due every two seconds; the server
/// stops for a few seconds; a fire that came due meanwhile is delivered once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fire_due_while_the_database_is_down_is_delivered_when_it_is_back() {
    let Some(cluster) = TestCluster::start() else {
        return;
    };
    let url = cluster.database().await;
    let store = PgStorage::connect_with(&url, Duration::from_millis(500))
        .await
        .unwrap();
    let config = parse_config(
        "[[digest]]\nname = \"tick\"\nchannel_id = 5\nschedule = \"*/2 * * * * *\"\nonly_new = false\n",
    );
    let discord = MemoryPoster::new();
    let deps = SchedulerDeps {
        store: Arc::new(store),
        claims: Lease::new("a", DEFAULT_CLAIM_LEASE),
        poster: Arc::new(discord.clone()),
        library: fixed_library(library()),
        clock: Arc::new(SystemClock),
    };
    let options = SchedulerOptions {
        retry: SendRetry {
            redelivery_backoff: Duration::from_millis(300),
            max_redelivery_backoff: Duration::from_secs(1),
            ..SendRetry::default()
        },
        ..options()
    };
    let handle = SchedulerHandle::new(deps, &config, options);
    handle.start().await.unwrap();
    discord.wait_for(1, Duration::from_secs(10)).await;
    let stopped = Utc::now();
    cluster.stop();
    tokio::time::sleep(Duration::from_secs(3)).await;
    cluster.restart();
    let restarted = Utc::now();
    let mut during = Vec::new();
    for _ in 0..40 {
        during = discord
            .messages()
            .into_iter()
            .filter_map(|m| m.fire_time())
            .filter(|f| *f > stopped && *f < restarted)
            .collect();
        if !during.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    handle.shutdown().await;
    assert!(
        !during.is_empty(),
        "nothing due between {stopped} and {restarted} was delivered: {:?}",
        discord
            .messages()
            .iter()
            .map(|m| m.fire_time())
            .collect::<Vec<_>>()
    );
}

/// TLS is rustls, as the URL's `sslmode` says: the test server has none, so `require` is
/// refused at once (not retried), and the default `prefer` connects in plain text.
#[tokio::test]
async fn sslmode_require_refuses_a_server_without_tls() {
    let Some(cluster) = test_postgres::shared() else {
        return;
    };
    let url = cluster.database().await;
    let err = PgStorage::connect(&format!("{url}?sslmode=require"))
        .await
        .unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
    assert!(err.to_string().contains("TLS"), "{err}");
    PgStorage::connect(&format!("{url}?sslmode=prefer"))
        .await
        .unwrap();
}
