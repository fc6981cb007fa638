//! The soak: the real bot with the shipped briefings against one fake Discord
//! for `SOAK_SECS` seconds (default 60, what CI runs), under a steady load of 20 interactions a
//! second across every query command from several members, with two config digests firing every
//! 4 and 5 seconds and a seeded random fault every 10–20 s. It prints a report (visible with
//! `--nocapture`) and then asserts:
//!
//! - **Every interaction delivered is answered, within Discord's 3 s.** Delivered means the fake
//!   dispatched it while the bot held a live session (`FakeDiscord::is_connected`). A session
//!   that loses its socket keeps its dispatches and replays them on resume, so whatever was
//!   dispatched reaches the bot. A tick of the load that finds no live session (socket gone and
//!   not yet resumed, or re-identifying after a non-resumable op 9) sends nothing and is counted
//!   apart as "not sent: gateway down", as Discord would fail that click on the user's side.
//!   Latency is the fake's dispatch to its receipt of the accepted callback. Autocompletes
//!   are among them: an injected 429 burst starts on one, whose answer must still arrive.
//! - **Each digest fire exactly once.** Due fires are the ticks of a digest's schedule from its
//!   first delivered fire (which must come within the warm-up) to the end of the load. The bot
//!   then keeps running, without load or faults, until each due fire is in the channel, for at
//!   most `DRAIN`, which bounds the slowest delivery a fault can cause (a 5xx burst of 3 costs
//!   1 + 2 + 4 s of backoff). Ticks after the end of the load are not due: whether they are
//!   delivered is reported, not judged. No fire time may appear twice in the channel.
//! - **RSS growth under 10%:** `VmRSS` of the bot's process at the end of the load against
//!   after a warm-up of `WARM_UP`.
//!
//! It runs in the `e2e` test binary, so `cargo test` runs it for 60 s beside the other end-to-end
//! tests. Alone, for ten minutes (the release build takes a while on a small machine):
//! ```text
//! SOAK_SECS=600 cargo test --release --test e2e soak -- --nocapture
//! ```
//! `SOAK_LOG=FILE` keeps the bot's debug log there, to look into a failure.
//! `SOAK_SEED=N` (decimal or 0x…) draws other faults and options. For one seed the faults, their
//! times and parameters, and the sequence of interactions are the same on every run; only where
//! the machine's timing puts them differs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::support::{shipped_briefings, Bot, BotSpec, WAIT};
use fake_discord::*;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

const DEFAULT_SECS: u64 = 60;
/// Picked so that the 60 s run meets four kinds of fault, the 5xx burst and the 429s among them.
const DEFAULT_SEED: u64 = 0x5eed_0186;
/// Interactions per second.
const RATE: u32 = 20;
const WARM_UP: Duration = Duration::from_secs(10);
/// Seconds between two faults, drawn uniformly.
const FAULT_GAP: (u64, u64) = (10, 20);
/// Discord forgets an interaction not answered by then (and so does the fake).
const DEADLINE: Duration = Duration::from_secs(3);
const MAX_RSS_GROWTH: f64 = 0.10;
const RSS_EVERY: Duration = Duration::from_secs(5);
/// After the load, the longest wait for the last due fires (see the top of the file).
const DRAIN: Duration = Duration::from_secs(30);
/// Start-up of a debug build on a loaded machine: connect, index, register.
const START: Duration = Duration::from_secs(60);

const SEED_ID: &str = "sahel-alliance-joint-operations";
const NIGER_ID: &str = "2026/niger-river-flooding";
const CHAD_ID: &str = "2026/lake-chad-water-deal";
const MONNAIE_ID: &str = "2026/alliance-sahel-monnaie-fr";
const READERS: [u64; 5] = [
    930_000_000_000_000_101,
    930_000_000_000_000_102,
    930_000_000_000_000_103,
    930_000_000_000_000_104,
    930_000_000_000_000_105,
];

/// A config digest: its name and period; every fire posts (`only_new = false`).
struct Digest {
    name: &'static str,
    period: i64,
    lines: &'static str,
}

