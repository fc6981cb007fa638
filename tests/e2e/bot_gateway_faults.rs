//! briefbot under gateway faults, one test per fault, each with its own fake Discord and bot:
//! a dropped socket, op 7 Reconnect, op 9 (resumable or not), close codes 4000 and 4009 and
//! heartbeats Discord stops acknowledging. After each the bot resumes or re-identifies (which one
//! is read from the fake's gateway log), answers the next command, has registered its commands
//! exactly once and started the digest scheduler once, and counts the recovery in `/metrics`.
//! That `/briefbot status` and the disconnect counter show the fault is the last test.
//!
//! A re-identify takes at least 5 s: serenity waits that long between two identifies of a shard.
//! The tests wait on the fake's gateway log, never on fixed sleeps; the slowest (missed ACKs)
//! takes about 8 s, bounded by 30 s.

use crate::support::{
    free_port, metrics_containing, ops_config, shipped_briefings, Bot, BotSpec, WAIT,
};
use fake_discord::*;
use std::time::Duration;

/// Long enough for serenity's 5 s between identifies on a busy machine.
const REIDENTIFY_WAIT: Duration = Duration::from_secs(30);
const SCHEDULER_STARTED: &str = "digest scheduler started";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recovery {
    /// Same session, RESUME on a new connection: nothing missed, no second READY.
    Resume,
    /// A new session: IDENTIFY again and a second READY.
    Reidentify,
}

/// A bot with its ops endpoint on `port`, connected and registered.
struct Running {
    fake: FakeDiscord,
    bot: Bot,
    port: u16,
}

impl Running {
    async fn start() -> Running {
        let fake = FakeDiscord::start().await;
        let port = free_port();
        let spec = BotSpec {
            extra_config: ops_config(port),
            ..BotSpec::new(&shipped_briefings())
        };
        let bot = Bot::launch(&fake, spec);
        if let Err(e) = fake
            .wait_for(|r| r.is("PUT", &commands_route()), WAIT)
            .await
        {
            panic!("commands never registered: {e:?}\nlogs:\n{}", bot.logs());
        }
        let started = bot
            .wait_for_log(|l| l.contains(SCHEDULER_STARTED), WAIT)
            .await;
        assert!(started.is_some(), "no scheduler start:\n{}", bot.logs());
        Running { fake, bot, port }
    }

    /// Waits for `expected`, then checks the bot is whole: it answers, it registered once, its
    /// scheduler started once, and `/metrics` counts this one recovery.
    async fn recovers(&self, fault: &str, expected: Recovery) {
        let waited = match expected {
            Recovery::Resume => self.fake.wait_for_resumes(1, WAIT).await.map(drop),
            Recovery::Reidentify => self
                .fake
                .wait_for_identifies(2, REIDENTIFY_WAIT)
                .await
                .map(drop),
        };
        if let Err(e) = waited {
            panic!(
                "no {expected:?} after {fault}: {e:?}\nlogs:\n{}",
                self.bot.logs()
            );
        }
        self.fake.wait_for_ready(WAIT).await.unwrap();
        let ix = self.fake.command("whats-next").send().await;
        let answered = self.fake.wait_for_answer(&ix, WAIT).await;
        assert!(
            answered.is_ok(),
            "no answer after {fault}: {answered:?}\nlogs:\n{}",
            self.bot.logs()
        );

        let log = self.fake.gateway_log();
        match expected {
            Recovery::Resume => {
                assert_eq!(log.identifies.len(), 1, "{fault}: {}", log.summary());
                assert_eq!(log.readies_sent, 1, "{fault}: {}", log.summary());
                assert_eq!(log.resumed_sent, 1, "{fault}: {}", log.summary());
            }
            Recovery::Reidentify => {
                assert_eq!(log.identifies.len(), 2, "{fault}: {}", log.summary());
                assert_eq!(log.readies_sent, 2, "{fault}: {}", log.summary());
                assert_eq!(log.resumed_sent, 0, "{fault}: {}", log.summary());
            }
        }

        let (counted, not_counted) = match expected {
            Recovery::Resume => ("resume", "reidentify"),
            Recovery::Reidentify => ("reidentify", "resume"),
        };
        let line = format!("briefbot_gateway_events_total{{kind=\"{counted}\"}} 1");
        let metrics = metrics_containing(self.port, &line, WAIT).await;
        assert!(
            metrics.contains(&line),
            "{fault}: no `{line}` in\n{metrics}"
        );
        assert!(
            !metrics.contains(&format!("kind=\"{not_counted}\"")),
            "{fault}: {not_counted} counted too:\n{metrics}"
        );

        let registrations = self
            .fake
            .requests_matching(|r| r.method == "PUT" && r.path.contains("/commands"));
        assert_eq!(
            registrations.len(),
            1,
            "{fault}: commands registered again\n{}",
            self.bot.logs()
        );
        let logs = self.bot.logs();
        assert_eq!(
            logs.matches(SCHEDULER_STARTED).count(),
            1,
            "{fault}: scheduler started again\n{logs}"
        );
    }

