//! The words briefbot writes, per language, from Fluent files: `locales/en.ftl` and
//! `locales/fr.ftl` are built into the binary, and an admin's `[locales] dir` may override any
//! of their messages or add a language without a rebuild (`load`, which also checks the files).
//!
//! [`Locales`] holds every language, loaded once and replaced whole with the config. A [`Words`]
//! is one language of it, picked from what Discord says of the member (their client's locale,
//! then the guild's, then English); answers take a `&Words` and never know where it came from.
//! A message a language lacks is said in English.

mod check;
mod load;
#[cfg(test)]
mod tests;

pub use check::LoadProblem;
pub use load::is_lang_tag;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// The language every other one falls back to; always `langs[0]`.
pub const ENGLISH: &str = "en";

/// The files shipped in the repository, built in so the binary works from any folder.
const SHIPPED: &[(&str, &str)] = &[
    ("en", include_str!("../../locales/en.ftl")),
    ("fr", include_str!("../../locales/fr.ftl")),
];

static SHIPPED_LOCALES: LazyLock<Arc<Locales>> = LazyLock::new(|| {
    let locales = Locales::load(None)
        .unwrap_or_else(|problems| panic!("the shipped locale files are broken: {problems:?}"));
    Arc::new(locales)
});

/// Every language briefbot speaks, English first.
pub struct Locales {
    langs: Vec<Lang>,
    dir: Option<PathBuf>,
    warnings: Vec<String>,
}

struct Lang {
    /// As the file is named (`fr`, `pt-BR`).
    tag: String,
    /// `tag` lowercased, for matching Discord's locales (`pt-BR`, `en-US`).
    key: String,
    bundle: FluentBundle<FluentResource>,
}

impl Locales {
    /// The shipped languages alone (no `[locales]` folder), parsed once per process.
    pub fn shipped() -> Arc<Locales> {
        Arc::clone(&SHIPPED_LOCALES)
    }

    /// The folder of the admin's files, if the config names one.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// What is worth an admin's attention but does not stop the bot: keys a language lacks
    /// (said in English), keys briefbot does not use. Each names its file.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The language tags there are files for, English first.
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.langs.iter().map(|l| l.tag.as_str())
    }

    /// The tag of the language that serves `wanted` (a Discord locale such as `fr` or `en-US`,
    /// or a tag such as `pt-br`): the same tag, else its language (`en` for `en-US`), else a
    /// regional variant of that language.
    pub fn resolve(&self, wanted: &str) -> Option<&str> {
        self.find(wanted).map(|i| self.langs[i].tag.as_str())
    }

    /// The first of `wanted` there is a language for (member's locale, then the guild's…),
    /// else English.
    pub fn words(self: &Arc<Self>, wanted: &[Option<&str>]) -> Words {
        let lang = wanted.iter().flatten().find_map(|w| self.find(w));
        Words {
            locales: Arc::clone(self),
            lang: lang.unwrap_or(0),
        }
    }

    pub fn english(self: &Arc<Self>) -> Words {
        self.words(&[])
    }

    fn find(&self, wanted: &str) -> Option<usize> {
        let wanted = wanted.trim().replace('_', "-").to_ascii_lowercase();
        let primary = wanted.split('-').next().unwrap_or_default();
        if primary.is_empty() {
            return None;
        }
        let langs = &self.langs;
        (langs.iter().position(|l| l.key == wanted))
            .or_else(|| langs.iter().position(|l| l.key == primary))
            .or_else(|| {
                langs
                    .iter()
                    .position(|l| l.key.split('-').next() == Some(primary))
            })
    }
}

impl fmt::Debug for Locales {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locales")
            .field("tags", &self.tags().collect::<Vec<_>>())
            .field("dir", &self.dir)
            .field("warnings", &self.warnings.len())
            .finish()
    }
}

/// One language's words, cheap to clone and to hand to an answer: `words.t("key", &[...])`.
#[derive(Clone)]
pub struct Words {
    locales: Arc<Locales>,
    lang: usize,
}

/// A value for a message's `{ $variable }`.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    /// A count, which may choose a plural form (`{ $count -> [one] … *[other] … }`).
    Count(u64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}

// Counts only: ids and timestamps go in as text, since Fluent numbers are floats and would
// round a Discord id.
impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        Arg::Count(n as u64)
    }
}

impl From<u32> for Arg<'_> {
    fn from(n: u32) -> Self {
        Arg::Count(u64::from(n))
    }
}

impl Words {
    /// Shipped English: for the command line and tests.
    pub fn english() -> Words {
        Locales::shipped().english()
    }

    /// The tag of this language (`en`, `fr`).
    pub fn lang(&self) -> &str {
        &self.locales.langs[self.lang].tag
    }

    /// The text of `key` with `args`, in this language or else in English. A key no file has
    /// (a bug the locale tests catch) comes out as the key itself, never as an empty message.
    pub fn t(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                Arg::Text(s) => FluentValue::from(s.as_ref()),
                Arg::Count(n) => FluentValue::from(*n),
            };
            fluent.set(*name, value);
        }
        for lang in [self.lang, 0] {
            let bundle = &self.locales.langs[lang].bundle;
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(
                    key,
                    lang = self.lang(),
                    ?errors,
                    "a message did not format cleanly"
                );
            }
            return text.into_owned();
        }
        tracing::error!(key, "no locale has this message");
        key.to_string()
    }

    /// `t` without arguments.
    pub fn text(&self, key: &str) -> String {
        self.t(key, &[])
    }

    /// An attribute of `key` in this language only (`.name` of a command), without fallback.
    pub fn attribute(&self, key: &str, attribute: &str) -> Option<String> {
        let bundle = &self.locales.langs[self.lang].bundle;
        let pattern = bundle.get_message(key)?.get_attribute(attribute)?.value();
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, None, &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }

    /// Whether this language itself has `key` (not through the English fallback).
    pub fn has(&self, key: &str) -> bool {
        self.locales.langs[self.lang].bundle.has_message(key)
    }
}

impl fmt::Debug for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Words({})", self.lang())
    }
}