const DIGESTS: [Digest; 2] = [
    Digest {
        name: "soak-sahel",
        period: 4,
        lines: "sections = [\"whats_next\"]\ntags = [\"sahel\"]",
    },
    Digest {
        name: "soak-climate",
        period: 5,
        lines: "sections = [\"whats_happening\", \"why_it_matters\"]\ntags = [\"climate\"]\nmax_briefings = 2",
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_under_load_with_digests_and_faults() {
    let secs = env_u64("SOAK_SECS").unwrap_or(DEFAULT_SECS);
    let seed = env_u64("SOAK_SEED").unwrap_or(DEFAULT_SEED);
    assert!(
        secs >= 2 * WARM_UP.as_secs(),
        "SOAK_SECS={secs}: at least twice the warm-up"
    );
    let limit = Duration::from_secs(secs) + START + DRAIN + Duration::from_secs(120);
    tokio::time::timeout(limit, soak(Duration::from_secs(secs), seed))
        .await
        .unwrap_or_else(|_| panic!("the soak did not finish within {limit:?}"));
}

async fn soak(length: Duration, seed: u64) {
    let fake = Arc::new(FakeDiscord::start_with(fake_config()).await);
    let mut bot = Bot::launch(&fake, bot_spec());
    let registered = fake.wait_for(is_registration, START).await;
    if let Err(e) = registered {
        panic!(
            "briefbot never registered its commands: {e:?}\n{}",
            tail(&bot)
        );
    }
    let pager = Pager::capture(&fake, &bot).await;
    let (mut feed, feed_task) = spawn_feed(&fake, length + START + DRAIN);
    let mut tally = Tally::default();
    // Separate streams: the faults must not depend on how many interactions went out.
    let mut fault_rng = Rng(seed);
    let mut load_rng = Rng(!seed);
    let mut faults = Faults::default();
    let mut rss = Vec::new();

    // The load, with a fault now and then; one task, so a fault never races a send.
    let started = Instant::now();
    let started_unix = now_unix();
    let end = started + length;
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / RATE);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut next_fault = started + fault_rng.gap();
    let mut next_rss = started + WARM_UP;
    let mut n = 0u64;
    loop {
        let now = ticker.tick().await.into_std();
        if now >= end {
            break;
        }
        tally.absorb(&mut feed);
        if now >= next_rss {
            rss.push((now - started, vm_rss_kib(bot.pid())));
            next_rss += RSS_EVERY;
        }
        // A fault that cannot go now (see `try_inject`) is tried again at the next tick.
        let next_kind = load_kind(n + 1);
        if now >= next_fault
            && faults.try_inject(&fake, &tally, &mut fault_rng, now - started, next_kind)
        {
            next_fault = now + fault_rng.gap();
        }
        if !tally.tick(fake.is_connected(), now - started) {
            continue;
        }
        n += 1;
        let (what, builder) = interaction(&fake, n, &mut load_rng, &pager);
        let ix = builder.send().await;
        tally.sent.insert(callback_path(&ix), (ix.sent_at, what));
    }
    let end_unix = now_unix();
    tally.back_up(started.elapsed());
    rss.push((started.elapsed(), vm_rss_kib(bot.pid())));

    // Drain: the last answers (they cannot come after Discord's deadline), then the last fires.
    let last_sent = tally.sent.values().map(|(at, _)| *at).max();
    let answers_by = last_sent.unwrap_or_else(Instant::now) + DEADLINE + Duration::from_secs(2);
    while Instant::now() < answers_by && tally.unanswered() > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        tally.absorb(&mut feed);
    }
    let drain_until = Instant::now() + DRAIN;
    while Instant::now() < drain_until && !tally.all_fires_posted(end_unix) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        tally.absorb(&mut feed);
    }
    tally.absorb(&mut feed);
    feed_task.abort();

    let channel = fake.channel_messages(SECOND_CHANNEL_ID);
    let gateway = fake.gateway_log();
    let report = Report {
        length,
        started,
        seed,
        warm_up_end_unix: started_unix + WARM_UP.as_secs_f64(),
        end_unix,
        tally: &tally,
        faults: &faults,
        rss: &rss,
        digests: DIGESTS
            .iter()
            .map(|d| DigestReport::new(d, &channel, &tally, end_unix))
            .collect(),
        gateway,
    };
    let problems = report.print_and_judge();
    let exit = bot.terminate();
    if let Ok(path) = std::env::var("SOAK_LOG") {
        std::fs::write(&path, bot.logs()).unwrap_or_else(|e| panic!("SOAK_LOG={path}: {e}"));
    }
    assert!(
        problems.is_empty(),
        "the soak failed:\n- {}\n{}",
        problems.join("\n- "),
        warnings(&bot)
    );
    assert!(exit.success(), "briefbot exited with {exit} after SIGTERM");
}

// ---------------------------------------------------------------------------------------------
// Setup

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={value} is not a number")))
}

