//! A briefing's title when its file gives none: its file name made readable, or as a last
//! resort its first sentence.

/// The file name as a title, for a file that names none: `sahel-alliance-joint-operations.txt`
/// reads "Sahel alliance joint operations". An author who names a file names its subject; a
/// first sentence clipped to fit reads as a broken headline.
pub(super) fn from_file_name(path: &str) -> Option<String> {
    let stem = std::path::Path::new(path).file_stem()?.to_string_lossy();
    let words: Vec<&str> = stem
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ");
    let mut chars = joined.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// The first sentence of a section: the title of last resort, for a file name that has no word.
pub(super) fn from_text(body: &str) -> String {
    const MAX: usize = 120;
    let first_para = body.split("\n\n").next().unwrap_or(body);
    let sentence_end = first_para
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?')
                && first_para[i + 1..].starts_with(' ')
                && !first_para[..i].ends_with(char::is_uppercase)
        })
        .map(|(i, _)| i)
        .unwrap_or(first_para.len());
    let sentence = first_para[..sentence_end].trim().trim_end_matches('.');
    if sentence.chars().count() <= MAX {
        return sentence.to_string();
    }
    let mut cut: String = sentence.chars().take(MAX).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_reads_as_a_title() {
        let title = |path| from_file_name(path);
        assert_eq!(
            title("briefings/sahel-alliance-joint-operations.txt").as_deref(),
            Some("Sahel alliance joint operations")
        );
        assert_eq!(
            title("2026/Lake Chad_water  deal.md").as_deref(),
            Some("Lake Chad water deal")
        );
        assert_eq!(title("été-2026.txt").as_deref(), Some("Été 2026"));
        assert_eq!(title("briefings/--_.txt"), None);
    }

    #[test]
    fn the_first_sentence_is_the_last_resort() {
        assert_eq!(
            from_text("The U.S. plan passed. More."),
            "The U.S. plan passed"
        );
        assert_eq!(from_text("No full stop"), "No full stop");
        let long = "word ".repeat(60);
        let t = from_text(&long);
        assert!(t.ends_with('…') && t.chars().count() <= 121, "{t}");
    }
}
