//! Changes to a digest on the timer that deliveries and the handle share: pausing it (store
//! first, then the timer) and putting a spec on the timer.

use super::state::Inner;
use crate::digests::DigestSpec;
use crate::store::StoreError;
use std::sync::Arc;

/// Pauses a digest in the store and takes it off the timer.
pub(super) async fn pause(inner: &Inner, key: &str, reason: &str) -> Result<(), StoreError> {
    let (k, r, now) = (key.to_string(), reason.to_string(), inner.now());
    inner.deps.store.set_paused(&k, Some(&r), now).await?;
    announce(inner, key).await;
    let mut queue = inner.queue();
    if let Some(entry) = queue.get(key) {
        let mut spec = DigestSpec::clone(&entry.spec);
        spec.paused = true;
        queue.insert(Arc::new(spec), None);
    }
    Ok(())
}

/// Tells the other replicas (and this one's subscribers) that a digest changed, so the one
/// that times it reloads it. A failure is logged, not returned: the change itself is stored,
/// and replicas also reload on their own.
pub(super) async fn announce(inner: &Inner, key: &str) {
    if let Err(e) = inner.deps.store.notify_digest_changed(key).await {
        tracing::warn!(digest = %key, error = %e, "could not announce a digest change");
    }
}

/// Puts `spec` on the timer: a digest new to the store is marked seen (it will not catch up
/// on earlier fires); a paused one stays paused; an unchanged schedule keeps its next fire.
pub(super) async fn upsert(
    inner: &Inner,
    mut spec: DigestSpec,
) -> Result<Arc<DigestSpec>, StoreError> {
    let (key, now) = (spec.key.clone(), inner.now());
    let store = &inner.deps.store;
    let state = store.state(&key).await?;
    if state.is_none() {
        store.mark_seen(&[key], now).await?;
    }
    spec.paused = state.is_some_and(|s| s.paused);
    let spec = Arc::new(spec);
    let mut queue = inner.queue();
    let keep = queue.get(&spec.key).and_then(|old| {
        let same = old.spec.same_schedule(&spec) && !old.spec.paused;
        same.then(|| queue.next_fire(&spec.key))
    });
    let next = match (spec.paused, keep) {
        (true, _) => None,
        (false, Some(next)) => next,
        (false, None) => spec.schedule.next_after(now),
    };
    queue.insert(Arc::clone(&spec), next);
    drop(queue);
    inner.wake.notify_one();
    Ok(spec)
}
