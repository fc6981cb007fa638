//! REST faults a test can arm: 429s shaped like Discord's (per-route or global) and 5xx
//! answers, each for the next N matching requests, plus a failing gateway lookup.
//!
//! With serenity's ratelimiter disabled (required for `api_base`), these reach the bot as plain
//! errors, which is exactly what its own retry layer must handle.

use serde_json::json;

use super::rest::Reply;
use super::FakeDiscord;

#[derive(Clone, Debug)]
pub enum FaultKind {
    /// 429 with `Retry-After` (whole seconds, rounded up) and `retry_after` in the body.
    RateLimited { retry_after: f64, global: bool },
    /// Any status, with Discord's error JSON.
    Status(u16),
}

#[derive(Clone, Debug)]
pub struct RestFault {
    /// `None` matches every method.
    pub method: Option<String>,
    /// Matched against the path below `/api/v10`; `""` matches every route.
    pub path_contains: String,
    /// How many more requests this fault answers; `u32::MAX` means "until cleared".
    pub remaining: u32,
    pub kind: FaultKind,
}

impl RestFault {
    fn matches(&self, method: &str, route: &str) -> bool {
        self.remaining > 0
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && route.contains(&self.path_contains)
    }
}

/// Consumes one use of the first armed fault matching the request, if any.
pub(crate) fn take(faults: &mut [RestFault], method: &str, route: &str) -> Option<FaultKind> {
    let fault = faults.iter_mut().find(|f| f.matches(method, route))?;
    if fault.remaining != u32::MAX {
        fault.remaining -= 1;
    }
    Some(fault.kind.clone())
}

pub(crate) fn reply(kind: &FaultKind) -> Reply {
    match *kind {
        FaultKind::RateLimited {
            retry_after,
            global,
        } => {
            let scope = if global { "global" } else { "user" };
            let mut reply = Reply::json(
                429,
                json!({
                    "message": "You are being rate limited.",
                    "retry_after": retry_after,
                    "global": global,
                    "code": if global { 0 } else { 20028 },
                }),
            )
            .header("retry-after", (retry_after.ceil() as u64).to_string())
            .header("x-ratelimit-scope", scope.to_owned())
            .header("x-ratelimit-limit", "5".to_owned())
            .header("x-ratelimit-remaining", "0".to_owned())
            .header("x-ratelimit-reset-after", format!("{retry_after:.3}"));
            if global {
                reply = reply.header("x-ratelimit-global", "true".to_owned());
            }
            reply
        }
        FaultKind::Status(status) => Reply::json(
            status,
            json!({"message": format!("{status}: fault injected by fake-discord"), "code": 0}),
        ),
    }
}

impl FakeDiscord {
    /// The next `times` requests whose method is `method` (`"*"` for any) and whose route
    /// contains `path_contains` get a 429.
    pub fn rate_limit(
        &self,
        method: &str,
        path_contains: &str,
        times: u32,
        retry_after: f64,
        global: bool,
    ) {
        self.arm(
            method,
            path_contains,
            times,
            FaultKind::RateLimited {
                retry_after,
                global,
            },
        );
    }

    /// The next `times` matching requests get `status` (e.g. 500, 502, 503).
    pub fn server_error(&self, method: &str, path_contains: &str, times: u32, status: u16) {
        self.arm(method, path_contains, times, FaultKind::Status(status));
    }

    /// `GET /gateway` and `/gateway/bot` fail with 503 until cleared: serenity would then fall back
    /// to the real `wss://gateway.discord.gg`, which a bot with `api_base` set must refuse.
    pub fn fail_gateway_lookup(&self) {
        self.arm("GET", "/gateway", u32::MAX, FaultKind::Status(503));
    }

    pub fn clear_faults(&self) {
        self.shared.update(|s| s.faults.clear());
    }

    fn arm(&self, method: &str, path_contains: &str, times: u32, kind: FaultKind) {
        let method = (method != "*").then(|| method.to_owned());
        let fault = RestFault {
            method,
            path_contains: path_contains.to_owned(),
            remaining: times,
            kind,
        };
        self.shared.update(|s| s.faults.push(fault));
    }
}
