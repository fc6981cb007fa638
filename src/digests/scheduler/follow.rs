//! Changes made on another replica (`/digest add|edit|remove|pause|resume` there) reach this
//! one's timer: each announced key is re-read from the store and applied, so the replica that
//! owns the digest fires it as changed and every replica lists it right. Announcements can be
//! lost (the listener reconnecting), so the whole store is also re-read now and then.

use super::error::SchedulerError;
use super::handle::SchedulerHandle;
use super::state::Inner;
use crate::digests::DigestSpec;
use crate::store::DigestState;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The guild and name in a runtime digest's key (`g:GUILD:NAME`).
fn runtime_parts(key: &str) -> Option<(u64, &str)> {
    let rest = key.strip_prefix("g:")?;
    let (guild, name) = rest.split_once(':')?;
    Some((guild.parse().ok()?, name))
}

impl SchedulerHandle {
    /// Applies what the store now says about the digest `key`: a runtime digest is added,
    /// replaced or removed; any digest is paused or resumed. Fires skipped while it was paused
    /// are not caught up.
    pub async fn apply_change(&self, key: &str) -> Result<(), SchedulerError> {
        let inner = &self.inner;
        let store = &inner.deps.store;
        let state = store.state(key).await?;
        let spec = match runtime_parts(key) {
            Some((guild, name)) => {
                let Some(row) = store.get_digest(guild, name).await? else {
                    if inner.queue().remove(key).is_some() {
                        tracing::info!(digest = %key, "digest change applied: removed");
                    }
                    return Ok(());
                };
                DigestSpec::from_row(&row, &inner.settings().defaults)?
            }
            // A config digest's settings are this replica's config; only its state is shared.
            None => match inner.spec(key) {
                Some(spec) => DigestSpec::clone(&spec),
                None => return Ok(()),
            },
        };
        let paused = state.as_ref().is_some_and(|s| s.paused);
        let what = apply(inner, spec, paused);
        tracing::info!(digest = %key, what, "digest change applied");
        Ok(())
    }

    /// Re-reads every digest and its state from the store and applies the differences, for
    /// the announcements that were lost.
    pub async fn resync(&self) -> Result<(), SchedulerError> {
        let inner = &self.inner;
        let store = &inner.deps.store;
        let rows = store.all_digests().await?;
        let states: HashMap<String, DigestState> = store.states().await?;
        let defaults = inner.settings().defaults.clone();
        let stored: HashSet<String> = rows.iter().map(|r| r.key.clone()).collect();
        let mut specs: Vec<DigestSpec> = Vec::with_capacity(rows.len());
        for row in &rows {
            match DigestSpec::from_row(row, &defaults) {
                Ok(spec) => specs.push(spec),
                Err(e) => {
                    tracing::error!(digest = %row.key, error = %e, "stored digest not scheduled")
                }
            }
        }
        let configured: Vec<DigestSpec> = (inner.queue().entries())
            .filter(|e| e.spec.is_config())
            .map(|e| DigestSpec::clone(&e.spec))
            .collect();
        let gone: Vec<String> = (inner.queue().entries())
            .filter(|e| !e.spec.is_config() && !stored.contains(&e.spec.key))
            .map(|e| e.spec.key.clone())
            .collect();
        let mut changed = gone.len();
        for key in &gone {
            inner.queue().remove(key);
        }
        for spec in specs.into_iter().chain(configured) {
            let paused = states.get(&spec.key).is_some_and(|s| s.paused);
            if apply(inner, spec, paused) != "unchanged" {
                changed += 1;
            }
        }
        if changed > 0 {
            tracing::info!(changed, "digests resynced from the store");
        }
        Ok(())
    }