/// The default guild with five more plain members, so the load comes from eight people.
fn fake_config() -> FakeConfig {
    let mut guild = GuildSpec::default_guild();
    for (i, id) in READERS.iter().enumerate() {
        guild = guild.with_member(MemberSpec::new(*id, &format!("soak-reader-{i}"), &[]));
    }
    FakeConfig {
        guilds: vec![guild],
        ..FakeConfig::default()
    }
}

/// No cooldown (every answer is a real one), two briefings per `/briefings` page (so there is
/// a second page to turn to) and the two digests into the second channel.
fn bot_spec() -> BotSpec {
    let mut config = "[limits]\ncooldown = \"0s\"\npage_size = 2\n\n".to_string();
    for d in &DIGESTS {
        assert_eq!(60 % d.period, 0, "a period that divides the minute");
        config.push_str(&format!(
            "[[digest]]\nname = \"{}\"\nchannel_id = {SECOND_CHANNEL_ID}\n\
             schedule = \"*/{} * * * * *\"\nonly_new = false\n{}\n\n",
            d.name, d.period, d.lines
        ));
    }
    BotSpec {
        extra_config: config,
        ..BotSpec::new(&shipped_briefings())
    }
}

fn is_registration(r: &RecordedRequest) -> bool {
    r.method == "PUT" && r.route().ends_with("/commands")
}

fn tail(bot: &Bot) -> String {
    let logs = bot.logs();
    let lines: Vec<&str> = logs.lines().collect();
    let from = lines.len().saturating_sub(60);
    format!("last log lines of briefbot:\n{}", lines[from..].join("\n"))
}

/// The bot's warnings and errors, but for the retries the faults are expected to cause.
fn warnings(bot: &Bot) -> String {
    let logs = bot.logs();
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .filter(|l| !l.contains("retrying"))
        .collect();
    let from = lines.len().saturating_sub(40);
    format!(
        "briefbot's warnings and errors (retries left out):\n{}",
        lines[from..].join("\n")
    )
}

fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64()
}

/// `VmRSS` of a process, in KiB.
fn vm_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

/// splitmix64: a fixed seed gives the same faults and options on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn pick_string(&mut self, items: &[String]) -> String {
        items[self.below(items.len())].clone()
    }

    fn gap(&mut self) -> Duration {
        let (lo, hi) = FAULT_GAP;
        Duration::from_millis(lo * 1000 + self.next() % ((hi - lo) * 1000 + 1))
    }
}

// ---------------------------------------------------------------------------------------------
// The load

/// The `/briefings` message with its paging buttons, from one answer before the load.
struct Pager {
    message: Value,
    buttons: Vec<String>,
}

impl Pager {
    async fn capture(fake: &FakeDiscord, bot: &Bot) -> Pager {
        let ix = fake.command("briefings").send().await;
        let view = match fake.wait_for_answer(&ix, WAIT).await {
            Ok(view) => view,
            Err(e) => panic!("no answer to /briefings: {e:?}\n{}", tail(bot)),
        };
        let message = view.original.expect("/briefings answers with a message");
        let buttons: Vec<String> = message["components"][0]["components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b["custom_id"].as_str().map(str::to_owned))
            .collect();
        assert!(!buttons.is_empty(), "paging buttons on {message}");
        Pager { message, buttons }
    }
}

/// The interactions of the load, in turn: the `n`-th is `LOAD[n % LOAD.len()]`.
const LOAD: [&str; 10] = [
    "brief",
    "whats-happening",
    "why-it-matters",
    "whats-next",
    "beyond-the-headlines",
    "section",
    "briefings",
    "search",
    "autocomplete",
    "button",
];

fn load_kind(n: u64) -> &'static str {
    LOAD[(n % LOAD.len() as u64) as usize]
}

