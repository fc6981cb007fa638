//! How text becomes index terms: every word lower-cased and accent-folded (so "negociation" finds
//! "négociations"), then cut to its stem in the briefing's language, so a singular finds a
//! plural and one tense finds another. A briefing in a language without a stemmer is matched on
//! folded words only.

use super::stem::FoldedStems;
use frostem::Algorithm;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TokenStream,
};

/// Words longer than this (in bytes) are not indexed: they are not words but noise.
const MAX_WORD_BYTES: usize = 40;

/// A language the index stems. Adding one is a variant here and a line in each `match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    English,
    French,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::English, Lang::French];

    /// The stemmer for a briefing's `lang`: `en`, `EN-gb`, `fr_CA`, `français`…; `None` for a
    /// language without one.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_lowercase();
        match primary.as_str() {
            "en" | "eng" | "english" => Some(Lang::English),
            "fr" | "fra" | "fre" | "french" | "français" | "francais" => Some(Lang::French),
            _ => None,
        }
    }

    fn stemmer(self) -> Algorithm {
        match self {
            Lang::English => Algorithm::English,
            Lang::French => Algorithm::French,
        }
    }
}

/// Which languages a query is read in. A member's locale can narrow it one day; until it is
/// known, every stemmer reads the query and each matches the briefings in its language.
/// Folded words match every briefing whatever this says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueryLang {
    #[default]
    Any,
    Only(Lang),
}

impl QueryLang {
    pub(super) fn includes(self, lang: Lang) -> bool {
        match self {
            QueryLang::Any => true,
            QueryLang::Only(only) => only == lang,
        }
    }
}

/// One way of turning text into terms; each has its own fields in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Analysis {
    Folded,
    Stemmed(Lang),
}

impl Analysis {
    pub const ALL: [Analysis; 3] = [
        Analysis::Folded,
        Analysis::Stemmed(Lang::English),
        Analysis::Stemmed(Lang::French),
    ];

    /// How a briefing written in `code` is indexed.
    pub fn of_briefing(code: &str) -> Analysis {
        Lang::from_code(code).map_or(Analysis::Folded, Analysis::Stemmed)
    }

    /// The analyses a query is read with: folded always, and the stemmers `lang` allows.
    pub fn for_query(lang: QueryLang) -> impl Iterator<Item = Analysis> {
        Analysis::ALL.into_iter().filter(move |a| match a {
            Analysis::Folded => true,
            Analysis::Stemmed(l) => lang.includes(*l),
        })
    }

    /// Name the index registers the analyzer under, and a suffix of its fields' names.
    pub fn name(self) -> &'static str {
        match self {
            Analysis::Folded => "folded",
            Analysis::Stemmed(Lang::English) => "en",
            Analysis::Stemmed(Lang::French) => "fr",
        }
    }

    pub fn analyzer(self) -> TextAnalyzer {
        let words = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
            .filter(LowerCaser);
        match self {
            Analysis::Folded => words.filter(AsciiFoldingFilter).build(),
            Analysis::Stemmed(lang) => words.filter(FoldedStems(lang.stemmer())).build(),
        }
    }
}

/// The analyzers of one search, built once: building one is cheap, but not free.
pub(super) struct Analyzers {
    /// Words as typed, lower-cased: each analysis reads them from there.
    lowered: TextAnalyzer,
    by_analysis: Vec<TextAnalyzer>,
}

impl Analyzers {
    pub fn new() -> Analyzers {
        Analyzers {
            lowered: TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
                .filter(LowerCaser)
                .build(),
            by_analysis: Analysis::ALL.map(Analysis::analyzer).into(),
        }
    }

    pub fn get(&mut self, analysis: Analysis) -> &mut TextAnalyzer {
        let i = Analysis::ALL
            .iter()
            .position(|a| *a == analysis)
            .expect("every analysis has an analyzer");
        &mut self.by_analysis[i]
    }

    /// The words of `text`, in order, lower-cased as typed.
    pub fn words(&mut self, text: &str) -> Vec<String> {
        let mut words = Vec::new();
        self.lowered
            .token_stream(text)
            .process(&mut |t| words.push(t.text.clone()));
        words
    }

