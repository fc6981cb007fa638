//! Several replicas of one bot: `briefbot` processes sharing one fake Discord and one PostgreSQL
//! database, each in its own folder (config, briefings, logs) with its own `discord.shards`
//! range. A replica can be killed with SIGKILL and relaunched in its folder; the database server
//! is a `test_postgres::TestCluster` the test holds (its own when it stops the server, since the
//! binary's shared cluster serves other tests meanwhile).

use super::{Bot, BotSpec};
use fake_discord::FakeDiscord;
use std::time::{Duration, Instant};

/// `[storage]` lines for a PostgreSQL database. No `path`: naming both is a config error.
pub fn postgres_storage(url: &str, claim_lease: &str) -> String {
    format!("[storage]\nurl = \"{url}\"\nclaim_lease = \"{claim_lease}\"\n\n")
}

pub struct Replicas {
    bots: Vec<Bot>,
    specs: Vec<BotSpec>,
}

impl Replicas {
    /// Starts one process per range of `ranges` (`"0-0/3"`, ...), each from `spec` with the
    /// database at `url` and its range added, without waiting for anything.
    pub fn launch(
        fake: &FakeDiscord,
        spec: &BotSpec,
        url: &str,
        claim_lease: &str,
        ranges: &[&str],
    ) -> Replicas {
        let specs: Vec<BotSpec> = ranges
            .iter()
            .map(|range| BotSpec {
                discord: format!("{}\nshards = \"{range}\"", spec.discord),
                extra_config: postgres_storage(url, claim_lease) + &spec.extra_config,
                ..spec.clone()
            })
            .collect();
        let bots = specs.iter().map(|s| Bot::launch(fake, s.clone())).collect();
        Replicas { bots, specs }
    }

    /// SIGKILL to replica `i`, as a crash would; returns once it is gone.
    pub fn kill_hard(&mut self, i: usize) {
        self.bots[i].kill_hard();
    }

    /// Starts replica `i` again in its folder, with its range, after `kill_hard`.
    pub fn relaunch(&mut self, fake: &FakeDiscord, i: usize) {
        self.bots[i].relaunch(fake, self.specs[i].clone());
    }

    /// Waits until every replica's current process has logged a line satisfying `pred`.
    pub async fn wait_all_logged(
        &self,
        pred: impl Fn(&str) -> bool + Copy,
        timeout: Duration,
    ) -> Result<(), String> {
        for (i, bot) in self.bots.iter().enumerate() {
            let left = timeout.saturating_sub(Duration::from_millis(1));
            if bot.wait_for_log(pred, left).await.is_none() {
                return Err(format!("replica {i} never logged it"));
            }
        }
        Ok(())
    }

    /// Waits until replica `i` logs one more line satisfying `pred` than it had when called.
    pub async fn wait_for_new_log(
        &self,
        i: usize,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> bool {
        let count = |bot: &Bot| bot.logs().lines().filter(|l| pred(l)).count();
        let before = count(&self.bots[i]);
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if count(&self.bots[i]) > before {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    /// The logs of replica `i`'s current process.
    pub fn current_logs(&self, i: usize) -> String {
        self.bots[i].logs()
    }

    /// Every replica's logs, every process of it, under a heading naming its range.
    pub fn logs(&self) -> String {
        self.bots
            .iter()
            .zip(&self.specs)
            .enumerate()
            .map(|(i, (bot, spec))| {
                let range = spec.discord.lines().last().unwrap_or_default();
                format!("==== replica {i} ({range}) ====\n{}", bot.all_logs())
            })
            .collect()
    }

    /// SIGTERM to every replica still running, and waits for each to exit.
    pub fn terminate_all(&mut self) {
        for bot in &mut self.bots {
            if bot.is_running() {
                bot.terminate();
            }
        }
    }
}
