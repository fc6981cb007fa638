//! Full-text search over the library for `/search`: one in-memory tantivy document per
//! (briefing, section), rebuilt from scratch whenever the library reloads.
//!
//! Each briefing is indexed with its language's analysis (`lang`): words lower-cased, accents
//! folded, then stemmed, so "operation" finds "operations" and "negociation" finds
//! "négociations". User text is never parsed as query syntax: only "quotes" mean something
//! (a phrase); everything else is words, so no input can make a query fail.
//!
//! A search is two passes, so its cost does not grow with the sections that merely mention a
//! word: a pruned union of every word's terms (and a typo's corrections) picks a few candidates
//! per result shown; then quoted phrases are checked on those candidates only (looked for
//! everywhere only when too few hold them), words typed side by side add to their score, and
//! snippets are made for the shown results only.

use crate::answer::Tag;
use crate::briefings::{Briefing, Library};
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::query::Query;
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexSettings, IndexWriter, ReloadPolicy, Searcher, TantivyDocument,
};

mod fields;
mod lang;
mod plan;
mod rank;
mod snippet;
mod stem;

use fields::{Fields, Zone};
use lang::{Analysis, Analyzers};
use plan::Plan;
use rank::Candidate;

pub use lang::{Lang, QueryLang};
pub use snippet::SNIPPET_MAX_CHARS;

/// Window tantivy picks the best fragment from; leaves room for `**` and escapes.
const FRAGMENT_CHARS: usize = 150;
/// Indexing memory split between writer threads (tantivy needs at least 15 MB per thread).
const WRITER_BUDGET_BYTES: usize = 64_000_000;
/// Candidates the first pass keeps per result shown, and at least: enough for words found side
/// by side to lift a section into the results, few enough to look at each again.
const CANDIDATES_PER_HIT: usize = 4;
const MIN_CANDIDATES: usize = 20;
/// With a quoted phrase, candidates are found by its words, then kept if they hold it: more
/// are needed, since only some will.
const PHRASE_CANDIDATES_PER_HIT: usize = 20;
const MIN_PHRASE_CANDIDATES: usize = 100;

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
    directory: RamDirectory,
    /// Document `ord` → the section it was built from. The `Arc`s are shared with the library,
    /// so section text is not held twice and the index stores no text of its own.
    sections: Vec<(Arc<Briefing>, usize)>,
}