/// The `n`-th interaction of the load, its options and member drawn from `rng`.
fn interaction<'a>(
    fake: &'a FakeDiscord,
    n: u64,
    rng: &mut Rng,
    pager: &Pager,
) -> (&'static str, InteractionBuilder<'a>) {
    let users = [MEMBER_USER_ID, MODERATOR_USER_ID, ADMIN_USER_ID];
    let user = if rng.below(2) == 0 {
        rng.pick(&READERS)
    } else {
        rng.pick(&users)
    };
    let what = load_kind(n);
    let builder = match what {
        "brief" => briefing(
            fake.command("brief"),
            rng,
            &[SEED_ID, NIGER_ID, CHAD_ID, MONNAIE_ID],
        ),
        "beyond-the-headlines" => briefing(fake.command(what), rng, &[SEED_ID]),
        "section" => {
            let pairs = [
                ("key_players", CHAD_ID),
                ("whats_next", NIGER_ID),
                ("beyond_the_headlines", SEED_ID),
                ("why_it_matters", MONNAIE_ID),
            ];
            let (name, id) = rng.pick(&pairs);
            fake.command("section")
                .option("name", name)
                .option("briefing", id)
        }
        "briefings" => {
            let list = fake.command("briefings");
            match rng.below(3) {
                0 => list,
                1 => list.option("page", 2),
                _ => list.option("tag", "sahel"),
            }
        }
        "search" => {
            let queries = [
                "Traoré",
                "flooding",
                "water plan",
                "monnaie",
                "Sahel alliance",
            ];
            fake.command("search").option("query", rng.pick(&queries))
        }
        "autocomplete" => match rng.below(3) {
            0 => {
                let partial = rng.pick(&["", "sah", "2026/", "lake"]);
                fake.autocomplete("brief", "briefing")
                    .option("briefing", partial)
            }
            1 => fake
                .autocomplete("section", "name")
                .option("name", "")
                .option("briefing", NIGER_ID),
            _ => fake.autocomplete("briefings", "tag").option("tag", "c"),
        },
        "button" => {
            let button = fake.component(&rng.pick_string(&pager.buttons));
            button.message(pager.message.clone())
        }
        // The section commands, for the newest briefing or one with the three usual sections.
        _ => briefing(fake.command(what), rng, &[SEED_ID, NIGER_ID, MONNAIE_ID]),
    };
    (what, builder.user(user))
}

/// No `briefing` option (the newest) or one of `ids`.
fn briefing<'a>(b: InteractionBuilder<'a>, rng: &mut Rng, ids: &[&str]) -> InteractionBuilder<'a> {
    match rng.below(ids.len() + 1) {
        0 => b,
        k => b.option("briefing", ids[k - 1]),
    }
}

fn callback_path(ix: &Injected) -> String {
    format!("/api/v10/interactions/{}/{}/callback", ix.id, ix.token)
}

// ---------------------------------------------------------------------------------------------
// Faults

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    DropSocket,
    Reconnect,
    InvalidResumable,
    InvalidFresh,
    CallbackRateLimit,
    MessageServerErrors,
}

const FAULTS: [Fault; 6] = [
    Fault::DropSocket,
    Fault::Reconnect,
    Fault::InvalidResumable,
    Fault::InvalidFresh,
    Fault::CallbackRateLimit,
    Fault::MessageServerErrors,
];

/// Faults in shuffled rounds of all six, so even a short run meets several kinds.
#[derive(Default)]
struct Faults {
    round: Vec<Fault>,
    log: Vec<(Duration, String)>,
    armed_429: usize,
    armed_5xx: usize,
}

impl Faults {
    /// Injects the next fault, or returns false when it cannot go now: no live session for a
    /// gateway fault, or the previous REST fault of its kind not used up yet (two bursts in a
    /// row could add up to more failures than any retry policy allows, which is no longer one
    /// fault). A 429 burst waits for the tick before an autocomplete (`next` is what the load
    /// sends next), so that its first 429 falls on an autocomplete answer; the rest fall on
    /// whatever follows.
    fn try_inject(
        &mut self,
        fake: &FakeDiscord,
        tally: &Tally,
        rng: &mut Rng,
        at: Duration,
        next: &str,
    ) -> bool {
        if self.round.is_empty() {
            self.round = FAULTS.to_vec();
            for i in (1..self.round.len()).rev() {
                let j = rng.below(i + 1);
                self.round.swap(i, j);
            }
        }
        let fault = *self.round.last().expect("refilled");
        let done = match fault {
            Fault::DropSocket => fake.drop_connection().then(|| "dropped socket".to_string()),
            Fault::Reconnect => fake.send_reconnect().then(|| "op 7 reconnect".to_string()),
            Fault::InvalidResumable => fake
                .invalidate_session(true)
                .then(|| "op 9 (resumable)".to_string()),
            Fault::InvalidFresh => fake
                .invalidate_session(false)
                .then(|| "op 9 (not resumable)".to_string()),
            Fault::CallbackRateLimit
                if tally.callback_429 >= self.armed_429 && next == "autocomplete" =>
            {
                let times = 2 + rng.below(5);
                let retry_after = (3 + rng.below(6)) as f64 / 10.0;
                let global = rng.below(2) == 0;
                fake.rate_limit("POST", "/callback", times as u32, retry_after, global);
                self.armed_429 += times;
                let scope = if global { "global" } else { "route" };
                Some(format!(
                    "429 x{times} on callbacks ({scope}, retry after {retry_after} s)"
                ))
            }
            Fault::MessageServerErrors if tally.digest_5xx >= self.armed_5xx => {
                let times = 2 + rng.below(2);
                let status = rng.pick(&[500u16, 502, 503]);
                let route = format!("/channels/{SECOND_CHANNEL_ID}/messages");
                fake.server_error("POST", &route, times as u32, status);
                self.armed_5xx += times;
                Some(format!("{status} x{times} on digest messages"))
            }
            Fault::CallbackRateLimit | Fault::MessageServerErrors => None,
        };
        let Some(what) = done else {
            return false;
        };
        self.round.pop();
        self.log.push((at, what));
        true
    }
}

