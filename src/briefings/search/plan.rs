//! What a member typed, read as words and "quoted phrases" (quotes are the only syntax: every
//! other character is text), and the tantivy queries that look for them.
//!
//! Each word is looked for folded in every briefing and stemmed in the briefings of each query
//! language; a word of 5+ letters that nothing in the index spells or stems like it is read as
//! a typo and replaced by the few most common words one edit away, weighted below real matches.

use super::fields::{Fields, Zone};
use super::lang::{Analysis, Analyzers, QueryLang};
use crate::answer::Tag;
use std::collections::{BTreeMap, HashMap};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

/// Only the start of a long query is read: this bounds the work one slash command can cause.
const MAX_QUERY_CHARS: usize = 500;
const MAX_QUERY_WORDS: usize = 24;
const MAX_PHRASES: usize = 4;
/// Shorter words have too many neighbours one edit away to guess which was meant.
const MIN_TYPO_CHARS: usize = 5;
const MAX_TYPO_WORDS: usize = 4;
/// Corrections kept per typo, the most common first.
const MAX_CORRECTIONS: usize = 3;
/// Words one edit away read from the dictionary per typo, at most.
const MAX_NEIGHBOURS: usize = 200;
/// A correction counts this much of a word found as typed.
const CORRECTION_WEIGHT: f32 = 0.4;
/// The same word as typed, on top of its stem: an exact form ranks above an inflection.
const EXACT_BOOST: f32 = 0.5;
const TAG_BOOST: f32 = 2.0;
/// Quote marks members type: straight, curly, French and German.
const QUOTES: &[char] = &['"', '“', '”', '«', '»', '„'];

/// A word to look for.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Word {
    /// Lower-cased as typed, accents kept: what the stemmers read.
    pub typed: String,
    /// Accents folded: what exact matches, tags and typos compare.
    pub folded: String,
    /// 1 as typed, less for a typo's correction.
    pub weight: f32,
    /// Typed inside quotes: meant as written, never corrected.
    pub quoted: bool,
}

/// The query, read.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Plan {
    /// Distinct words, in the order typed, then corrections.
    pub words: Vec<Word>,
    /// Quoted phrases, as typed; a section must contain each one.
    pub phrases: Vec<String>,
    /// Words typed side by side outside quotes: found side by side, they add to the score.
    pub pairs: Vec<(String, String)>,
}

impl Plan {
    /// Reads `query`; `None` when it holds no word to look for.
    pub fn read(query: &str, analyzers: &mut Analyzers) -> Option<Plan> {
        let end = query
            .char_indices()
            .nth(MAX_QUERY_CHARS)
            .map_or(query.len(), |(i, _)| i);
        let pieces: Vec<&str> = query[..end].split(QUOTES).collect();
        let mut plan = Plan::default();
        for (i, piece) in pieces.iter().enumerate() {
            // Odd pieces were inside quotes, unless the last quote was never closed.
            let quoted = i % 2 == 1 && i + 1 < pieces.len() && plan.phrases.len() < MAX_PHRASES;
            let words = analyzers.words(piece);
            if words.is_empty() {
                continue;
            }
            if quoted {
                plan.phrases.push(piece.to_string());
            } else {
                for pair in words.windows(2) {
                    if pair.iter().all(|w| !lone_letter(w)) {
                        plan.pairs.push((pair[0].clone(), pair[1].clone()));
                    }
                }
            }
            for typed in words {
                let folded = analyzers
                    .terms(Analysis::Folded, &typed)
                    .pop()
                    .unwrap_or_else(|| typed.clone());
                let seen = plan.words.iter().any(|w| w.folded == folded);
                if !seen && !lone_letter(&folded) && plan.words.len() < MAX_QUERY_WORDS {
                    plan.words.push(Word {
                        typed,
                        folded,
                        weight: 1.0,
                        quoted,
                    });
                }
            }
        }
        (!plan.words.is_empty() || !plan.phrases.is_empty()).then_some(plan)
    }

