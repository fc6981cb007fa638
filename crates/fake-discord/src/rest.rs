//! The REST side: one catch-all handler that records the request, applies armed faults, checks
//! the bot token where Discord does, enforces rate limits when configured, and routes `/api/v10/...` to the fake's handlers.
//!
//! Routing by hand (rather than with axum routes) keeps unknown routes recorded and answered with
//! Discord's 404 JSON, like every other request.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use serde_json::Value;

use super::record::RecordedRequest;
use super::state::{Inner, Shared};
use super::{
    channels, commands, faults, guilds, limits, messages, payloads, rest_payloads, webhooks,
};

/// An answer before it becomes an HTTP response, so handlers stay plain functions.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub fn ok(body: Value) -> Self {
        Self::json(200, body)
    }

    pub fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    pub fn error(status: u16, code: u64, message: &str) -> Self {
        Self::json(status, rest_payloads::error(code, message))
    }

    pub fn not_found() -> Self {
        Self::error(404, 0, "404: Not Found")
    }

    pub fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// One parsed request, handed to the route handlers.
pub(crate) struct Req<'a> {
    pub method: &'a str,
    pub segments: Vec<&'a str>,
    /// The query string without `?`.
    pub query: Option<&'a str>,
    pub body: Option<&'a Value>,
}

impl Req<'_> {
    /// A query parameter's value, as sent (no percent-decoding: the fake's parameters are ids,
    /// numbers and booleans).
    pub fn param(&self, name: &str) -> Option<String> {
        self.query?
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }
}

pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received_at = Instant::now();
    let path = uri.path().to_owned();
    let query = uri.query().map(str::to_owned);
    let headers: BTreeMap<String, String> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let json_body = parse_body(&headers, &body);

    let (reply, hold) = shared.update(|inner| {
        let (reply, hold) = answer(
            &shared,
            inner,
            method.as_str(),
            &path,
            query.as_deref(),
            &headers,
            json_body.as_ref(),
        );
        inner.requests.push(RecordedRequest {
            index: inner.requests.len(),
            method: method.as_str().to_owned(),
            path: path.clone(),
            query: query.clone(),
            headers: headers.clone(),
            body: json_body.clone(),
            body_text: String::from_utf8_lossy(&body).into_owned(),
            received_at,
            status: reply.status,
        });
        (reply, hold)
    });
    if let Some(delay) = hold {
        // Recorded and applied already; only the answer is late (outside the state lock).
        tokio::time::sleep(delay).await;
    }
    into_response(reply)
}

fn answer(
    shared: &Shared,
    inner: &mut Inner,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &BTreeMap<String, String>,
    body: Option<&Value>,
) -> (Reply, Option<Duration>) {
    let Some(route) = path.strip_prefix("/api/v10") else {
        return (Reply::not_found(), None);
    };
    let hold = match faults::take(&mut inner.faults, method, route) {
        Some(faults::FaultKind::StallAfter(delay)) => Some(delay),
        Some(kind @ faults::FaultKind::StallBefore(delay)) => {
            return (faults::reply(&kind), Some(delay))
        }
        Some(kind) => return (faults::reply(&kind), None),
        None => None,
    };
    let segments: Vec<&str> = route.trim_matches('/').split('/').collect();
    // Interaction callbacks and webhooks (the interaction's or a channel's) are authorised by
    // the token in the URL and `GET /gateway` is public; every other route needs the bot token,
    // as on Discord.
    let open = matches!(
        segments.as_slice(),
        ["interactions", ..] | ["webhooks", _, _, ..] | ["gateway"]
    );
    let expected = format!("Bot {}", shared.cfg.token);
    if !open && headers.get("authorization") != Some(&expected) {
        return (Reply::error(401, 0, "401: Unauthorized"), hold);
    }
    let admitted = match &shared.cfg.rate_limits {
        Some(limits) => {
            match limits::admit(
                limits,
                &mut inner.limiter,
                method,
                &segments,
                Instant::now(),
            ) {
                Ok(admitted) => Some(admitted),
                Err(too_many) => return (too_many, hold),
            }
        }
        None => None,
    };
    let req = Req {
        method,
        segments,
        query,
        body,
    };
    let reply = route_request(shared, inner, &req);
    match admitted {
        Some(admitted) => (admitted.headers(reply), hold),
        None => (reply, hold),
    }
}

fn route_request(shared: &Shared, inner: &mut Inner, req: &Req<'_>) -> Reply {
    let cfg = &shared.cfg;
    match (req.method, req.segments.as_slice()) {
        ("GET", ["gateway"]) => Reply::ok(rest_payloads::gateway(&shared.ws_url)),
        ("GET", ["gateway", "bot"]) => Reply::ok(rest_payloads::gateway_bot(
            &shared.ws_url,
            cfg.recommended_shards,
            inner.gateway.budget.session_start_limit(cfg),
        )),
        ("GET", ["users", "@me"]) => Reply::ok(payloads::bot_user(cfg)),
        ("GET", ["oauth2", "applications", "@me"]) => Reply::ok(payloads::application_info(cfg)),
        (_, ["applications", ..]) => commands::route(cfg, inner, req),
        (_, ["webhooks", app, _, ..]) if *app == cfg.application_id.to_string() => {
            messages::route_interaction(cfg, inner, req)
        }
        (_, ["interactions", ..]) => messages::route_interaction(cfg, inner, req),
        (_, ["webhooks", ..]) => webhooks::route(cfg, inner, req),
        (_, ["channels", ..]) => channels::route(cfg, inner, req),
        ("GET", ["guilds", guild, rest @ ..]) => guilds::route(cfg, inner, guild, rest),
        _ => Reply::not_found(),
    }
}

/// JSON bodies as such; multipart bodies (attachments) by their `payload_json` part.
fn parse_body(headers: &BTreeMap<String, String>, body: &[u8]) -> Option<Value> {
    if body.is_empty() {
        return None;
    }
    let content_type = headers
        .get("content-type")
        .map(String::as_str)
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        let text = String::from_utf8_lossy(body);
        let start = text.find("name=\"payload_json\"")?;
        let rest = &text[start..];
        let json_start = rest.find("\r\n\r\n")? + 4;
        let json_end = rest[json_start..].find("\r\n--")? + json_start;
        return serde_json::from_str(&rest[json_start..json_end]).ok();
    }
    serde_json::from_slice(body).ok()
}

fn into_response(reply: Reply) -> Response {
    let mut builder = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        builder = builder.header(*name, value);
    }
    let body = match reply.body {
        Some(v) => {
            builder = builder.header("content-type", "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    builder
        .body(body)
        .expect("static header names and numeric statuses are valid")
}
