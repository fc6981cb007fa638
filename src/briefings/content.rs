//! What the bot serves at a given moment: the briefing library, its load report, the search
//! index and the answers rendered from it, built together so they always agree. A reload builds
//! a new `Content` and swaps it in; readers keep the `Arc` they hold.

use crate::briefings::search::SearchIndex;
use crate::briefings::{Briefing, Library, LoadReport, Symlinks};
use crate::config::Config;
use crate::render::{self, Prepared};
use anyhow::Context as _;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

pub struct Content {
    pub library: Library,
    pub report: LoadReport,
    pub search: SearchIndex,
    pub answers: AnswerCache,
}

/// Each briefing's answers (`/brief` and each section), rendered and serialized the first time
/// one is asked for and kept for the life of the library snapshot, so answering again is a
/// lookup. Only the answers members ask for take memory, and at most `ANSWER_CACHE_BYTES` of them:
/// past that, answers are rendered each time, as if there were no cache.
///
/// The rendered messages hold no words of the bot's own (only the briefing's title, headings,
/// text and tags, a "2/3" counter, and a timestamp that Discord shows in each reader's own
/// language and zone), so one rendering serves every locale.
#[derive(Debug)]
pub struct AnswerCache {
    slots: HashMap<String, Slot>,
    /// JSON bytes kept so far.
    bytes: AtomicUsize,
    limit: usize,
}

/// The most JSON an answer cache keeps: every answer of some 4,500 briefings of 3 KB, less than
/// a library of 10,000 such briefings takes itself (about 45 MiB).
pub const ANSWER_CACHE_BYTES: usize = 32 << 20;

#[derive(Debug)]
struct Slot {
    /// The briefing of this snapshot with that id: only it is answered from the cache.
    briefing: Arc<Briefing>,
    whole: OnceLock<Prepared>,
    /// In the order of `Briefing::sections`.
    sections: Box<[OnceLock<Prepared>]>,
}

impl AnswerCache {
    /// A slot for every briefing of `library`; nothing is rendered yet.
    pub fn new(library: &Library) -> AnswerCache {
        Self::with_limit(library, ANSWER_CACHE_BYTES)
    }

    /// A cache that keeps at most `limit` bytes of JSON.
    pub fn with_limit(library: &Library, limit: usize) -> AnswerCache {
        let slots = library.newest_first().map(|b| {
            let slot = Slot {
                briefing: Arc::clone(b),
                whole: OnceLock::new(),
                sections: b.sections.iter().map(|_| OnceLock::new()).collect(),
            };
            (b.id.clone(), slot)
        });
        AnswerCache {
            slots: slots.collect(),
            bytes: AtomicUsize::new(0),
            limit,
        }
    }

    /// `/brief`: every section of `b`.
    pub fn briefing(&self, b: &Briefing) -> Prepared {
        let render = || Prepared::new(&render::render_briefing(b));
        match self.slot(b) {
            Some(slot) => self.kept(&slot.whole, render),
            None => render(),
        }
    }

    /// The section of `b` at `index` in `b.sections`.
    pub fn section(&self, b: &Briefing, index: usize) -> Prepared {
        let render = || Prepared::new(&render::render_section(b, &b.sections[index]));
        match self.slot(b) {
            Some(slot) => self.kept(&slot.sections[index], render),
            None => render(),
        }
    }

    /// JSON bytes the cache holds.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The slot of `b`; `None` for a briefing that is not this snapshot's (an older or edited
    /// copy), which is rendered each time instead.
    fn slot(&self, b: &Briefing) -> Option<&Slot> {
        let slot = self.slots.get(&b.id)?;
        std::ptr::eq(&*slot.briefing, b).then_some(slot)
    }

    /// What `cell` holds, or `render`'s answer, kept in `cell` while the cache has room.
    fn kept(&self, cell: &OnceLock<Prepared>, render: impl FnOnce() -> Prepared) -> Prepared {
        if let Some(kept) = cell.get() {
            return kept.clone();
        }
        let answer = render();
        let size = answer.messages().map(str::len).sum::<usize>();
        let before = self.bytes.fetch_add(size, Ordering::Relaxed);
        // Two answering at once may both render it: one copy is kept, the other counted back.
        if before + size > self.limit || cell.set(answer.clone()).is_err() {
            self.bytes.fetch_sub(size, Ordering::Relaxed);
        }
        answer
    }
}

impl Content {
    /// Loads the briefings folder the config names. With `previous`, a file that broke keeps
    /// its last good version.
    pub fn load(config: &Config, previous: Option<&Content>) -> anyhow::Result<Content> {
        let dir = &config.briefings.dir;
        let lang = &config.briefings.default_lang;
        let links = Symlinks::follow(config.briefings.follow_symlinks);
        let (library, report) = match previous {
            Some(prev) => prev.library.reload(dir, &config.sections, lang, links),
            None => Library::load(dir, &config.sections, lang, links),
        }
        .with_context(|| format!("cannot read briefings folder `{}`", dir.display()))?;
        let search = SearchIndex::build(&library).context("cannot build the search index")?;
        crate::metrics::briefings(library.len(), report.skipped());
        let answers = AnswerCache::new(&library);
        Ok(Content {
            library,
            report,
            search,
            answers,
        })
    }

    /// A one-line account of what changed since `old`, for logs and `/briefbot reload`.
    pub fn changes_since(&self, old: &Content) -> String {
        let ids = |lib: &Library| -> HashSet<String> {
            lib.newest_first().map(|b| b.id.clone()).collect()
        };
        let (new_ids, old_ids) = (ids(&self.library), ids(&old.library));
        let added = new_ids.difference(&old_ids).count();
        let removed = old_ids.difference(&new_ids).count();
        let changed = new_ids
            .intersection(&old_ids)
            .filter(|id| self.library.get(id).map(|b| &**b) != old.library.get(id).map(|b| &**b))
            .count();
        let mut line = format!(
            "{} briefing(s): {added} added, {changed} changed, {removed} removed",
            self.library.len()
        );
        if !self.report.errors.is_empty() {
            line.push_str(&format!("; {} file(s) with errors", self.report.skipped()));
        }
        if !self.report.kept_previous.is_empty() {
            line.push_str(&format!(
                " ({} kept at their last good version)",
                self.report.kept_previous.len()
            ));
        }
        line
    }

    /// The source the digest scheduler reads: whatever `current` returns at each delivery.
    pub fn source(
        current: impl Fn() -> std::sync::Arc<Content> + Send + Sync + 'static,
    ) -> crate::digests::scheduler::LibrarySource {
        std::sync::Arc::new(
            move || -> std::sync::Arc<dyn crate::digests::scheduler::LibrarySnapshot> { current() },
        )
    }

    /// Logs every problem of the last load; the bot keeps serving what did load.
    pub fn log_problems(&self) {
        for error in &self.report.errors {
            tracing::warn!(%error, "briefing skipped");
        }
        for link in &self.report.outside_links {
            tracing::warn!(
                link = %link.link.display(),
                target = %link.target.display(),
                "briefing skipped: a link to a file outside the briefings folder \
                 (briefings.follow_symlinks = true serves it)"
            );
        }
    }
}

impl crate::digests::scheduler::LibrarySnapshot for Content {
    fn library(&self) -> &Library {
        &self.library
    }
}
