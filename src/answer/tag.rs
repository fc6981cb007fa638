//! A tag in its one normal form. Briefing front matter, the config's digests, `/briefings tag:`,
//! `/search tag:`, `/digest add tag:` and autocomplete all build a [`Tag`] with [`Tag::new`],
//! so `#Sahel`, `sahel` and ` SAHEL ` are the same tag everywhere.

use std::fmt;

/// Trimmed, without leading `#`, lower-case, inner whitespace collapsed to one space; never empty.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(String);

impl Tag {
    /// The normal form of what someone typed; `None` when nothing is left (``, `#`, `  `).
    pub fn new(raw: &str) -> Option<Tag> {
        let words: Vec<String> = raw
            .trim()
            .trim_start_matches('#')
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        (!words.is_empty()).then(|| Tag(words.join(" ")))
    }

    /// Every distinct tag among `raws`, in order, empties dropped.
    pub fn all<'a>(raws: impl IntoIterator<Item = &'a str>) -> Vec<Tag> {
        let mut out: Vec<Tag> = Vec::new();
        for tag in raws.into_iter().filter_map(Tag::new) {
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
        out
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Tag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Tag {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Tag {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::Tag;

    #[test]
    fn one_normal_form() {
        for raw in ["#Sahel", "sahel", "  SAHEL ", "##sahel", "# Sahel"] {
            assert_eq!(Tag::new(raw).unwrap().as_str(), "sahel", "{raw:?}");
        }
        assert_eq!(Tag::new(" Lake   Chad\t").unwrap().as_str(), "lake chad");
        assert_eq!(Tag::new("#"), None);
        assert_eq!(Tag::new("   "), None);
        assert_eq!(Tag::new(""), None);
    }

    #[test]
    fn all_keeps_first_of_each() {
        let tags = Tag::all(["Sahel", "#sahel", "", "Mali"]);
        assert_eq!(
            tags,
            [Tag::new("sahel").unwrap(), Tag::new("mali").unwrap()]
        );
    }
}
