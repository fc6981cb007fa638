//! What one digest delivery carries and how its messages are marked so a
//! retried send cannot post twice. Pure: the scheduler supplies the library snapshot and the
//! briefings already posted.

use super::DigestSpec;
use crate::briefings::{Briefing, Library, Section};
use crate::locales::Words;
use crate::render::{limits, render_digest, DigestEntry, DigestView, MessagePayload};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// The newest `max_briefings` briefings matching any of the digest's tags, leaving out those
/// already posted to its channel when `only_new`, each with the sections the digest shows.
/// A briefing with none of the requested sections is passed over, not counted.
pub fn select_content<'a>(
    spec: &DigestSpec,
    library: &'a Library,
    already_posted: &HashSet<String>,
) -> Vec<DigestEntry<'a>> {
    library
        .newest_first()
        .map(|b| &**b)
        .filter(|b| spec.tags.is_empty() || b.tags.iter().any(|t| spec.tags.contains(t)))
        .filter(|b| !(spec.only_new && already_posted.contains(&b.id)))
        .filter_map(|b| entry(spec, b))
        .take(spec.max_briefings)
        .collect()
}

/// The entries for briefings chosen earlier (a delivery resumed after a restart), in the same
/// order; briefings removed from the library since are left out.
pub fn entries_by_id<'a>(
    spec: &DigestSpec,
    library: &'a Library,
    ids: &[String],
) -> Vec<DigestEntry<'a>> {
    ids.iter()
        .filter_map(|id| library.get(id))
        .filter_map(|b| entry(spec, b))
        .collect()
}

fn entry<'a>(spec: &DigestSpec, b: &'a Briefing) -> Option<DigestEntry<'a>> {
    let sections = sections_of(spec, b);
    (!sections.is_empty()).then_some(DigestEntry {
        briefing: b,
        sections,
    })
}

/// The sections of `b` the digest shows, in the digest's order (or the briefing's, for all).
pub fn sections_of<'a>(spec: &DigestSpec, b: &'a Briefing) -> Vec<&'a Section> {
    if spec.sections.is_empty() {
        b.sections.iter().collect()
    } else {
        spec.sections
            .iter()
            .filter_map(|k| b.section(k.as_str()))
            .collect()
    }
}

/// The messages of one delivery: the rendered digest (name, `<t:fire:f>`, mention role,
/// silent flag), each message carrying its nonce with `enforce_nonce`. Empty `entries` render
/// as the "nothing new" notice, in `words`; whether to send it is the caller's `when_empty`
/// decision.
pub fn render_delivery(
    spec: &DigestSpec,
    fire: DateTime<Utc>,
    entries: Vec<DigestEntry<'_>>,
    words: &Words,
) -> Vec<MessagePayload> {
    let nothing_new = words.text("digest-nothing-new");
    let view = DigestView {
        name: &spec.name,
        fire_time: fire,
        entries,
        mention_role: spec.mention_role,
        silent: spec.silent,
        nothing_new: &nothing_new,
    };
    render_digest(&view)
        .into_iter()
        .enumerate()
        .map(|(i, m)| m.with_nonce(nonce(&spec.key, fire, i)))
        .collect()
}

/// Widths of the nonce's parts, in base 36: the key's hash (a u64 needs 13 digits), the fire
/// time (seconds up to year 4400) and the message index.
const HASH_DIGITS: usize = 13;
const FIRE_DIGITS: usize = 7;
const INDEX_DIGITS: usize = 2;
const _: () = assert!(HASH_DIGITS + FIRE_DIGITS + INDEX_DIGITS <= limits::NONCE);

/// The nonce of message `index` of the delivery of digest `key` scheduled for `fire`: the
/// same for every retry, in this process or after a restart, and distinct across digests, fire
/// times and messages. Fixed-width base-36 parts keep it at 22 characters, under Discord's 25.
pub fn nonce(key: &str, fire: DateTime<Utc>, index: usize) -> String {
    let mut out = String::with_capacity(limits::NONCE);
    push_base36(&mut out, fnv1a(key.as_bytes()), HASH_DIGITS);
    push_base36(&mut out, fire.timestamp().max(0) as u64, FIRE_DIGITS);
    push_base36(&mut out, index as u64, INDEX_DIGITS);
    out
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike `std`'s hashers (nonces,
/// feed item names and revisions must not change with the build).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Appends `n` as exactly `width` base-36 digits (the low digits if it has more).
fn push_base36(out: &mut String, mut n: u64, width: usize) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = vec![b'0'; width];
    for slot in buf.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    out.push_str(std::str::from_utf8(&buf).expect("base-36 digits are ASCII"));
}
