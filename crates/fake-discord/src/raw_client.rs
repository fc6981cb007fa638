//! Bare clients for testing the fake itself: a gateway client that speaks the protocol frame by
//! frame, so a test sees exactly what the fake sends (and can feed it to serenity's deserializers)
//! without a bot's reconnect logic in the way, and a raw REST call.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

use super::FakeDiscord;

const RECV_TIMEOUT: Duration = Duration::from_secs(5);

/// What the fake sent next on a raw connection.
#[derive(Debug)]
pub enum Frame {
    /// A JSON payload.
    Json(Value),
    /// A close frame and its code.
    Closed(Option<u16>),
    /// The connection ended without a close frame.
    Ended,
}

/// A gateway client without any logic of its own: it sends and reads frames as told.
pub struct RawGateway {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl RawGateway {
    /// Connects the way serenity does (`?v=10`) and returns the client before Hello is read.
    pub async fn connect(fake: &FakeDiscord) -> Self {
        let url = format!("{}?v=10", fake.gateway_url());
        let (ws, _) = connect_async(url)
            .await
            .expect("websocket connects to the fake");
        Self { ws }
    }

    /// Connected and identified with the fake's token and the GUILDS intent, READY and
    /// GUILD_CREATEs already read: a stand-in bot session for injecting interactions.
    pub async fn connected(fake: &FakeDiscord) -> Self {
        let mut gw = Self::connect(fake).await;
        gw.identify(fake, fake.token(), 1).await;
        gw
    }

    /// Sends one JSON frame.
    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::Text(frame.to_string()))
            .await
            .expect("send to the fake");
    }

    /// The next frame, or `None` if nothing arrives within `timeout`.
    pub async fn recv_within(&mut self, timeout: Duration) -> Option<Frame> {
        loop {
            let next = tokio::time::timeout(timeout, self.ws.next()).await.ok()?;
            return Some(match next {
                Some(Ok(Message::Text(t))) => {
                    Frame::Json(serde_json::from_str(&t).expect("the fake sends JSON"))
                }
                Some(Ok(Message::Close(frame))) => Frame::Closed(frame.map(|f| u16::from(f.code))),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => Frame::Ended,
            });
        }
    }

    /// The next JSON frame; panics on close, end or timeout.
    pub async fn recv_json(&mut self) -> Value {
        match self.recv_within(RECV_TIMEOUT).await {
            Some(Frame::Json(v)) => v,
            other => panic!("expected a JSON frame, got {other:?}"),
        }
    }

    /// Skips frames until a dispatch of type `event` arrives.
    pub async fn recv_dispatch(&mut self, event: &str) -> Value {
        loop {
            let frame = self.recv_json().await;
            if frame["op"] == 0 && frame["t"] == event {
                return frame;
            }
        }
    }

    /// Reads Hello, identifies with `token` and `intents`, and returns READY followed by every
    /// GUILD_CREATE (one per configured guild), as raw frames.
    pub async fn identify(&mut self, fake: &FakeDiscord, token: &str, intents: u64) -> Vec<Value> {
        let hello = self.recv_json().await;
        assert_eq!(hello["op"], 10, "first frame is Hello: {hello}");
        self.send(identify_frame(token, intents)).await;
        let mut frames = vec![self.recv_dispatch("READY").await];
        for _ in &fake.config().guilds {
            frames.push(self.recv_dispatch("GUILD_CREATE").await);
        }
        frames
    }
}

/// A raw REST call with the bot's token, for checks serenity's client would hide (status codes,
/// headers): returns the status, the headers and the JSON body (`Null` when there is none).
pub async fn rest(
    fake: &FakeDiscord,
    method: &str,
    route: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let url = format!("{}/api/v10{route}", fake.base_url());
    let mut req = reqwest::Client::new()
        .request(method.parse().expect("an HTTP method"), url)
        .header("authorization", format!("Bot {}", fake.token()));
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.expect("the fake answers");
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    let text = resp.text().await.expect("a readable body");
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// An Identify shaped like serenity's, for shard 0 of 1.
pub fn identify_frame(token: &str, intents: u64) -> Value {
    identify_shard_frame(token, intents, [0, 1])
}

/// An Identify shaped like serenity's for `[shard_id, total]`.
pub fn identify_shard_frame(token: &str, intents: u64, shard: [u32; 2]) -> Value {
    json!({
        "op": 2,
        "d": {
            "token": token,
            "intents": intents,
            "compress": true,
            "large_threshold": 250,
            "shard": shard,
            "properties": {"os": "linux", "browser": "raw-test", "device": "raw-test"},
        },
    })
}

/// A Resume (op 6) of `session_id` after sequence number `seq`.
pub fn resume_frame(token: &str, session_id: &str, seq: u64) -> Value {
    json!({"op": 6, "d": {"token": token, "session_id": session_id, "seq": seq}})
}

/// A Heartbeat (op 1) carrying the last sequence number seen.
pub fn heartbeat_frame(seq: Option<u64>) -> Value {
    json!({"op": 1, "d": seq})
}
