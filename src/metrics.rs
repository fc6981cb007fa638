//! Process-wide metrics, exported in Prometheus text format by the `[ops]` endpoint.
//! Counters are global so any module can count without threading a handle through; nothing
//! here holds a secret (labels are command names, outcomes and HTTP statuses).

use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, OnceLock};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabels {
    command: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandOnly {
    command: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TargetLabels {
    target: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FeedLabels {
    feed: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FeedOutcomeLabels {
    feed: String,
    outcome: String,
}

struct Metrics {
    registry: Registry,
    interactions: Family<CommandLabels, Counter>,
    answer_seconds: Family<CommandOnly, Histogram>,
    briefings_loaded: Gauge,
    briefings_skipped: Gauge,
    gateway_latency: Gauge<f64, AtomicU64>,
    rest_retries: Family<StatusLabels, Counter>,
    deliveries: Family<OutcomeLabels, Counter>,
    gateway_events: Family<KindLabels, Counter>,
    cooldown_refusals: Counter,
    replicas_live: Gauge,
    buckets_owned: Gauge,
    feed_polls: Family<FeedOutcomeLabels, Counter>,
    feed_items: Family<FeedLabels, Gauge>,
    feed_last_success: Family<FeedLabels, Gauge>,
    message_edits: Family<OutcomeLabels, Counter>,
    digest_messages: Family<TargetLabels, Counter>,
    last_gateway_fault: Mutex<Option<Incident>>,
    last_failed_delivery: Mutex<Option<Incident>>,
}

/// Something that went wrong, for `/briefbot status`: when, and what (no secrets).
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub at: DateTime<Utc>,
    pub what: String,
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("briefbot");
        let interactions = Family::<CommandLabels, Counter>::default();
        registry.register(
            "interactions",
            "Interactions answered, by command and outcome",
            interactions.clone(),
        );
        let answer_seconds = Family::<CommandOnly, Histogram>::new_with_constructor(|| {
            Histogram::new([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])
        });
        registry.register(
            "answer_seconds",
            "Time from receiving an interaction to answering it",
            answer_seconds.clone(),
        );
        let briefings_loaded = Gauge::default();
        registry.register(
            "briefings_loaded",
            "Briefings currently served",
            briefings_loaded.clone(),
        );
        let briefings_skipped = Gauge::default();
        registry.register(
            "briefings_skipped",
            "Briefing files skipped because of errors",
            briefings_skipped.clone(),
        );
        let gateway_latency = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "gateway_latency_seconds",
            "Last heartbeat round trip of shard 0",
            gateway_latency.clone(),
        );
        let rest_retries = Family::<StatusLabels, Counter>::default();
        registry.register(
            "rest_retries",
            "Discord REST requests retried, by HTTP status",
            rest_retries.clone(),
        );
        let deliveries = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "deliveries",
            "Digest deliveries, by outcome",
            deliveries.clone(),
        );
        let gateway_events = Family::<KindLabels, Counter>::default();
        registry.register(
            "gateway_events",
            "Gateway disconnects, resumes and re-identifies",
            gateway_events.clone(),
        );
        let cooldown_refusals = Counter::default();
        registry.register(
            "cooldown_refusals",
            "Query commands refused because the member was on cooldown",
            cooldown_refusals.clone(),
        );
        let replicas_live = Gauge::default();
        registry.register(
            "replicas_live",
            "Replicas with a recent heartbeat, as this one last saw (PostgreSQL only)",
            replicas_live.clone(),
        );
        let buckets_owned = Gauge::default();
        registry.register(
            "buckets_owned",
            "Digest buckets this replica fires (PostgreSQL only)",
            buckets_owned.clone(),
        );
        let feed_polls = Family::<FeedOutcomeLabels, Counter>::default();
        registry.register(
            "feed_polls",
            "Feed polls, by feed and outcome (ok, not_modified, error)",
            feed_polls.clone(),
        );
        let feed_items = Family::<FeedLabels, Gauge>::default();
        registry.register("feed_items", "Items kept per feed", feed_items.clone());
        let feed_last_success = Family::<FeedLabels, Gauge>::default();
        registry.register(
            "feed_last_success_timestamp_seconds",
            "When each feed was last polled successfully (Unix time)",
            feed_last_success.clone(),
        );
        let message_edits = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "message_edits",
            "Posted digest messages edited after a correction, by outcome",
            message_edits.clone(),
        );
        let digest_messages = Family::<TargetLabels, Counter>::default();
        registry.register(
            "digest_messages",
            "Digest messages by target kind and outcome: sent, found (an earlier send had gone through), not_found, lookup_failed",
            digest_messages.clone(),
        );
        Metrics {
            digest_messages,
            replicas_live,
            buckets_owned,
            feed_polls,
            feed_items,
            feed_last_success,
            message_edits,
            deliveries,
            gateway_events,
            cooldown_refusals,
            last_gateway_fault: Mutex::new(None),
            last_failed_delivery: Mutex::new(None),
            registry,
            interactions,
            answer_seconds,
            briefings_loaded,
            briefings_skipped,
            gateway_latency,
            rest_retries,
        }
    })
}

