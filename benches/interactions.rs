//! The load benchmark: `/whats-next` injected through the in-repo fake Discord, timed
//! from the fake's dispatch to its receipt of the bot's callback, with 1 and with 50 interactions
//! in flight, for briefbot and for a bare serenity + poise bot answering a fixed string (the floor
//! of the stack), in one run against one fake. Target: briefbot ≤ 1.15× the bare bot at p50 and p99,
//! and ≤ 1.05× its CPU time per answer.
//!
//! `cargo bench --bench interactions [-- --interactions N --rounds R]`: N measured interactions
//! per bot and concurrency (default 500, or `BRIEFBOT_BENCH_INTERACTIONS`), split over R rounds
//! (default 10, or `BRIEFBOT_BENCH_ROUNDS`) in which the bots take turns, so that the load of a
//! shared machine, which moves within seconds, falls on both alike. `BRIEFBOT_BENCH_RUST_LOG`
//! replaces briefbot's log filter (default `info`, its own default); `BRIEFBOT_BENCH_BIN=PATH`
//! runs another briefbot build in its place. Without `--bench` (as
//! `cargo test --benches` runs it) it makes a short pass that only proves the driver works.
//!
//! Both bots are child processes, so both pay the same process and loopback costs: the bare bot
//! (the fake's `bare_bot`) is this binary run again with `BRIEFBOT_BENCH_BARE` set. One bot is
//! connected at a time (the fake dispatches to the session that identified last), and every
//! callback is checked to be the intended bot's answer, so an interaction that reached the wrong
//! bot, or none, fails the run.
//! Next to latency it reports CPU time per answer, which a busy machine disturbs far less.

use std::collections::HashMap;
use std::fs::File;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use fake_discord::{FakeDiscord, Injected, RecordedRequest, Scope, WaitError, GUILD_ID};
use futures::FutureExt;
use poise::serenity_prelude as serenity;
use serde_json::Value;
use tokio::sync::mpsc;

const BARE_ENV: &str = "BRIEFBOT_BENCH_BARE";
/// Another briefbot binary to measure (an older build, for a before/after).
const BIN_ENV: &str = "BRIEFBOT_BENCH_BIN";
/// `RUST_LOG` for briefbot; unset, briefbot logs as it does by default (`info`).
const LOG_ENV: &str = "BRIEFBOT_BENCH_RUST_LOG";
const BARE_REPLY: &str = "Next: nothing. This is the bare bot's fixed answer.";
const COMMAND: &str = "whats-next";
const IN_FLIGHT: [usize; 2] = [1, 50];
const TARGET: f64 = 1.15;
const CPU_TARGET: f64 = 1.05;
/// The whole run, start-ups included: a hung bot ends the bench instead of stalling it.
const RUN_LIMIT: Duration = Duration::from_secs(240);
const START_LIMIT: Duration = Duration::from_secs(30);
/// Longest wait for the next callback while interactions are pending; the fake already refuses
/// answers after Discord's 3 s, so anything longer is a dropped interaction.
const STALL_LIMIT: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Bot {
    Bare,
    Briefbot,
}

impl Bot {
    fn name(self) -> &'static str {
        match self {
            Bot::Bare => "bare",
            Bot::Briefbot => "briefbot",
        }
    }

    /// Whether a callback body is this bot's public answer: the bare bot sends its fixed text,
    /// briefbot the section as embeds. Anything else (a refusal, the other bot) fails the run.
    fn answered(self, body: &Value) -> bool {
        let data = &body["data"];
        let public = data["flags"].as_u64().unwrap_or(0) & 64 == 0;
        let own = match self {
            Bot::Bare => data["content"] == BARE_REPLY,
            Bot::Briefbot => data["embeds"].as_array().is_some_and(|e| !e.is_empty()),
        };
        body["type"] == 4 && public && own
    }
}