// ---------------------------------------------------------------------------------------------
// What the bot sent, as the fake saw it

/// One request of interest, reduced to what the soak counts.
enum Seen {
    Callback {
        path: String,
        status: u16,
        at: Instant,
        answer: Answer,
    },
    DigestPost {
        status: u16,
        stamp: Option<(String, i64)>,
        /// When the fake received it, as Unix seconds.
        at_unix: f64,
    },
    Registration,
}

#[derive(Clone, Debug, PartialEq)]
enum Answer {
    Public,
    Update,
    Choices,
    /// An ephemeral refusal, with its text.
    Refusal(String),
    /// The generic answer to an internal error.
    Sorry,
}

impl Seen {
    fn of(r: &RecordedRequest) -> Option<Seen> {
        if r.method == "POST" && r.path.ends_with("/callback") {
            let answer = match r.body.as_ref() {
                Some(body) if r.status == 204 => classify(body),
                _ => Answer::Refusal(String::new()),
            };
            let (path, status, at) = (r.path.clone(), r.status, r.received_at);
            return Some(Seen::Callback {
                path,
                status,
                at,
                answer,
            });
        }
        if r.method == "POST" && r.route() == format!("/channels/{SECOND_CHANNEL_ID}/messages") {
            let content = r.json("content").as_str().unwrap_or("");
            let stamp = digest_stamp(content);
            return Some(Seen::DigestPost {
                status: r.status,
                stamp,
                at_unix: now_unix() - r.received_at.elapsed().as_secs_f64(),
            });
        }
        is_registration(r).then_some(Seen::Registration)
    }
}

fn classify(body: &Value) -> Answer {
    let data = &body["data"];
    let content = data["content"].as_str().unwrap_or("");
    match body["type"].as_u64() {
        Some(8) => Answer::Choices,
        Some(7) => Answer::Update,
        _ if content.contains("Something went wrong") => Answer::Sorry,
        _ if data["flags"].as_u64().unwrap_or(0) & 64 != 0 => Answer::Refusal(content.to_owned()),
        _ => Answer::Public,
    }
}

/// The digest and fire time a digest message names: `**name** · <t:UNIX:f>`.
fn digest_stamp(content: &str) -> Option<(String, i64)> {
    let name = content.split("**").nth(1)?;
    let at = content.find("<t:")?;
    let rest = &content[at + 3..];
    let fire = rest[..rest.find(":f>")?].parse().ok()?;
    Some((name.to_owned(), fire))
}

/// Streams every new request of interest, each looked at once (the request log grows to tens
/// of thousands of entries; copying it per look would cost more than the bot does).
fn spawn_feed(
    fake: &Arc<FakeDiscord>,
    limit: Duration,
) -> (mpsc::UnboundedReceiver<Seen>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let fake = Arc::clone(fake);
    let task = tokio::spawn(async move {
        let never = move |r: &RecordedRequest| {
            if let Some(seen) = Seen::of(r) {
                let _ = tx.send(seen);
            }
            false
        };
        let _ = fake.wait_for_nth(never, 1, limit).await;
    });
    (rx, task)
}

