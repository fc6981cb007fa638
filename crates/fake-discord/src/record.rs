//! Every HTTP request the bot makes, as the fake saw it, and the waiting helpers tests use to
//! say "the bot answered" instead of sleeping.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::FakeDiscord;

/// One HTTP request as the fake received and answered it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// Position in arrival order, from 0.
    pub index: usize,
    /// The HTTP method, uppercase.
    pub method: String,
    /// Full path as sent, e.g. `/api/v10/interactions/1/tok/callback`.
    pub path: String,
    /// The query string without `?`, if any.
    pub query: Option<String>,
    /// Header names lowercased; a repeated header keeps its last value.
    pub headers: BTreeMap<String, String>,
    /// The JSON body, or for multipart requests the `payload_json` part.
    pub body: Option<Value>,
    /// The raw body as text (lossy), for anything that is not JSON.
    pub body_text: String,
    /// When the request arrived.
    pub received_at: Instant,
    /// The status the fake answered with (after faults and validation).
    pub status: u16,
}

impl RecordedRequest {
    /// A header's value; `name` in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The path below `/api/v10`, e.g. `/interactions/1/tok/callback`.
    pub fn route(&self) -> &str {
        self.path.strip_prefix("/api/v10").unwrap_or(&self.path)
    }

    /// Whether the method is `method` (any case) and the path ends with `path_suffix`.
    pub fn is(&self, method: &str, path_suffix: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && self.path.ends_with(path_suffix)
    }

    /// `body[key]`, or `Null` when there is no JSON body or no such key.
    pub fn json(&self, key: &str) -> &Value {
        self.body
            .as_ref()
            .and_then(|b| b.get(key))
            .unwrap_or(&Value::Null)
    }

    /// One line for failure messages: `POST /api/v10/... -> 204`.
    pub fn summary(&self) -> String {
        format!("{} {} -> {}", self.method, self.path, self.status)
    }
}

/// A wait that timed out; its `Debug` lists what the fake did see, which is usually the answer
/// to "why did this fail".
pub struct WaitError {
    /// What was waited for.
    pub what: String,
    /// How long.
    pub waited: Duration,
    /// Every request recorded by then ([`RecordedRequest::summary`]) and the gateway's summary.
    pub seen: Vec<String>,
}

impl fmt::Debug for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "timed out after {:?} waiting for {}; the fake recorded:",
            self.waited, self.what
        )?;
        for line in &self.seen {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for WaitError {}

impl FakeDiscord {
    /// All requests so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.read(|s| s.requests.clone())
    }

    /// The requests so far for which `pred` holds, in arrival order.
    pub fn requests_matching(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
    ) -> Vec<RecordedRequest> {
        self.requests().into_iter().filter(|r| pred(r)).collect()
    }

    /// The first request (past or future) matching `pred`.
    pub async fn wait_for(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Result<RecordedRequest, WaitError> {
        self.wait_for_nth(pred, 1, timeout)
            .await
            .map(|mut v| v.pop().expect("n = 1"))
    }

    /// The first `n` requests matching `pred`, once there are that many.
    pub async fn wait_for_nth(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, WaitError> {
        // Only requests recorded since the last look are copied, so waiting stays cheap when a
        // load test has recorded thousands.
        let (mut checked, mut hits) = (0, Vec::new());
        let found = self
            .shared
            .wait_until(timeout, |shared| {
                let fresh: Vec<RecordedRequest> = shared.read(|s| s.requests[checked..].to_vec());
                checked += fresh.len();
                hits.extend(fresh.into_iter().filter(|r| pred(r)));
                (hits.len() >= n).then(|| hits[..n].to_vec())
            })
            .await;
        found.ok_or_else(|| self.wait_error(format!("{n} matching request(s)"), timeout))
    }

    pub(crate) fn wait_error(&self, what: String, waited: Duration) -> WaitError {
        let seen = self.shared.read(|s| {
            let mut lines: Vec<String> = s.requests.iter().map(RecordedRequest::summary).collect();
            lines.push(format!("gateway: {}", s.gateway.log.summary()));
            lines
        });
        WaitError { what, waited, seen }
    }
}
