//! The `briefbot` binary against PostgreSQL, on a database of the cluster the tests start:
//! `migrate` moves an SQLite installation (runtime digests, pauses, ledger, posted history) and
//! refuses a database that is not empty; `schedule` and `check` read the PostgreSQL store.

use briefbot::config::WhenEmpty;
use briefbot::digests::{Identity, Target};
use briefbot::store::postgres::PgStorage;
use briefbot::store::{Claim, DeliveryStatus, Lease, NewDigest, ShownBriefing, Storage, Store};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The child's own environment names the URL; the test process's is left alone.
const URL_VAR: &str = "BRIEFBOT_TEST_DATABASE_URL";

fn briefbot(dir: &Path, url: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(args)
        .current_dir(dir)
        .env_remove("BRIEFBOT_CONFIG")
        .env("RUST_LOG", "warn")
        .env(URL_VAR, url)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// An installation as a month of running leaves it: a paused runtime digest, one fire sent
/// (with its posted briefings), one interrupted mid-send.
fn sqlite_installation(path: &Path) {
    let mut s = Store::open(path).unwrap();
    let now = at("2025-06-04T10:00:00Z");
    let digest = NewDigest {
        guild_id: 77,
        name: "Evening".into(),
        channel_id: 42,
        schedule: "0 18 * * *".into(),
        timezone: "Europe/Paris".into(),
        sections: vec!["whats_next".into()],
        tag: Some("sahel".into()),
        mention_role: None,
        silent: false,
        max_briefings: 3,
        only_new: true,
        when_empty: WhenEmpty::Skip,
        created_by: 1,
        lang: Some("fr".into()),
        target: Target::Webhook(Identity {
            username: Some("Sahel Brief".into()),
            avatar_url: None,
        }),
    };
    s.insert_digest(&digest, now).unwrap();
    let key = "g:77:evening";
    let lease = Lease::new("old", Duration::from_secs(30));
    let (sent, pending) = (at("2025-06-03T16:00:00Z"), at("2025-06-04T16:00:00Z"));
    s.claim(key, sent, &lease, now).unwrap();
    s.set_briefings(key, sent, &["a".into(), "b".into()])
        .unwrap();
    s.record_sent(key, sent, 42, &[1001, 1002], 1, now).unwrap();
    let shows = |revision: &str| ShownBriefing {
        revision: revision.into(),
        title: "Title".into(),
        messages: None,
    };
    let briefings = [
        ("a".to_string(), shows("r1")),
        ("b".to_string(), shows("r2")),
    ];
    s.record_shown(key, sent, 42, &briefings.into(), now)
        .unwrap();
    s.claim(key, pending, &lease, now).unwrap();
    s.record_progress(key, pending, &[2001], &lease, now)
        .unwrap();
    // Its second message is a webhook's, which takes no nonce: the send had begun.
    s.record_sending(key, pending, &lease, now).unwrap();
    s.set_paused(key, Some("paused by hand"), now).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_moves_an_installation_and_schedule_and_check_read_postgres() {
    let Some(cluster) = test_postgres::shared() else {
        return;
    };
    // Trust auth ignores the password; it is there to prove it is never printed.
    let url = cluster
        .database()
        .await
        .replace("postgres@", "postgres:s3cret@");
    let dir = tempfile::tempdir().unwrap();
    sqlite_installation(&dir.path().join("briefbot.db"));
    std::fs::create_dir(dir.path().join("b")).unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!("[briefings]\ndir = \"b\"\n[storage]\nurl_env = \"{URL_VAR}\"\n"),
    )
    .unwrap();

    let migrate = [
        "migrate",
        "--from",
        "sqlite:briefbot.db",
        "--to-env",
        URL_VAR,
    ];
    let (code, out, err) = briefbot(dir.path(), &url, &migrate);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("migrated briefbot.db into PostgreSQL postgres://postgres@127.0.0.1:")
            && out.trim_end().ends_with(
                "1 digest(s), 1 digest state row(s), 2 ledger row(s), 2 posted briefing(s)"
            ),
        "{out}"
    );
    assert!(
        !out.contains("s3cret") && !err.contains("s3cret"),
        "{out}{err}"
    );

    // What the bot will find there: the digest, its pause, the ledger, the history.
    let pg = PgStorage::connect(&url).await.unwrap();
    let row = pg.get_digest(77, "evening").await.unwrap().unwrap();
    assert_eq!(
        (row.digest.name.as_str(), row.digest.lang.as_deref()),
        ("Evening", Some("fr"))
    );
    assert!(row.paused);
    assert!(
        matches!(row.digest.target, Target::Webhook(ref i) if i.username.as_deref() == Some("Sahel Brief"))
    );
    let state = pg.state("g:77:evening").await.unwrap().unwrap();
    assert_eq!(state.paused_reason.as_deref(), Some("paused by hand"));
    assert_eq!(state.last_delivery, Some(at("2025-06-03T16:00:00Z")));
    let posted = pg.posted_ids("g:77:evening", 42).await.unwrap();
    assert_eq!(posted, ["a".to_string(), "b".to_string()].into());
    // What the sent fire shows, so a later correction still edits its messages.
    let shown = pg.shown_since(at("2025-06-01T00:00:00Z")).await.unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].message_ids, vec![1001, 1002]);
    assert_eq!(shown[0].briefings["b"].revision, "r2");
    let pending = pg.pending().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].message_ids, vec![2001]);
    assert_eq!(pending[0].sending_since, Some(at("2025-06-04T10:00:00Z")));
    // The sent fire is never sent again; the interrupted one is taken over after its lease.
    let lease = Lease::new("new", Duration::from_secs(30));
    let later = at("2025-06-05T00:00:00Z");
    let sent = pg
        .claim("g:77:evening", at("2025-06-03T16:00:00Z"), &lease, later)
        .await
        .unwrap();
    assert!(
        matches!(sent, Claim::Closed(ref r) if r.status == DeliveryStatus::Sent),
        "{sent:?}"
    );
    let resumed = pg
        .claim("g:77:evening", at("2025-06-04T16:00:00Z"), &lease, later)
        .await
        .unwrap();
    assert!(
        matches!(resumed, Claim::Ours(ref r) if r.message_ids == [2001]),
        "{resumed:?}"
    );

    // A second run would mix two installations: refused, nothing written.
    let (code, out, err) = briefbot(dir.path(), &url, &migrate);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("is not empty (rows in digests, digest_state, deliveries, posted, shown)"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");

    let (code, out, err) = briefbot(dir.path(), &url, &["schedule", "--next", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Evening (guild 77, /digest add) [paused] — `0 18 * * *` in Europe/Paris"),
        "{out}"
    );
    let (code, out, err) = briefbot(dir.path(), &url, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.lines().any(
            |l| l.starts_with("store PostgreSQL postgres://postgres@127.0.0.1:")
                && l.ends_with(": schema 3 (up to date)")
        ),
        "{out}"
    );
}

#[test]
fn check_says_when_the_database_cannot_be_reached_or_the_variable_is_unset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("b")).unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!("[briefings]\ndir = \"b\"\n[storage]\nurl_env = \"{URL_VAR}\"\n"),
    )
    .unwrap();
    // Port 1 on loopback: nothing listens there.
    let (code, out, _) = briefbot(dir.path(), "postgres://u@127.0.0.1:1/db", &["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("store: database postgres://u@127.0.0.1:1/db unreachable"),
        "{out}"
    );
    let (code, out, _) = briefbot(dir.path(), "", &["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "the environment variable `{URL_VAR}` (storage.url_env) is not set"
        )),
        "{out}"
    );
}