    /// What `/briefbot status` says about the last gateway fault, and the disconnects counted.
    async fn fault_shown(&self) -> (String, String) {
        let ix = self
            .fake
            .command("briefbot status")
            .user(ADMIN_USER_ID)
            .send()
            .await;
        let view = self.fake.wait_for_answer(&ix, WAIT).await.unwrap();
        let text = view.contents().concat();
        let fault = text
            .lines()
            .find_map(|l| l.strip_prefix("Last gateway fault: "))
            .unwrap_or_else(|| panic!("no gateway fault line in {text}"))
            .to_string();
        let disconnects = "briefbot_gateway_events_total{kind=\"disconnect\"}";
        let metrics = metrics_containing(self.port, disconnects, Duration::from_secs(2)).await;
        let counted = metrics
            .lines()
            .find(|l| l.starts_with(disconnects))
            .unwrap_or("no disconnect counted")
            .to_string();
        (fault, counted)
    }
}

fn commands_route() -> String {
    format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_socket_is_resumed() {
    let run = Running::start().await;
    assert!(run.fake.drop_connection());
    run.recovers("a dropped socket", Recovery::Resume).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn op_7_reconnect_is_resumed() {
    let run = Running::start().await;
    assert!(run.fake.send_reconnect());
    run.recovers("op 7", Recovery::Resume).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumable_op_9_is_resumed() {
    let run = Running::start().await;
    assert!(run.fake.invalidate_session(true));
    run.recovers("op 9 (resumable)", Recovery::Resume).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_resumable_op_9_is_a_new_identify() {
    let run = Running::start().await;
    assert!(run.fake.invalidate_session(false));
    run.recovers("op 9 (not resumable)", Recovery::Reidentify)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_4000_is_resumed() {
    let run = Running::start().await;
    assert!(run.fake.close_connection(4000));
    run.recovers("close 4000", Recovery::Resume).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_4009_session_timeout_is_a_new_identify() {
    let run = Running::start().await;
    assert!(run.fake.close_connection(4009));
    run.recovers("close 4009", Recovery::Reidentify).await;
}

/// serenity notices a missing ACK when the next heartbeat is due (one interval, 1 s here) and
/// then restarts the shard: a new connection and a new identify, not a resume.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_without_ack_lead_to_a_new_identify() {
    let run = Running::start().await;
    run.fake
        .wait_for_gateway("a heartbeat", |g| g.heartbeats >= 1, WAIT)
        .await
        .unwrap();
    run.fake.set_heartbeat_ack(false);
    let gone = run
        .fake
        .wait_for_gateway("the bot hanging up", |g| g.disconnections >= 1, WAIT)
        .await;
    // Acknowledge again, or the new connection would be dropped the same way.
    run.fake.set_heartbeat_ack(true);
    assert!(gone.is_ok(), "{gone:?}\nlogs:\n{}", run.bot.logs());
    run.recovers("missed heartbeat ACKs", Recovery::Reidentify)
        .await;
}

/// Both ways a fault ends: a lost connection that serenity resumes, and a lost session after
/// which it restarts the shard and identifies again. Every fault above ends in one of the two,
/// which the bot sees as a Resume event or a second Ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_metrics_show_the_last_gateway_fault() {
    let run = Running::start().await;
    assert!(run.fake.drop_connection());
    run.recovers("a dropped socket", Recovery::Resume).await;
    let (fault, disconnects) = run.fault_shown().await;
    let lost_logged = run.bot.logs().contains("gateway connection lost");
    assert_ne!(
        fault, "none",
        "status after a dropped socket (`gateway connection lost` logged: {lost_logged})"
    );
    assert!(disconnects.ends_with(" 1"), "{disconnects}");

    assert!(run.fake.invalidate_session(false));
    run.fake
        .wait_for_identifies(2, REIDENTIFY_WAIT)
        .await
        .unwrap();
    run.fake.wait_for_ready(WAIT).await.unwrap();
    // serenity hands READY and the next interaction to handlers concurrently: poll briefly.
    let mut shown = run.fault_shown().await;
    for _ in 0..20 {
        if shown.0 != fault {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        shown = run.fault_shown().await;
    }
    let (after, disconnects) = shown;
    assert_ne!(
        after, fault,
        "status after op 9 still shows the first fault"
    );
    assert!(disconnects.ends_with(" 2"), "{disconnects}");
}
