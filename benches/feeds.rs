//! Load driver for the feed reader (no criterion: it measures a running bot, not a loop).
//! 1,000 feeds of 50 items each are served on 127.0.0.1 with ETags; the real `briefbot run`
//! (against the fake Discord) reads them all from cold, then polls them again every 30 s, each
//! answered by a 304. Prints the cold start's items per second, the bot's CPU time and RSS
//! (from `/proc`), and the CPU cost of one unchanged poll.
//!
//! `cargo bench --bench feeds` (add `-- 200` for another number of feeds). Linux only (`/proc`).

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use fake_discord::{FakeDiscord, GUILD_ID};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ITEMS: usize = 50;
const POLL_SECS: u64 = 30;

struct Origin {
    bodies: Vec<String>,
    full: AtomicUsize,
    not_modified: AtomicUsize,
}

async fn feed(
    UrlPath(n): UrlPath<usize>,
    State(origin): State<Arc<Origin>>,
    headers: HeaderMap,
) -> Response {
    let etag = format!("\"feed-{n}-v1\"");
    if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        origin.not_modified.fetch_add(1, Ordering::Relaxed);
        return StatusCode::NOT_MODIFIED.into_response();
    }
    origin.full.fetch_add(1, Ordering::Relaxed);
    let body = origin.bodies[n].clone();
    (
        [
            ("etag", etag),
            ("content-type", "application/rss+xml".into()),
        ],
        body,
    )
        .into_response()
}

fn rss(n: usize) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
         <channel><title>Feed {n}</title><link>https://f{n}.example.org/</link><description>d</description>"
    );
    for i in 0..ITEMS {
        out.push_str(&format!(
            "<item><title>Story {i} of feed {n}</title><link>https://f{n}.example.org/{i}</link>\
             <guid>f{n}-{i}</guid><pubDate>Mon, 30 Nov 2026 {:02}:{:02}:00 GMT</pubDate>\
             <category>feed{n}</category><content:encoded><![CDATA[<p>Negotiators met on \
             <b>Monday</b> in Niamey for the {i}th round of talks.</p><p>They agreed on a \
             <a href=\"https://f{n}.example.org/{i}/agenda\">new agenda</a> and will meet again \
             next week.</p><img src=\"https://t.example.net/p.gif\" width=\"1\" height=\"1\">]]>\
             </content:encoded></item>",
            i % 24,
            i % 60
        ));
    }
    out.push_str("</channel></rss>");
    out
}

/// (CPU seconds, RSS in MiB) of `pid`.
fn usage(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    (ticks / 100.0, rss_kb / 1024.0)
}

fn items_on_disk(dir: &Path) -> usize {
    let Ok(feeds) = std::fs::read_dir(dir) else {
        return 0;
    };
    feeds
        .filter_map(|f| std::fs::read_dir(f.ok()?.path()).ok())
        .flat_map(|files| files.filter_map(|f| f.ok()))
        .filter(|f| f.file_name().to_string_lossy().ends_with(".md"))
        .count()
}

#[tokio::main]
async fn main() {
    let feeds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let origin = Arc::new(Origin {
        bodies: (0..feeds).map(rss).collect(),
        full: AtomicUsize::new(0),
        not_modified: AtomicUsize::new(0),
    });
    let router = Router::new()
        .route("/feed/{n}", get(feed))
        .with_state(Arc::clone(&origin));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let fake = FakeDiscord::start().await;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("briefings")).unwrap();
    let mut config = format!(
        "[discord]\nguild_ids = [{GUILD_ID}]\napi_base = \"{}\"\n\n[briefings]\ndir = \"briefings\"\n\n",
        fake.base_url()
    );
    for n in 0..feeds {
        config.push_str(&format!(
            "[[feed]]\nname = \"f{n}\"\nurl = \"http://{addr}/feed/{n}\"\npoll = \"{POLL_SECS}s\"\nmax_items = {ITEMS}\n"
        ));
    }
    std::fs::write(home.path().join("config.toml"), config).unwrap();
    let log = std::fs::File::create(home.path().join("bot.log")).unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["run", "--config", "config.toml"])
        .current_dir(home.path())
        .env("RUST_LOG", "warn")
        .env("DISCORD_TOKEN", fake.token())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let pid = child.id();
    let total = feeds * ITEMS;
    let dir = home.path().join("briefings/feeds");
    while items_on_disk(&dir) < total {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "cold start never finished"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cold = started.elapsed();
    let (cold_cpu, cold_rss) = usage(pid);
    println!(
        "cold start: {total} items from {feeds} feeds written in {:.2} s ({:.0} items/s); \
         bot CPU {:.2} s, RSS {:.0} MiB",
        cold.as_secs_f64(),
        total as f64 / cold.as_secs_f64(),
        cold_cpu,
        cold_rss
    );

    // Let the reloads the cold start caused finish, then count one round of unchanged polls.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let (cpu0, _) = usage(pid);
    let seen0 = origin.not_modified.load(Ordering::Relaxed);
    let window = Instant::now();
    while origin.not_modified.load(Ordering::Relaxed) < seen0 + feeds {
        assert!(
            window.elapsed() < Duration::from_secs(5 * POLL_SECS),
            "polls stopped"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A last quiet second, so the final polls' bookkeeping is counted too.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (cpu1, rss1) = usage(pid);
    let polls = origin.not_modified.load(Ordering::Relaxed) - seen0;
    let elapsed = window.elapsed().as_secs_f64();
    println!(
        "steady: {polls} unchanged polls (304) in {elapsed:.1} s; bot CPU {:.3} s = {:.3} ms per \
         unchanged poll ({:.2}% of a core); RSS {:.0} MiB; full bodies served: {}",
        cpu1 - cpu0,
        (cpu1 - cpu0) * 1000.0 / polls as f64,
        (cpu1 - cpu0) * 100.0 / elapsed,
        rss1,
        origin.full.load(Ordering::Relaxed)
    );
    let _ = child.kill();
    let _ = child.wait();
}