/// Counts an answered interaction and how long the answer took.
pub fn interaction(command: &str, outcome: &str, seconds: f64) {
    let m = metrics();
    m.interactions
        .get_or_create(&CommandLabels {
            command: command.to_string(),
            outcome: outcome.to_string(),
        })
        .inc();
    m.answer_seconds
        .get_or_create(&CommandOnly {
            command: command.to_string(),
        })
        .observe(seconds);
}

pub fn briefings(loaded: usize, skipped: usize) {
    metrics().briefings_loaded.set(loaded as i64);
    metrics().briefings_skipped.set(skipped as i64);
}

pub fn gateway_latency(seconds: f64) {
    metrics().gateway_latency.set(seconds);
}

/// A retried REST request; `None` for connection errors.
pub fn rest_retry(status: Option<u16>) {
    let status = status.map_or_else(|| "network".to_string(), |s| s.to_string());
    metrics()
        .rest_retries
        .get_or_create(&StatusLabels { status })
        .inc();
}

/// A finished digest delivery; a failure is kept for `/briefbot status`.
pub fn delivery(outcome: &str, digest: &str, error: Option<&str>) {
    let m = metrics();
    m.deliveries
        .get_or_create(&OutcomeLabels {
            outcome: outcome.to_string(),
        })
        .inc();
    if let Some(error) = error {
        *lock(&m.last_failed_delivery) = Some(Incident {
            at: Utc::now(),
            what: format!("{digest}: {error}"),
        });
    }
}

/// A gateway event worth counting: `disconnect`, `resume` or `reidentify`. Disconnects are
/// kept as the last gateway fault.
pub fn gateway_event(kind: &str, detail: &str) {
    let m = metrics();
    m.gateway_events
        .get_or_create(&KindLabels {
            kind: kind.to_string(),
        })
        .inc();
    if kind == "disconnect" {
        *lock(&m.last_gateway_fault) = Some(Incident {
            at: Utc::now(),
            what: detail.to_string(),
        });
    }
}

pub fn replicas_live(count: usize) {
    metrics().replicas_live.set(count as i64);
}

pub fn buckets_owned(count: usize) {
    metrics().buckets_owned.set(count as i64);
}

/// A feed poll: its outcome, the items it keeps and its last success.
pub fn feed_polled(feed: &str, outcome: &str, items: usize, last_success: Option<DateTime<Utc>>) {
    let m = metrics();
    let label = FeedLabels {
        feed: feed.to_string(),
    };
    m.feed_polls
        .get_or_create(&FeedOutcomeLabels {
            feed: feed.to_string(),
            outcome: outcome.to_string(),
        })
        .inc();
    m.feed_items.get_or_create(&label).set(items as i64);
    if let Some(at) = last_success {
        m.feed_last_success
            .get_or_create(&label)
            .set(at.timestamp());
    }
}

/// A posted message edited (or not) after a correction.
pub fn message_edit(outcome: &str) {
    metrics()
        .message_edits
        .get_or_create(&OutcomeLabels {
            outcome: outcome.to_string(),
        })
        .inc();
}

/// One digest message to a target of `kind`: sent, or what looking for an earlier send found.
pub fn digest_message(kind: &str, outcome: &str) {
    metrics()
        .digest_messages
        .get_or_create(&TargetLabels {
            target: kind.to_string(),
            outcome: outcome.to_string(),
        })
        .inc();
}

pub fn cooldown_refusal() {
    metrics().cooldown_refusals.inc();
}

pub fn last_gateway_fault() -> Option<Incident> {
    lock(&metrics().last_gateway_fault).clone()
}

pub fn last_failed_delivery() -> Option<Incident> {
    lock(&metrics().last_failed_delivery).clone()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Everything, in Prometheus text exposition format.
pub fn encode() -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &metrics().registry);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_show_up_in_the_export() {
        super::interaction("brief", "ok", 0.01);
        super::rest_retry(Some(429));
        let text = super::encode();
        assert!(
            text.contains("briefbot_interactions_total{command=\"brief\",outcome=\"ok\"}"),
            "{text}"
        );
        assert!(
            text.contains("briefbot_rest_retries_total{status=\"429\"}"),
            "{text}"
        );
    }
}
