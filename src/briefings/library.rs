//! The briefings folder loaded into an immutable snapshot, indexed by id, date, tag and section.
//! A reload builds a new `Library`; readers keep the one they hold until they ask again.

use super::parse::{parse_briefing, ParseError, ParseInput, SourceKind};
use super::{Briefing, SectionCatalog};
use crate::answer::Tag;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a load found: how many briefings loaded, and every problem with the files it skipped.
#[derive(Debug, Default, Clone)]
pub struct LoadReport {
    pub loaded: usize,
    pub errors: Vec<ParseError>,
    /// Files that are not briefings (other extensions, hidden files), ignored.
    pub ignored: Vec<PathBuf>,
    /// Ids of broken files still served in their last good version (on reload).
    pub kept_previous: Vec<String>,
    /// Links to files outside the folder, skipped (see [`Symlinks`]).
    pub outside_links: Vec<OutsideLink>,
}

impl LoadReport {
    /// Number of distinct files skipped because of errors or because they link outside.
    pub fn skipped(&self) -> usize {
        let mut paths: Vec<&str> = self.errors.iter().map(|e| e.path.as_str()).collect();
        paths.dedup();
        paths.len() + self.outside_links.len()
    }
}

/// Which file links in the folder are served. Whoever may write the folder could otherwise
/// make the bot publish any file it can read (a key, a config) by linking to it, as long as
/// it is shaped like a briefing. Links to folders are never followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Symlinks {
    /// Links whose target lies inside the folder; others are skipped and reported.
    #[default]
    InsideOnly,
    /// Every file link (`briefings.follow_symlinks = true`).
    Follow,
}

impl Symlinks {
    pub fn follow(follow: bool) -> Symlinks {
        if follow {
            Symlinks::Follow
        } else {
            Symlinks::InsideOnly
        }
    }
}

/// A briefing file that is a link to a file outside the folder, skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideLink {
    pub link: PathBuf,
    /// Where it leads, every link resolved.
    pub target: PathBuf,
}

impl std::fmt::Display for OutsideLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: skipped: a link to {}, outside the briefings folder (set \
             briefings.follow_symlinks = true to serve it)",
            self.link.display(),
            self.target.display()
        )
    }
}

/// An immutable, indexed set of briefings, newest first.
#[derive(Debug, Default, Clone)]
pub struct Library {
    briefings: Vec<Arc<Briefing>>,
    by_id: HashMap<String, usize>,
    by_tag: BTreeMap<Tag, Vec<usize>>,
}

impl Library {
    /// Loads every briefing below `dir`. Only an unreadable folder is an error; a bad file is
    /// reported in the `LoadReport` and skipped.
    pub fn load(
        dir: &Path,
        catalog: &SectionCatalog,
        default_lang: &str,
        links: Symlinks,
    ) -> std::io::Result<(Library, LoadReport)> {
        Self::load_keeping(dir, catalog, default_lang, links, None)
    }

    /// Loads the folder again. A file that loaded before but is now broken keeps its last good
    /// version (its errors are still reported), so a half-saved edit never takes it offline.
    pub fn reload(
        &self,
        dir: &Path,
        catalog: &SectionCatalog,
        default_lang: &str,
        links: Symlinks,
    ) -> std::io::Result<(Library, LoadReport)> {
        Self::load_keeping(dir, catalog, default_lang, links, Some(self))
    }

    fn load_keeping(
        dir: &Path,
        catalog: &SectionCatalog,
        default_lang: &str,
        links: Symlinks,
        previous: Option<&Library>,
    ) -> std::io::Result<(Library, LoadReport)> {
        let mut files = Vec::new();
        let mut report = LoadReport::default();
        let walk = Walk {
            root: std::fs::canonicalize(dir)?,
            links,
        };
        walk.collect(dir, &mut files, &mut report)?;
        files.sort_by(|a, b| a.0.cmp(&b.0));

        let parsed = parse_all(dir, &files, catalog, default_lang);
        let mut briefings: Vec<Briefing> = Vec::with_capacity(files.len());
        let mut seen: HashMap<String, String> = HashMap::new();
        for ((path, _), (id, result)) in files.iter().zip(parsed) {
            let shown = path.display().to_string();
            if let Some(other) = seen.get(&id) {
                report.errors.push(ParseError {
                    path: shown,
                    line: 1,
                    reason: format!("duplicate briefing id `{id}` (also used by {other})"),
                });
                continue;
            }
            let briefing = match result {
                Ok(b) => b,
                Err(mut errs) => {
                    report.errors.append(&mut errs);
                    match previous.and_then(|lib| lib.get(&id)) {
                        Some(last_good) => {
                            report.kept_previous.push(id.clone());
                            (**last_good).clone()
                        }
                        None => continue,
                    }
                }
            };
            seen.insert(id, shown);
            briefings.push(briefing);
        }
        report.loaded = briefings.len() - report.kept_previous.len();
        Ok((Library::from_briefings(briefings), report))
    }

