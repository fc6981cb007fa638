//! briefbot's own REST client for everything it sends to Discord (interaction answers,
//! follow-ups, command registration, channel messages). Serenity's client, with its rate limiter
//! disabled so that `discord.api_base` works, turns 429 and 5xx into plain errors; this client
//! honours `Retry-After` (header or body) and retries 5xx and connection errors with bounded
//! backoff. It never logs or returns the token or a URL (interaction URLs carry secrets too).

use super::http::Route;
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// How persistent a request is. Interaction answers must land within Discord's 3-second
/// deadline, so they give up early; registration and digests can wait longer.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// A 429 asking for a longer wait than this is not retried.
    pub max_wait: Duration,
}

impl RetryPolicy {
    pub const INTERACTION: RetryPolicy = RetryPolicy {
        attempts: 3,
        base_backoff: Duration::from_millis(200),
        max_backoff: Duration::from_millis(800),
        max_wait: Duration::from_secs(2),
    };
    /// No retry: for callers that retry themselves (the digest scheduler).
    pub const ONCE: RetryPolicy = RetryPolicy {
        attempts: 1,
        base_backoff: Duration::ZERO,
        max_backoff: Duration::ZERO,
        max_wait: Duration::ZERO,
    };
    pub const PATIENT: RetryPolicy = RetryPolicy {
        attempts: 6,
        base_backoff: Duration::from_millis(500),
        max_backoff: Duration::from_secs(30),
        max_wait: Duration::from_secs(60),
    };
}

/// Why a request failed after its retries.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RestError {
    #[error("Discord answered {status}: {message} (code {code})")]
    Status {
        status: u16,
        code: u64,
        message: String,
    },
    #[error("rate limited by Discord for {retry_after:?} (global: {global})")]
    RateLimited { retry_after: Duration, global: bool },
    #[error("cannot reach Discord: {0}")]
    Transport(String),
}

impl RestError {
    pub fn status(&self) -> Option<u16> {
        match self {
            RestError::Status { status, .. } => Some(*status),
            RestError::RateLimited { .. } => Some(429),
            RestError::Transport(_) => None,
        }
    }
}

/// A Discord REST client bound to one API base and token.
#[derive(Clone)]
pub struct Rest {
    client: reqwest::Client,
    gate: std::sync::Arc<super::ratelimit::RateGate>,
    /// `https://discord.com/api/v10`, or the configured stand-in, parsed once: parsing the
    /// whole URL of every request (its host through IDNA) costs more than setting its path.
    base: reqwest::Url,
    auth: String,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rest")
            .field("base", &self.base.as_str())
            .field("auth", &"<redacted>")
            .finish()
    }
}