impl SearchIndex {
    /// Indexes every section of every briefing in `library`.
    pub fn build(library: &Library) -> Result<SearchIndex, SearchError> {
        let (schema, f) = Fields::schema();
        let directory = RamDirectory::create();
        let index = Index::create(directory.clone(), schema, IndexSettings::default())?;
        for analysis in Analysis::ALL {
            index
                .tokenizers()
                .register(analysis.name(), analysis.analyzer());
        }
        let mut writer: IndexWriter = index.writer(WRITER_BUDGET_BYTES)?;
        let mut sections = Vec::new();
        // The parser rejects duplicate sections, but hand-built libraries may not; one
        // document per (briefing, section) is what makes hits unique.
        let mut seen = HashSet::new();
        for briefing in library.newest_first() {
            let analysis = Analysis::of_briefing(&briefing.lang);
            for (i, section) in briefing.sections.iter().enumerate() {
                if !seen.insert((briefing.id.as_str(), section.key.as_str())) {
                    continue;
                }
                let mut doc = TantivyDocument::default();
                doc.add_u64(f.ord, sections.len() as u64);
                for (zone, text) in [
                    (Zone::Title, &briefing.title),
                    (Zone::Heading, &section.heading),
                    (Zone::Body, &section.body),
                ] {
                    doc.add_text(f.text(zone, analysis), text);
                    doc.add_text(f.words, text);
                }
                for tag in &briefing.tags {
                    doc.add_text(f.tag, tag.as_str());
                    doc.add_text(f.tag_words, tag.as_str());
                    doc.add_text(f.words, tag.as_str());
                }
                doc.add_text(f.lang, briefing.lang.to_lowercase());
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

    /// Best `limit` matches for a query in any language; see [`SearchIndex::search_as`].
    pub fn search(
        &self,
        query: &str,
        tag: Option<&Tag>,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        self.search_as(query, QueryLang::Any, tag, limit)
    }

    /// Best `limit` matches, at most one hit per (briefing, section), best first: a title match
    /// above a body mention, a word as typed above an inflection above a typo's correction, and
    /// the newer briefing among equals. `lang` is the language the query is read in; `tag`
    /// filters (case-insensitive).
    pub fn search_as(
        &self,
        query: &str,
        lang: QueryLang,
        tag: Option<&Tag>,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let limit = limit.min(self.sections.len());
        let mut analyzers = Analyzers::new();
        let Some(mut plan) = Plan::read(query, &mut analyzers).filter(|_| limit > 0) else {
            return Ok(Vec::new());
        };
        plan.correct_typos(&self.searcher, &self.fields, &mut analyzers, lang)?;
        let (fields, searcher) = (&self.fields, &self.searcher);
        let wanted = if plan.phrases.is_empty() {
            (limit * CANDIDATES_PER_HIT).max(MIN_CANDIDATES)
        } else {
            (limit * PHRASE_CANDIDATES_PER_HIT).max(MIN_PHRASE_CANDIDATES)
        };
        let query = plan.query(fields, &mut analyzers, lang, tag, false);
        let mut candidates = self.candidates(&query, wanted)?;
        if !plan.phrases.is_empty() {
            // Below the cap, every section holding a word is a candidate: filtering is exact.
            let capped = candidates.len() == wanted.min(self.sections.len());
            for queries in plan.phrase_queries(fields, &mut analyzers, lang) {
                let mut holds = rank::add_scores(searcher, &queries, &mut candidates)?.into_iter();
                candidates.retain(|_| holds.next().unwrap_or(false));
            }
            if candidates.len() < limit && (capped || plan.words.is_empty()) {
                // The phrase is rare among the best word matches: look for it everywhere.
                let query = plan.query(fields, &mut analyzers, lang, tag, true);
                candidates =
                    self.candidates(&query, (limit * CANDIDATES_PER_HIT).max(MIN_CANDIDATES))?;
            }
        }
        let pairs = plan.pairs_queries(fields, &mut analyzers, lang);
        rank::add_scores(searcher, &pairs, &mut candidates)?;
        rank::sort(&mut candidates);
        candidates.truncate(limit);
        self.hits(&plan, &mut analyzers, &candidates)
    }

    /// The best `wanted` sections for `query`, by its score alone.
    fn candidates(&self, query: &dyn Query, wanted: usize) -> Result<Vec<Candidate>, SearchError> {
        // TopDocs panics on 0 and preallocates `wanted`: keep it within the document count.
        let wanted = wanted.min(self.sections.len()).max(1);
        let top = self
            .searcher
            .search(query, &TopDocs::with_limit(wanted).order_by_score())?;
        let mut candidates = Vec::with_capacity(top.len());
        for (score, addr) in top {
            if let Some(ord) = self.ord(addr)? {
                candidates.push(Candidate { score, addr, ord });
            }
        }
        Ok(candidates)
    }

    /// The section a document was built from.
    fn ord(&self, addr: DocAddress) -> Result<Option<u64>, SearchError> {
        let ords = self
            .searcher
            .segment_reader(addr.segment_ord)
            .fast_fields()
            .u64("ord")?;
        Ok(ords.first(addr.doc_id))
    }

    /// The shown results, with their snippets.
    fn hits(
        &self,
        plan: &Plan,
        analyzers: &mut Analyzers,
        candidates: &[Candidate],
    ) -> Result<Vec<Hit>, SearchError> {
        let mut generators: Vec<(Analysis, SnippetGenerator)> = Vec::new();
        let mut hits = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            let Some((briefing, i)) = usize::try_from(candidate.ord)
                .ok()
                .and_then(|ord| self.sections.get(ord))
            else {
                continue;
            };
            let section = &briefing.sections[*i];
            let analysis = Analysis::of_briefing(&briefing.lang);
            if !generators.iter().any(|(a, _)| *a == analysis) {
                let terms =
                    plan.highlight_terms(&self.searcher, &self.fields, analyzers, analysis)?;
                let field = self.fields.text(Zone::Body, analysis);
                let generator =
                    SnippetGenerator::new(terms, analysis.analyzer(), field, FRAGMENT_CHARS);
                generators.push((analysis, generator));
            }
            let Some((_, generator)) = generators.iter().find(|(a, _)| *a == analysis) else {
                continue;
            };
            hits.push(Hit {
                briefing_id: briefing.id.clone(),
                title: briefing.title.clone(),
                section_key: section.key.to_string(),
                heading: section.heading.clone(),
                snippet: snippet::excerpt(&section.body, &generator.snippet(&section.body)),
                score: candidate.score,
            });
        }
        Ok(hits)
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
