//! The slash commands. Each one turns its options into a call to `crate::briefings::answers` and the result
//! into an answer; the logic lives in the core, where it is tested with plain values.

mod admin;
mod autocomplete;
mod briefing;
mod digest;
mod list;
mod search;

pub use list::handle_list_button;

use super::state::{Data, Error};
use crate::locales::Locales;
use std::sync::Arc;

type Command = poise::Command<Arc<Data>, Error>;

/// Discord's locales: each gets the names and descriptions of the locale file that serves it
/// (`es.ftl` serves `es-ES` and `es-419`). English is the default, not a localization.
const DISCORD_LOCALES: [&str; 32] = [
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

/// Every command briefbot registers, named and described from the locale files.
pub fn all(locales: &Arc<Locales>) -> Vec<Command> {
    let mut commands = vec![
        briefing::brief(),
        briefing::whats_happening(),
        briefing::why_it_matters(),
        briefing::whats_next(),
        briefing::beyond_the_headlines(),
        briefing::section(),
        list::briefings(),
        search::search(),
        admin::briefbot(),
        digest::digest(),
    ];
    for command in &mut commands {
        localize(command, "cmd", locales);
    }
    commands
}

/// Descriptions and localized names from the `cmd-…` messages: `cmd-digest-add` describes
/// `/digest add`, `cmd-digest-add-opt-name` its `name` option, whose `.choice-<name>`
/// attributes translate its choices. They replace the `///` and
/// `#[description]` texts of the code, which document it. The canonical (English) names stay
/// those in the code, which the rest of the bot matches on.
fn localize(command: &mut Command, parent: &str, locales: &Arc<Locales>) {
    let key = format!("{parent}-{}", command.name);
    let english = locales.english();
    command.description = Some(english.text(&key));
    for param in &mut command.parameters {
        let param_key = format!("{key}-opt-{}", param.name);
        param.description = Some(english.text(&param_key));
        for (locale, words) in localizations(locales) {
            if words.has(&param_key) {
                let text = words.text(&param_key);
                param.description_localizations.insert(locale.into(), text);
            }
            if let Some(name) = words.attribute(&param_key, "name") {
                param.name_localizations.insert(locale.into(), name);
            }
            for choice in &mut param.choices {
                let attribute = format!("choice-{}", choice.name);
                if let Some(name) = words.attribute(&param_key, &attribute) {
                    choice.localizations.insert(locale.into(), name);
                }
            }
        }
    }
    for (locale, words) in localizations(locales) {
        if words.has(&key) {
            let text = words.text(&key);
            command
                .description_localizations
                .insert(locale.into(), text);
        }
        if let Some(name) = words.attribute(&key, "name") {
            command.name_localizations.insert(locale.into(), name);
        }
    }
    for sub in &mut command.subcommands {
        localize(sub, &key, locales);
    }
}

/// The Discord locales some file other than English serves, with its words.
fn localizations(
    locales: &Arc<Locales>,
) -> impl Iterator<Item = (&'static str, crate::locales::Words)> + '_ {
    DISCORD_LOCALES
        .iter()
        .map(|l| (*l, locales.words(&[Some(l)])))
        .filter(|(_, words)| words.lang() != crate::locales::ENGLISH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_command(commands: &[Command]) -> Vec<&Command> {
        let mut out = Vec::new();
        for c in commands {
            out.push(c);
            out.extend(every_command(&c.subcommands));
        }
        out
    }

    /// Each command and option is described in English and named and described in French, from
    /// the files: a command added without its words fails here, not at Discord.
    #[test]
    fn every_command_and_option_has_its_words_in_every_shipped_language() {
        let commands = all(&Locales::shipped());
        let all = every_command(&commands);
        assert!(all.len() > 15);
        for c in all {
            let described = c.description.as_deref().unwrap_or("");
            assert!(
                !described.is_empty() && !described.starts_with("cmd-"),
                "{}",
                c.name
            );
            assert!(
                c.name_localizations.contains_key("fr"),
                "{} has no French name",
                c.name
            );
            assert!(c.description_localizations.contains_key("fr"), "{}", c.name);
            assert!(
                !c.name_localizations.contains_key("en-US"),
                "English is the default"
            );
            for p in &c.parameters {
                let described = p.description.as_deref().unwrap_or("");
                assert!(!described.starts_with("cmd-"), "{} {}", c.name, p.name);
                assert!(
                    p.name_localizations.contains_key("fr"),
                    "{} {}",
                    c.name,
                    p.name
                );
                assert!(
                    p.description_localizations.contains_key("fr"),
                    "{} {}",
                    c.name,
                    p.name
                );
            }
        }
        let digest = commands.iter().find(|c| c.name == "digest").unwrap();
        let add = digest.subcommands.iter().find(|c| c.name == "add").unwrap();
        let target = add.parameters.iter().find(|p| p.name == "target").unwrap();
        let french: Vec<&str> = (target.choices.iter())
            .map(|c| c.localizations["fr"].as_str())
            .collect();
        assert_eq!(french, ["salon", "forum", "fil", "webhook"]);
        let next = commands.iter().find(|c| c.name == "whats-next").unwrap();
        assert_eq!(next.name_localizations["fr"], "et-apres");
        assert_eq!(next.description.as_deref(), Some("What comes next"));
    }
}
