//! The `briefbot` binary as an admin uses it before a deploy: `check`, `preview`, `schedule`,
//! run as a real process on temporary folders.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn briefbot(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(args)
        .current_dir(dir)
        .env_remove("BRIEFBOT_CONFIG")
        // `check` asks Discord about permissions when a token is set: these runs stay offline.
        .env_remove("DISCORD_TOKEN")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A temporary folder with `config.toml` (only `[briefings]`) and the given briefing files.
fn workspace(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "[briefings]\ndir = \"b\"\n").unwrap();
    for (name, bytes) in files {
        let path = dir.path().join("b").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

fn repo_file(rel: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

#[test]
fn check_names_every_broken_file_and_none_of_the_good_ones() {
    let seed = repo_file("briefings/sahel-alliance-joint-operations.txt");
    let dir = workspace(&[
        ("good/seed.txt", &seed),
        ("good/ok.md", b"## What's Next?\nFine.\n"),
        ("bad/dup.txt", b"What's Next?\nA.\nWhat's Next?\nB.\n"),
        (
            "bad/fm.md",
            b"+++\ntitel = \"x\"\n+++\n## What's Next?\nA.\n",
        ),
        ("bad/utf8.md", b"## What's Next?\n\xff\n"),
        ("notes.json", b"{}"),
    ]);
    let run = briefbot(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for expected in ["b/bad/dup.txt:3: ", "b/bad/fm.md:2: ", "b/bad/utf8.md:2: "] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected} in\n{}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains("good/"), "{}", run.stdout);
    assert!(run.stdout.contains("2 loaded, 3 skipped"), "{}", run.stdout);

    let good = workspace(&[("seed.txt", &seed)]);
    let run = briefbot(good.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 loaded, 0 skipped"), "{}", run.stdout);
}

#[test]
fn check_reports_config_problems_with_line_and_column() {
    let dir = workspace(&[]);
    std::fs::write(
        dir.path().join("config.toml"),
        "[briefings]\ndirr = \"b\"\n",
    )
    .unwrap();
    let run = briefbot(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("config.toml:2:1: "), "{}", run.stdout);
    assert!(run.stdout.contains("did you mean `dir`"), "{}", run.stdout);
}

#[test]
fn check_names_the_line_of_a_bad_target_key() {
    let dir = workspace(&[]);
    let digest = |name: &str, keys: &str| {
        format!("[[digest]]\nname = \"{name}\"\nchannel_id = 1\nschedule = \"@daily\"\n{keys}\n")
    };
    let config = [
        "[briefings]\ndir = \"b\"\n".to_string(),
        digest("hook", "target = \"webhook\"\nusername = \"Discord Daily\""),
        digest("discuss", "open_thread = true"),
    ]
    .concat();
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let run = briefbot(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for line in [
        "config.toml:8:12: `username`: Discord refuses webhook names containing \"discord\"",
        "config.toml:13:15: `open_thread`: only applies with target = \"thread\"",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
}

#[test]
fn missing_config_is_one_clear_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["check"][..], &["preview", "x"], &["schedule"]] {
        let run = briefbot(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains("config.toml"), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"));
    }
}

fn preview_json(dir: &Path, id: &str, section: Option<&str>) -> Vec<Value> {
    let mut args = vec!["preview", id, "--format", "json"];
    if let Some(s) = section {
        args.extend(["--section", s]);
    }
    let run = briefbot(dir, &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    serde_json::from_str::<Vec<Value>>(&run.stdout).unwrap()
}

fn descriptions(payloads: &[Value]) -> Vec<String> {
    payloads
        .iter()
        .flat_map(|p| p["embeds"].as_array().cloned().unwrap_or_default())
        .map(|e| e["description"].as_str().unwrap().to_string())
        .collect()
}

fn assert_discord_limits(payloads: &[Value]) {
    for p in payloads {
        assert_eq!(
            p["allowed_mentions"],
            serde_json::json!({"parse": []}),
            "{p}"
        );
        let text = p.to_string();
        assert!(!text.contains('\r') && !text.contains('\u{feff}'), "{p}");
        let msg: briefbot::render::MessagePayload = serde_json::from_value(p.clone()).unwrap();
        briefbot::render::limits::check(&msg).unwrap();
    }
}

#[test]
fn preview_of_the_seed_sections_is_complete_and_exact() {
    let seed = repo_file("briefings/sahel-alliance-joint-operations.txt");
    let dir = workspace(&[("sahel.txt", &seed)]);
    let text = String::from_utf8(seed).unwrap();
    for (key, heading, next) in [
        (
            "whats_happening",
            "What's Happening?",
            "Why It's Important?",
        ),
        ("why_it_matters", "Why It's Important?", "What's Next?"),
        ("whats_next", "What's Next?", "Beyond the Headlines"),
        ("beyond_the_headlines", "Beyond the Headlines", ""),
    ] {
        let start = text.find(&format!("{heading}\n")).unwrap() + heading.len() + 1;
        let end = if next.is_empty() {
            text.len()
        } else {
            text.find(&format!("{next}\n")).unwrap()
        };
        // The seed has one soft line break mid-sentence; it must come out as a space.
        let expected = text[start..end].trim().replace('\n', " ");
        let payloads = preview_json(dir.path(), "sahel", Some(key));
        assert_discord_limits(&payloads);
        assert_eq!(descriptions(&payloads).join(" "), expected, "{key}");
        assert_eq!(payloads[0]["embeds"][0]["title"], heading);
    }
}

#[test]
fn a_long_section_splits_between_sentences_and_keeps_links_whole() {
    let mut body = String::new();
    let mut i = 0;
    while body.len() < 9_000 {
        body.push_str(&format!(
            "Sentence {i} mentions @everyone and <@&123> and [a linked source {i}](https://example.org/{i}). "
        ));
        i += 1;
    }
    let file = format!("## What's Next?\n{}\n", body.trim_end());
    let dir = workspace(&[("long.md", file.as_bytes())]);
    let payloads = preview_json(dir.path(), "long", Some("whats-next"));
    assert_discord_limits(&payloads);
    let parts = descriptions(&payloads);
    assert!(parts.len() >= 3, "{} parts", parts.len());
    for part in &parts {
        assert!(
            part.starts_with("Sentence ") && part.ends_with(")."),
            "cut mid-sentence: {part}"
        );
    }
    assert_eq!(parts.join(" "), body.trim_end());
    let n = parts.len();
    for (idx, p) in payloads
        .iter()
        .flat_map(|p| p["embeds"].as_array().unwrap().clone())
        .enumerate()
    {
        assert_eq!(p["title"], format!("What's Next? ({}/{n})", idx + 1));
    }
}

#[test]
fn preview_of_an_unknown_briefing_or_section_names_what_exists() {
    let dir = workspace(&[("a.md", b"## What's Next?\nA.\n")]);
    let run = briefbot(dir.path(), &["preview", "nope"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("no briefing `nope`; briefings: a"),
        "{}",
        run.stdout
    );
    let run = briefbot(
        dir.path(),
        &["preview", "a", "--section", "beyond_the_headlines"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("its sections: whats_next"),
        "{}",
        run.stdout
    );
}

#[test]
fn schedule_prints_fire_times_in_the_zone_and_utc() {
    let dir = workspace(&[]);
    std::fs::write(
        dir.path().join("config.toml"),
        "[[digest]]\nname = \"morning\"\nchannel_id = 42\nschedule = \"0 8 * * MON-FRI\"\ntimezone = \"Asia/Kolkata\"\n",
    )
    .unwrap();
    let run = briefbot(
        dir.path(),
        &["schedule", "--next", "3", "--config", "config.toml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fires: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(fires.len(), 3, "{}", run.stdout);
    for line in fires {
        assert!(
            line.contains("08:00:00 IST") && line.contains("02:30:00 UTC"),
            "{line}"
        );
    }
}

#[test]
fn schedule_lists_runtime_digests_from_the_database_and_creates_none() {
    use briefbot::store::{NewDigest, Store};
    let dir = workspace(&[]);
    let run = briefbot(dir.path(), &["schedule"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !dir.path().join("briefbot.db").exists(),
        "schedule must not create the database"
    );

    let mut store = Store::open(dir.path().join("briefbot.db")).unwrap();
    store
        .insert_digest(
            &NewDigest {
                guild_id: 77,
                name: "evening".into(),
                channel_id: 42,
                schedule: "0 18 * * *".into(),
                timezone: "Europe/Paris".into(),
                sections: vec![],
                tag: None,
                mention_role: None,
                silent: false,
                max_briefings: 3,
                only_new: true,
                when_empty: briefbot::config::WhenEmpty::Skip,
                created_by: 1,
                lang: None,
                target: Default::default(),
            },
            chrono::Utc::now(),
        )
        .unwrap();
    drop(store);
    let run = briefbot(dir.path(), &["schedule", "--next", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("evening (guild 77, /digest add) — `0 18 * * *` in Europe/Paris"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.contains("18:00:00 CE"))
            .count(),
        2,
        "{}",
        run.stdout
    );
}
