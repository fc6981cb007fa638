//! Checking one locale file against shipped English: every message it defines is one
//! briefbot uses (else a warning), is defined once, is given the `{ $variables }` it uses,
//! refers to messages and terms that exist, and, for a command, is a name and description
//! Discord accepts. Problems carry their `file:line`.

use super::SHIPPED;
use crate::config::Problem;
use fluent_bundle::FluentResource;
use fluent_syntax::ast;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

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
/// Discord's longest choice name.
const CHOICE_LEN: usize = 100;

/// What shipped English defines: each message and the variables it is given.
pub(super) struct Reference {
    vars: HashMap<&'static str, BTreeSet<&'static str>>,
}

impl Reference {
    pub(super) fn english() -> Reference {
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
pub(super) struct FileCheck<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub english: &'a Reference,
    pub problems: &'a mut Vec<LoadProblem>,
    pub warnings: &'a mut Vec<String>,
}

impl FileCheck<'_> {
    pub fn check(&mut self, resource: &FluentResource, shipped: bool) {
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
            if let Some(choice) = attribute.id.name.strip_prefix("choice-") {
                // A choice's translated name: Discord takes 1 to 100 characters.
                let name = plain_text(&attribute.value).unwrap_or_default();
                if !(1..=CHOICE_LEN).contains(&name.chars().count()) {
                    let line = attribute_line(self.text, at, attribute.id.name);
                    self.problem(
                        line,
                        format!(
                            "`{id}.choice-{choice}` names a choice: 1 to {CHOICE_LEN} \
                             characters of plain text"
                        ),
                    );
                }
                continue;
            }
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
