//! Runs the real `briefbot` binary against the fake Discord: a temporary folder with a config
//! pointing `discord.api_base` at the fake, a briefings folder, and the process's logs captured
//! so tests can read them. Adding an end-to-end case is: start the fake, `Bot::start`, inject.

use fake_discord::{FakeDiscord, Scope, APPLICATION_ID, GUILD_ID};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub mod replicas;
pub mod targets;

pub const WAIT: Duration = Duration::from_secs(10);

/// The seed briefing and the examples shipped in `briefings/`.
pub fn shipped_briefings() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("briefings");
    let mut out = Vec::new();
    collect(&root, &root, &mut out);
    out
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .to_string();
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// What to start briefbot with. `discord` holds extra `[discord]` lines (guild scope by default).
#[derive(Clone)]
pub struct BotSpec {
    pub briefings: Vec<(String, String)>,
    pub discord: String,
    pub extra_config: String,
    pub args: Vec<String>,
    /// Environment variables set after the harness's own, so they win: `RUST_LOG` to log more,
    /// `DISCORD_TOKEN` for a token the fake refuses.
    pub env: Vec<(String, String)>,
}

impl BotSpec {
    pub fn new(briefings: &[(String, String)]) -> Self {
        BotSpec {
            briefings: briefings.to_vec(),
            discord: format!("guild_ids = [{GUILD_ID}]"),
            extra_config: String::new(),
            args: Vec::new(),
            env: Vec::new(),
        }
    }
}

pub struct Bot {
    child: Child,
    /// Logs of the current process (since the last launch or relaunch).
    logs: Arc<Mutex<String>>,
    /// Logs of the processes before a `relaunch`, oldest first.
    earlier_logs: String,
    pub dir: tempfile::TempDir,
}

impl Bot {
    /// Starts briefbot with `briefings` and extra config lines, and waits until it has
    /// registered its commands in the fake's guild.
    pub async fn start(
        fake: &FakeDiscord,
        briefings: &[(String, String)],
        extra_config: &str,
    ) -> Bot {
        let spec = BotSpec {
            extra_config: extra_config.to_string(),
            ..BotSpec::new(briefings)
        };
        let bot = Self::launch(fake, spec);
        let route = format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
        if let Err(e) = fake.wait_for(|r| r.is("PUT", &route), WAIT).await {
            panic!(
                "briefbot never registered its commands: {e:?}\nlogs:\n{}",
                bot.logs()
            );
        }
        assert!(fake
            .scopes_with_commands()
            .contains(&Scope::Guild(GUILD_ID)));
        bot
    }

    /// Starts the process without waiting for anything.
    pub fn spawn(fake: &FakeDiscord, briefings: &[(String, String)], extra_config: &str) -> Bot {
        Self::launch(
            fake,
            BotSpec {
                extra_config: extra_config.to_string(),
                ..BotSpec::new(briefings)
            },
        )
    }

