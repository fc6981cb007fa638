//! Tests of `split`: properties over generated Markdown-ish text, then worked examples.

use super::split;
use proptest::prelude::*;
use proptest::sample::select;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Must not be cut unless longer than the limit.
    Word,
    /// Must not be cut, nor its spaces used, unless longer than the limit.
    Unit,
    /// CJK text: may be cut between ideographs.
    Cjk,
}

#[derive(Debug, Clone)]
struct Sample {
    text: String,
    tokens: Vec<(Kind, Range<usize>)>,
}

/// Plain words of several scripts; `select` keeps generation cheap enough for thousands of cases.
const WORDS: [&str; 10] = [
    "the", "Sahel", "alliance", "à", "été", "Niamey", "x", "patrols", "of", "ok",
];

fn words(n: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(select(WORDS.to_vec()), 1..n).prop_map(|w| w.join(" "))
}

fn token() -> impl Strategy<Value = (Kind, String)> {
    let punct = select(vec![
        "", "", "", ",", ".", "!", "?", ".\"", "?)", ":", "…", ".”",
    ]);
    let word = (select(WORDS.to_vec()), punct).prop_map(|(w, p)| format!("{w}{p}"));
    let long = (20usize..150).prop_map(|n| ('a'..='z').cycle().take(n).collect::<String>());
    let odd = [
        "😀",
        "👍🏽",
        "👩‍👩‍👧",
        "🇫🇷",
        "é",
        "naïve",
        "e\u{301}",
        "@everyone",
        "<@&123>",
    ];
    let emoji = prop::collection::vec(select(odd.to_vec()), 1..6).prop_map(|v| v.concat());
    let ideographs = ['漢', '字', '日', '本', '語', 'か', 'な', 'カ', 'ナ', '、'];
    let cjk = (
        prop::collection::vec(select(ideographs.to_vec()), 1..60),
        any::<bool>(),
    )
        .prop_map(|(v, stop)| v.into_iter().collect::<String>() + if stop { "。" } else { "" });
    let link = (words(6), 0u32..1000).prop_map(|(t, n)| format!("[{t}](https://example.org/{n})"));
    let code = words(6).prop_map(|w| format!("`{}`", w.replace("of", "f(x);")));
    let fence = prop::collection::vec(prop::option::of(words(5)), 1..6).prop_map(|lines| {
        let lines: Vec<String> = lines.into_iter().map(Option::unwrap_or_default).collect();
        format!("```\n{}\n```", lines.join("\n"))
    });
    prop_oneof![
        10 => word.prop_map(|s| (Kind::Word, s)),
        1 => long.prop_map(|s| (Kind::Word, s)),
        2 => emoji.prop_map(|s| (Kind::Word, s)),
        2 => cjk.prop_map(|s| (Kind::Cjk, s)),
        2 => link.prop_map(|s| (Kind::Unit, s)),
        2 => code.prop_map(|s| (Kind::Unit, s)),
        1 => fence.prop_map(|s| (Kind::Unit, s)),
    ]
}

fn sample(max_tokens: usize) -> impl Strategy<Value = Sample> {
    let sep = select(vec![
        " ", " ", " ", " ", "  ", "\n", "\n\n", " \n \n ", "\t",
    ]);
    (
        sep.clone(),
        prop::collection::vec((token(), sep), 0..max_tokens),
    )
        .prop_map(|(lead, toks)| {
            let mut text = lead.to_string();
            let mut tokens = Vec::new();
            for ((kind, tok), sep) in toks {
                tokens.push((kind, text.len()..text.len() + tok.len()));
                text.push_str(&tok);
                text.push_str(sep);
            }
            Sample { text, tokens }
        })
}

/// Characters that stress the scanner: markup, all kinds of whitespace, multi-byte and joiners.
const SOUP: &str = "aaaab. !?[]()`` \n\n\r\t\u{3000}é漢字。👍\u{200D}\u{1F3FD}\u{301}\"'";

fn max_chars() -> impl Strategy<Value = usize> {
    prop_oneof![1usize..8, 8usize..60, 60usize..400, 400usize..3000]
}

/// Byte range of `piece` within `text` (pieces are slices of it).
fn range_in(text: &str, piece: &str) -> Range<usize> {
    let start = piece.as_ptr() as usize - text.as_ptr() as usize;
    start..start + piece.len()
}

fn non_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn pieces_fit_are_trimmed_and_lose_nothing(s in sample(300), max in max_chars()) {
        let pieces = split(&s.text, max);
        let mut last_end = 0;
        for p in &pieces {
            prop_assert!(!p.is_empty());
            prop_assert!(chars(p) <= max, "{} chars > {max}: {p:?}", chars(p));
            prop_assert_eq!(p.trim(), *p);
            let r = range_in(&s.text, p);
            prop_assert!(r.start >= last_end, "pieces out of order");
            last_end = r.end;
        }
        prop_assert_eq!(non_ws(&pieces.concat()), non_ws(&s.text));
    }

    #[test]
    fn markup_soup_still_fits_and_loses_nothing(
        soup in prop::collection::vec(select(SOUP.chars().collect::<Vec<_>>()), 0..600),
        max in max_chars(),
    ) {
        // Unbalanced brackets and backticks, CRLF, joiners: nothing may panic or go missing.
        let text: String = soup.into_iter().collect();
        let pieces = split(&text, max);
        for p in &pieces {
            prop_assert!(!p.is_empty() && chars(p) <= max && p.trim() == *p);
        }
        prop_assert_eq!(non_ws(&pieces.concat()), non_ws(&text));
    }

    #[test]
    fn links_and_code_stay_whole(s in sample(300), max in max_chars()) {
        let pieces: Vec<Range<usize>> =
            split(&s.text, max).iter().map(|p| range_in(&s.text, p)).collect();
        for (kind, tok) in &s.tokens {
            if *kind == Kind::Unit && chars(&s.text[tok.clone()]) <= max {
                let holders = pieces.iter().filter(|p| p.start <= tok.start && tok.end <= p.end);
                prop_assert_eq!(holders.count(), 1, "{:?} was cut", &s.text[tok.clone()]);
            }
        }
    }

    #[test]
    fn cuts_fall_between_words(s in sample(300), max in max_chars()) {
        let pieces: Vec<Range<usize>> =
            split(&s.text, max).iter().map(|p| range_in(&s.text, p)).collect();
        for pair in pieces.windows(2) {
            let (end, next) = (pair[0].end, pair[1].start);
            // A cut may only fall inside a token too long for one piece, or inside CJK text.
            for (kind, tok) in &s.tokens {
                if tok.start < end && next < tok.end && *kind != Kind::Cjk {
                    let token = &s.text[tok.clone()];
                    prop_assert!(chars(token) > max, "cut inside {token:?} (max {max})");
                }
            }
        }
    }
}