#[derive(Default)]
struct Tally {
    /// Ticks of the load, and those that found no live session.
    attempted: usize,
    gateway_down: usize,
    /// Stretches of the load without a live session: (from, to) since the start of the load.
    down: Vec<(Duration, Duration)>,
    down_since: Option<Duration>,
    /// Interactions dispatched, by callback path: when, and which command.
    sent: HashMap<String, (Instant, &'static str)>,
    /// The first accepted callback of each interaction.
    answered: HashMap<String, (Instant, Answer)>,
    /// Callbacks the fake did not accept, by status (429 injected, 404 past the deadline…).
    refused_callbacks: BTreeMap<u16, usize>,
    /// Callbacks an injected 429 refused at least once.
    throttled: BTreeSet<String>,
    callback_429: usize,
    digest_5xx: usize,
    digest_other_failures: BTreeMap<u16, usize>,
    /// Accepted digest sends per (digest, fire).
    digest_sends: BTreeMap<(String, i64), usize>,
    /// Per digest, the longest time from a fire to its accepted send, in seconds.
    digest_slowest: HashMap<String, f64>,
    registrations: usize,
}

impl Tally {
    /// Counts a tick of the load; true when it may send (the gateway is live).
    fn tick(&mut self, live: bool, at: Duration) -> bool {
        self.attempted += 1;
        if live {
            self.back_up(at);
        } else {
            self.gateway_down += 1;
            self.down_since.get_or_insert(at);
        }
        live
    }

    /// Ends a stretch without a live session, if one is open.
    fn back_up(&mut self, at: Duration) {
        if let Some(from) = self.down_since.take() {
            self.down.push((from, at));
        }
    }

    fn absorb(&mut self, feed: &mut mpsc::UnboundedReceiver<Seen>) {
        while let Ok(seen) = feed.try_recv() {
            match seen {
                Seen::Callback {
                    path,
                    status: 204,
                    at,
                    answer,
                } => {
                    self.answered.entry(path).or_insert((at, answer));
                }
                Seen::Callback { path, status, .. } => {
                    *self.refused_callbacks.entry(status).or_default() += 1;
                    self.callback_429 += usize::from(status == 429);
                    if status == 429 {
                        self.throttled.insert(path);
                    }
                }
                Seen::DigestPost {
                    status: 200,
                    stamp: Some(key),
                    at_unix,
                } => {
                    let slowest = self.digest_slowest.entry(key.0.clone()).or_default();
                    *slowest = slowest.max(at_unix - key.1 as f64);
                    *self.digest_sends.entry(key).or_default() += 1;
                }
                Seen::DigestPost { status: 200, .. } => {}
                Seen::DigestPost { status, .. } if status >= 500 => self.digest_5xx += 1,
                Seen::DigestPost { status, .. } => {
                    *self.digest_other_failures.entry(status).or_default() += 1;
                }
                Seen::Registration => self.registrations += 1,
            }
        }
    }

    fn unanswered(&self) -> usize {
        self.sent
            .keys()
            .filter(|p| !self.answered.contains_key(*p))
            .count()
    }

    /// The fires this digest was seen to send, accepted ones only.
    fn fires_sent(&self, name: &str) -> BTreeSet<i64> {
        self.digest_sends
            .keys()
            .filter(|(n, _)| n == name)
            .map(|(_, f)| *f)
            .collect()
    }