fn main() {
    if let Ok(base_url) = std::env::var(BARE_ENV) {
        bare::run_child(base_url);
    }
    let Some(opts) = Options::from_args() else {
        return;
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("load average before: {} ({cpus} CPUs)", load_average());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let rows = runtime.block_on(async {
        tokio::time::timeout(RUN_LIMIT, run(&opts))
            .await
            .unwrap_or_else(|_| panic!("the benchmark did not finish within {RUN_LIMIT:?}"))
    });
    print_report(&opts, rows);
    println!("load average after:  {}", load_average());
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(|_| "unknown".into(), |s| s.trim().into())
}

struct Options {
    /// Measured interactions per bot and concurrency, over all rounds.
    interactions: usize,
    rounds: usize,
    /// Unmeasured interactions before the measured ones of each phase (at least two full
    /// pipelines): a restarted bot opens its connections and fills its caches.
    warmup: usize,
    /// Only a smoke pass: `cargo test --benches` runs bench binaries without `--bench`.
    smoke: bool,
}

impl Options {
    /// `None` when a `cargo bench FILTER` names another benchmark.
    fn from_args() -> Option<Options> {
        let env = |name: &str| {
            let value = std::env::var(name).ok()?;
            Some(
                value
                    .parse::<usize>()
                    .unwrap_or_else(|_| panic!("{name} is a number")),
            )
        };
        let mut interactions = env("BRIEFBOT_BENCH_INTERACTIONS");
        let mut rounds = env("BRIEFBOT_BENCH_ROUNDS");
        let (mut bench, mut selected) = (false, true);
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = || args.next().and_then(|v| v.parse().ok());
            match arg.as_str() {
                "--bench" => bench = true,
                "--interactions" | "-n" => interactions = Some(number().expect("--interactions N")),
                "--rounds" => rounds = Some(number().expect("--rounds R")),
                filter if !filter.starts_with('-') => selected = "interactions".contains(filter),
                other => panic!("unknown argument {other}; try --interactions N or --rounds R"),
            }
        }
        let (n, r, warmup) = if bench { (500, 10, 50) } else { (20, 2, 5) };
        let opts = Options {
            interactions: interactions.unwrap_or(n),
            rounds: rounds.unwrap_or(r),
            warmup,
            smoke: !bench,
        };
        assert!(
            opts.rounds > 0 && opts.interactions >= opts.rounds,
            "at least one round and one interaction per round"
        );
        selected.then_some(opts)
    }

    /// This round's share of the interactions.
    fn count(&self, round: usize) -> usize {
        self.interactions / self.rounds + usize::from(round < self.interactions % self.rounds)
    }
}

/// Everything measured for one bot at one concurrency, over all rounds.
struct Row {
    bot: Bot,
    in_flight: usize,
    all: Phase,
    /// The median of each round, to show how much the machine moved between rounds.
    round_p50: Vec<Duration>,
}

impl Row {
    fn add(&mut self, mut phase: Phase) {
        phase.latencies.sort();
        self.round_p50.push(percentile(&phase.latencies, 50));
        let all = &mut self.all;
        all.latencies.extend(phase.latencies);
        all.callback_bytes += phase.callback_bytes;
        all.steady += phase.steady;
        all.steady_answers += phase.steady_answers;
        all.bot_cpu += phase.bot_cpu;
        all.bench_cpu += phase.bench_cpu;
    }