    /// Adds corrections for the words nothing in the index matches.
    pub fn correct_typos(
        &mut self,
        searcher: &Searcher,
        fields: &Fields,
        analyzers: &mut Analyzers,
        lang: QueryLang,
    ) -> tantivy::Result<()> {
        let mut corrections = Vec::new();
        let mut typos = 0;
        for word in &self.words {
            if typos == MAX_TYPO_WORDS
                || word.quoted
                || word.folded.chars().count() < MIN_TYPO_CHARS
            {
                continue;
            }
            if known(searcher, fields, analyzers, lang, word)? {
                continue;
            }
            typos += 1;
            corrections.extend(neighbours(searcher, fields, &word.folded)?);
        }
        for folded in corrections {
            if !self.words.iter().any(|w| w.folded == folded) {
                self.words.push(Word {
                    typed: folded.clone(),
                    folded,
                    weight: CORRECTION_WEIGHT,
                    quoted: false,
                });
            }
        }
        Ok(())
    }

    /// Every word, in every field it may be in, as one flat union: tantivy prunes a union of
    /// plain term queries (block-max WAND), so only the best candidates are fully scored.
    /// With `require_phrases`, a section must also hold each quoted phrase; that costs a look at
    /// every section holding all of a phrase's words, so it is the fallback, not the rule.
    pub fn query(
        &self,
        fields: &Fields,
        analyzers: &mut Analyzers,
        lang: QueryLang,
        tag: Option<&Tag>,
        require_phrases: bool,
    ) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &self.words {
            let mut term = |field, text: &str, boost: f32| {
                let term = Term::from_field_text(field, text);
                let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                let boosted = BoostQuery::new(Box::new(query), boost * word.weight);
                clauses.push((Occur::Should, Box::new(boosted) as Box<dyn Query>));
            };
            for analysis in Analysis::for_query(lang) {
                for text in analyzers.query_terms(analysis, &word.typed) {
                    for zone in Zone::ALL {
                        term(fields.text(zone, analysis), &text, zone.boost());
                    }
                }
            }
            term(fields.words, &word.folded, EXACT_BOOST);
            term(fields.tag_words, &word.folded, TAG_BOOST);
        }
        if require_phrases {
            for queries in self.phrase_queries(fields, analyzers, lang) {
                let anywhere: Vec<(Occur, Box<dyn Query>)> = queries
                    .into_iter()
                    .map(|(query, boost)| {
                        let boosted: Box<dyn Query> = Box::new(BoostQuery::new(query, boost));
                        (Occur::Should, boosted)
                    })
                    .collect();
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(anywhere))));
            }
        }
        if let Some(tag) = tag {
            let term = Term::from_field_text(fields.tag, tag.as_str());
            let filter = TermQuery::new(term, IndexRecordOption::Basic);
            // Score 0: the tag narrows the results without reordering them.
            let filter = ConstScoreQuery::new(Box::new(filter), 0.0);
            clauses.push((Occur::Must, Box::new(filter)));
        }
        // A section must hold a word, unless it holds every phrase: then the words only score.
        let required = usize::from(!require_phrases || self.phrases.is_empty());
        BooleanQuery::with_minimum_required_clauses(clauses, required)
    }

    /// For each quoted phrase, the queries that find it in each zone, with the zone's weight.
    pub fn phrase_queries(
        &self,
        fields: &Fields,
        analyzers: &mut Analyzers,
        lang: QueryLang,
    ) -> Vec<Vec<(Box<dyn Query>, f32)>> {
        let zones = Zone::ALL.map(|zone| (zone, zone.boost()));
        self.phrases
            .iter()
            .map(|phrase| phrases(fields, analyzers, lang, phrase, &zones))
            .collect()
    }

    /// Words typed side by side and found side by side, in a title or a body: each query with
    /// the weight of its zone.
    pub fn pairs_queries(
        &self,
        fields: &Fields,
        analyzers: &mut Analyzers,
        lang: QueryLang,
    ) -> Vec<(Box<dyn Query>, f32)> {
        let zones = [(Zone::Title, Zone::Title.boost()), (Zone::Body, 1.0)];
        self.pairs
            .iter()
            .flat_map(|(a, b)| phrases(fields, analyzers, lang, &format!("{a} {b}"), &zones))
            .collect()
    }

    /// The terms to bold in a section indexed with `analysis`, each weighted by its rarity.
    pub fn highlight_terms(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        analyzers: &mut Analyzers,
        analysis: Analysis,
    ) -> tantivy::Result<BTreeMap<String, f32>> {
        let mut terms = BTreeMap::new();
        let body = fields.text(Zone::Body, analysis);
        for word in &self.words {
            for text in analyzers.query_terms(analysis, &word.typed) {
                let freq = searcher.doc_freq(&Term::from_field_text(body, &text))?;
                terms.insert(text, word.weight / (1.0 + freq as f32));
            }
        }
        Ok(terms)
    }
}

