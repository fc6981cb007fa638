//! Loading the locales: the shipped files, then the admin's folder over them, each file checked
//! against shipped English. A file that would say something wrong is a problem with its
//! `file:line:col` (a syntax error, a `{ $variable }` the message is never given, a command name
//! Discord would refuse); what only falls back to English is a warning (a missing key) or is
//! ignored with a warning (a key briefbot does not use).

use super::check::{FileCheck, LoadProblem, Reference};
use super::{Lang, Locales, SHIPPED};
use crate::config::problem_at;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::FluentResource;
use std::path::{Path, PathBuf};

/// One file to load into a language.
struct Source {
    path: PathBuf,
    text: String,
    shipped: bool,
}

impl Locales {
    /// The shipped languages with the `.ftl` files of `dir` over them: `fr.ftl` there overrides
    /// shipped French message by message, `de.ftl` adds German. Every problem is returned, so
    /// `briefbot check` lists them all.
    pub fn load(dir: Option<&Path>) -> Result<Locales, Vec<LoadProblem>> {
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let mut by_tag: Vec<(String, Vec<Source>)> = SHIPPED
            .iter()
            .map(|(tag, text)| {
                let source = Source {
                    path: PathBuf::from(format!("locales/{tag}.ftl")),
                    text: (*text).to_string(),
                    shipped: true,
                };
                ((*tag).to_string(), vec![source])
            })
            .collect();
        for (tag, source) in dir
            .map(read_folder)
            .unwrap_or(Ok(Vec::new()))
            .unwrap_or_else(|p| {
                problems.extend(p);
                Vec::new()
            })
        {
            match by_tag
                .iter_mut()
                .find(|(t, _)| t.eq_ignore_ascii_case(&tag))
            {
                Some((_, sources)) => sources.push(source),
                None => by_tag.push((tag, vec![source])),
            }
        }
        let english = Reference::english();
        let mut langs = Vec::new();
        for (tag, sources) in by_tag {
            let mut bundle = new_bundle(&tag);
            let label = sources.last().map(|s| s.path.clone()).unwrap_or_default();
            for source in sources {
                let resource = parse(source.text, &source.path, &mut problems);
                let mut file = FileCheck {
                    path: &source.path,
                    text: resource.source(),
                    english: &english,
                    problems: &mut problems,
                    warnings: &mut warnings,
                };
                file.check(&resource, source.shipped);
                bundle.add_resource_overriding(resource);
            }
            for id in english.ids() {
                if !bundle.has_message(id) {
                    let label = label.display();
                    warnings.push(format!("{label}: `{id}` is missing; English is used"));
                }
            }
            langs.push(Lang {
                key: tag.to_ascii_lowercase(),
                tag,
                bundle,
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Locales {
            langs,
            dir: dir.map(Path::to_path_buf),
            warnings,
        })
    }
}

/// `en`, `fr`, `pt-BR`, `zh-Hant`: a BCP 47 shape, not a registry check.
pub fn is_lang_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The `.ftl` files of `dir`, each named after its language, in name order.
fn read_folder(dir: &Path) -> Result<Vec<(String, Source)>, Vec<LoadProblem>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        let folder = dir.display();
        vec![LoadProblem::Folder(format!(
            "cannot read the locales folder `{folder}`: {e}"
        ))]
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ftl") && p.is_file())
        .collect();
    paths.sort();
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        let tag = path.file_stem().unwrap_or_default().to_string_lossy();
        if !is_lang_tag(&tag) {
            problems.push(LoadProblem::Folder(format!(
                "`{}` is not named after a language: name it like `de.ftl` or `pt-BR.ftl`",
                path.display()
            )));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
                let source = Source {
                    path: path.clone(),
                    text,
                    shipped: false,
                };
                files.push((tag.to_string(), source));
            }
            Err(e) => problems.push(LoadProblem::Folder(format!(
                "cannot read `{}`: {e}",
                path.display()
            ))),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

fn new_bundle(tag: &str) -> FluentBundle<FluentResource> {
    let lang = tag.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Unicode isolation marks around every placeable would end up, invisible, in Discord.
    bundle.set_use_isolating(false);
    bundle
}

/// The file's messages; each syntax error is a problem (the parser skips just the broken entry).
fn parse(text: String, path: &Path, problems: &mut Vec<LoadProblem>) -> FluentResource {
    match FluentResource::try_new(text) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            for e in errors {
                let message = format!("syntax error: {e}");
                // The parser notices a missing `}` or `]` on the next line; point where it
                // belonged, after the last thing written.
                let text = resource.source();
                let before = text.get(..e.pos.start).unwrap_or(text);
                let at = before.trim_end().len();
                let at = problem_at(path, text, at, message);
                problems.push(LoadProblem::File(at));
            }
            resource
        }
    }
}