    fn cpu_per_answer(&self, total: Duration) -> Duration {
        total / self.all.steady_answers.max(1) as u32
    }
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// CPU time a process has used, all threads, from the scheduler's nanosecond counters (the
/// 10 ms ticks of `/proc/PID/stat` are too coarse for a few hundred answers). Unlike latency it
/// barely moves with the machine's load, so it shows the bots' cost even on a busy machine.
fn cpu_time(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    let nanos = tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

async fn run(opts: &Options) -> Vec<Row> {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut rows: Vec<Row> = [Bot::Bare, Bot::Briefbot]
        .into_iter()
        .flat_map(|bot| {
            IN_FLIGHT.map(|in_flight| Row {
                bot,
                in_flight,
                all: Phase::default(),
                round_p50: Vec::new(),
            })
        })
        .collect();
    for round in 0..opts.rounds {
        // Rounds alternate which bot goes first, so a change in the machine's load during the run
        // falls on both bots alike rather than on whichever ran last.
        let order = if round % 2 == 0 {
            [Bot::Bare, Bot::Briefbot]
        } else {
            [Bot::Briefbot, Bot::Bare]
        };
        for bot in order {
            let running = start(bot, &fake, dir.path()).await;
            for row in rows.iter_mut().filter(|r| r.bot == bot) {
                // A full pipeline turns over at least twice before anything is measured.
                let warmup = opts.warmup.max(2 * row.in_flight);
                let phase = drive(&fake, &running, row.in_flight, warmup, opts.count(round));
                row.add(phase.await);
            }
            drop(running);
            // The next bot must be the only one the fake can dispatch to.
            fake.wait_for_gateway(
                "the bot to disconnect",
                |g| g.disconnections == g.connections,
                START_LIMIT,
            )
            .await
            .expect("the killed bot's gateway connection ends");
        }
    }
    rows
}

/// A bot process, killed when dropped so that a panic or timeout never leaves one behind.
struct Running {
    bot: Bot,
    child: Child,
    log: PathBuf,
    /// The bare bot exits when this closes, so it also dies with a bench killed without unwinding.
    _lifeline: Option<ChildStdin>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    async fn exited(&mut self) -> ExitStatus {
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!("last lines of {}:\n{tail}", self.log.display())
    }
}

/// Starts `bot` and waits until it has registered its commands in the fake's guild.
async fn start(bot: Bot, fake: &FakeDiscord, dir: &Path) -> Running {
    let launched = Instant::now();
    let mut running = launch(bot, fake, dir);
    let route = format!(
        "/applications/{}/guilds/{GUILD_ID}/commands",
        fake.config().application_id
    );
    let registered = fake.wait_for(
        |r| r.received_at >= launched && r.is("PUT", &route),
        START_LIMIT,
    );
    tokio::select! {
        put = registered => if let Err(e) = put {
            panic!("{} never registered its commands: {}\n{}", bot.name(), e.what, running.log_tail());
        },
        status = running.exited() => {
            panic!("{} exited ({status}) before registering\n{}", bot.name(), running.log_tail());
        }
    }
    let names = fake.registered_command_names(Scope::Guild(GUILD_ID));
    assert!(names.iter().any(|n| n == COMMAND), "registered: {names:?}");
    running
}

fn launch(bot: Bot, fake: &FakeDiscord, dir: &Path) -> Running {
    let log = dir.join(format!("{}.log", bot.name()));
    let mut command = match bot {
        Bot::Bare => {
            let guild_ids: Vec<String> = fake
                .config()
                .guilds
                .iter()
                .map(|g| g.id.to_string())
                .collect();
            let mut c = Command::new(std::env::current_exe().expect("path of this benchmark"));
            c.env(BARE_ENV, fake.base_url())
                .env(
                    "BRIEFBOT_BENCH_APP_ID",
                    fake.config().application_id.to_string(),
                )
                .env("BRIEFBOT_BENCH_GUILD_IDS", guild_ids.join(","))
                .stdin(Stdio::piped());
            c
        }
        Bot::Briefbot => {
            let home = dir.join("briefbot");
            copy_dir(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("briefings"),
                &home.join("briefings"),
            );
            // All the load comes from one member: the per-user cooldown would turn every answer
            // but the first into a refusal, and the bare bot has none.
            let config = format!(
                "[discord]\nguild_ids = [{GUILD_ID}]\napi_base = \"{}\"\n\n[briefings]\ndir = \"briefings\"\n\n[limits]\ncooldown = \"0s\"\n",
                fake.base_url()
            );
            std::fs::write(home.join("config.toml"), config).expect("write config");
            let binary = std::env::var_os(BIN_ENV).map_or_else(
                || PathBuf::from(env!("CARGO_BIN_EXE_briefbot")),
                PathBuf::from,
            );
            let mut c = Command::new(binary);
            c.args(["run", "--config", "config.toml"])
                .current_dir(&home)
                // What a deployment logs by default, whatever this shell has set, unless the
                // bench is asked for another filter (to profile, or to try one out).
                .env(
                    "RUST_LOG",
                    std::env::var(LOG_ENV).unwrap_or_else(|_| "info".into()),
                )
                .stdin(Stdio::null());
            c
        }
    };
    let out = File::create(&log).expect("create log file");
    let err = out.try_clone().expect("clone log file");
    let mut child = command
        .env("DISCORD_TOKEN", fake.token())
        .env("NO_COLOR", "1")
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bot.name()));
    let lifeline = child.stdin.take();
    Running {
        bot,
        child,
        log,
        _lifeline: lifeline,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create briefings folder");
    for entry in std::fs::read_dir(from).expect("read shipped briefings") {
        let path = entry.expect("directory entry").path();
        let target = to.join(path.file_name().expect("file name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy briefing");
        }
    }
}

/// What one phase of one bot measured.
#[derive(Default)]
struct Phase {
    latencies: Vec<Duration>,
    callback_bytes: usize,
    /// From the first measured dispatch to the last measured answer, when the load is steady.
    steady: Duration,
    steady_answers: usize,
    bot_cpu: Duration,
    bench_cpu: Duration,
}

/// Sends `/whats-next` keeping `in_flight` unanswered throughout: `warmup` first, then `count`
/// measured, then as many more as keep the measured ones under the same load until they are
/// answered. Every answer is checked; the measured ones are timed from the fake's dispatch to its
/// receipt of the callback.
async fn drive(
    fake: &FakeDiscord,
    running: &Running,
    in_flight: usize,
    warmup: usize,
    count: usize,
) -> Phase {
    let mut callbacks = Callbacks::watch(fake);
    let mut pending: HashMap<String, (usize, Injected)> = HashMap::with_capacity(in_flight);
    let mut phase = Phase::default();
    let mut steady_since = None;
    let pid = running.child.id();
    let (mut sent, mut measured) = (0, 0);
    while measured < count {
        while pending.len() < in_flight {
            if sent == warmup {
                let cpu = (cpu_time(pid), cpu_time(std::process::id()));
                steady_since = Some((Instant::now(), cpu));
            }
            let ix = fake.command(COMMAND).send().await;
            let path = format!("/api/v10/interactions/{}/{}/callback", ix.id, ix.token);
            pending.insert(path, (sent, ix));
            sent += 1;
        }
        let (callback, index, ix) = callbacks.next(running, &mut pending).await;
        phase.steady_answers += usize::from(steady_since.is_some());
        if (warmup..warmup + count).contains(&index) {
            phase
                .latencies
                .push(callback.received_at.duration_since(ix.sent_at));
            phase.callback_bytes += callback.body_text.len();
            measured += 1;
        }
    }
    let (since, (bot_cpu, bench_cpu)) = steady_since.expect("a measured interaction was sent");
    phase.steady = since.elapsed();
    phase.bot_cpu = cpu_time(pid).saturating_sub(bot_cpu);
    phase.bench_cpu = cpu_time(std::process::id()).saturating_sub(bench_cpu);
    // The ones that kept the load up are checked too, and leave nothing behind for the next phase.
    while !pending.is_empty() {
        callbacks.next(running, &mut pending).await;
    }
    phase
}

type Feed<'a> = Pin<Box<dyn Future<Output = Result<Vec<RecordedRequest>, WaitError>> + 'a>>;

/// The bot's interaction callbacks as the fake records them.
struct Callbacks<'a> {
    rx: mpsc::UnboundedReceiver<RecordedRequest>,
    /// `wait_for_nth` shows its predicate each new request once; one that never says "enough"
    /// is a feed that does not copy the growing request log for every interaction. It only ends
    /// at `RUN_LIMIT`.
    feed: Feed<'a>,
}

