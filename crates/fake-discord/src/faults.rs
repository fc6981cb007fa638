//! REST faults a test can arm: 429s shaped like Discord's (per-route or global), 5xx answers,
//! Discord's JSON errors (e.g. 403 Missing Permissions) and answers held back after the request
//! took effect (a send that lands but whose answer the bot never sees), each for the next N
//! matching requests, plus a failing gateway lookup. One fault per request: the first armed one
//! that matches.
//!
//! With serenity's ratelimiter disabled (required for `api_base`), these reach the bot as plain
//! errors, which is exactly what its own retry layer must handle.

use std::time::Duration;

use serde_json::json;

use super::rest::Reply;
use super::FakeDiscord;

#[derive(Clone, Debug)]
pub enum FaultKind {
    /// 429 with `Retry-After` (whole seconds, rounded up) and `retry_after` in the body.
    RateLimited { retry_after: f64, global: bool },
    /// Any status, with Discord's error JSON.
    Status(u16),
    /// `status` with Discord's error JSON carrying a real error `code` and `message`, e.g.
    /// 403 / 50013 / "Missing Permissions".
    DiscordError {
        status: u16,
        code: u64,
        message: String,
    },
    /// The request is handled as usual (a message is created, the request recorded with its
    /// real status) but the answer is held back this long: what a bot sees when Discord did the
    /// work and the connection then hangs. Applied by `rest::handle`, not by `reply`.
    StallAfter(Duration),
    /// The request never takes effect: it is held this long, then answered 503 (a send that
    /// never reached Discord, e.g. a hung connection). Recorded with status 503 on arrival.
    StallBefore(Duration),
}

#[derive(Clone, Debug)]
pub struct RestFault {
    /// `None` matches every method.
    pub method: Option<String>,
    /// Matched against the path below `/api/v10`; `""` matches every route.
    pub path_contains: String,
    /// How many matching requests still pass untouched before the fault answers.
    pub pass: u32,
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
    if fault.pass > 0 {
        fault.pass -= 1;
        return None;
    }
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
        FaultKind::DiscordError {
            status,
            code,
            ref message,
        } => Reply::json(status, json!({"message": message, "code": code})),
        FaultKind::StallBefore(_) => Reply::json(
            503,
            json!({"message": "503: request lost by fake-discord (stall_before_create)", "code": 0}),
        ),
        FaultKind::StallAfter(_) => unreachable!("a stall answers normally, late (rest::handle)"),
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

    /// Like [`FakeDiscord::rate_limit`], once `pass` matching requests have gone through
    /// untouched: e.g. the second of two clients asking for the same route.
    pub fn rate_limit_after(
        &self,
        method: &str,
        path_contains: &str,
        pass: u32,
        times: u32,
        retry_after: f64,
    ) {
        let kind = FaultKind::RateLimited {
            retry_after,
            global: true,
        };
        self.arm_after(method, path_contains, pass, times, kind);
    }

    /// The next `times` matching requests get `status` (e.g. 500, 502, 503).
    pub fn server_error(&self, method: &str, path_contains: &str, times: u32, status: u16) {
        self.arm(method, path_contains, times, FaultKind::Status(status));
    }

    /// The next `times` matching requests get `status` with Discord's error JSON
    /// `{"code": code, "message": message}`.
    pub fn discord_error(
        &self,
        method: &str,
        path_contains: &str,
        times: u32,
        status: u16,
        code: u64,
        message: &str,
    ) {
        let message = message.to_owned();
        let kind = FaultKind::DiscordError {
            status,
            code,
            message,
        };
        self.arm(method, path_contains, times, kind);
    }

    /// The next `times` matching requests get Discord's answer to a bot that lacks a permission
    /// in the channel: 403 `{"code": 50013, "message": "Missing Permissions"}`. `u32::MAX`
    /// keeps the channel forbidden until `clear_faults`.
    pub fn missing_permissions(&self, method: &str, path_contains: &str, times: u32) {
        self.discord_error(
            method,
            path_contains,
            times,
            403,
            50013,
            "Missing Permissions",
        );
    }

    /// The next `times` matching requests take effect as usual (a `POST .../messages` creates
    /// the message, with its nonce) but their answer is held back for `delay`: the window in
    /// which a bot has sent but not yet learned the result, e.g. to kill it there.
    pub fn stall_after_create(
        &self,
        method: &str,
        path_contains: &str,
        times: u32,
        delay: Duration,
    ) {
        self.arm(method, path_contains, times, FaultKind::StallAfter(delay));
    }

    /// The next `times` matching requests do not take effect (no message is created): each is
    /// held for `delay` and then answered 503. The window in which a bot has begun a send that
    /// Discord never saw, e.g. to kill it there.
    pub fn stall_before_create(
        &self,
        method: &str,
        path_contains: &str,
        times: u32,
        delay: Duration,
    ) {
        self.arm(method, path_contains, times, FaultKind::StallBefore(delay));
    }

    /// `GET /gateway` and `/gateway/bot` fail with 503 until cleared: serenity would then fall back
    /// to the real `wss://gateway.discord.gg`, which a bot with `api_base` set must refuse.
    pub fn fail_gateway_lookup(&self) {
        self.arm("GET", "/gateway", u32::MAX, FaultKind::Status(503));
    }

    /// Disarms every REST fault, including the ones armed until cleared.
    pub fn clear_faults(&self) {
        self.shared.update(|s| s.faults.clear());
    }

    fn arm(&self, method: &str, path_contains: &str, times: u32, kind: FaultKind) {
        self.arm_after(method, path_contains, 0, times, kind);
    }

    fn arm_after(&self, method: &str, path_contains: &str, pass: u32, times: u32, kind: FaultKind) {
        let method = (method != "*").then(|| method.to_owned());
        let fault = RestFault {
            method,
            path_contains: path_contains.to_owned(),
            pass,
            remaining: times,
            kind,
        };
        self.shared.update(|s| s.faults.push(fault));
    }
}
