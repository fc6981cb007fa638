//! A briefing file that links outside the briefings folder is not served: the bot skips it with
//! a warning naming the link and its target, and `briefbot check` reports it. Links within the
//! folder keep working; `briefings.follow_symlinks = true` serves the others.

use crate::support::{shipped_briefings, Bot, WAIT};
use fake_discord::*;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

const SECRET: &str = "The admin's secret, shaped like a briefing.";

fn secret_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("secret").join("key.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, format!("## What's Next?\n{SECRET}\n")).unwrap();
    std::fs::canonicalize(path).unwrap()
}

fn check(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["check"])
        .current_dir(dir)
        .env_remove("BRIEFBOT_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn check_reports_a_link_leading_outside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let target = secret_file(dir.path());
    let b = dir.path().join("b");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(b.join("real.md"), "## What's Next?\nInside.\n").unwrap();
    symlink(&target, b.join("leak.md")).unwrap();
    symlink("real.md", b.join("alias.md")).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[briefings]\ndir = \"b\"\n").unwrap();

    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    let want = format!(
        "b/leak.md: skipped: a link to {}, outside the briefings folder (set \
         briefings.follow_symlinks = true to serve it)",
        target.display()
    );
    assert!(out.contains(&want), "{out}");
    assert!(out.contains("2 loaded, 1 skipped"), "{out}");

    std::fs::write(
        &config,
        "[briefings]\ndir = \"b\"\nfollow_symlinks = true\n",
    )
    .unwrap();
    let (code, out) = check(dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 loaded, 0 skipped"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_skips_a_link_leading_outside_and_logs_where_it_leads() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, &shipped_briefings(), "").await;
    let target = secret_file(bot.dir.path());
    symlink(&target, bot.briefings_dir().join("leak.md")).unwrap();
    let logged = bot
        .wait_for_log(|l| l.contains("a link to a file outside"), WAIT)
        .await
        .unwrap_or_else(|| panic!("no warning:\n{}", bot.logs()));
    assert!(logged.contains("leak.md"), "{logged}");
    assert!(logged.contains(&target.display().to_string()), "{logged}");

    let ix = fake
        .command("brief")
        .option("briefing", "leak")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let text = view.contents().concat();
    assert!(view.is_ephemeral(), "served: {text}");
    assert!(!format!("{view:?}").contains(SECRET));
}
