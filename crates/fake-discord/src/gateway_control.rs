//! The test's handle on the gateway: what the fake saw (Identify, Resume, heartbeats), waits on
//! it, raw dispatches, and the faults that exercise a bot's reconnect logic.

use std::time::Duration;

use serde_json::Value;

use super::gateway::{GatewayLog, Outgoing};
use super::{payloads, FakeDiscord, WaitError};

impl FakeDiscord {
    /// What the fake has seen on the gateway so far.
    pub fn gateway_log(&self) -> GatewayLog {
        self.shared.read(|s| s.gateway.log.clone())
    }

    /// True while the bot holds a live, identified (or resumed) connection for shard 0.
    pub fn is_connected(&self) -> bool {
        self.shared.read(|s| s.gateway.live_conn().is_some())
    }

    /// The shards the bot holds a live session for, in order.
    pub fn live_shards(&self) -> Vec<u32> {
        self.shared.read(|s| s.gateway.live_shards())
    }

    /// The shard whose session receives `guild`'s events (`None`: a DM, shard 0), by the shard
    /// count of the latest Identify.
    pub fn shard_for(&self, guild: Option<u64>) -> u32 {
        self.shared.read(|s| s.gateway.shard_for(guild))
    }

    /// Waits until `pred` holds for the gateway log.
    pub async fn wait_for_gateway(
        &self,
        what: &str,
        pred: impl Fn(&GatewayLog) -> bool,
        timeout: Duration,
    ) -> Result<GatewayLog, WaitError> {
        let found = self
            .shared
            .wait_until(timeout, |_| {
                Some(self.gateway_log()).filter(|log| pred(log))
            })
            .await;
        found.ok_or_else(|| self.wait_error(what.to_owned(), timeout))
    }

    /// Waits until the bot has a live session for shard 0 (READY or RESUMED sent on an open
    /// connection).
    pub async fn wait_for_ready(&self, timeout: Duration) -> Result<(), WaitError> {
        self.wait_for_shard(0, timeout).await
    }

    /// Waits until the bot has a live session for `shard`.
    pub async fn wait_for_shard(&self, shard: u32, timeout: Duration) -> Result<(), WaitError> {
        let live = |sh: &super::state::Shared| sh.read(|s| s.gateway.live_conn_of(shard));
        let found = self
            .shared
            .wait_until(timeout, |sh| live(sh).map(|_| ()))
            .await;
        let what = format!("a live gateway session for shard {shard}");
        found.ok_or_else(|| self.wait_error(what, timeout))
    }

    /// Waits for the `n`th Identify and returns all Identify payloads so far.
    pub async fn wait_for_identifies(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Value>, WaitError> {
        let log = self
            .wait_for_gateway(
                &format!("{n} identify"),
                |l| l.identifies.len() >= n,
                timeout,
            )
            .await?;
        Ok(log.identifies)
    }

    /// Waits for the `n`th successful resume (RESUMED sent).
    pub async fn wait_for_resumes(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Value>, WaitError> {
        let log = self
            .wait_for_gateway(&format!("{n} RESUMED"), |l| l.resumed_sent >= n, timeout)
            .await?;
        Ok(log.resumes)
    }

    /// Sends any dispatch event in shard 0's current session; returns its sequence number, or
    /// `None` when no session exists yet.
    pub fn dispatch_event(&self, event: &str, d: Value) -> Option<u64> {
        self.shared.update(|s| s.gateway.dispatch(event, d))
    }

    // The faults below act on shard 0's connection, the only one of a bot with one shard.

    /// Ends the TCP connection without a close frame; the session stays resumable.
    pub fn drop_connection(&self) -> bool {
        self.shared
            .update(|s| s.gateway.fault(Outgoing::Drop, false))
    }

    /// Op 7: Discord asks the bot to reconnect and resume.
    pub fn send_reconnect(&self) -> bool {
        self.shared.update(|s| {
            s.gateway
                .fault(Outgoing::Json(payloads::reconnect()), false)
        })
    }

    /// Op 9. With `resumable: false` the session is gone and the bot must identify again
    /// (serenity waits 5 s between identifies, so such a test takes at least that long).
    pub fn invalidate_session(&self, resumable: bool) -> bool {
        self.shared.update(|s| {
            s.gateway.fault(
                Outgoing::Json(payloads::invalid_session(resumable)),
                !resumable,
            )
        })
    }

    /// Closes with a Discord close code. 4007 (invalid seq) and 4009 (session timed out) also end
    /// the session, as on Discord; other codes leave it resumable.
    pub fn close_connection(&self, code: u16) -> bool {
        let reason = format!("fake-discord closed with {code}");
        self.shared.update(|s| {
            s.gateway
                .fault(Outgoing::Close(code, reason), matches!(code, 4007 | 4009))
        })
    }

    /// Op 1 from the server: the bot must heartbeat at once.
    pub fn request_heartbeat(&self) -> bool {
        self.shared.update(|s| {
            s.gateway
                .fault(Outgoing::Json(payloads::heartbeat_request()), false)
        })
    }

    /// Stops (false) or resumes (true) answering heartbeats with op 11; a client that misses an
    /// ACK should reconnect.
    pub fn set_heartbeat_ack(&self, ack: bool) {
        self.shared.update(|s| s.gateway.ack_heartbeats = ack);
    }
}