    fn all_fires_posted(&self, end_unix: f64) -> bool {
        DIGESTS.iter().all(|d| {
            let sent = self.fires_sent(d.name);
            let Some(first) = sent.first() else {
                return false;
            };
            due_fires(*first, d.period, end_unix).all(|f| sent.contains(&f))
        })
    }
}

/// The ticks of a schedule every `period` seconds from `first` to `end_unix`.
fn due_fires(first: i64, period: i64, end_unix: f64) -> impl Iterator<Item = i64> {
    let last = end_unix.floor() as i64;
    (first..=last).step_by(period as usize)
}

// ---------------------------------------------------------------------------------------------
// The report

struct DigestReport {
    name: &'static str,
    period: i64,
    first: Option<i64>,
    due: usize,
    delivered: usize,
    missing: Vec<i64>,
    duplicates: Vec<i64>,
    off_schedule: Vec<i64>,
    after_end: usize,
    /// Accepted sends of one fire beyond the first (Discord deduplicates them by nonce).
    resends: usize,
    slowest: f64,
}

impl DigestReport {
    fn new(d: &Digest, channel: &[Value], tally: &Tally, end_unix: f64) -> DigestReport {
        let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
        for m in channel {
            let stamp = digest_stamp(m["content"].as_str().unwrap_or(""));
            if let Some((_, fire)) = stamp.filter(|(name, _)| name == d.name) {
                *counts.entry(fire).or_default() += 1;
            }
        }
        let first = counts.keys().next().copied();
        let due: Vec<i64> = first
            .map(|f| due_fires(f, d.period, end_unix).collect())
            .unwrap_or_default();
        let resends = tally
            .digest_sends
            .iter()
            .filter(|((n, _), _)| n == d.name)
            .map(|(_, k)| k.saturating_sub(1))
            .sum();
        DigestReport {
            name: d.name,
            period: d.period,
            first,
            due: due.len(),
            delivered: due.iter().filter(|f| counts.contains_key(f)).count(),
            missing: due
                .iter()
                .filter(|f| !counts.contains_key(f))
                .copied()
                .collect(),
            duplicates: counts
                .iter()
                .filter(|(_, k)| **k > 1)
                .map(|(f, _)| *f)
                .collect(),
            off_schedule: counts
                .keys()
                .filter(|f| *f % d.period != 0)
                .copied()
                .collect(),
            after_end: counts.keys().filter(|f| **f as f64 > end_unix).count(),
            resends,
            slowest: tally
                .digest_slowest
                .get(d.name)
                .copied()
                .unwrap_or_default(),
        }
    }
}

struct Report<'a> {
    length: Duration,
    started: Instant,
    seed: u64,
    warm_up_end_unix: f64,
    end_unix: f64,
    tally: &'a Tally,
    faults: &'a Faults,
    rss: &'a [(Duration, u64)],
    digests: Vec<DigestReport>,
    gateway: GatewayLog,
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

impl Report<'_> {
    /// The interactions never answered, with what happened around them.
    fn print_unanswered(&self) {
        let t = self.tally;
        let mut missing: Vec<(Duration, &str, &str)> = t
            .sent
            .iter()
            .filter(|(path, _)| !t.answered.contains_key(*path))
            .map(|(path, (at, what))| (*at - self.started, *what, path.as_str()))
            .collect();
        missing.sort();
        for (at, what, path) in missing.iter().take(20) {
            let wall = SystemTime::now() - (self.started + *at).elapsed();
            let wall = chrono::DateTime::<chrono::Utc>::from(wall).format("%H:%M:%S%.3f");
            let fault = self.faults.log.iter().rev().find(|(f, _)| f <= at);
            let down = t.down.iter().rev().find(|(from, _)| from <= at);
            println!(
                "  unanswered: /{what} sent at {:.3} s ({wall} UTC) {path}; fault before: {fault:?}; down before: {down:?}",
                at.as_secs_f64()
            );
        }
    }

