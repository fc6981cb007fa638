//! `/search` latency over 10,000 generated briefings (~3 KB each, half English, half French),
//! one query at a time, against `/section` (a map lookup and a render) measured in the same run,
//! so the ratio holds on a noisy machine. Each kind of query is timed on its own: common words,
//! a stemmed word, a typo, a quoted phrase, a tag filter. The goal is a p99 under 5 ms for each.
//!
//! `cargo bench --bench search`; add `-- 20000` for another briefing count, or `-- typo` for
//! the kinds whose name holds "typo". Without `--bench` (as `cargo test --benches` runs it) it
//! makes a short pass over 200 briefings, to prove it still runs.

use briefbot::answer::Tag;
use briefbot::briefings::search::SearchIndex;
use briefbot::briefings::{
    answers, AnswerCache, Briefing, Library, Section, SectionCatalog, SectionKey,
};
use briefbot::locales::Words;
use chrono::{TimeDelta, TimeZone, Utc};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Words of a generated sentence, most frequent first (picked with a Zipf-like skew), so a few
/// are in nearly every section and most are rare, like real text.
#[rustfmt::skip]
const EN: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "will", "could", "security", "regional", "leaders",
    "operations", "announced", "government", "forces", "border", "summit", "economic",
    "cooperation", "analysts", "expected", "international", "observers", "alliance", "military",
    "negotiations", "flooding", "farmers", "harvest", "prices", "ministers", "agreement", "signed",
    "displaced", "families", "rivers", "water", "drought", "exports", "currency", "elections",
    "protests", "journalists", "negotiated", "operation", "operating", "floods", "aid", "donors",
    "shelters", "schools", "bank", "reserves", "transition", "parliament", "refugees", "pipeline",
    "uranium", "gold", "mining", "roads", "railway", "markets",
];
#[rustfmt::skip]
const FR: &[&str] = &[
    "le", "la", "les", "de", "des", "et", "à", "en", "un", "une", "pourrait", "sécurité",
    "régionale", "dirigeants", "opérations", "annoncé", "gouvernement", "forces", "frontière",
    "sommet", "économique", "coopération", "analystes", "attendu", "internationale",
    "observateurs", "alliance", "militaire", "négociations", "inondations", "agriculteurs",
    "récolte", "prix", "ministres", "accord", "signé", "déplacées", "familles", "fleuve", "eau",
    "sécheresse", "exportations", "monnaie", "élections", "manifestations", "journalistes",
    "négocié", "opération", "inondation", "aide", "donateurs", "abris", "écoles", "banque",
    "réserves", "transition", "parlement", "réfugiés", "oléoduc", "uranium", "mines", "routes",
];
const HEADINGS_EN: [(&str, &str); 4] = [
    ("whats_happening", "What's Happening?"),
    ("why_it_matters", "Why It's Important?"),
    ("whats_next", "What's Next?"),
    ("beyond_the_headlines", "Beyond the Headlines"),
];
const HEADINGS_FR: [(&str, &str); 4] = [
    ("whats_happening", "Ce qui se passe"),
    ("why_it_matters", "Pourquoi c'est important"),
    ("whats_next", "Et après"),
    ("beyond_the_headlines", "Au-delà des gros titres"),
];

/// The queries timed, by kind: (kind, query, tag).
const QUERIES: &[(&str, &str, Option<&str>)] = &[
    ("common words", "security forces", None),
    ("common words fr", "sécurité régionale", None),
    ("stemmed", "negotiation", None),
    ("stemmed fr", "inondé", None),
    ("typo", "cooperaton", None),
    ("typo fr", "coopératoin", None),
    ("phrase", "\"regional security\"", None),
    ("with a tag", "flooding farmers", Some("tag8")),
    ("with a broad tag", "security", Some("bench")),
    ("rare word", "pipeline uranium", None),
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// An index below `n`, skewed towards 0: the square of a uniform draw.
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() % 10_000) as f64 / 10_000.0;
        ((u * u) * n as f64) as usize
    }
}

