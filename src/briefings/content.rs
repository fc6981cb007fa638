//! What the bot serves at a given moment: the briefing library, its load report and the search
//! index, built together so they always agree. A reload builds a new `Content` and swaps it in;
//! readers keep the `Arc` they hold.

use crate::briefings::search::SearchIndex;
use crate::briefings::{Library, LoadReport, Symlinks};
use crate::config::Config;
use anyhow::Context as _;
use std::collections::HashSet;

pub struct Content {
    pub library: Library,
    pub report: LoadReport,
    pub search: SearchIndex,
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
        Ok(Content {
            library,
            report,
            search,
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
