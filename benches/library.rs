//! Parsing and indexing 10,000 generated briefings (~3 KB each) against reading the same bytes
//! from disk, in the same run, so the ratio holds on a noisy machine. The folder is kept in
//! `$CARGO_TARGET_DIR/bench-briefings` (or `target/`); `benches/check.rs` times `briefbot check`
//! on it. It also prints the resident memory of the library and of a full answer cache.

#[path = "support/briefings.rs"]
mod generated;

use briefbot::briefings::{AnswerCache, Library, SectionCatalog, Symlinks, ANSWER_CACHE_BYTES};
use criterion::{criterion_group, criterion_main, Criterion};
use generated::{folder, COUNT};
use std::path::Path;

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

/// Resident memory of the library, and of its answer cache once every answer of every briefing
/// has been asked for (the most it holds for one library snapshot). Printed, not timed.
fn memory(_: &mut Criterion) {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = folder();
    let start = rss_mib();
    let (library, _) =
        Library::load(&dir, &SectionCatalog::default(), "en", Symlinks::InsideOnly).unwrap();
    let loaded = rss_mib();
    let cache = AnswerCache::new(&library);
    for b in library.newest_first() {
        cache.briefing(b);
        for i in 0..b.sections.len() {
            cache.section(b, i);
        }
    }
    let filled = rss_mib();
    let mib = |bytes: usize| bytes as f64 / (1 << 20) as f64;
    println!(
        "memory, {COUNT} briefings: library {:.1} MiB resident; answer cache after every answer was asked for +{:.1} MiB ({:.1} MiB of JSON kept, at most {:.0})",
        loaded - start,
        filled - loaded,
        mib(cache.bytes()),
        mib(ANSWER_CACHE_BYTES),
    );
}

/// This process's resident set, from `/proc/self/status` (0 where there is none).
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

// Memory first, while the process has freed nothing its allocator would keep.
criterion_group!(benches, memory, bench);
criterion_main!(benches);
