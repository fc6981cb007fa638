//! What speaking the member's language costs an answer: one message formatted through Fluent
//! (`Words::t`) against the `format!` it replaced, and a whole `/briefings` page in English and
//! in French, measured in the same run so the ratios hold on a noisy machine. Also the cost of
//! loading the locales, which a config reload pays.

use briefbot::briefings::answers::list_page;
use briefbot::briefings::{Briefing, Library, Section, SectionKey};
use briefbot::locales::{Locales, Words};
use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn library() -> Library {
    let briefings = (0..200)
        .map(|i| Briefing {
            id: format!("2026/story-{i:03}"),
            title: format!("Generated briefing number {i}"),
            date: Utc
                .with_ymd_and_hms(2026, 1 + i % 12, 1 + i % 28, 0, 0, 0)
                .unwrap(),
            date_only: true,
            tags: briefbot::answer::Tag::all(["bench"]),
            source: None,
            lang: "en".into(),
            sections: vec![Section {
                key: SectionKey::new("whats_next"),
                heading: "What's Next?".into(),
                body: "Talks resume next week.".into(),
            }],
        })
        .collect();
    Library::from_briefings(briefings)
}

fn bench(c: &mut Criterion) {
    let en = Words::english();
    let fr = Locales::shipped().words(&[Some("fr")]);
    let mut group = c.benchmark_group("one_message");
    group.bench_function("format_baseline", |b| {
        b.iter(|| {
            let (page, pages, count) = black_box((2usize, 20usize, 200usize));
            format!("Page {page} of {pages} · {count} briefing(s)")
        })
    });
    for (name, words) in [("fluent_en", &en), ("fluent_fr_plural", &fr)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let (page, pages, count) = black_box((2usize, 20usize, 200usize));
                let args = [
                    ("page", page.into()),
                    ("pages", pages.into()),
                    ("count", count.into()),
                ];
                words.t("list-footer", &args)
            })
        });
    }
    group.finish();

    let lib = library();
    let mut group = c.benchmark_group("briefings_page");
    for (name, words) in [("en", &en), ("fr", &fr)] {
        group.bench_function(name, |b| {
            b.iter(|| list_page(words, &lib, Some("bench"), black_box(2), 10).unwrap())
        });
    }
    group.finish();

    c.bench_function("load_shipped_locales", |b| {
        b.iter(|| Locales::load(None).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