/// A lone letter is the tail of "what's" or the head of "l'économie", not a word: matching it
/// would bold every "s" after an apostrophe.
fn lone_letter(word: &str) -> bool {
    word.len() == 1 && word.as_bytes()[0].is_ascii_alphabetic()
}

/// `phrase` side by side in each zone, for each analysis the query is read with, each with the
/// weight of its zone.
fn phrases(
    fields: &Fields,
    analyzers: &mut Analyzers,
    lang: QueryLang,
    phrase: &str,
    zones: &[(Zone, f32)],
) -> Vec<(Box<dyn Query>, f32)> {
    let mut queries = Vec::new();
    for analysis in Analysis::for_query(lang) {
        // A stemmed word may have two terms at one position: a phrase needs one, the first.
        let mut terms: Vec<(usize, String)> = Vec::new();
        analyzers
            .get(analysis)
            .token_stream(phrase)
            .process(&mut |t| {
                if terms.last().is_none_or(|(at, _)| *at != t.position) {
                    terms.push((t.position, t.text.clone()));
                }
            });
        for (zone, boost) in zones {
            let field = fields.text(*zone, analysis);
            let mut terms: Vec<(usize, Term)> = terms
                .iter()
                .map(|(at, text)| (*at, Term::from_field_text(field, text)))
                .collect();
            let query: Box<dyn Query> = match terms.len() {
                0 => continue,
                1 => Box::new(TermQuery::new(
                    terms.remove(0).1,
                    IndexRecordOption::WithFreqs,
                )),
                _ => Box::new(PhraseQuery::new_with_offset(terms)),
            };
            queries.push((query, *boost));
        }
    }
    queries
}

/// Whether any briefing spells `word` like this, or (in a query language) stems it alike.
fn known(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    lang: QueryLang,
    word: &Word,
) -> tantivy::Result<bool> {
    if searcher.doc_freq(&Term::from_field_text(fields.words, &word.folded))? > 0 {
        return Ok(true);
    }
    for analysis in Analysis::for_query(lang) {
        for text in analyzers.query_terms(analysis, &word.typed) {
            for zone in Zone::ALL {
                let term = Term::from_field_text(fields.text(zone, analysis), &text);
                if searcher.doc_freq(&term)? > 0 {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

/// The most common words of the index one edit (a transposition counts as one) from `word`.
fn neighbours(searcher: &Searcher, fields: &Fields, word: &str) -> tantivy::Result<Vec<String>> {
    let term = Term::from_field_text(fields.words, word);
    let mut found: HashMap<Vec<u8>, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let automaton = FuzzyTermQuery::new(term.clone(), 1, true).automaton()?;
        let index = segment.inverted_index(fields.words)?;
        let mut stream = index.terms().search(automaton).into_stream()?;
        let mut read = 0;
        while read < MAX_NEIGHBOURS && stream.advance() {
            read += 1;
            *found.entry(stream.key().to_vec()).or_default() += u64::from(stream.value().doc_freq);
        }
    }
    let mut found: Vec<(String, u64)> = found
        .into_iter()
        .filter_map(|(bytes, freq)| Some((String::from_utf8(bytes).ok()?, freq)))
        .collect();
    // Most common first, alphabetical among equals, so the same typo always reads the same.
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found.truncate(MAX_CORRECTIONS);
    Ok(found.into_iter().map(|(w, _)| w).collect())
}