    /// Builds the indexes over already parsed briefings.
    pub fn from_briefings(mut briefings: Vec<Briefing>) -> Library {
        briefings.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
        let briefings: Vec<Arc<Briefing>> = briefings.into_iter().map(Arc::new).collect();
        let mut by_id = HashMap::with_capacity(briefings.len());
        let mut by_tag: BTreeMap<Tag, Vec<usize>> = BTreeMap::new();
        for (idx, b) in briefings.iter().enumerate() {
            by_id.insert(b.id.clone(), idx);
            for tag in &b.tags {
                by_tag.entry(tag.clone()).or_default().push(idx);
            }
        }
        Library {
            briefings,
            by_id,
            by_tag,
        }
    }

    pub fn len(&self) -> usize {
        self.briefings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.briefings.is_empty()
    }

    /// A briefing by id; ids are compared after slugging, so `2026/Sahel Alliance` finds
    /// `2026/sahel-alliance`.
    pub fn get(&self, id: &str) -> Option<&Arc<Briefing>> {
        let idx = self
            .by_id
            .get(id)
            .or_else(|| self.by_id.get(&briefing_id(Path::new(id.trim()))))?;
        self.briefings.get(*idx)
    }

    pub fn latest(&self) -> Option<&Arc<Briefing>> {
        self.briefings.first()
    }

    /// All briefings, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Arc<Briefing>> {
        self.briefings.iter()
    }

    /// Briefings carrying `tag`, newest first.
    pub fn with_tag<'a>(&'a self, tag: &Tag) -> impl Iterator<Item = &'a Arc<Briefing>> + 'a {
        let idxs = self.by_tag.get(tag).map(Vec::as_slice).unwrap_or(&[]);
        idxs.iter().map(|&i| &self.briefings[i])
    }

    /// Every tag with the number of briefings carrying it, alphabetically.
    pub fn tags(&self) -> impl Iterator<Item = (&str, usize)> {
        self.by_tag.iter().map(|(t, v)| (t.as_str(), v.len()))
    }

    /// Briefings having a section with this key, newest first.
    pub fn with_section<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Arc<Briefing>> {
        self.briefings
            .iter()
            .filter(move |b| b.section(key).is_some())
    }
}

/// The id of a briefing at `rel` (relative to the folder): each path component slugged, the
/// extension dropped, joined with `/`.
pub fn briefing_id(rel: &Path) -> String {
    let without_ext = rel.with_extension("");
    without_ext
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(part) => Some(slug::slugify(part.to_string_lossy())),
            _ => None,
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads and parses `files` (sorted) on every core, returning their ids and results in order.
/// Parsing is independent per file, and a large folder loads in a fraction of the time.
fn parse_all(
    dir: &Path,
    files: &[(PathBuf, SourceKind)],
    catalog: &SectionCatalog,
    default_lang: &str,
) -> Vec<(String, Result<Briefing, Vec<ParseError>>)> {
    let parse_one = |(path, kind): &(PathBuf, SourceKind)| {
        let shown = path.display().to_string();
        let id = briefing_id(path.strip_prefix(dir).unwrap_or(path));
        let result = match read_with_mtime(path) {
            Ok((bytes, modified)) => {
                let input = ParseInput {
                    id: &id,
                    path: &shown,
                    kind: *kind,
                    modified,
                    catalog,
                    default_lang,
                };
                parse_briefing(&input, &bytes)
            }
            Err(e) => Err(vec![ParseError {
                path: shown,
                line: 1,
                reason: format!("cannot read file: {e}"),
            }]),
        };
        (id, result)
    };
    const MIN_PER_THREAD: usize = 64;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len() / MIN_PER_THREAD)
        .max(1);
    if threads == 1 {
        return files.iter().map(parse_one).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(parse_one).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("briefing parser thread panicked"))
            .collect()
    })
}

/// The file's bytes and modification time, from one open (fstat on the handle, not the path).
fn read_with_mtime(path: &Path) -> std::io::Result<(Vec<u8>, DateTime<Utc>)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok((bytes, DateTime::<Utc>::from(meta.modified()?)))
}

/// What a walk of the folder needs besides the folder it is in.
struct Walk {
    /// The briefings folder with every link resolved, to tell where a link leads.
    root: PathBuf,
    links: Symlinks,
}

