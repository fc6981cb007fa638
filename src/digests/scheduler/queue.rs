//! The scheduler's one timer: every digest with its next fire time, ordered by that time.
//! A `BTreeSet` of (fire, slot) gives the earliest fire in O(log n); slots hold the specs.
//! Paused digests stay here (for listing) with no next fire.

use crate::digests::DigestSpec;
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// At most this many fire times of one digest are taken in one go. More means a
/// seconds-resolution schedule slept through a long suspend; the excess is skipped, logged.
pub const MAX_DUE_PER_DIGEST: usize = 1000;

/// One digest in the queue.
#[derive(Debug)]
pub struct Entry {
    pub spec: Arc<DigestSpec>,
    /// Held by whoever delivers this digest, so its deliveries happen one at a time and in
    /// order (catch-up `all`, a send-now during a scheduled fire).
    pub gate: Arc<tokio::sync::Mutex<()>>,
    next: Option<i64>,
}

/// The fire times of one digest that came due, oldest first.
#[derive(Debug)]
pub struct Due {
    pub spec: Arc<DigestSpec>,
    pub gate: Arc<tokio::sync::Mutex<()>>,
    pub fires: Vec<DateTime<Utc>>,
    /// Fire times past the `MAX_DUE_PER_DIGEST` that were skipped.
    pub overflowed: bool,
}

#[derive(Debug, Default)]
pub struct TimerQueue {
    slots: Vec<Option<Entry>>,
    free: Vec<u32>,
    index: HashMap<Box<str>, u32>,
    timer: BTreeSet<(i64, u32)>,
}

impl TimerQueue {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        let slot = *self.index.get(key)?;
        self.slots[slot as usize].as_ref()
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.slots.iter().flatten()
    }

    pub fn next_fire(&self, key: &str) -> Option<DateTime<Utc>> {
        self.get(key)?.next.and_then(from_secs)
    }

    /// The earliest fire time of any digest.
    pub fn earliest(&self) -> Option<DateTime<Utc>> {
        self.timer.first().and_then(|&(t, _)| from_secs(t))
    }

    /// Adds a digest, or replaces the spec of one with the same key (keeping its gate),
    /// with its next fire time (`None`: paused or never fires).
    pub fn insert(&mut self, spec: Arc<DigestSpec>, next: Option<DateTime<Utc>>) {
        let next = next.map(|t| t.timestamp());
        let slot = match self.index.get(spec.key.as_str()) {
            Some(&slot) => {
                let entry = self.slots[slot as usize].as_mut().expect("indexed slot");
                if let Some(old) = entry.next {
                    self.timer.remove(&(old, slot));
                }
                entry.spec = spec;
                entry.next = next;
                slot
            }
            None => {
                let entry = Entry {
                    spec: Arc::clone(&spec),
                    gate: Arc::default(),
                    next,
                };
                let slot = match self.free.pop() {
                    Some(slot) => {
                        self.slots[slot as usize] = Some(entry);
                        slot
                    }
                    None => {
                        self.slots.push(Some(entry));
                        (self.slots.len() - 1) as u32
                    }
                };
                self.index.insert(spec.key.as_str().into(), slot);
                slot
            }
        };
        if let Some(t) = next {
            self.timer.insert((t, slot));
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Arc<DigestSpec>> {
        let slot = self.index.remove(key)?;
        let entry = self.slots[slot as usize].take().expect("indexed slot");
        if let Some(t) = entry.next {
            self.timer.remove(&(t, slot));
        }
        self.free.push(slot);
        Some(entry.spec)
    }

    /// Takes the digests due at `now` (at most `limit` of them), moving each to its next fire
    /// time after the last one taken, which is after `now`.
    pub fn take_due(&mut self, now: DateTime<Utc>, limit: usize) -> Vec<Due> {
        let mut due = Vec::new();
        while due.len() < limit {
            let Some(&(t, slot)) = self.timer.first() else {
                break;
            };
            if t > now.timestamp() {
                break;
            }
            self.timer.remove(&(t, slot));
            let entry = self.slots[slot as usize].as_mut().expect("timed slot");
            let first = from_secs(t).expect("stored fire times are valid");
            let schedule = &entry.spec.schedule;
            let mut fires = vec![first];
            fires.extend(schedule.fires_between(first, now, MAX_DUE_PER_DIGEST - 1));
            let last = *fires.last().expect("one fire at least");
            let overflowed = fires.len() == MAX_DUE_PER_DIGEST;
            let next = schedule.next_after(if overflowed { now } else { last });
            entry.next = next.map(|n| n.timestamp());
            if let Some(n) = entry.next {
                self.timer.insert((n, slot));
            }
            due.push(Due {
                spec: Arc::clone(&entry.spec),
                gate: Arc::clone(&entry.gate),
                fires,
                overflowed,
            });
        }
        due
    }
}

fn from_secs(t: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t, 0)
}
