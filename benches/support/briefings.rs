//! The generated briefings the load benchmarks share: 10,000 Markdown files of about 3 KB
//! (front matter, four sections of soft-wrapped sentences), written once to
//! `$CARGO_TARGET_DIR/bench-briefings` (or `target/`) and reused by later runs.

use std::path::{Path, PathBuf};

pub const COUNT: usize = 10_000;

const WORDS: &[&str] = &[
    "alliance",
    "security",
    "regional",
    "operations",
    "leaders",
    "announced",
    "summit",
    "economic",
    "cooperation",
    "forces",
    "border",
    "government",
    "analysts",
    "expected",
    "international",
    "observers",
    "the",
    "of",
    "and",
    "in",
    "to",
    "a",
    "will",
    "could",
];

/// A deterministic pseudo-random sentence generator (no RNG dependency needed).
fn sentence(seed: &mut u64) -> String {
    let mut words = Vec::new();
    let len = 8 + (*seed % 12) as usize;
    for _ in 0..len {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        words.push(WORDS[(*seed >> 33) as usize % WORDS.len()]);
    }
    let mut s = words.join(" ");
    s[..1].make_ascii_uppercase();
    s + "."
}

fn briefing(i: usize) -> String {
    let mut seed = i as u64 + 1;
    let mut text = format!(
        "+++\ntitle = \"Generated briefing {i}\"\ndate = 2026-{:02}-{:02}\ntags = [\"tag{}\", \"bench\"]\n+++\n",
        1 + i % 12,
        1 + i % 28,
        i % 50
    );
    for heading in [
        "What's Happening?",
        "Why It's Important?",
        "What's Next?",
        "Beyond the Headlines",
    ] {
        text.push_str("## ");
        text.push_str(heading);
        text.push('\n');
        let section_end = text.len() + 700;
        while text.len() < section_end {
            text.push_str(&sentence(&mut seed));
            text.push(if seed.is_multiple_of(5) { '\n' } else { ' ' });
        }
        text.push_str("\n\n");
    }
    text
}

/// The 10,000 briefings, written on first use.
pub fn folder() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench-briefings");
    let done = dir.join(".complete");
    if !done.exists() {
        write(&dir, COUNT);
        std::fs::write(&done, "").unwrap();
    }
    dir
}

/// Writes `count` briefings below `dir`, a hundred per subfolder.
pub fn write(dir: &Path, count: usize) {
    for i in 0..count {
        let sub = dir.join(format!("{:03}", i / 100));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("briefing-{i}.md")), briefing(i)).unwrap();
    }
}