    /// Starts the process as `spec` says, without waiting for anything.
    pub fn launch(fake: &FakeDiscord, spec: BotSpec) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let (child, logs) = start_process(fake, dir.path(), &spec);
        Bot {
            child,
            logs,
            earlier_logs: String::new(),
            dir,
        }
    }

    /// Starts briefbot again in the same folder, so with the same database (`briefbot.db`
    /// beside the config): the config is rewritten from `spec` and `spec.briefings` written
    /// (files already there stay). The previous process must have exited (`terminate`,
    /// `kill_hard`, `wait`): two bots on one database is not a restart. `logs()` then shows
    /// the new process's logs, `all_logs()` every run's.
    pub fn relaunch(&mut self, fake: &FakeDiscord, spec: BotSpec) {
        let exited = self.child.try_wait().unwrap();
        assert!(
            exited.is_some(),
            "relaunch: the previous briefbot (pid {}) is still running",
            self.child.id()
        );
        let (child, logs) = start_process(fake, self.dir.path(), &spec);
        let previous = std::mem::replace(&mut self.logs, logs);
        self.earlier_logs
            .push_str(&previous.lock().unwrap_or_else(|e| e.into_inner()));
        self.earlier_logs
            .push_str("==== briefbot relaunched ====\n");
        self.child = child;
    }

    /// Whether the current process has not exited yet.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// The process id of the current process.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL (`kill -9`): no shutdown code runs, as in a crash or an OOM kill. Returns once
    /// the process is gone.
    pub fn kill_hard(&mut self) -> ExitStatus {
        self.child.kill().expect("SIGKILL briefbot");
        let status = self.child.wait().expect("reap briefbot");
        // Let the log reader catch the last lines.
        std::thread::sleep(Duration::from_millis(50));
        status
    }

    /// Waits (polling, without blocking the runtime) until a line of the current process's
    /// logs satisfies `pred`, and returns that line.
    pub async fn wait_for_log(
        &self,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.logs().lines().find(|l| pred(l)) {
                return Some(line.to_string());
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn briefings_dir(&self) -> PathBuf {
        self.dir.path().join("briefings")
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// The logs of every process started in this folder, oldest first.
    pub fn all_logs(&self) -> String {
        format!("{}{}", self.earlier_logs, self.logs())
    }

    /// Sends SIGTERM and waits (at most 15 s) for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success(), "kill -TERM failed");
        self.wait(Duration::from_secs(15))
            .expect("briefbot did not exit after SIGTERM")
    }

    /// Waits for the process to exit by itself.
    pub fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The log reader holds the other reference to the logs until it has read the
                // last line; a busy machine may take longer than a fixed pause.
                let read_by = Instant::now() + Duration::from_secs(5);
                while Arc::strong_count(&self.logs) > 1 && Instant::now() < read_by {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes the config and briefings of `spec` into `dir` and starts `briefbot run` there, its
/// stderr collected into the returned buffer.
fn start_process(fake: &FakeDiscord, dir: &Path, spec: &BotSpec) -> (Child, Arc<Mutex<String>>) {
    // Tests fire commands faster than any member would: no cooldown unless a test sets one.
    let limits = if spec.extra_config.contains("[limits]") {
        ""
    } else {
        "[limits]\ncooldown = \"0s\"\n"
    };
    let config = format!(
        "[discord]\n{}\napi_base = \"{}\"\n\n[briefings]\ndir = \"briefings\"\n\n{limits}{}\n",
        spec.discord,
        fake.base_url(),
        spec.extra_config
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    std::fs::create_dir_all(dir.join("briefings")).unwrap();
    for (name, text) in &spec.briefings {
        write_file(&dir.join("briefings").join(name), text);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(&spec.args)
        .args(["run", "--config", "config.toml"])
        .current_dir(dir)
        .env("DISCORD_TOKEN", fake.token())
        .env(
            "RUST_LOG",
            "debug,h2=info,hyper=info,rustls=info,tungstenite=info,tantivy=info",
        )
        .env("NO_COLOR", "1")
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let logs = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().unwrap();
    let sink = Arc::clone(&logs);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut logs = sink.lock().unwrap();
            logs.push_str(&line);
            logs.push('\n');
        }
    });
    (child, logs)
}

pub fn write_file(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The embeds of every message of an answer, in order.
pub fn embeds(view: &fake_discord::InteractionView) -> Vec<serde_json::Value> {
    view.original
        .iter()
        .chain(&view.followups)
        .flat_map(|m| m["embeds"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Descriptions of all embeds, joined with a space (how a split section reads back).
pub fn text_of(view: &fake_discord::InteractionView) -> String {
    embeds(view)
        .iter()
        .filter_map(|e| e["description"].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A port free on 127.0.0.1 a moment ago, for `[ops] listen`.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `[ops]` config lines serving `/healthz` and `/metrics` on `port`.
pub fn ops_config(port: u16) -> String {
    format!("[ops]\nlisten = \"127.0.0.1:{port}\"\n")
}

/// The bot's `/metrics` text once it contains `expected`, or the last text read when it still
/// does not after `timeout` (counters are updated just after the fake records what they count).
pub async fn metrics_containing(port: u16, expected: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let text = match reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(expected) || Instant::now() >= deadline {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
