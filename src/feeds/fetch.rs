//! One polite HTTP fetch of a feed: conditional (ETag, Last-Modified), bounded in time and in
//! size (counted on the decompressed body while it streams, so a gzip bomb stops early),
//! redirects only to http(s) and at most five, and the server's `Retry-After` kept for the
//! backoff.

use chrono::{DateTime, Utc};
use reqwest::header::{
    HeaderMap, ACCEPT, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use reqwest::redirect::{Attempt, Policy};
use std::time::Duration;

const MAX_REDIRECTS: usize = 5;
/// The longest wait a server's `Retry-After` may impose; past it, a typo, not a wish.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(24 * 60 * 60);

/// What the last good answer said, sent back so an unchanged feed costs a 304.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful fetch.
#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing to parse.
    NotModified,
    Body {
        bytes: Vec<u8>,
        validators: Validators,
    },
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status}")]
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("no complete answer within {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Transport(String),
}

impl FetchError {
    /// How long the server asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The HTTP client every feed shares (one connection pool), with the limits of `[feeds]`.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    timeout: Duration,
    max_bytes: usize,
}

impl Fetcher {
    pub fn new(timeout: Duration, max_bytes: usize) -> Fetcher {
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "briefbot/",
                env!("CARGO_PKG_VERSION"),
                " (feed reader)"
            ))
            .redirect(Policy::custom(redirect))
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .expect("the feed HTTP client builds with static settings");
        Fetcher {
            client,
            timeout,
            max_bytes,
        }
    }

    pub async fn fetch(&self, url: &str, known: &Validators) -> Result<Fetched, FetchError> {
        let mut request = self.client.get(url).header(
            ACCEPT,
            "application/rss+xml, application/atom+xml, application/feed+json, \
             application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
        );
        if let Some(etag) = &known.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &known.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
                retry_after: retry_after(response.headers(), Utc::now()),
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Err(FetchError::TooLarge {
                limit: self.max_bytes,
            });
        }
        let validators = validators(response.headers());
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(e))? {
            if bytes.len() + chunk.len() > self.max_bytes {
                return Err(FetchError::TooLarge {
                    limit: self.max_bytes,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body { bytes, validators })
    }

    fn transport(&self, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            return FetchError::Timeout(self.timeout);
        }
        // The chain says what went wrong (refused, reset, bad redirect); the top line alone
        // is only "error sending request".
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        FetchError::Transport(text)
    }
}

fn redirect(attempt: Attempt) -> reqwest::redirect::Action {
    if attempt.previous().len() > MAX_REDIRECTS {
        return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
    }
    match attempt.url().scheme() {
        "http" | "https" => attempt.follow(),
        other => {
            let message = format!("a redirect to a `{other}:` URL, not http(s)");
            attempt.error(message)
        }
    }
}

fn validators(headers: &HeaderMap) -> Validators {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    Validators {
        etag: text(ETAG),
        last_modified: text(LAST_MODIFIED),
    }
}

/// `Retry-After` as seconds or as an HTTP date, capped.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = DateTime::parse_from_rfc2822(value).ok()?;
            (at.with_timezone(&Utc) - now).to_std().unwrap_or_default()
        }
    };
    Some(wait.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, value.parse().unwrap());
        h
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_caps_them() {
        let now = Utc.with_ymd_and_hms(2026, 11, 6, 8, 49, 0).unwrap();
        assert_eq!(
            retry_after(&with("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(&with("Fri, 06 Nov 2026 08:49:37 GMT"), now),
            Some(Duration::from_secs(37))
        );
        assert_eq!(retry_after(&with("99999999"), now), Some(RETRY_AFTER_CAP));
        assert_eq!(retry_after(&with("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
