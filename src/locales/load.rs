//! Loading the locales: the shipped files, then the admin's folder over them, each file checked
//! against shipped English. A file that would say something wrong is a problem with its
//! `file:line:col` (a syntax error, a `{ $variable }` the message is never given, a command name
//! Discord would refuse); what only falls back to English is a warning (a missing key) or is
//! ignored with a warning (a key briefbot does not use).

use super::{Lang, Locales, SHIPPED};
use crate::config::{problem_at, Problem};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::FluentResource;
use fluent_syntax::ast;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Why the locales could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadProblem {
    /// The folder as a whole (unreadable, a file named after no language): the config reports
    /// it at its `dir` key.
    Folder(String),
    /// A place in one file.
    File(Problem),
}

/// Discord's rules for the names and descriptions of commands and options.
const NAME_LEN: usize = 32;
const DESCRIPTION_LEN: usize = 100;

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

/// What shipped English defines: each message and the variables it is given.
pub(super) struct Reference {
    vars: HashMap<&'static str, BTreeSet<&'static str>>,
}

impl Reference {
    fn english() -> Reference {
        let resource =
            fluent_syntax::parser::parse(SHIPPED[0].1).unwrap_or_else(|(resource, _)| resource);
        let mut vars = HashMap::new();
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                vars.insert(m.id.name, references(&m).vars);
            }
        }
        Reference { vars }
    }

    pub(super) fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        let mut ids: Vec<&'static str> = self.vars.keys().copied().collect();
        ids.sort_unstable();
        ids.into_iter()
    }
}

/// What a message refers to.
#[derive(Default)]
struct Refs<'s> {
    vars: BTreeSet<&'s str>,
    messages: BTreeSet<&'s str>,
    terms: BTreeSet<&'s str>,
}

fn references<'s>(m: &ast::Message<&'s str>) -> Refs<'s> {
    let mut refs = Refs::default();
    let patterns = m.value.iter().chain(m.attributes.iter().map(|a| &a.value));
    for pattern in patterns {
        pattern_refs(pattern, &mut refs);
    }
    refs
}

fn pattern_refs<'s>(p: &ast::Pattern<&'s str>, out: &mut Refs<'s>) {
    for element in &p.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_refs(expression, out);
        }
    }
}

fn expression_refs<'s>(e: &ast::Expression<&'s str>, out: &mut Refs<'s>) {
    match e {
        ast::Expression::Select { selector, variants } => {
            inline_refs(selector, out);
            for variant in variants {
                pattern_refs(&variant.value, out);
            }
        }
        ast::Expression::Inline(inline) => inline_refs(inline, out),
    }
}

fn inline_refs<'s>(e: &ast::InlineExpression<&'s str>, out: &mut Refs<'s>) {
    let arguments = |args: &ast::CallArguments<&'s str>, out: &mut Refs<'s>| {
        for arg in args
            .positional
            .iter()
            .chain(args.named.iter().map(|n| &n.value))
        {
            inline_refs(arg, out);
        }
    };
    match e {
        ast::InlineExpression::VariableReference { id } => {
            out.vars.insert(id.name);
        }
        ast::InlineExpression::MessageReference { id, .. } => {
            out.messages.insert(id.name);
        }
        ast::InlineExpression::TermReference {
            id, arguments: a, ..
        } => {
            out.terms.insert(id.name);
            if let Some(a) = a {
                arguments(a, out);
            }
        }
        ast::InlineExpression::FunctionReference { arguments: a, .. } => arguments(a, out),
        ast::InlineExpression::Placeable { expression } => expression_refs(expression, out),
        ast::InlineExpression::StringLiteral { .. }
        | ast::InlineExpression::NumberLiteral { .. } => {}
    }
}

/// The checks of one file against shipped English.
struct FileCheck<'a> {
    path: &'a Path,
    text: &'a str,
    english: &'a Reference,
    problems: &'a mut Vec<LoadProblem>,
    warnings: &'a mut Vec<String>,
}

