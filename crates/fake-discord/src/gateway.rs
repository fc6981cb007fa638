//! The gateway websocket: Hello, Identify → READY + GUILD_CREATE, heartbeats, Resume with replay
//! of missed dispatches, and the faults reconnect logic must survive (dropped socket, op 7, op 9,
//! close codes, missing heartbeat ACKs).
//!
//! Sessions outlive connections, as on Discord: a dispatch sent while the bot is disconnected is
//! kept in the session's log and replayed when the bot resumes.
//!
//! Each Identify names its shard (`[id, total]`); the fake keeps one current session per shard,
//! the one that identified or resumed last for it. A guild's events go to the session of shard
//! `(guild_id >> 22) % total`, and everything without a guild (DMs) to shard 0, as on Discord.
//! Identify limits are `identify.rs`'s.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use super::config::{shard_of, FakeConfig, PRIVILEGED_INTENTS};
use super::identify::{IdentifyBudget, IdentifyRefusal};
use super::ids::snowflake;
use super::payloads;
use super::state::Shared;

/// What the fake observed on the gateway, for assertions.
#[derive(Clone, Debug, Default)]
pub struct GatewayLog {
    /// Websocket connections opened.
    pub connections: usize,
    /// Connections that have ended (either side, any reason).
    pub disconnections: usize,
    /// Query string of each websocket connection (serenity sends `v=10`).
    pub connect_queries: Vec<String>,
    /// The `d` of every Identify (token, intents, shard, properties…).
    pub identifies: Vec<Value>,
    /// The `d` of every Resume (token, session_id, seq).
    pub resumes: Vec<Value>,
    /// Heartbeats (op 1) received.
    pub heartbeats: usize,
    /// READY dispatches sent: one per accepted Identify.
    pub readies_sent: usize,
    /// RESUMED dispatches sent: one per accepted Resume.
    pub resumed_sent: usize,
    /// Close codes the fake sent, and `None` for dropped sockets.
    pub closes_sent: Vec<Option<u16>>,
    /// Frames with other opcodes (presence update, request guild members…).
    pub other_frames: Vec<Value>,
    /// Identifies refused with op 9 for breaking a limit (too close together for their
    /// rate-limit key, or none left today). A well-behaved bot provokes none.
    pub identify_refusals: Vec<IdentifyRefusal>,
}

impl GatewayLog {
    /// One line of counts, for failure messages.
    pub fn summary(&self) -> String {
        format!(
            "{} connection(s) ({} ended), {} identify ({} refused), {} resume, {} heartbeat(s), {} READY, {} RESUMED, closes {:?}",
            self.connections,
            self.disconnections,
            self.identifies.len(),
            self.identify_refusals.len(),
            self.resumes.len(),
            self.heartbeats,
            self.readies_sent,
            self.resumed_sent,
            self.closes_sent
        )
    }
}

pub(crate) enum Outgoing {
    Json(Value),
    Close(u16, String),
    /// End the TCP connection without a close frame, like a network failure.
    Drop,
}

struct Session {
    shard: u32,
    seq: u64,
    /// Every dispatch of the session, for replay on resume.
    events: Vec<Value>,
    resumable: bool,
    conn: Option<u64>,
}

struct Conn {
    tx: UnboundedSender<Outgoing>,
    session: Option<String>,
}

pub(crate) struct GatewayState {
    sessions: HashMap<String, Session>,
    /// The current session of each shard.
    by_shard: BTreeMap<u32, String>,
    /// The shard count of the latest Identify, which decides where guild events go.
    total: u32,
    conns: HashMap<u64, Conn>,
    next_conn: u64,
    pub ack_heartbeats: bool,
    pub budget: IdentifyBudget,
    pub log: GatewayLog,
}

impl Default for GatewayState {
    fn default() -> Self {
        Self {
            sessions: HashMap::new(),
            by_shard: BTreeMap::new(),
            total: 1,
            conns: HashMap::new(),
            next_conn: 0,
            ack_heartbeats: true,
            budget: IdentifyBudget::default(),
            log: GatewayLog::default(),
        }
    }
}

impl GatewayState {
    fn open(&mut self, tx: UnboundedSender<Outgoing>, query: String, hello_ms: u64) -> u64 {
        let _ = tx.send(Outgoing::Json(payloads::hello(hello_ms)));
        self.next_conn += 1;
        self.conns
            .insert(self.next_conn, Conn { tx, session: None });
        self.log.connections += 1;
        self.log.connect_queries.push(query);
        self.next_conn
    }

    fn closed(&mut self, conn: u64) {
        self.log.disconnections += 1;
        if let Some(Conn {
            session: Some(id), ..
        }) = self.conns.remove(&conn)
        {
            if let Some(s) = self.sessions.get_mut(&id).filter(|s| s.conn == Some(conn)) {
                s.conn = None;
            }
        }
    }