impl Walk {
    fn collect(
        &self,
        dir: &Path,
        files: &mut Vec<(PathBuf, SourceKind)>,
        report: &mut LoadReport,
    ) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            let file_type = entry.file_type()?;
            let kind = SourceKind::from_path(&path);
            if hidden {
                tracing::debug!(path = %path.display(), "ignoring hidden file");
                report.ignored.push(path);
            } else if file_type.is_dir() {
                self.collect(&path, files, report)?;
            } else if let (Some(kind), true) = (kind, file_type.is_symlink()) {
                self.link(path, kind, files, report);
            } else if let Some(kind) = kind {
                files.push((path, kind));
            } else {
                tracing::debug!(path = %path.display(), "ignoring file that is not a briefing");
                report.ignored.push(path);
            }
        }
        Ok(())
    }

    /// A link named like a briefing: served when it leads to a file inside the folder (or
    /// links are followed), reported when it leads outside, ignored when it leads to a folder.
    /// A broken link is kept, so that reading it reports why.
    fn link(
        &self,
        path: PathBuf,
        kind: SourceKind,
        files: &mut Vec<(PathBuf, SourceKind)>,
        report: &mut LoadReport,
    ) {
        let Ok(target) = std::fs::canonicalize(&path) else {
            files.push((path, kind));
            return;
        };
        if target.is_dir() {
            tracing::debug!(path = %path.display(), "ignoring link to a folder");
            report.ignored.push(path);
        } else if self.links == Symlinks::Follow || target.starts_with(&self.root) {
            files.push((path, kind));
        } else {
            report
                .outside_links
                .push(OutsideLink { link: path, target });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_slugged_relative_paths_without_extension() {
        assert_eq!(
            briefing_id(Path::new("2026/Sahel Alliance.md")),
            "2026/sahel-alliance"
        );
        assert_eq!(briefing_id(Path::new("a.b/c.txt")), "a-b/c");
        assert_eq!(briefing_id(Path::new("../../etc/passwd")), "etc/passwd");
    }

    #[test]
    fn a_broken_edit_keeps_the_last_good_version_and_new_files_load() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.md", "## What's Next?\nGood.\n");
        let catalog = SectionCatalog::default();
        let (lib, report) =
            Library::load(dir.path(), &catalog, "en", Symlinks::InsideOnly).unwrap();
        assert_eq!((lib.len(), report.errors.len()), (1, 0));

        write("a.md", "+++\ntitle = \n");
        write("b.txt", "What's Next?\nNew.\n");
        let (lib, report) = lib
            .reload(dir.path(), &catalog, "en", Symlinks::InsideOnly)
            .unwrap();
        assert_eq!(report.kept_previous, ["a"]);
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(lib.get("a").unwrap().sections[0].body, "Good.");
        assert_eq!(lib.get("b").unwrap().sections[0].body, "New.");

        // A fresh load (not a reload) does not invent the old version.
        let (fresh, _) = Library::load(dir.path(), &catalog, "en", Symlinks::InsideOnly).unwrap();
        assert!(fresh.get("a").is_none());
    }

    #[test]
    fn links_leading_outside_the_folder_are_skipped_unless_followed() {
        use std::os::unix::fs::symlink;
        let root = tempfile::tempdir().unwrap();
        let (dir, outside) = (root.path().join("briefings"), root.path().join("secret"));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        let briefing = |text: &str| format!("## What's Next?\n{text}\n");
        std::fs::write(outside.join("key.md"), briefing("A secret.")).unwrap();
        std::fs::write(dir.join("sub/real.md"), briefing("Inside.")).unwrap();
        symlink(outside.join("key.md"), dir.join("leak.md")).unwrap();
        // Relative, through the parent and back in: it stays inside.
        symlink("../briefings/sub/real.md", dir.join("alias.md")).unwrap();
        symlink(&outside, dir.join("folder.md")).unwrap();
        symlink(dir.join("missing.md"), dir.join("broken.md")).unwrap();
        let catalog = SectionCatalog::default();

        let (lib, report) = Library::load(&dir, &catalog, "en", Symlinks::InsideOnly).unwrap();
        let mut ids: Vec<&str> = lib.newest_first().map(|b| b.id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["alias", "sub/real"]);
        let target = std::fs::canonicalize(outside.join("key.md")).unwrap();
        assert_eq!(
            report.outside_links,
            [OutsideLink {
                link: dir.join("leak.md"),
                target: target.clone()
            }]
        );
        assert_eq!(
            report.outside_links[0].to_string(),
            format!(
                "{}: skipped: a link to {}, outside the briefings folder (set \
                 briefings.follow_symlinks = true to serve it)",
                dir.join("leak.md").display(),
                target.display()
            )
        );
        // The broken link is reported as unreadable; the folder link is ignored.
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert!(report.errors[0].path.ends_with("broken.md"));
        assert!(report.ignored.contains(&dir.join("folder.md")));
        assert_eq!(report.skipped(), 2);

        let (lib, report) = Library::load(&dir, &catalog, "en", Symlinks::Follow).unwrap();
        assert_eq!(lib.get("leak").unwrap().sections[0].body, "A secret.");
        assert!(report.outside_links.is_empty());
    }

    #[test]
    fn many_files_parse_in_parallel_in_a_stable_order() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..300 {
            let text = format!("+++\ndate = 2026-01-01\n+++\n## What's Next?\nItem {i}.\n");
            std::fs::write(dir.path().join(format!("b{i:03}.md")), text).unwrap();
        }
        std::fs::write(dir.path().join("b999.md"), "no sections").unwrap();
        let (lib, report) = Library::load(
            dir.path(),
            &SectionCatalog::default(),
            "en",
            Symlinks::InsideOnly,
        )
        .unwrap();
        assert_eq!(lib.len(), 300);
        assert_eq!(report.skipped(), 1);
        // Same date everywhere: ties are ordered by id.
        let ids: Vec<&str> = lib.newest_first().map(|b| b.id.as_str()).take(3).collect();
        assert_eq!(ids, ["b000", "b001", "b002"]);
    }
}
