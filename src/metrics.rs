//! Process-wide metrics, exported in Prometheus text format by the `[ops]` endpoint.
//! Counters are global so any module can count without threading a handle through; nothing
//! here holds a secret (labels are command names, outcomes and HTTP statuses).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::OnceLock;

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
struct StatusLabels {
    status: String,
}

struct Metrics {
    registry: Registry,
    interactions: Family<CommandLabels, Counter>,
    answer_seconds: Family<CommandOnly, Histogram>,
    briefings_loaded: Gauge,
    briefings_skipped: Gauge,
    gateway_latency: Gauge<f64, AtomicU64>,
    rest_retries: Family<StatusLabels, Counter>,
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
        Metrics {
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
