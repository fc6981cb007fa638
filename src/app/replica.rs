//! Replicas on one PostgreSQL database sharing the work: every few seconds this process
//! announces itself, renews and takes its share of the digest buckets (the scheduler fires only
//! those), learns how many replicas are live (each gets that share of Discord's global rate),
//! and keeps or takes the command registrar's lock. A task applies the digest changes other
//! replicas announce. On SQLite none of this runs: one process owns every digest.

use crate::digests::scheduler::{ReplicaCard, SchedulerHandle};
use crate::discord::Rest;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Between two lease rounds; well within the bucket lease (10 s), so two rounds can fail
/// before this replica stops firing its digests.
pub const ROUND: Duration = Duration::from_secs(3);
/// Every digest is re-read from the store this often, for announcements that were lost.
pub const RESYNC: Duration = Duration::from_secs(30);
/// The lock whose holder registers the slash commands.
pub const REGISTRAR: &str = "register-commands";

/// The replica loop and the change follower, stopped before the replica leaves.
pub struct ReplicaTasks {
    tasks: Vec<JoinHandle<()>>,
}

impl ReplicaTasks {
    /// Stops both; a round cut short rolls back.
    pub async fn stop(self) {
        for task in self.tasks {
            task.abort();
            let _ = task.await;
        }
    }
}

/// Joins the replicas: the first round runs before this returns, so the scheduler's start
/// plans only this replica's digests and `registrar` says who registers commands.
pub async fn join(
    scheduler: &SchedulerHandle,
    rest: Rest,
    card: ReplicaCard,
    registrar: Arc<watch::Sender<bool>>,
) -> ReplicaTasks {
    scheduler.share_work();
    registrar.send_replace(false);
    tracing::info!(replica = scheduler.replica_id(), host = %card.host, shards = %card.shards, "joining the replicas");
    round(scheduler, &rest, &card, &registrar).await;
    let looping = {
        let scheduler = scheduler.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(ROUND);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                round(&scheduler, &rest, &card, &registrar).await;
            }
        })
    };
    let following = {
        let scheduler = scheduler.clone();
        tokio::spawn(async move { scheduler.follow_changes(RESYNC).await })
    };
    ReplicaTasks {
        tasks: vec![looping, following],
    }
}

async fn round(
    scheduler: &SchedulerHandle,
    rest: &Rest,
    card: &ReplicaCard,
    registrar: &watch::Sender<bool>,
) {
    match scheduler.replica_round(card).await {
        Ok((_, live)) => {
            let count = live.len().max(1);
            rest.set_share(count as u32);
            crate::metrics::replicas_live(count);
            crate::metrics::buckets_owned(scheduler.buckets_owned());
            tracing::debug!(
                live = count,
                buckets = scheduler.buckets_owned(),
                "replica round"
            );
        }
        Err(e) => {
            crate::metrics::buckets_owned(scheduler.buckets_owned());
            tracing::warn!(error = %e, "replica round failed; this replica's digests are fired until their lease ends");
        }
    }
    match scheduler.hold_lock(REGISTRAR).await {
        Ok(holds) => {
            let changed =
                registrar.send_if_modified(|held| std::mem::replace(held, holds) != holds);
            if changed && holds {
                tracing::info!("this replica is now the one that registers commands");
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not renew the command registrar's lock"),
    }
}

/// How this replica describes itself to the others.
pub fn card(shards: &crate::config::Shards) -> ReplicaCard {
    ReplicaCard {
        host: crate::store::host_name(),
        shards: shards.to_string(),
        started_at: Utc::now(),
    }
}