    fn send(&mut self, conn: u64, out: Outgoing) {
        match &out {
            Outgoing::Close(code, _) => self.log.closes_sent.push(Some(*code)),
            Outgoing::Drop => self.log.closes_sent.push(None),
            Outgoing::Json(_) => {}
        }
        if let Some(c) = self.conns.get(&conn) {
            let _ = c.tx.send(out);
        }
    }

    /// The connection of shard 0's current session, where DMs go (the only shard of most bots).
    pub fn live_conn(&self) -> Option<u64> {
        self.live_conn_of(0)
    }

    /// The connection of a shard's current session, if the bot is connected and the session
    /// valid (after op 9 or close 4009 the bot still holds a socket, but nothing reaches it).
    pub fn live_conn_of(&self, shard: u32) -> Option<u64> {
        let session = self
            .sessions
            .get(self.by_shard.get(&shard)?)
            .filter(|s| s.resumable)?;
        session.conn.filter(|c| self.conns.contains_key(c))
    }

    /// The shards with a live session, in order.
    pub fn live_shards(&self) -> Vec<u32> {
        let live = |s: &&u32| self.live_conn_of(**s).is_some();
        self.by_shard.keys().filter(live).copied().collect()
    }

    /// The shard whose session receives the events of `guild` (`None`: a DM).
    pub fn shard_for(&self, guild: Option<u64>) -> u32 {
        guild.map_or(0, |g| shard_of(g, self.total))
    }

    /// Sends a dispatch in shard 0's current session (or only logs it while the bot is away).
    pub fn dispatch(&mut self, event: &str, d: Value) -> Option<u64> {
        self.dispatch_for(None, event, d)
    }

    /// Sends a dispatch in the session of the shard that `guild` belongs to (shard 0 for `None`).
    pub fn dispatch_for(&mut self, guild: Option<u64>, event: &str, d: Value) -> Option<u64> {
        let id = self.by_shard.get(&self.shard_for(guild))?.clone();
        self.dispatch_to(&id, event, d)
    }

    fn dispatch_to(&mut self, session: &str, event: &str, d: Value) -> Option<u64> {
        let s = self.sessions.get_mut(session)?;
        s.seq += 1;
        let envelope = payloads::dispatch(event, s.seq, d);
        s.events.push(envelope.clone());
        if let Some(c) = s.conn.and_then(|c| self.conns.get(&c)) {
            let _ = c.tx.send(Outgoing::Json(envelope));
        }
        Some(s.seq)
    }