const SENTENCES: [&str; 6] = [
    "The alliance announced joint patrols along the border.",
    "Officials said the first operation would begin within weeks!",
    "Will neighbouring states join the effort?",
    "Analysts expect \"a long and costly campaign.\"",
    "Funding remains the main obstacle (as it was last year.)",
    "Résidents à Niamey: « on attend de voir. »",
];

#[test]
fn nine_thousand_chars_of_sentences_are_cut_only_between_sentences() {
    let mut text = String::new();
    for s in SENTENCES.iter().cycle() {
        if chars(&text) >= 9000 {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(s);
    }
    let pieces = split(&text, 4096);
    assert_eq!(pieces.len(), 3);
    assert_eq!(pieces.join(" "), text);
    for (i, p) in pieces.iter().enumerate() {
        assert!(
            SENTENCES.iter().any(|s| p.starts_with(s)),
            "starts mid-sentence: {p:.40}"
        );
        assert!(
            SENTENCES.iter().any(|s| p.ends_with(s)),
            "ends mid-sentence"
        );
        // Greedy: a piece only ends early when the next sentence would not fit.
        assert!(
            i == 2 || chars(p) > 4096 - 70,
            "piece {i} is only {} chars",
            chars(p)
        );
    }
}

#[test]
fn abbreviations_and_initials_do_not_end_sentences() {
    let text =
        "The summit named Capt. Ibrahim Traoré, e.g. the J. R. Smith of the U.S. Army. It met.";
    // Without abbreviation handling the cut would fall after "U.S." or "Capt.".
    assert_eq!(split(text, 80), [&text[..text.len() - 8], "It met."]);
    assert_eq!(
        split("Done. next word here", 12),
        ["Done. next", "word here"]
    );
}

#[test]
fn paragraph_breaks_win_when_the_piece_is_at_least_half_full() {
    let para = |n: usize| vec!["Word word word."; n].join(" ");
    let text = format!("{}\n\n{}\n\n{}", para(4), para(2), para(4));
    // 63 + 31 chars fit in 100 and fill it beyond half: cut at the second paragraph break.
    assert_eq!(
        split(&text, 100),
        [format!("{}\n\n{}", para(4), para(2)), para(4)]
    );
    // At 200 only a sentence end lies beyond the paragraph breaks and half of the limit.
    let long = format!("Short one.\n\n{}", para(20));
    let pieces = split(&long, 200);
    assert!(pieces[0].starts_with("Short one.\n\nWord") && pieces[0].ends_with('.'));
}

#[test]
fn links_code_and_fences_are_not_cut_at_their_spaces() {
    let text = "See [the full joint communiqué](https://example.org/c) now";
    assert_eq!(
        split(text, 52),
        [
            "See",
            "[the full joint communiqué](https://example.org/c)",
            "now"
        ]
    );
    let code = "Run `cargo test --all` then ```\nlet x = 1;\nlet y = 2;\n``` done";
    assert_eq!(
        split(code, 30),
        [
            "Run `cargo test --all` then",
            "```\nlet x = 1;\nlet y = 2;\n```",
            "done"
        ]
    );
    // A link longer than the limit is cut between its words, not inside them.
    let pieces = split("[one two three four five six](u)", 12);
    assert!(pieces.iter().all(|p| chars(p) <= 12));
    assert_eq!(pieces[0], "[one two");
}

#[test]
fn oversize_words_are_cut_at_char_boundaries_outside_emoji_sequences() {
    assert_eq!(split("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    // 👩‍👩‍👧 is five chars joined by ZWJs; the cut moves before the sequence, unless the
    // sequence alone is too long.
    assert_eq!(split("ab👩‍👩‍👧", 5), ["ab", "👩‍👩‍👧"]);
    assert_eq!(split("👩‍👩‍👧", 4), ["👩‍👩‍", "👧"]);
    assert_eq!(split("ééééé", 2), ["éé", "éé", "é"]);
}

#[test]
fn cjk_text_breaks_after_full_stops_then_between_ideographs() {
    let text = "日本語の文。漢字かな。カタカナ";
    assert_eq!(split(text, 12), ["日本語の文。漢字かな。", "カタカナ"]);
    assert_eq!(split("漢字漢字漢字", 4), ["漢字漢字", "漢字"]);
}

#[test]
fn blank_input_gives_no_pieces_and_short_input_one() {
    assert!(split("", 10).is_empty());
    assert!(split(" \n\n\t ", 10).is_empty());
    assert_eq!(split("  hello world \n", 11), ["hello world"]);
}
