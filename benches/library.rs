//! Parsing and indexing 10,000 generated briefings (~3 KB each) against reading the same bytes
//! from disk, in the same run, so the ratio holds on a noisy machine. The folder is kept in
//! `$CARGO_TARGET_DIR/bench-briefings` (or `target/`); `benches/check.rs` times `briefbot check`
//! on it.

#[path = "support/briefings.rs"]
mod generated;

use briefbot::briefings::{Library, SectionCatalog};
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
            let (library, report) = Library::load(&dir, &catalog, "en").unwrap();
            assert_eq!(library.len(), COUNT, "{:?}", report.errors.first());
            library
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
