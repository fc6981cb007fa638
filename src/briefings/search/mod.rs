//! Full-text search over the library for `/search`: one in-memory tantivy document per
//! (briefing, section), rebuilt from scratch whenever the library reloads.
//!
//! User text is never parsed as query syntax: it is tokenized with the index's own analyzer
//! (lowercased, accents folded) and its words are OR-ed with BM25 ranking, so no input can make a
//! query fail. Snippets come back as Discord Markdown with the matched words in bold.

use crate::answer::Tag;
use crate::briefings::{Briefing, Library};
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{doc, Index, IndexSettings, IndexWriter, ReloadPolicy, Searcher, Term};

mod snippet;

pub use snippet::SNIPPET_MAX_CHARS;

/// Window tantivy picks the best fragment from; leaves room for `**` and escapes.
const FRAGMENT_CHARS: usize = 150;
/// Only the start of a long query is read: this bounds the work one slash command can cause.
const MAX_QUERY_CHARS: usize = 500;
const MAX_QUERY_WORDS: usize = 24;
/// Indexing memory split between writer threads (tantivy needs at least 15 MB per thread).
const WRITER_BUDGET_BYTES: usize = 64_000_000;
const FOLDED: &str = "folded";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// One match: a section of a briefing. `title` and `heading` are raw text for the renderer
/// to escape; `snippet` is ready-made Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub briefing_id: String,
    pub title: String,
    pub section_key: String,
    pub heading: String,
    pub snippet: String,
    pub score: f32,
}

/// An immutable index over one `Library` snapshot. Building it takes seconds for large
/// libraries, so async callers should build it on a blocking thread and swap in the new one.
pub struct SearchIndex {
    searcher: Searcher,
    fields: Fields,
    analyzer: TextAnalyzer,
    directory: RamDirectory,
    /// Document `ord` → the section it was built from. The `Arc`s are shared with the library,
    /// so section text is not held twice and the index stores no text of its own.
    sections: Vec<(Arc<Briefing>, usize)>,
}

#[derive(Clone, Copy)]
struct Fields {
    ord: Field,
    title: Field,
    heading: Field,
    body: Field,
    tag_words: Field,
    /// The tag in its normal form, whole: what the tag filter matches.
    tag: Field,
    /// Indexed so a language filter costs no rebuild; `/search` does not use it yet.
    lang: Field,
}

impl Fields {
    fn schema() -> (Schema, Fields) {
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(FOLDED)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let mut b = Schema::builder();
        let fields = Fields {
            ord: b.add_u64_field("ord", FAST),
            title: b.add_text_field("title", text.clone()),
            heading: b.add_text_field("heading", text.clone()),
            body: b.add_text_field("body", text.clone()),
            tag_words: b.add_text_field("tag_words", text),
            tag: b.add_text_field("tag", STRING),
            lang: b.add_text_field("lang", STRING),
        };
        (b.build(), fields)
    }
}

/// Words, not characters, are the unit of matching; folding lets "economie" find "économie".
fn folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

