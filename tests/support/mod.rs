//! Runs the real `briefbot` binary against the fake Discord: a temporary folder with a config
//! pointing `discord.api_base` at the fake, a briefings folder, and the process's logs captured
//! so tests can read them. Adding an end-to-end case is: start the fake, `Bot::start`, inject.
#![allow(dead_code)]

use crate::fake_discord::{FakeDiscord, Scope, APPLICATION_ID, GUILD_ID};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
pub struct BotSpec {
    pub briefings: Vec<(String, String)>,
    pub discord: String,
    pub extra_config: String,
    pub args: Vec<String>,
}

impl BotSpec {
    pub fn new(briefings: &[(String, String)]) -> Self {
        BotSpec {
            briefings: briefings.to_vec(),
            discord: format!("guild_ids = [{GUILD_ID}]"),
            extra_config: String::new(),
            args: Vec::new(),
        }
    }
}

pub struct Bot {
    child: Child,
    logs: Arc<Mutex<String>>,
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
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        std::fs::create_dir_all(dir.path().join("briefings")).unwrap();
        for (name, text) in &spec.briefings {
            write_file(&dir.path().join("briefings").join(name), text);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
            .args(&spec.args)
            .args(["run", "--config", "config.toml"])
            .current_dir(dir.path())
            .env("DISCORD_TOKEN", fake.token())
            .env(
                "RUST_LOG",
                "debug,h2=info,hyper=info,rustls=info,tungstenite=info,tantivy=info",
            )
            .env("NO_COLOR", "1")
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
        Bot { child, logs, dir }
    }

    pub fn briefings_dir(&self) -> PathBuf {
        self.dir.path().join("briefings")
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
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
                // Let the log reader catch the last lines.
                std::thread::sleep(Duration::from_millis(100));
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

pub fn write_file(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The embeds of every message of an answer, in order.
pub fn embeds(view: &crate::fake_discord::InteractionView) -> Vec<serde_json::Value> {
    view.original
        .iter()
        .chain(&view.followups)
        .flat_map(|m| m["embeds"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Descriptions of all embeds, joined with a space (how a split section reads back).
pub fn text_of(view: &crate::fake_discord::InteractionView) -> String {
    embeds(view)
        .iter()
        .filter_map(|e| e["description"].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
