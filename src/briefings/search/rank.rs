//! The second look at the first pass's best candidates: a score that is too costly to compute for
//! every matching section (words found side by side) is added to theirs alone, then ties go to
//! the newer briefing.

use std::cmp::Ordering;
use tantivy::query::{EnableScoring, Query, Scorer};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult};

#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub score: Score,
    pub addr: DocAddress,
    /// Place in the library: newest briefing first, sections in their order.
    pub ord: u64,
}

/// Adds each query's score, times its weight, to the candidates it matches; says which
/// candidates any of them matched.
pub(super) fn add_scores(
    searcher: &Searcher,
    queries: &[(Box<dyn Query>, f32)],
    candidates: &mut [Candidate],
) -> tantivy::Result<Vec<bool>> {
    let mut matched = vec![false; candidates.len()];
    // Scorers only move forward: visit the candidates in document order.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| (candidates[i].addr.segment_ord, candidates[i].addr.doc_id));
    for (query, weight) in queries {
        let scoring = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        // The segment's scorer, and the first document it may still match. A phrase scorer
        // asked for one document must not scan ahead to its next match (that can be most of
        // the index), so it is only ever asked whether this one matches: `seek_danger`.
        let mut current: Option<(u32, Box<dyn Scorer>, DocId)> = None;
        for &i in &order {
            let DocAddress {
                segment_ord,
                doc_id,
            } = candidates[i].addr;
            let result = match current.as_mut() {
                Some((segment, _, next)) if *segment == segment_ord && doc_id < *next => continue,
                Some((segment, scorer, _)) if *segment == segment_ord => scorer.seek_danger(doc_id),
                _ => {
                    let reader = searcher.segment_reader(segment_ord);
                    let (result, scorer) = scoring.scorer_danger(reader, doc_id, 1.0)?;
                    current = Some((segment_ord, scorer, doc_id));
                    result
                }
            };
            let Some((_, scorer, next)) = current.as_mut() else {
                continue;
            };
            match result {
                SeekDangerResult::Found => {
                    candidates[i].score += weight * scorer.score();
                    matched[i] = true;
                    *next = doc_id + 1;
                }
                SeekDangerResult::SeekLowerBound(bound) => *next = bound,
            }
        }
    }
    Ok(matched)
}

/// Best score first; among equal scores, the newer briefing.
pub(super) fn sort(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(Ordering::Equal)
            .then(a.ord.cmp(&b.ord))
    });
}