impl SearchIndex {
    /// Indexes every section of every briefing in `library`.
    pub fn build(library: &Library) -> Result<SearchIndex, SearchError> {
        let (schema, f) = Fields::schema();
        let directory = RamDirectory::create();
        let index = Index::create(directory.clone(), schema, IndexSettings::default())?;
        index.tokenizers().register(FOLDED, folded_analyzer());
        let mut writer: IndexWriter = index.writer(WRITER_BUDGET_BYTES)?;
        let mut sections = Vec::new();
        // The parser rejects duplicate sections, but hand-built libraries may not; one
        // document per (briefing, section) is what makes hits unique.
        let mut seen = HashSet::new();
        for briefing in library.newest_first() {
            for (i, section) in briefing.sections.iter().enumerate() {
                if !seen.insert((briefing.id.as_str(), section.key.as_str())) {
                    continue;
                }
                let mut doc = doc!(
                    f.ord => sections.len() as u64,
                    f.title => briefing.title.as_str(),
                    f.heading => section.heading.as_str(),
                    f.body => section.body.as_str(),
                    f.lang => briefing.lang.to_lowercase(),
                );
                for tag in &briefing.tags {
                    doc.add_text(f.tag, tag.as_str());
                    doc.add_text(f.tag_words, tag.as_str());
                }
                writer.add_document(doc)?;
                sections.push((Arc::clone(briefing), i));
            }
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            searcher: reader.searcher(),
            fields: f,
            analyzer: folded_analyzer(),
            directory,
            sections,
        })
    }

    /// Number of indexed sections.
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// Bytes held by the index files (postings, fast fields), for status and metrics.
    pub fn index_bytes(&self) -> usize {
        self.directory.total_mem_usage()
    }

    /// Best `limit` matches, at most one hit per (briefing, section), best first; `tag`
    /// filters (case-insensitive).
    pub fn search(
        &self,
        query: &str,
        tag: Option<&Tag>,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let words = self.words(query);
        // TopDocs panics on 0 and preallocates `limit`, so keep it within the document count.
        let limit = limit.min(self.sections.len());
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let text_query = self.text_query(&words);
        let mut snippets = SnippetGenerator::create(&self.searcher, &text_query, self.fields.body)?;
        snippets.set_max_num_chars(FRAGMENT_CHARS);
        let query: Box<dyn Query> = match tag {
            Some(tag) => {
                let term = Term::from_field_text(self.fields.tag, tag.as_str());
                let filter = TermQuery::new(term, IndexRecordOption::Basic);
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(text_query)),
                    // Score 0: the tag narrows the results without reordering them.
                    (
                        Occur::Must,
                        Box::new(ConstScoreQuery::new(Box::new(filter), 0.0)),
                    ),
                ]))
            }
            _ => Box::new(text_query),
        };
        let top = self
            .searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let ords = self
                .searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("ord")?;
            let Some((briefing, i)) = ords
                .first(addr.doc_id)
                .and_then(|ord| self.sections.get(ord as usize))
            else {
                continue;
            };
            let section = &briefing.sections[*i];
            hits.push(Hit {
                briefing_id: briefing.id.clone(),
                title: briefing.title.clone(),
                section_key: section.key.to_string(),
                heading: section.heading.clone(),
                snippet: snippet::excerpt(&section.body, &snippets.snippet(&section.body)),
                score,
            });
        }
        Ok(hits)
    }

    /// The query's words as the index spells them, in order, repeats included.
    fn words(&self, query: &str) -> Vec<String> {
        let end = query
            .char_indices()
            .nth(MAX_QUERY_CHARS)
            .map_or(query.len(), |(i, _)| i);
        let mut analyzer = self.analyzer.clone();
        let mut words = Vec::new();
        analyzer.token_stream(&query[..end]).process(&mut |token| {
            // A lone letter is the tail of "what's" or the head of "l'économie", not a word:
            // matching it would bold every "s" after an apostrophe.
            let letter = token.text.len() == 1 && token.text.as_bytes()[0].is_ascii_alphabetic();
            if !letter {
                words.push(token.text.clone());
            }
        });
        words.truncate(MAX_QUERY_WORDS);
        words
    }

    /// Any word may match; a title or tag hit weighs more than a body mention, and adjacent
    /// query words found side by side (a phrase) add to the score.
    fn text_query(&self, words: &[String]) -> BooleanQuery {
        let f = self.fields;
        let boosted = |q: Box<dyn Query>, boost: f32| -> (Occur, Box<dyn Query>) {
            (Occur::Should, Box::new(BoostQuery::new(q, boost)))
        };
        let mut clauses = Vec::new();
        let mut distinct = words.to_vec();
        // Sorted, not hashed: the same query must sum its scores in the same order every time.
        distinct.sort_unstable();
        distinct.dedup();
        for word in &distinct {
            for (field, boost) in [
                (f.title, 3.0),
                (f.tag_words, 2.0),
                (f.heading, 1.5),
                (f.body, 1.0),
            ] {
                let term = Term::from_field_text(field, word);
                clauses.push(boosted(
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                    boost,
                ));
            }
        }
        for pair in words.windows(2) {
            for (field, boost) in [(f.title, 3.0), (f.body, 1.0)] {
                let terms = pair
                    .iter()
                    .map(|w| Term::from_field_text(field, w))
                    .collect();
                clauses.push(boosted(Box::new(PhraseQuery::new(terms)), boost));
            }
        }
        BooleanQuery::new(clauses)
    }
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("sections", &self.sections.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