    /// The terms `text` becomes in `analysis`: one per word, or two for a stemmed word whose
    /// stem depends on its accents.
    pub fn terms(&mut self, analysis: Analysis, text: &str) -> Vec<String> {
        let mut terms = Vec::new();
        self.get(analysis)
            .token_stream(text)
            .process(&mut |t| terms.push(t.text.clone()));
        terms
    }

    /// The terms a query word (lower-cased as typed) is looked for as. A French participle
    /// typed without its accent ("inondees") is also read with it ("inondées"): Snowball only
    /// recognises the ending with the accent, so without it the stem misses "inondations".
    pub fn query_terms(&mut self, analysis: Analysis, word: &str) -> Vec<String> {
        let mut terms = self.terms(analysis, word);
        if analysis == Analysis::Stemmed(Lang::French) {
            if let Some(accented) = accent_participle(word) {
                for term in self.terms(analysis, &accented) {
                    if !terms.contains(&term) {
                        terms.push(term);
                    }
                }
            }
        }
        terms
    }
}

/// `word` with the é of a French past participle put back: "-ee(s)" → "-ée(s)", "-e(s)" →
/// "-é(s)"; `None` for a word that already has accents.
fn accent_participle(word: &str) -> Option<String> {
    if !word.is_ascii() {
        return None;
    }
    let singular = word.strip_suffix('s').unwrap_or(word);
    let plural = &word[singular.len()..];
    let (base, ending) = match singular.strip_suffix("ee") {
        Some(base) => (base, "ée"),
        None => (singular.strip_suffix('e')?, "é"),
    };
    (base.len() >= 3).then(|| format!("{base}{ending}{plural}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(analysis: Analysis, text: &str) -> Vec<String> {
        let mut analyzer = analysis.analyzer();
        let mut out = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t| out.push(t.text.clone()));
        out
    }

    #[test]
    fn briefing_languages_pick_their_stemmer() {
        assert_eq!(Lang::from_code("en"), Some(Lang::English));
        assert_eq!(Lang::from_code(" EN-gb "), Some(Lang::English));
        assert_eq!(Lang::from_code("fr_CA"), Some(Lang::French));
        assert_eq!(Lang::from_code("Français"), Some(Lang::French));
        assert_eq!(Lang::from_code("de"), None);
        assert_eq!(Lang::from_code(""), None);
        assert_eq!(Analysis::of_briefing("ha"), Analysis::Folded);
    }

    #[test]
    fn inflections_share_a_stem_with_or_without_accents() {
        let en = Analysis::Stemmed(Lang::English);
        assert_eq!(terms(en, "operation"), terms(en, "Operations"));
        assert_eq!(terms(en, "negotiated"), terms(en, "negotiating"));
        let fr = Analysis::Stemmed(Lang::French);
        assert_eq!(terms(fr, "négociations"), terms(fr, "negociation"));
        assert_eq!(terms(Analysis::Folded, "Économie"), ["economie"]);
        // Typed without accents, a word meets the accented one in either of its stems.
        let mut analyzers = Analyzers::new();
        let mut meet = |typed: &str, indexed: &str| {
            let indexed = terms(fr, indexed);
            let typed = analyzers.query_terms(fr, typed);
            assert!(
                typed.iter().any(|t| indexed.contains(t)),
                "{typed:?} / {indexed:?}"
            );
        };
        meet("inondees", "inondées");
        meet("inondation", "inondées");
        meet("negociation", "négocié");
        meet("reunis", "réunis");
        meet("inondees", "inondations");
        meet("negocie", "négociations");
    }

    #[test]
    fn a_hint_narrows_the_stemmers_but_keeps_folded_words() {
        let only_fr: Vec<_> = Analysis::for_query(QueryLang::Only(Lang::French)).collect();
        assert_eq!(only_fr, [Analysis::Folded, Analysis::Stemmed(Lang::French)]);
        assert_eq!(Analysis::for_query(QueryLang::Any).count(), 3);
    }
}