impl Callbacks<'_> {
    fn watch(fake: &FakeDiscord) -> Callbacks<'_> {
        let since = Instant::now();
        let (tx, rx) = mpsc::unbounded_channel();
        let mut feed: Feed<'_> = Box::pin(fake.wait_for_nth(
            move |r| {
                if r.received_at >= since && r.method == "POST" && r.path.ends_with("/callback") {
                    let _ = tx.send(r.clone());
                }
                false
            },
            1,
            RUN_LIMIT,
        ));
        // Its first look copies the whole log so far: take it before anything is timed.
        assert!(feed.as_mut().now_or_never().is_none());
        Callbacks { rx, feed }
    }

    /// The next callback, the pending interaction it answers (removed) and its index; fails the
    /// run when it is not the intended bot's answer, or when none comes.
    async fn next(
        &mut self,
        running: &Running,
        pending: &mut HashMap<String, (usize, Injected)>,
    ) -> (RecordedRequest, usize, Injected) {
        let next = tokio::time::timeout(STALL_LIMIT, async {
            tokio::select! {
                callback = self.rx.recv() => callback,
                _ = &mut self.feed => None,
            }
        });
        let bot = running.bot.name();
        let Ok(Some(callback)) = next.await else {
            let waiting = pending.len();
            panic!(
                "{bot}: {waiting} interaction(s) unanswered for {STALL_LIMIT:?}\n{}",
                running.log_tail()
            );
        };
        let Some((index, ix)) = pending.remove(&callback.path) else {
            panic!(
                "a callback for no pending interaction: {}",
                callback.summary()
            );
        };
        let body = callback.body.as_ref().unwrap_or(&Value::Null);
        assert!(
            callback.status == 204 && running.bot.answered(body),
            "{bot} did not answer as expected: {} {body}",
            callback.summary()
        );
        (callback, index, ix)
    }
}