impl FileCheck<'_> {
    fn check(&mut self, resource: &FluentResource, shipped: bool) {
        let lines = entry_lines(self.text);
        let mut ids = HashSet::new();
        let mut terms = HashSet::new();
        for entry in resource.entries() {
            match entry {
                ast::Entry::Message(m) => {
                    ids.insert(m.id.name);
                }
                ast::Entry::Term(t) => {
                    terms.insert(t.id.name);
                }
                _ => {}
            }
        }
        let mut seen = HashSet::new();
        for entry in resource.entries() {
            let ast::Entry::Message(m) = entry else {
                continue;
            };
            let id = m.id.name;
            let at = lines.get(id).map_or(1, |l| l[0]);
            if !seen.insert(id) {
                continue;
            }
            if let Some(again) = lines.get(id).and_then(|l| l.get(1)) {
                self.problem(
                    *again,
                    format!("`{id}` is defined twice (first on line {at})"),
                );
            }
            let Some(known) = self.english.vars.get(id) else {
                if !shipped {
                    let path = self.path.display();
                    self.warnings.push(format!(
                        "{path}:{at}: `{id}` is not a message briefbot uses; it is ignored"
                    ));
                }
                continue;
            };
            let refs = references(m);
            for var in refs.vars.difference(known) {
                let given = match known.len() {
                    0 => "it is given none".to_string(),
                    _ => format!("it is given {}", dollar_list(known)),
                };
                self.problem(
                    at,
                    format!("`{id}` uses `{{ ${var} }}`, which it is never given: {given}"),
                );
            }
            for other in &refs.messages {
                if !ids.contains(other) && !self.english.vars.contains_key(other) {
                    self.problem(
                        at,
                        format!("`{id}` refers to `{{ {other} }}`, a message that does not exist"),
                    );
                }
            }
            for term in &refs.terms {
                if !terms.contains(term) {
                    self.problem(
                        at,
                        format!(
                            "`{id}` refers to `{{ -{term} }}`, a term this file does not define"
                        ),
                    );
                }
            }
            if id.starts_with("cmd-") {
                self.command_words(m, at);
            }
        }
    }

    /// A command's description and `.name` must be what Discord accepts, or registering every
    /// command fails.
    fn command_words(&mut self, m: &ast::Message<&str>, at: usize) {
        let id = m.id.name;
        match m.value.as_ref().map(plain_text) {
            Some(Some(text)) if (1..=DESCRIPTION_LEN).contains(&text.chars().count()) => {}
            Some(Some(text)) => self.problem(
                at,
                format!(
                    "`{id}` is a command description: 1 to {DESCRIPTION_LEN} characters, found {}",
                    text.chars().count()
                ),
            ),
            _ => self.problem(
                at,
                format!("`{id}` is a command description: plain text, no placeables"),
            ),
        }
        for attribute in &m.attributes {
            if attribute.id.name != "name" {
                continue;
            }
            let line = attribute_line(self.text, at, "name");
            let name = plain_text(&attribute.value).unwrap_or_default();
            if !is_command_name(&name) {
                self.problem(
                    line,
                    format!(
                        "`{id}.name` must be 1 to {NAME_LEN} lowercase letters, digits, `-` or `_` \
                         (Discord's rule for command names), found `{name}`"
                    ),
                );
            }
        }
    }

    fn problem(&mut self, line: usize, message: String) {
        self.problems.push(LoadProblem::File(Problem {
            path: self.path.to_path_buf(),
            line,
            col: 1,
            message,
        }));
    }
}

/// 1-based lines where each message or term is defined (`id =` at the start of a line).
fn entry_lines(text: &str) -> HashMap<&str, Vec<usize>> {
    let mut lines: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let Some((id, _)) = line.split_once('=') else {
            continue;
        };
        let id = id.trim_end();
        let name = id.strip_prefix('-').unwrap_or(id);
        let is_id = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if is_id {
            lines.entry(name).or_default().push(i + 1);
        }
    }
    lines
}

/// The line of `.attribute` in the message starting at `line`.
fn attribute_line(text: &str, line: usize, attribute: &str) -> usize {
    let prefix = format!(".{attribute}");
    text.lines()
        .enumerate()
        .skip(line)
        .find(|(_, l)| l.trim_start().starts_with(&prefix))
        .map_or(line, |(i, _)| i + 1)
}

/// A pattern's text when it has no placeables but string literals.
fn plain_text(p: &ast::Pattern<&str>) -> Option<String> {
    let mut out = String::new();
    for element in &p.elements {
        match element {
            ast::PatternElement::TextElement { value } => out.push_str(value),
            ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(ast::InlineExpression::StringLiteral { value }),
            } => out.push_str(value),
            ast::PatternElement::Placeable { .. } => return None,
        }
    }
    Some(out)
}

fn is_command_name(name: &str) -> bool {
    (1..=NAME_LEN).contains(&name.chars().count())
        && name.to_lowercase() == name
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

fn dollar_list(vars: &BTreeSet<&str>) -> String {
    let listed: Vec<String> = vars.iter().map(|v| format!("`{{ ${v} }}`")).collect();
    listed.join(", ")
}
