//! The parts of the config that are lists of entries: `[sections]` (which builds the section
//! catalog), `[[guild]]` and `[[digest]]`. Keys, ids and names must be unique across entries,
//! so the line of the first one is kept to say where the clash is.

use super::raw::{RawCustomSection, RawDigest, RawGuild, RawSections, Tables, Text};
use super::report::{did_you_mean, quoted_list};
use super::validate::Checker;
use super::{DigestConfig, GuildConfig, ScheduleConfig, WhenEmpty};
use crate::briefings::{SectionCatalog, SectionKey};
use crate::digests::schedule::Schedule;
use crate::locales::Locales;
use std::collections::HashMap;
use toml::Spanned;

const DIGEST_NAME_MAX: usize = 50;

impl Checker<'_> {
    pub(super) fn sections(&mut self, raw: &RawSections) -> SectionCatalog {
        let mut catalog = SectionCatalog::default();
        let mut declared = HashMap::new();
        // Custom sections first, so `[sections.aliases]` may name them too.
        for entry in raw.custom.iter().flat_map(|t| &t.0) {
            self.custom_section(entry, &mut catalog, &mut declared);
        }
        for (key, aliases) in raw.aliases.iter().flatten() {
            if catalog.get(key.get_ref()).is_none() {
                self.report(&key.span(), unknown_section(key.get_ref(), &catalog));
                continue;
            }
            let aliases = self.headings(aliases, key.get_ref(), &catalog);
            catalog.add_aliases(key.get_ref(), &aliases);
        }
        catalog
    }

    fn custom_section(
        &mut self,
        entry: &Spanned<RawCustomSection>,
        catalog: &mut SectionCatalog,
        declared: &mut HashMap<String, usize>,
    ) {
        let raw = entry.get_ref();
        let Some(key) = &raw.key else {
            let message = "this `[[sections.custom]]` has no `key` (a slug like `by_the_numbers`)";
            return self.report(&entry.span(), message.to_string());
        };
        let k = key.get_ref();
        if !is_slug(k) {
            let message = format!("section key `{k}` must be a slug of a-z, 0-9 and `_`");
            return self.report(&key.span(), message);
        }
        if let Some(first) = declared.get(k) {
            let message = format!("section `{k}` is declared twice (first on line {first})");
            return self.report(&key.span(), message);
        }
        declared.insert(k.clone(), self.line_of(&key.span()));
        let Some(title) = &raw.title else {
            let message = format!("section `{k}` has no `title` (the heading shown above it)");
            return self.report(&entry.span(), message);
        };
        let Some(title) = self.headings(std::slice::from_ref(title), k, catalog).pop() else {
            return;
        };
        let aliases = self.headings(raw.aliases.as_deref().unwrap_or(&[]), k, catalog);
        catalog.add_section(k, &title, &aliases);
    }

    /// The headings of `list` that may name section `key`: not empty, and not already the
    /// heading of another section (a heading must say which section it starts).
    fn headings(&mut self, list: &[Text], key: &str, catalog: &SectionCatalog) -> Vec<String> {
        let mut kept = Vec::new();
        for heading in list {
            let text = heading.get_ref();
            let other = catalog.lookup(text).filter(|d| d.key.as_str() != key);
            if text.trim().is_empty() {
                self.report(&heading.span(), "a heading must not be empty".to_string());
            } else if let Some(other) = other {
                let message = format!("heading `{text}` already names section `{}`", other.key);
                self.report(&heading.span(), message);
            } else {
                kept.push(text.clone());
            }
        }
        kept
    }

    pub(super) fn guilds(&mut self, raw: &Tables<RawGuild>) -> Vec<GuildConfig> {
        let mut first_line = HashMap::new();
        let mut guilds = Vec::new();
        for entry in &raw.0 {
            let guild = entry.get_ref();
            let alert_channel_id = guild.alert_channel_id.as_ref().and_then(|id| self.id(id));
            let Some(raw_id) = &guild.id else {
                let message = "this `[[guild]]` has no `id` (the guild it configures)";
                self.report(&entry.span(), message.to_string());
                continue;
            };
            let Some(id) = self.id(raw_id) else { continue };
            if let Some(first) = first_line.get(&id) {
                let message = format!("guild {id} is configured twice (first on line {first})");
                self.report(&raw_id.span(), message);
                continue;
            }
            first_line.insert(id, self.line_of(&raw_id.span()));
            guilds.push(GuildConfig {
                id,
                alert_channel_id,
            });
        }
        guilds
    }

    pub(super) fn digests(
        &mut self,
        raw: &Tables<RawDigest>,
        defaults: &ScheduleConfig,
        catalog: &SectionCatalog,
        locales: Option<&Locales>,
    ) -> Vec<DigestConfig> {
        let mut names = HashMap::new();
        raw.0
            .iter()
            .filter_map(|d| self.digest(d, &mut names, defaults, catalog, locales))
            .collect()
    }

    fn digest(
        &mut self,
        entry: &Spanned<RawDigest>,
        names: &mut HashMap<String, usize>,
        defaults: &ScheduleConfig,
        catalog: &SectionCatalog,
        locales: Option<&Locales>,
    ) -> Option<DigestConfig> {
        let d = entry.get_ref();
        let name = self.digest_name(entry, names);
        let required = [
            ("name", d.name.is_some()),
            ("channel_id", d.channel_id.is_some()),
            ("schedule", d.schedule.is_some()),
        ];
        let missing: Vec<&str> = required.iter().filter(|r| !r.1).map(|r| r.0).collect();
        if !missing.is_empty() {
            let label = name
                .as_ref()
                .map_or("this digest".into(), |n| format!("digest `{n}`"));
            let message = format!("{label} is missing {}", quoted_list(&missing));
            self.report(&entry.span(), message);
        }
        let channel_id = d.channel_id.as_ref().and_then(|id| self.id(id));
        let guild_id = d.guild_id.as_ref().and_then(|id| self.id(id));
        let timezone = match &d.timezone {
            Some(tz) => self.timezone(tz),
            None => Some(defaults.default_timezone),
        };
        // A bad zone is reported on its own; the expression is still checked, in the default.
        let tz = timezone.unwrap_or(defaults.default_timezone);
        let schedule = d.schedule.as_ref().and_then(|expr| {
            Schedule::parse(expr.get_ref(), tz)
                .map_err(|e| self.report(&expr.span(), e.to_string()))
                .ok()
        });
        let sections = self.digest_sections(d.sections.as_deref().unwrap_or(&[]), catalog);
        let tags = self.tags(d.tags.as_deref().unwrap_or(&[]));
        let max_briefings = d.max_briefings.as_ref();
        let max_briefings = self.count(
            max_briefings,
            "max_briefings",
            super::MAX_BRIEFINGS,
            super::DEFAULT_MAX_BRIEFINGS,
        );
        let when_empty = self.choice(d.when_empty.as_ref(), "when_empty");
        let mention_role = d.mention_role.as_ref().and_then(|id| self.id(id));
        let catch_up = self.choice(d.catch_up.as_ref(), "catch_up");
        let grace = d.grace.as_ref().and_then(|g| self.duration(g));
        let lang = d.lang.as_ref().and_then(|l| self.digest_lang(l, locales));
        let target = self.digest_target(entry, channel_id);
        Some(DigestConfig {
            name: name?,
            channel_id: channel_id?,
            guild_id,
            schedule: schedule?,
            timezone: timezone?,
            sections,
            tags,
            max_briefings,
            only_new: d.only_new.unwrap_or(true),
            when_empty: when_empty.unwrap_or(WhenEmpty::Skip),
            silent: d.silent.unwrap_or(false),
            mention_role,
            catch_up: catch_up.unwrap_or(defaults.catch_up),
            grace: grace.unwrap_or(defaults.grace),
            lang,
            target: target?,
        })
    }

    /// The tag of the locale a digest's `lang` names (`en-US` is served by `en`); unchecked
    /// when the locales themselves could not be loaded.
    fn digest_lang(&mut self, raw: &Text, locales: Option<&Locales>) -> Option<String> {
        let wanted = raw.get_ref();
        let Some(locales) = locales else {
            return Some(wanted.clone());
        };
        if let Some(tag) = locales.resolve(wanted) {
            return Some(tag.to_string());
        }
        let message = format!(
            "no locale for `lang = \"{wanted}\"`: languages are {} (add `{wanted}.ftl` to the \
             [locales] folder for another)",
            quoted_list(locales.tags())
        );
        self.report(&raw.span(), message);
        None
    }

    /// The digest's name, checked and unique (ignoring case, as slash-command users type it).
    fn digest_name(
        &mut self,
        entry: &Spanned<RawDigest>,
        names: &mut HashMap<String, usize>,
    ) -> Option<String> {
        let raw = entry.get_ref().name.as_ref()?;
        self.entry_name("digest", raw, DIGEST_NAME_MAX, names);
        let name = raw.get_ref();
        (!name.is_empty()).then(|| name.clone())
    }

    /// Checks the name of a `[[digest]]` or `[[feed]]` (`kind`): not empty, at most `max`
    /// characters of a-z, digits, `-` and `_`, and unique ignoring case (`names` maps each
    /// lower-cased name to its line). Reports what is wrong; true when nothing is.
    pub(super) fn entry_name(
        &mut self,
        kind: &str,
        raw: &Spanned<String>,
        max: usize,
        names: &mut HashMap<String, usize>,
    ) -> bool {
        let name = raw.get_ref();
        let len = name.chars().count();
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let problem = if name.is_empty() {
            format!("a {kind} name must not be empty")
        } else if len > max {
            format!("{kind} name is {len} characters long, the most is {max}")
        } else if !name.chars().all(allowed) {
            format!("{kind} name `{name}` may use only letters a-z, digits, `-` and `_`")
        } else if let Some(first) = names.get(&name.to_lowercase()) {
            format!("duplicate {kind} name `{name}` (first used on line {first})")
        } else {
            names.insert(name.to_lowercase(), self.line_of(&raw.span()));
            return true;
        };
        self.report(&raw.span(), problem);
        false
    }

    fn digest_sections(&mut self, list: &[Text], catalog: &SectionCatalog) -> Vec<SectionKey> {
        let mut keys: Vec<SectionKey> = Vec::new();
        for raw in list {
            let key = raw.get_ref();
            if catalog.get(key).is_none() {
                self.report(&raw.span(), unknown_section(key, catalog));
            } else if keys.iter().any(|k| k.as_str() == key) {
                self.report(&raw.span(), format!("section `{key}` is listed twice"));
            } else {
                keys.push(SectionKey::new(key.clone()));
            }
        }
        keys
    }

    fn tags(&mut self, list: &[Text]) -> Vec<String> {
        let mut tags = Vec::new();
        for tag in list {
            if tag.get_ref().trim().is_empty() {
                self.report(&tag.span(), "a tag must not be empty".to_string());
            } else {
                tags.push(tag.get_ref().clone());
            }
        }
        tags
    }
}

fn is_slug(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

/// "unknown section" with the key that was meant: a typo of a key, or a heading written where
/// a key belongs (`What's Next` for `whats_next`).
fn unknown_section(key: &str, catalog: &SectionCatalog) -> String {
    let meant = catalog
        .lookup(key)
        .map(|d| d.key.as_str())
        .or_else(|| did_you_mean(key, catalog.keys()));
    match meant {
        Some(meant) => format!("unknown section `{key}`, did you mean `{meant}`?"),
        None => format!(
            "unknown section `{key}`; known sections are {} (declare others in [[sections.custom]])",
            quoted_list(catalog.keys())
        ),
    }
}