impl Rest {
    pub fn new(api_base: &str, token: &str) -> anyhow::Result<Rest> {
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "DiscordBot (https://github.com/briefbot, ",
                env!("CARGO_PKG_VERSION"),
                ") briefbot"
            ))
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(Rest {
            client,
            gate: Default::default(),
            base: reqwest::Url::parse(&format!("{}/api/v10", api_base.trim_end_matches('/')))?,
            auth: format!("Bot {token}"),
        })
    }

    /// Sends from now on at this process's share of Discord's global limit when
    /// `live_replicas` processes run the bot: `floor(50 / live_replicas)` requests a second.
    pub fn set_share(&self, live_replicas: u32) {
        self.gate.set_share(live_replicas);
        tracing::info!(
            live_replicas,
            per_second = self.gate.share(),
            "share of Discord's global rate limit"
        );
    }

    pub async fn get(&self, route: Route<'_>, policy: RetryPolicy) -> Result<Value, RestError> {
        self.send(reqwest::Method::GET, route, None, policy).await
    }

    pub async fn post(
        &self,
        route: Route<'_>,
        body: &impl Serialize,
        policy: RetryPolicy,
    ) -> Result<Value, RestError> {
        self.send(reqwest::Method::POST, route, Some(json(body)?), policy)
            .await
    }

    /// Posts a body that is JSON already (an answer serialized beforehand).
    pub async fn post_json(
        &self,
        route: Route<'_>,
        body: Vec<u8>,
        policy: RetryPolicy,
    ) -> Result<Value, RestError> {
        self.send(reqwest::Method::POST, route, Some(body), policy)
            .await
    }

    pub async fn put(
        &self,
        route: Route<'_>,
        body: &impl Serialize,
        policy: RetryPolicy,
    ) -> Result<Value, RestError> {
        self.send(reqwest::Method::PUT, route, Some(json(body)?), policy)
            .await
    }

    pub async fn patch(
        &self,
        route: Route<'_>,
        body: &impl Serialize,
        policy: RetryPolicy,
    ) -> Result<Value, RestError> {
        self.send(reqwest::Method::PATCH, route, Some(json(body)?), policy)
            .await
    }

    /// Sends one request, retrying what Discord says may be retried. A 204 gives `Value::Null`.
    /// `body` is JSON.
    pub async fn send(
        &self,
        method: reqwest::Method,
        route: Route<'_>,
        body: Option<Vec<u8>>,
        policy: RetryPolicy,
    ) -> Result<Value, RestError> {
        let path = route.path();
        let label = route.label();
        // Buckets are per resource, so the key keeps the ids (it is never logged).
        let bucket = format!("{method} {path}");
        let global = route.counts_globally();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let permit = self.gate.acquire(&bucket, global).await;
            let mut url = self.base.clone();
            url.set_path(&format!("{}{path}", self.base.path()));
            url.set_query(route.query().as_deref());
            let mut request = self
                .client
                .request(method.clone(), url)
                .header(reqwest::header::AUTHORIZATION, &self.auth);
            if let Some(body) = &body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let header = |name: &str| {
                        response
                            .headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    let remaining = header("x-ratelimit-remaining").and_then(|v| v.parse().ok());
                    let reset_after =
                        header("x-ratelimit-reset-after").and_then(|v| v.parse().ok());
                    permit.observe(remaining, reset_after);
                    classify(response).await
                }
                Err(e) => {
                    drop(permit);
                    Err(RestError::Transport(e.without_url().to_string()))
                }
            };
            let wait = match &outcome {
                Ok(_) => return outcome,
                Err(RestError::RateLimited { retry_after, .. })
                    if *retry_after <= policy.max_wait =>
                {
                    *retry_after
                }
                Err(RestError::Status { status, .. }) if *status >= 500 => backoff(policy, attempt),
                Err(RestError::Transport(_)) => backoff(policy, attempt),
                Err(_) => return outcome,
            };
            if attempt >= policy.attempts {
                return outcome;
            }
            let error = outcome.unwrap_err();
            if let RestError::RateLimited {
                retry_after,
                global: true,
            } = &error
            {
                self.gate.block_globally(*retry_after);
            }
            crate::metrics::rest_retry(error.status());
            tracing::warn!(route = label, attempt, wait_ms = wait.as_millis() as u64, %error, "retrying Discord request");
            tokio::time::sleep(wait).await;
        }
    }
}

/// `body` as JSON, serialized once for every attempt.
fn json(body: &impl Serialize) -> Result<Vec<u8>, RestError> {
    serde_json::to_vec(body)
        .map_err(|e| RestError::Transport(format!("cannot encode the body: {e}")))
}

async fn classify(response: reqwest::Response) -> Result<Value, RestError> {
    let status = response.status().as_u16();
    let header_wait = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<f64>().ok());
    let global_header = response.headers().get("x-ratelimit-global").is_some();
    let body: Value = match response.bytes().await {
        Ok(bytes) if bytes.is_empty() => Value::Null,
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(e) => return Err(RestError::Transport(e.without_url().to_string())),
    };
    if (200..300).contains(&status) {
        return Ok(body);
    }
    if status == 429 {
        let secs = body["retry_after"].as_f64().or(header_wait).unwrap_or(1.0);
        return Err(RestError::RateLimited {
            retry_after: Duration::from_secs_f64(secs.clamp(0.0, 3600.0)),
            global: global_header || body["global"].as_bool().unwrap_or(false),
        });
    }
    Err(RestError::Status {
        status,
        code: body["code"].as_u64().unwrap_or(0),
        message: body["message"]
            .as_str()
            .unwrap_or("no message")
            .chars()
            .take(200)
            .collect(),
    })
}

fn backoff(policy: RetryPolicy, attempt: u32) -> Duration {
    let exp = policy
        .base_backoff
        .saturating_mul(1 << (attempt - 1).min(10));
    exp.min(policy.max_backoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded() {
        let p = RetryPolicy::PATIENT;
        assert_eq!(backoff(p, 1), Duration::from_millis(500));
        assert_eq!(backoff(p, 2), Duration::from_secs(1));
        assert_eq!(backoff(p, 30), Duration::from_secs(30));
    }
}
