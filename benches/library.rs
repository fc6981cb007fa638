//! Parsing and indexing 10,000 generated briefings (~3 KB each) against reading the same bytes
//! from disk, in the same run, so the ratio holds on a noisy machine. The folder is kept in
//! `$CARGO_TARGET_DIR/bench-briefings` (or `target/`) so `briefbot check` can be measured on it.

use briefbot::briefings::{Library, SectionCatalog, Symlinks};
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};

const COUNT: usize = 10_000;

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

fn folder() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench-briefings");
    let done = dir.join(".complete");
    if !done.exists() {
        for i in 0..COUNT {
            let sub = dir.join(format!("{:03}", i / 100));
            std::fs::create_dir_all(&sub).unwrap();
            std::fs::write(sub.join(format!("briefing-{i}.md")), briefing(i)).unwrap();
        }
        std::fs::write(&done, "").unwrap();
    }
    dir
}

fn read_all(dir: &Path, total: &mut usize) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_all(&path, total);
        } else {
            *total += std::fs::read(&path).unwrap().len();
        }
    }
}

fn bench(c: &mut Criterion) {
    let dir = folder();
    let catalog = SectionCatalog::default();
    let mut group = c.benchmark_group("10k_briefings");
    group.sample_size(10);
    group.bench_function("read_bytes_baseline", |b| {
        b.iter(|| {
            let mut total = 0;
            read_all(&dir, &mut total);
            total
        })
    });
    // The library is dropped outside the timing: freeing it is not loading it.
    group.bench_function("parse_and_index", |b| {
        b.iter_with_large_drop(|| {
            let (library, report) =
                Library::load(&dir, &catalog, "en", Symlinks::InsideOnly).unwrap();
            assert_eq!(library.len(), COUNT, "{:?}", report.errors.first());
            library
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