fn print_report(opts: &Options, mut rows: Vec<Row>) {
    println!();
    println!(
        "/{COMMAND}: {} measured interactions per row, in {} rounds with the bots taking turns, after {}+ warm-up each",
        opts.interactions, opts.rounds, opts.warmup
    );
    println!("latency: fake dispatch -> callback received; answers/s and CPU per answer (the bot process, and this one: fake + driver) over the measured stretch");
    println!(
        "{:<10}{:>10}{:>11}{:>11}{:>11}{:>11}{:>11}{:>11}{:>8}",
        "bot", "in flight", "p50", "p99", "max", "answers/s", "bot CPU", "bench CPU", "bytes"
    );
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1000.0);
    let us = |d: Duration| format!("{:.0} us", d.as_secs_f64() * 1e6);
    for row in &mut rows {
        let all = &mut row.all;
        all.latencies.sort();
        let answers = all.latencies.len();
        println!(
            "{:<10}{:>10}{:>11}{:>11}{:>11}{:>11.0}{:>11}{:>11}{:>8}",
            row.bot.name(),
            row.in_flight,
            ms(percentile(&all.latencies, 50)),
            ms(percentile(&all.latencies, 99)),
            ms(all.latencies[answers - 1]),
            all.steady_answers as f64 / all.steady.as_secs_f64(),
            us(row.cpu_per_answer(row.all.bot_cpu)),
            us(row.cpu_per_answer(row.all.bench_cpu)),
            row.all.callback_bytes / answers,
        );
    }
    println!("(bytes: callback body per answer)");
    for in_flight in IN_FLIGHT {
        let find = |bot| {
            rows.iter()
                .find(|r| r.bot == bot && r.in_flight == in_flight)
        };
        let (Some(bare), Some(brief)) = (find(Bot::Bare), find(Bot::Briefbot)) else {
            continue;
        };
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
        let at = |p| {
            ratio(
                percentile(&brief.all.latencies, p),
                percentile(&bare.all.latencies, p),
            )
        };
        let (p50, p99) = (at(50), at(99));
        let verdict = |met: bool| match (opts.smoke, met) {
            (true, _) => "smoke run, not a measurement",
            (false, true) => "met",
            (false, false) => "MISSED",
        };
        let rounds: Vec<String> = brief
            .round_p50
            .iter()
            .zip(&bare.round_p50)
            .map(|(b, a)| format!("{:.2}", ratio(*b, *a)))
            .collect();
        let cpu = ratio(
            brief.cpu_per_answer(brief.all.bot_cpu),
            bare.cpu_per_answer(bare.all.bot_cpu),
        );
        println!(
            "briefbot/bare, {in_flight:>2} in flight: p50 {p50:.2}x  p99 {p99:.2}x  (target <= {TARGET:.2}x: {})  bot CPU {cpu:.2}x  (target <= {CPU_TARGET:.2}x: {})",
            verdict(p50 <= TARGET && p99 <= TARGET),
            verdict(cpu <= CPU_TARGET),
        );
        println!("    p50 ratio per round: {}", rounds.join(" "));
    }
}

/// The bare bot, run in a child process: the fake's `bare_bot` with briefbot's command name and
/// a fixed answer, pointed at the fake the way briefbot is with `discord.api_base`.
mod bare {
    use super::{serenity, BARE_REPLY, COMMAND};
    use fake_discord::bare_bot::{self, BareTarget};

    /// Runs the bare bot until the parent kills it or closes our stdin; never returns.
    pub fn run_child(base_url: String) -> ! {
        // The parent holds our stdin open: EOF means it is gone, however it died.
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent"))
        };
        let target = BareTarget {
            base_url,
            token: var("DISCORD_TOKEN"),
            application_id: var("BRIEFBOT_BENCH_APP_ID")
                .parse()
                .expect("application id"),
            guild_ids: var("BRIEFBOT_BENCH_GUILD_IDS")
                .split(',')
                .map(|g| g.parse().expect("guild id"))
                .collect(),
        };
        // The same runtime briefbot builds, so only the bot code differs.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let result = runtime.block_on(run(target));
        eprintln!("bare bot stopped: {result:?}");
        std::process::exit(1);
    }

    async fn run(target: BareTarget) -> Result<(), serenity::Error> {
        bare_bot::spawn(target, COMMAND, BARE_REPLY)
            .await?
            .finished()
            .await
    }
}