    /// Applies every change other replicas announce, and resyncs every `resync_every` and
    /// whenever announcements may have been lost, until the scheduler shuts down.
    pub async fn follow_changes(&self, resync_every: Duration) {
        let inner = &self.inner;
        let mut changes = inner.deps.store.subscribe();
        let mut tick = tokio::time::interval(resync_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            let applied = tokio::select! {
                _ = inner.stop.cancelled() => return,
                heard = changes.recv() => match heard {
                    // The store's listener reconnected: what was said meanwhile is lost.
                    Ok(key) if key.is_empty() => self.resync().await,
                    Ok(key) => self.apply_change(&key).await,
                    Err(RecvError::Lagged(lost)) => {
                        tracing::warn!(lost, "digest change announcements overflowed; resyncing");
                        self.resync().await
                    }
                    Err(RecvError::Closed) => return,
                },
                _ = tick.tick() => self.resync().await,
            };
            if let Err(e) = applied {
                tracing::warn!(error = %e, "could not apply digest changes; the next resync will");
            }
        }
    }
}

/// Puts `spec` on the timer as the store says it is. Returns what it did, for the log. An
/// unchanged schedule keeps its next fire; a resumed one fires from its next fire time.
fn apply(inner: &Inner, mut spec: DigestSpec, paused: bool) -> &'static str {
    spec.paused = paused;
    let now = inner.now();
    let mut queue = inner.queue();
    let old = queue.get(&spec.key).map(|e| Arc::clone(&e.spec));
    let same = old
        .as_ref()
        .is_some_and(|o| o.same_schedule(&spec) && o.paused == paused);
    let what = match &old {
        None => "added",
        Some(o) if o.paused && !paused => "resumed",
        Some(o) if !o.paused && paused => "paused",
        Some(o) if same && same_settings(o, &spec) => "unchanged",
        Some(_) => "updated",
    };
    if what == "unchanged" {
        return what;
    }
    let next = match (paused, same) {
        (true, _) => None,
        (false, true) => queue.next_fire(&spec.key),
        (false, false) => spec.schedule.next_after(now),
    };
    queue.insert(Arc::new(spec), next);
    drop(queue);
    inner.wake.notify_one();
    what
}

/// Everything but the schedule (compared apart) and the pause that a digest's deliveries
/// depend on. Every field is named, so a field added to `DigestSpec` fails to compile here
/// until someone decides whether a change to it must reach the other replicas.
fn same_settings(a: &DigestSpec, b: &DigestSpec) -> bool {
    let DigestSpec {
        key: _,
        schedule: _,
        paused: _,
        name,
        source,
        guild_id,
        channel_id,
        sections,
        tags,
        max_briefings,
        only_new,
        when_empty,
        silent,
        mention_role,
        catch_up,
        grace,
        lang,
        target,
    } = a;
    *name == b.name
        && *source == b.source
        && *guild_id == b.guild_id
        && *channel_id == b.channel_id
        && *sections == b.sections
        && *tags == b.tags
        && *max_briefings == b.max_briefings
        && *only_new == b.only_new
        && *when_empty == b.when_empty
        && *silent == b.silent
        && *mention_role == b.mention_role
        && *catch_up == b.catch_up
        && *grace == b.grace
        && *lang == b.lang
        && *target == b.target
}

#[cfg(test)]
mod tests {
    use super::same_settings;
    use crate::digests::{DigestSpec, Identity, Target};

    #[test]
    fn a_new_target_is_a_change_the_other_replicas_apply() {
        let text = "[[digest]]\nname = \"d\"\nchannel_id = 1\nschedule = \"0 8 * * *\"\n";
        let config = crate::config::parse(text, std::path::Path::new("config.toml")).unwrap();
        let before = DigestSpec::all_from_config(&config).remove(0);
        assert!(same_settings(&before, &before.clone()));
        let mut renamed = before.clone();
        renamed.target = Target::Webhook(Identity {
            username: Some("Sahel Brief".into()),
            avatar_url: None,
        });
        assert!(
            !same_settings(&before, &renamed),
            "a webhook's new name must reach every replica"
        );
    }
}