    fn on_frame(&mut self, cfg: &FakeConfig, ws_url: &str, conn: u64, text: &str) {
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            return self.send(
                conn,
                Outgoing::Close(4002, "Error while decoding payload.".into()),
            );
        };
        let d = frame.get("d").cloned().unwrap_or(Value::Null);
        match frame.get("op").and_then(Value::as_u64) {
            Some(1) => {
                self.log.heartbeats += 1;
                if self.ack_heartbeats {
                    self.send(conn, Outgoing::Json(payloads::heartbeat_ack()));
                }
            }
            Some(2) => self.identify(cfg, ws_url, conn, d),
            Some(6) => self.resume(cfg, conn, d),
            Some(3 | 4 | 8 | 31) => self.log.other_frames.push(frame),
            _ => self.send(conn, Outgoing::Close(4001, "Unknown opcode.".into())),
        }
    }

    fn identify(&mut self, cfg: &FakeConfig, ws_url: &str, conn: u64, d: Value) {
        self.log.identifies.push(d.clone());
        if !token_ok(cfg, &d) {
            return self.send(conn, Outgoing::Close(4004, "Authentication failed.".into()));
        }
        let intents = d.get("intents").and_then(Value::as_u64).unwrap_or(0);
        if intents & PRIVILEGED_INTENTS & !cfg.privileged_intents_enabled != 0 {
            return self.send(conn, Outgoing::Close(4014, "Disallowed intent(s).".into()));
        }
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if c.session.is_some() {
            return self.send(conn, Outgoing::Close(4005, "Already authenticated.".into()));
        }
        let Some([shard, total]) = shard_of_identify(&d) else {
            return self.send(conn, Outgoing::Close(4010, "Invalid shard.".into()));
        };
        if let Err(limit) = self.budget.take(cfg, shard) {
            let refusal = IdentifyRefusal {
                shard: [shard, total],
                limit,
            };
            self.log.identify_refusals.push(refusal);
            return self.send(conn, Outgoing::Json(payloads::invalid_session(false)));
        }
        let id = format!("fake-session-{}", snowflake());
        if let Some(c) = self.conns.get_mut(&conn) {
            c.session = Some(id.clone());
        }
        let session = Session {
            shard,
            seq: 0,
            events: Vec::new(),
            resumable: true,
            conn: Some(conn),
        };
        self.sessions.insert(id.clone(), session);
        self.by_shard.insert(shard, id.clone());
        self.total = total;
        let ready = payloads::ready(cfg, &id, ws_url, [shard, total]);
        self.dispatch_to(&id, "READY", ready);
        for guild in cfg.guilds.iter().filter(|g| shard_of(g.id, total) == shard) {
            self.dispatch_to(&id, "GUILD_CREATE", payloads::guild(cfg, guild));
        }
        self.log.readies_sent += 1;
    }

    fn resume(&mut self, cfg: &FakeConfig, conn: u64, d: Value) {
        self.log.resumes.push(d.clone());
        if !token_ok(cfg, &d) {
            return self.send(conn, Outgoing::Close(4004, "Authentication failed.".into()));
        }
        let id = d
            .get("session_id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let seen = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
        let Some(session) = self.sessions.get_mut(&id).filter(|s| s.resumable) else {
            return self.send(conn, Outgoing::Json(payloads::invalid_session(false)));
        };
        let previous = session.conn.replace(conn);
        let shard = session.shard;
        let missed: Vec<Value> = session
            .events
            .iter()
            .filter(|e| e["s"].as_u64() > Some(seen))
            .cloned()
            .collect();
        if let Some(old) = previous.filter(|old| *old != conn) {
            self.send(old, Outgoing::Drop);
        }
        if let Some(c) = self.conns.get_mut(&conn) {
            c.session = Some(id.clone());
        }
        self.by_shard.insert(shard, id.clone());
        for event in missed {
            self.send(conn, Outgoing::Json(event));
        }
        self.dispatch_to(&id, "RESUMED", payloads::resumed());
        self.log.resumed_sent += 1;
    }

    /// Applies a fault to shard 0's live connection; false when that shard is not connected.
    pub fn fault(&mut self, out: Outgoing, invalidate: bool) -> bool {
        let Some(conn) = self.live_conn() else {
            return false;
        };
        if invalidate {
            if let Some(s) = self
                .by_shard
                .get(&0)
                .and_then(|id| self.sessions.get_mut(id))
            {
                s.resumable = false;
            }
        }
        self.send(conn, out);
        true
    }
}

/// `[id, total]` of an Identify (`[0, 1]` when it names none, as Discord assumes); `None` when
/// the id is not below the total, which Discord closes with 4010.
fn shard_of_identify(d: &Value) -> Option<[u32; 2]> {
    let Some(shard) = d.get("shard") else {
        return Some([0, 1]);
    };
    let n = |i: usize| shard.get(i)?.as_u64()?.try_into().ok();
    let (id, total): (u32, u32) = (n(0)?, n(1)?);
    (id < total).then_some([id, total])
}

/// serenity sends `Bot <token>` in Identify and Resume (Discord accepts both forms).
fn token_ok(cfg: &FakeConfig, d: &Value) -> bool {
    let sent = d.get("token").and_then(Value::as_str).unwrap_or("");
    sent.strip_prefix("Bot ").unwrap_or(sent) == cfg.token
}

/// `GET /ws`: upgrades and runs one gateway connection until either side ends it.
pub(crate) async fn ws_handler(
    ws: WebSocketUpgrade,
    State(shared): State<Arc<Shared>>,
    uri: Uri,
) -> Response {
    let query = uri.query().unwrap_or("").to_owned();
    ws.on_upgrade(move |socket| run(socket, shared, query))
}

async fn run(socket: WebSocket, shared: Arc<Shared>, query: String) {
    let (tx, mut rx) = unbounded_channel();
    let hello_ms = shared.cfg.heartbeat_interval.as_millis() as u64;
    let conn = shared.update(|s| s.gateway.open(tx, query, hello_ms));
    let (mut sink, mut stream) = socket.split();
    let mut shutdown = shared.shutdown.subscribe();
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outgoing::Json(v)) => {
                    if sink.send(Message::Text(v.to_string().into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(code, reason)) => {
                    let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    break;
                }
                Some(Outgoing::Drop) | None => break,
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    shared.update(|s| s.gateway.on_frame(&shared.cfg, &shared.ws_url, conn, text.as_str()));
                }
                Some(Ok(Message::Close(_))) => {
                    // Flushes the close reply tungstenite queued, which serenity waits for.
                    let _ = sink.close().await;
                    break;
                }
                Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            _ = shutdown.changed() => break,
        }
    }
    shared.update(|s| s.gateway.closed(conn));
}