    /// Prints the report and returns what failed, in words.
    fn print_and_judge(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let t = self.tally;
        println!();
        println!(
            "==== soak: {} s, {RATE} interactions/s, seed {:#x} ====",
            self.length.as_secs(),
            self.seed
        );

        let mut latencies = Vec::new();
        let mut by_answer: BTreeMap<&str, usize> = BTreeMap::new();
        let mut by_command: BTreeMap<&str, usize> = BTreeMap::new();
        let mut unanswered: BTreeMap<&str, usize> = BTreeMap::new();
        let mut refusals: BTreeSet<String> = BTreeSet::new();
        for (path, (sent_at, what)) in &t.sent {
            *by_command.entry(what).or_default() += 1;
            let Some((at, answer)) = t.answered.get(path) else {
                *unanswered.entry(what).or_default() += 1;
                continue;
            };
            latencies.push(at.saturating_duration_since(*sent_at));
            let kind = match answer {
                Answer::Public => "public",
                Answer::Update => "page update",
                Answer::Choices => "choices",
                Answer::Refusal(text) => {
                    refusals.insert(format!("/{what}: {text}"));
                    "refusal"
                }
                Answer::Sorry => "internal error",
            };
            *by_answer.entry(kind).or_default() += 1;
        }
        latencies.sort();
        let sent = t.sent.len();
        let answered = latencies.len();
        let late = latencies.iter().filter(|l| **l > DEADLINE).count();
        println!(
            "interactions: {} load ticks; {} not sent (gateway down); {sent} sent, {answered} answered, {} unanswered",
            t.attempted,
            t.gateway_down,
            sent - answered
        );
        println!("  by command: {by_command:?}");
        println!("  answers: {by_answer:?}");
        println!(
            "  dispatch -> callback: p50 {}  p99 {}  max {}; within 3 s: {}/{sent}",
            ms(percentile(&latencies, 50)),
            ms(percentile(&latencies, 99)),
            ms(latencies.last().copied().unwrap_or_default()),
            answered - late
        );
        println!(
            "  callbacks not accepted, by status: {:?}",
            t.refused_callbacks
        );
        // Autocomplete answers go through briefbot's REST client like every other answer, so
        // one that met an injected 429 is retried and arrives: none may be lost.
        let throttled_autocompletes: Vec<&String> = t
            .sent
            .iter()
            .filter(|(path, (_, what))| *what == "autocomplete" && t.throttled.contains(*path))
            .map(|(path, _)| path)
            .collect();
        let lost_autocompletes = throttled_autocompletes
            .iter()
            .filter(|path| !t.answered.contains_key(**path))
            .count();
        println!(
            "  autocompletes that met a 429: {}, of which unanswered: {lost_autocompletes}",
            throttled_autocompletes.len()
        );
        if lost_autocompletes > 0 {
            problems.push(format!(
                "{lost_autocompletes} autocomplete answer(s) lost to an injected 429"
            ));
        }
        if sent > answered {
            self.print_unanswered();
            problems.push(format!(
                "{} of {sent} delivered interactions unanswered: {unanswered:?}",
                sent - answered
            ));
        }
        if late > 0 {
            problems.push(format!("{late} answers took longer than {DEADLINE:?}"));
        }
        if !refusals.is_empty() || by_answer.contains_key("internal error") {
            problems.push(format!(
                "valid requests were refused or failed: {refusals:?}, {by_answer:?}"
            ));
        }
        let expected = (self.length.as_secs() as usize) * RATE as usize / 2;
        if sent < expected {
            problems.push(format!(
                "only {sent} interactions sent, fewer than half the {RATE}/s aimed at"
            ));
        }

        println!("faults ({}):", self.faults.log.len());
        for (at, what) in &self.faults.log {
            println!("  at {:>6.1} s: {what}", at.as_secs_f64());
        }
        println!("gateway: {}", self.gateway.summary());
        let longest = t.down.iter().map(|(from, to)| *to - *from).max();
        println!(
            "  the load found it down {} times, for {:.1} s in all, {:.1} s at most",
            t.down.len(),
            t.down
                .iter()
                .map(|(from, to)| *to - *from)
                .sum::<Duration>()
                .as_secs_f64(),
            longest.unwrap_or_default().as_secs_f64()
        );
        println!("command registrations: {}", t.registrations);

        println!(
            "digests (due: the ticks from the first fire to the end of the load); sends refused: {} 5xx, others {:?}",
            t.digest_5xx, t.digest_other_failures
        );
        for d in &self.digests {
            println!(
                "  {} every {} s: first fire {:?}, due {}, delivered {}, missing {:?}, duplicated {:?}, off schedule {:?}, after the end {}, resends {}, slowest {:.1} s after its fire",
                d.name, d.period, d.first, d.due, d.delivered, d.missing, d.duplicates, d.off_schedule, d.after_end, d.resends, d.slowest
            );
            match d.first {
                None => problems.push(format!("{} never delivered", d.name)),
                Some(first) if first as f64 > self.warm_up_end_unix => problems.push(format!(
                    "{}'s first fire {first} came after the warm-up ended ({:.0})",
                    d.name, self.warm_up_end_unix
                )),
                Some(_) => {}
            }
            if !d.missing.is_empty() || !d.duplicates.is_empty() || !d.off_schedule.is_empty() {
                problems.push(format!(
                    "{}: missing {:?}, duplicated {:?}, off schedule {:?} (load ended at {:.1})",
                    d.name, d.missing, d.duplicates, d.off_schedule, self.end_unix
                ));
            }
        }

        let mib = |kib: u64| kib as f64 / 1024.0;
        let samples: Vec<String> = self
            .rss
            .iter()
            .map(|(at, kib)| format!("{:.0}s:{:.1}", at.as_secs_f64(), mib(*kib)))
            .collect();
        println!(
            "RSS (MiB) every {} s from the warm-up: {}",
            RSS_EVERY.as_secs(),
            samples.join(" ")
        );
        if let (Some((_, start)), Some((_, end))) = (self.rss.first(), self.rss.last()) {
            let growth = *end as f64 / *start as f64 - 1.0;
            println!(
                "RSS: {:.1} MiB after the warm-up, {:.1} MiB at the end: {:+.1}%",
                mib(*start),
                mib(*end),
                growth * 100.0
            );
            if growth >= MAX_RSS_GROWTH {
                problems.push(format!(
                    "RSS grew {:.1}% (limit {:.0}%)",
                    growth * 100.0,
                    MAX_RSS_GROWTH * 100.0
                ));
            }
        }
        println!(
            "==== {} ====",
            if problems.is_empty() {
                "passed"
            } else {
                "FAILED"
            }
        );
        problems
    }
}
