//! Which headings name which section. Built-in sections come with English and French aliases;
//! the config may add aliases to them and declare new sections.

use super::SectionKey;

/// A known section: its canonical key, the heading shown when none was written, and aliases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionDef {
    pub key: SectionKey,
    pub title: String,
    pub aliases: Vec<String>,
}

/// All known sections, in display order. Lookups ignore case, a trailing `?` or `:`,
/// surrounding spaces and the kind of apostrophe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionCatalog {
    defs: Vec<SectionDef>,
    /// Every title and alias, normalized once, with the index of its section: the plain-text
    /// parser looks up every line of every file, so this must not normalize the aliases again.
    names: Vec<(String, usize)>,
}

const BUILT_IN: &[(&str, &str, &[&str])] = &[
    (
        "whats_happening",
        "What's Happening?",
        &[
            "What's Happening",
            "What Happened",
            "The News",
            "Ce qui se passe",
            "Les faits",
        ],
    ),
    (
        "why_it_matters",
        "Why It's Important?",
        &[
            "Why It's Important",
            "Why It Matters",
            "Pourquoi c'est important",
            "Enjeux",
        ],
    ),
    (
        "whats_next",
        "What's Next?",
        &["What's Next", "What Comes Next", "Et après", "La suite"],
    ),
    (
        "beyond_the_headlines",
        "Beyond the Headlines",
        &[
            "Beyond the Headlines",
            "Between the Lines",
            "Au-delà des gros titres",
        ],
    ),
];

impl Default for SectionCatalog {
    fn default() -> Self {
        let defs = BUILT_IN
            .iter()
            .map(|(key, title, aliases)| SectionDef {
                key: SectionKey::new(*key),
                title: (*title).to_string(),
                aliases: aliases.iter().map(|a| a.to_string()).collect(),
            })
            .collect();
        SectionCatalog::from_defs(defs)
    }
}

impl SectionCatalog {
    fn from_defs(defs: Vec<SectionDef>) -> Self {
        let mut catalog = SectionCatalog {
            defs,
            names: Vec::new(),
        };
        catalog.index();
        catalog
    }

    fn index(&mut self) {
        self.names = self
            .defs
            .iter()
            .enumerate()
            .flat_map(|(i, d)| {
                std::iter::once(&d.title)
                    .chain(&d.aliases)
                    .map(move |name| (normalize_heading(name), i))
            })
            .filter(|(name, _)| !name.is_empty())
            .collect();
    }

    pub fn defs(&self) -> &[SectionDef] {
        &self.defs
    }

    pub fn get(&self, key: &str) -> Option<&SectionDef> {
        self.defs.iter().find(|d| d.key.as_str() == key)
    }

    pub fn is_builtin(key: &str) -> bool {
        BUILT_IN.iter().any(|(k, _, _)| *k == key)
    }

    /// Adds aliases to an existing section; false when the key is unknown.
    pub fn add_aliases(&mut self, key: &str, aliases: &[String]) -> bool {
        match self.defs.iter_mut().find(|d| d.key.as_str() == key) {
            Some(def) => {
                def.aliases.extend(aliases.iter().cloned());
                self.index();
                true
            }
            None => false,
        }
    }

    /// Declares a new section (or replaces the title and extends the aliases of a known one).
    pub fn add_section(&mut self, key: &str, title: &str, aliases: &[String]) {
        if let Some(def) = self.defs.iter_mut().find(|d| d.key.as_str() == key) {
            def.title = title.to_string();
            def.aliases.extend(aliases.iter().cloned());
            self.index();
            return;
        }
        let mut all = vec![title.to_string()];
        all.extend(aliases.iter().cloned());
        self.defs.push(SectionDef {
            key: SectionKey::new(key),
            title: title.to_string(),
            aliases: all,
        });
        self.index();
    }

    /// The section a heading line names, if it is a known heading (any alias).
    pub fn lookup(&self, heading: &str) -> Option<&SectionDef> {
        // Headings are short; a long line of prose is never one, so skip normalizing it.
        const LONGEST_HEADING: usize = 120;
        if heading.len() > LONGEST_HEADING * 4 {
            return None;
        }
        let wanted = normalize_heading(heading);
        if wanted.is_empty() {
            return None;
        }
        self.names
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|(_, i)| &self.defs[*i])
    }

    /// The key for any heading: a known section's key, else the heading's slug.
    pub fn key_for(&self, heading: &str) -> SectionKey {
        match self.lookup(heading) {
            Some(def) => def.key.clone(),
            None => SectionKey::new(slug::slugify(heading).replace('-', "_")),
        }
    }

    /// The key a member or admin means by `name`: any heading alias (`Au-delà des gros titres`),
    /// or a key written with `_` or `-` (`whats_next`, `whats-next`); otherwise the slug.
    pub fn key_for_name(&self, name: &str) -> SectionKey {
        let name = name.trim();
        if let Some(def) = self.lookup(name) {
            return def.key.clone();
        }
        match self.get(&name.to_lowercase().replace('-', "_")) {
            Some(def) => def.key.clone(),
            None => self.key_for(name),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.defs.iter().map(|d| d.key.as_str())
    }
}

/// Lower-cased, trimmed, without a trailing `?`/`:`, typographic apostrophes made plain and
/// inner whitespace collapsed.
pub(crate) fn normalize_heading(s: &str) -> String {
    let s = s.trim().trim_end_matches(['?', ':', '？', ' ']).trim();
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '\u{2019}' | '\u{2018}' | '`' => out.push('\''),
                c => out.extend(c.to_lowercase()),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_match_ignoring_case_punctuation_and_apostrophes() {
        let c = SectionCatalog::default();
        for (heading, key) in [
            ("What's Happening?", "whats_happening"),
            ("WHAT’S NEXT:", "whats_next"),
            ("why it matters", "why_it_matters"),
            ("Et après", "whats_next"),
            ("  Au-delà des gros titres ? ", "beyond_the_headlines"),
            ("Between the lines", "beyond_the_headlines"),
        ] {
            assert_eq!(
                c.lookup(heading).map(|d| d.key.as_str()),
                Some(key),
                "{heading}"
            );
        }
        assert!(c.lookup("What's Happening here").is_none());
    }

    #[test]
    fn unknown_headings_get_a_slug_key() {
        let c = SectionCatalog::default();
        assert_eq!(c.key_for("Key Numbers!").as_str(), "key_numbers");
    }

    #[test]
    fn names_resolve_through_aliases_before_key_forms() {
        let c = SectionCatalog::default();
        for (name, key) in [
            ("whats-next", "whats_next"),
            ("WHATS_NEXT", "whats_next"),
            ("Au-delà des gros titres", "beyond_the_headlines"),
            ("What's Next?", "whats_next"),
            ("Key Players", "key_players"),
        ] {
            assert_eq!(c.key_for_name(name).as_str(), key, "{name}");
        }
    }

    #[test]
    fn config_can_add_aliases_and_sections() {
        let mut c = SectionCatalog::default();
        assert!(c.add_aliases("whats_next", &["Looking Ahead".into()]));
        assert!(!c.add_aliases("nope", &[]));
        c.add_section("by_the_numbers", "By the Numbers", &["Numbers".into()]);
        assert_eq!(
            c.lookup("looking ahead?").unwrap().key.as_str(),
            "whats_next"
        );
        assert_eq!(c.lookup("numbers").unwrap().key.as_str(), "by_the_numbers");
    }
}
