//! Getting the bot into a server: `briefbot invite` prints the link (offline when the id is
//! given, else asking the fake Discord), the bot logs it when it starts in no server, and
//! `briefbot check` says when it could not look at the bot's permissions.

use crate::support::{Bot, BotSpec, WAIT};
use briefbot::digests::TargetKind;
use briefbot::invite::runtime_digests;
use fake_discord::{FakeConfig, FakeDiscord, APPLICATION_ID};
use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `briefbot` in `dir` with `env` (and no token unless `env` sets one), off the runtime
/// so a fake Discord on it can answer.
async fn briefbot(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_briefbot"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("DISCORD_TOKEN")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied());
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A folder with `config.toml` made of `config` and an empty briefings folder.
fn workspace(config: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!("[briefings]\ndir = \"b\"\n{config}"),
    )
    .unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

fn invite_url(application_id: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}\
         &scope=bot+applications.commands&permissions={}",
        runtime_digests(&TargetKind::ALL).bits()
    )
}

/// Nothing listens there: a request would fail loudly.
const NOWHERE: &str = "[discord]\napi_base = \"http://127.0.0.1:9\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_prints_the_url_and_each_permission_with_its_reason_without_network() {
    let (_dir, path) = workspace(&format!(
        "{NOWHERE}[[digest]]\nname = \"morning\"\nchannel_id = 5\nschedule = \"@daily\"\n"
    ));
    let run = briefbot(&path, &["invite", "--application-id", "42"], &[]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.lines().next(), Some(invite_url(42).as_str()));
    for expected in [
        "  View Channels — the bot must see a channel to post in it. Needed by: digest `morning` (channel), /digest add (channel, forum, thread, webhook).",
        "  Manage Webhooks — digests with target = \"webhook\"",
        "  Read Message History — forum, thread and webhook digests",
        "Digests made with /digest add may use any target (`[schedule] targets` does not restrict them)",
        "Member answers (slash commands) need no channel permission.",
        "Not asked: Mention @everyone, @here, and All Roles.",
    ] {
        assert!(run.stdout.contains(expected), "no `{expected}` in\n{}", run.stdout);
    }
    // The channel digest does not need what only other targets do.
    let webhooks = run
        .stdout
        .lines()
        .find(|l| l.contains("Manage Webhooks —"))
        .unwrap();
    assert!(
        webhooks.ends_with("Needed by: /digest add (forum, webhook)."),
        "{webhooks}"
    );

    // The id in the config serves as well; the flag wins over it.
    let (_dir, path) = workspace(&format!("{NOWHERE}application_id = \"77\"\n"));
    let run = briefbot(&path, &["invite"], &[]).await;
    assert_eq!(
        run.stdout.lines().next(),
        Some(invite_url(77).as_str()),
        "{}",
        run.stderr
    );
    let run = briefbot(&path, &["invite", "--application-id", "78"], &[]).await;
    assert_eq!(
        run.stdout.lines().next(),
        Some(invite_url(78).as_str()),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_asks_only_for_the_targets_digest_add_offers_and_the_config_uses() {
    let (_dir, path) = workspace(&format!(
        "{NOWHERE}[schedule]\ntargets = [\"channel\"]\n\
         [[guild]]\nid = 7\nalert_channel_id = 8\n\
         [[digest]]\nname = \"morning\"\nchannel_id = 5\nschedule = \"@daily\"\n"
    ));
    let run = briefbot(&path, &["invite", "--application-id", "42"], &[]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // View Channel (1024) + Send Messages (2048) + Embed Links (16384).
    assert_eq!(
        run.stdout.lines().next(),
        Some(
            "https://discord.com/oauth2/authorize?client_id=42\
             &scope=bot+applications.commands&permissions=19456"
        ),
        "{}",
        run.stdout
    );
    let asked: Vec<&str> = run.stdout.lines().filter(|l| l.contains(" — ")).collect();
    assert_eq!(asked.len(), 3, "{}", run.stdout);
    for expected in [
        "  Send Messages — channel digests, forum posts and open_thread digests' messages are \
         posted as the bot itself; so are alerts. Needed by: digest `morning` (channel), \
         /digest add (channel), alert channels.",
        "Digests made with /digest add may use only channel (`[schedule] targets`), so only \
         what those need is asked for; other targets are refused.",
    ] {
        assert!(
            run.stdout.contains(expected),
            "no `{expected}` in\n{}",
            run.stdout
        );
    }
    for absent in ["Manage Webhooks", "Read Message History", "Threads"] {
        assert!(!run.stdout.contains(absent), "{absent} in\n{}", run.stdout);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_without_an_id_or_a_token_names_every_way_to_give_one() {
    let (_dir, path) = workspace(NOWHERE);
    let run = briefbot(&path, &["invite"], &[]).await;
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    for named in [
        "--application-id",
        "discord.application_id",
        "DISCORD_TOKEN",
    ] {
        assert!(run.stderr.contains(named), "{named} not in {}", run.stderr);
    }
    let run = briefbot(&path, &["invite", "--application-id", "0"], &[]).await;
    assert_eq!(run.code, 2, "an id of 0 is refused: {}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_asks_discord_for_the_application_id_with_the_token() {
    let fake = FakeDiscord::start().await;
    let (_dir, path) = workspace(&format!("[discord]\napi_base = \"{}\"\n", fake.base_url()));
    let run = briefbot(&path, &["invite"], &[("DISCORD_TOKEN", fake.token())]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.lines().next(),
        Some(invite_url(APPLICATION_ID).as_str())
    );
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.is("GET", "/api/v10/oauth2/applications/@me")));

    let run = briefbot(&path, &["invite"], &[("DISCORD_TOKEN", "not-the-token")]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("Discord rejected the bot token (401)"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_in_no_server_logs_the_invite_url_and_one_in_a_server_does_not() {
    let alone = FakeDiscord::start_with(FakeConfig {
        guilds: Vec::new(),
        ..FakeConfig::default()
    })
    .await;
    let spec = BotSpec {
        discord: String::new(),
        ..BotSpec::new(&[])
    };
    let bot = Bot::launch(&alone, spec);
    let url = invite_url(APPLICATION_ID);
    let line = bot.wait_for_log(|l| l.contains(&url), WAIT).await;
    let line = line.unwrap_or_else(|| panic!("no invite URL logged:\n{}", bot.logs()));
    assert!(line.contains("is in no server yet"), "{line}");

    let fake = FakeDiscord::start().await;
    let joined = Bot::start(&fake, &[], "").await;
    let started = joined
        .wait_for_log(|l| l.contains("digest scheduler started"), WAIT)
        .await;
    assert!(started.is_some(), "{}", joined.logs());
    assert!(
        !joined.logs().contains("oauth2/authorize"),
        "{}",
        joined.logs()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_says_in_one_line_why_permissions_were_not_checked() {
    let digest = "[[digest]]\nname = \"morning\"\nchannel_id = 5\nschedule = \"@daily\"\n";
    let (_dir, path) = workspace(&format!("{NOWHERE}{digest}"));
    let run = briefbot(&path, &["check"], &[]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("permissions: not checked (DISCORD_TOKEN is not set)"),
        "{}",
        run.stdout
    );
    let run = briefbot(&path, &["check"], &[("DISCORD_TOKEN", "t")]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let line = run.stdout.lines().find(|l| l.starts_with("permissions:"));
    let line = line.unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        line.starts_with("permissions: not checked (cannot reach Discord"),
        "{line}"
    );

    // Nothing to look at: no line at all.
    let (_dir, path) = workspace(NOWHERE);
    let run = briefbot(&path, &["check"], &[("DISCORD_TOKEN", "t")]).await;
    assert!(!run.stdout.contains("permissions"), "{}", run.stdout);
}
