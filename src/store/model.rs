//! The values the store keeps, the same for every backend: runtime digests, digest state,
//! ledger rows, claims and replicas.

use crate::config::WhenEmpty;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The ledger key of a config digest: `cfg:NAME`, lowercase as names are unique ignoring case.
pub fn config_key(name: &str) -> String {
    format!("cfg:{}", name.to_lowercase())
}

/// The ledger key of a runtime digest: `g:GUILD:NAME`.
pub fn runtime_key(guild_id: u64, name: &str) -> String {
    format!("g:{guild_id}:{}", name.to_lowercase())
}

/// A digest as `/digest add` creates it. The command validates the fields (cron, zone,
/// sections) before it gets here; the store keeps them as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDigest {
    pub guild_id: u64,
    pub name: String,
    pub channel_id: u64,
    pub schedule: String,
    /// IANA name.
    pub timezone: String,
    /// Section keys; empty means all.
    pub sections: Vec<String>,
    pub tag: Option<String>,
    pub mention_role: Option<u64>,
    pub silent: bool,
    pub max_briefings: usize,
    pub only_new: bool,
    pub when_empty: WhenEmpty,
    pub created_by: u64,
    /// The language of its posts; `None` follows the guild's locale.
    pub lang: Option<String>,
    /// Where its messages go.
    pub target: crate::digests::Target,
}

/// A stored runtime digest with when it was made and whether it is paused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRow {
    pub key: String,
    pub digest: NewDigest,
    pub created_at: DateTime<Utc>,
    pub paused: bool,
    pub paused_reason: Option<String>,
}

/// What the scheduler recorded about one digest (any source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestState {
    pub key: String,
    pub seen_at: DateTime<Utc>,
    pub paused: bool,
    pub paused_reason: Option<String>,
    /// When the current pause began; `None` when not paused (or paused by an older briefbot).
    pub paused_at: Option<DateTime<Utc>>,
    pub resumed_at: Option<DateTime<Utc>>,
    /// Fire time of the latest delivery that was sent.
    pub last_delivery: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Begun and not closed: being sent, or interrupted (retried at start with the same nonces).
    Pending,
    Sent,
    /// Not delivered on purpose: missed while down (catch-up policy) or too late to send.
    Missed,
    Failed,
    /// Nothing to post and `when_empty = "skip"`.
    SkippedEmpty,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Missed => "missed",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::SkippedEmpty => "skipped_empty",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Sent,
            DeliveryStatus::Missed,
            DeliveryStatus::Failed,
            DeliveryStatus::SkippedEmpty,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }

    /// True once nothing more will be done for this fire.
    pub fn is_closed(self) -> bool {
        self != DeliveryStatus::Pending
    }
}

/// One ledger row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub digest_key: String,
    pub fire_time: DateTime<Utc>,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// Ids of the messages sent so far, in order: a resumed delivery skips these.
    pub message_ids: Vec<u64>,
    /// The briefing ids chosen for this fire, once chosen, so a resumed delivery sends the
    /// same content under the same nonces.
    pub briefings: Option<Vec<String>>,
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// The replica that claimed it last, and until when its claim holds.
    pub owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    /// Set by `record_sending` before a send Discord cannot deduplicate (no nonce): message
    /// number `message_ids.len()` may exist since then, so a resume looks for it before
    /// sending it again. Cleared when progress is recorded; meaningless once closed.
    pub sending_since: Option<DateTime<Utc>>,
}

/// What claiming (digest, fire time) gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// A pending row that is now this owner's until its lease ends: new, taken over from an
    /// owner whose lease expired, or already this owner's.
    Ours(Delivery),
    /// Pending, and another owner's lease still holds: leave it to them for now.
    Held { owner: String, until: DateTime<Utc> },
    /// Sent, failed, missed or skipped: never sent again.
    Closed(Delivery),
}

/// Who claims, and for how long each claim or renewal holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    pub duration: Duration,
}

impl Lease {
    pub fn new(owner: impl Into<String>, duration: Duration) -> Lease {
        Lease {
            owner: owner.into(),
            duration,
        }
    }

    /// When a claim or renewal made at `now` ends.
    pub fn until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::TimeDelta::from_std(self.duration).unwrap_or(chrono::TimeDelta::MAX)
    }
}

/// One running briefbot process as it announces itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replica {
    /// Random per process start.
    pub id: String,
    pub host: String,
    /// The gateway shards it runs, as configured (`0-3/8`).
    pub shards: String,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
    /// The buckets it held at its last heartbeat.
    pub buckets: Vec<u32>,
}

/// A fresh replica id: the host, the process id and a few random bits, so two processes on one
/// host, or one process restarted with the same pid, never share an id.
pub fn new_replica_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!(
        "{}-{}-{:06x}",
        host_name(),
        std::process::id(),
        h.finish() & 0xff_ffff
    )
}

/// This machine's name, for the replicas table; `HOSTNAME`, else /etc/hostname, else `host`.
pub fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into())
}

/// What one briefing in a sent delivery looked like when its messages were last written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShownBriefing {
    /// The briefing's content hash then; empty once it is shown as withdrawn.
    pub revision: String,
    /// Kept so a withdrawn briefing can still be named.
    pub title: String,
    /// How many messages its own forum post holds, for a digest posting one per briefing:
    /// a correction finds each post's messages by it, whatever the briefing renders to now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<usize>,
}

/// A sent delivery whose messages a correction may edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub digest_key: String,
    pub fire_time: DateTime<Utc>,
    pub channel_id: u64,
    pub message_ids: Vec<u64>,
    /// By briefing id.
    pub briefings: std::collections::BTreeMap<String, ShownBriefing>,
    /// When it was sent: corrections stop `edit_window` after it.
    pub sent_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
}

/// A digest's target as stored: JSON, or NULL for a plain channel (every digest made before
/// targets existed).
pub(crate) fn target_to_sql(target: &crate::digests::Target) -> Option<String> {
    (*target != crate::digests::Target::Channel)
        .then(|| serde_json::to_string(target).expect("a target serializes"))
}

pub(crate) fn target_from_sql(text: Option<&str>) -> Result<crate::digests::Target, String> {
    match text {
        None => Ok(crate::digests::Target::Channel),
        Some(json) => serde_json::from_str(json).map_err(|e| format!("target `{json}`: {e}")),
    }
}