/// 8 to 19 words, the first capitalised, ending with a full stop.
fn sentence(rng: &mut Rng, words: &[&str]) -> String {
    let len = 8 + rng.next() as usize % 12;
    let text: Vec<&str> = (0..len).map(|_| words[rng.skewed(words.len())]).collect();
    let text = text.join(" ");
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

fn briefing(i: usize) -> Briefing {
    let mut rng = Rng(i as u64 + 1);
    let french = i % 2 == 1;
    let (words, headings, lang) = if french {
        (FR, HEADINGS_FR, "fr")
    } else {
        (EN, HEADINGS_EN, "en")
    };
    let title = format!(
        "{} {i}",
        sentence(&mut rng, &words[8..]).trim_end_matches('.')
    );
    let sections = headings
        .iter()
        .map(|(key, heading)| {
            let mut body = String::new();
            while body.len() < 700 {
                if !body.is_empty() {
                    body.push(' ');
                }
                body.push_str(&sentence(&mut rng, words));
            }
            Section {
                key: SectionKey::new(*key),
                heading: heading.to_string(),
                body,
            }
        })
        .collect();
    Briefing {
        id: format!("{}/briefing-{i}", i / 100),
        title,
        date: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + TimeDelta::hours(i as i64),
        date_only: false,
        tags: Tag::all([format!("tag{}", i % 50).as_str(), "bench"]),
        source: None,
        lang: lang.into(),
        sections,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// p50 and p99 of `runs` calls of `f`, after a few unmeasured ones.
fn measure(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..runs.min(10) {
        f();
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if full { 10_000 } else { 200 });
    // Any other argument picks the kinds of query to time, by a part of their name.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-') && a.parse::<usize>().is_err())
        .collect();
    let runs = if full { 500 } else { 5 };

    let library = Library::from_briefings((0..count).map(briefing).collect());
    let bytes: usize = library
        .newest_first()
        .flat_map(|b| b.sections.iter().map(|s| s.body.len()))
        .sum();
    let t = Instant::now();
    let index = SearchIndex::build(&library).unwrap();
    println!(
        "{count} briefings ({:.1} KB of text each), {} sections indexed in {:.2} s, {:.0} MB",
        bytes as f64 / count as f64 / 1000.0,
        index.len(),
        t.elapsed().as_secs_f64(),
        index.index_bytes() as f64 / 1e6
    );

    let catalog = SectionCatalog::default();
    // Members' answers as the bot gives them: the caller's words, payloads from the cache.
    let (words, cache) = (Words::english(), AnswerCache::new(&library));
    let ids: Vec<String> = library.newest_first().map(|b| b.id.clone()).collect();
    let mut n = 0;
    let (base50, base99) = measure(runs, || {
        n = (n + 7919) % ids.len();
        black_box(
            answers::section(
                &words,
                &library,
                &cache,
                &catalog,
                Some(&ids[n]),
                "whats_next",
            )
            .unwrap(),
        );
    });
    println!(
        "{:<18} p50 {:>7.3} ms  p99 {:>7.3} ms   (baseline)",
        "section",
        ms(base50),
        ms(base99)
    );
    let mut worst = Duration::ZERO;
    for (kind, query, tag) in QUERIES {
        if !only.is_empty() && !only.iter().any(|o| kind.contains(o.as_str())) {
            continue;
        }
        let found = answers::search(&words, &index, query, *tag, 5, 200);
        let hits = found
            .as_ref()
            .ok()
            .and_then(|p| p.embeds.first())
            .map_or(0, |e| e.fields.len());
        // Timing a search that finds nothing would measure the wrong thing.
        assert!(hits > 0, "{kind}: {query} finds nothing");
        let (p50, p99) = measure(runs, || {
            black_box(answers::search(&words, &index, query, *tag, 5, 200).ok());
        });
        worst = worst.max(p99);
        println!(
            "{kind:<18} p50 {:>7.3} ms  p99 {:>7.3} ms   {:>5.1}x / {:>5.1}x section   {hits} hits  {query}{}",
            ms(p50),
            ms(p99),
            p50.as_secs_f64() / base50.as_secs_f64(),
            p99.as_secs_f64() / base99.as_secs_f64(),
            tag.map(|t| format!(" tag:{t}")).unwrap_or_default(),
        );
    }
    println!("worst p99 {:.3} ms (goal: 5 ms)", ms(worst));
}
