//! The slash commands. Each one turns its options into a call to `crate::query` and the result
//! into an answer; the logic lives in the core, where it is tested with plain values.

mod admin;
mod autocomplete;
mod briefing;
mod list;
mod search;

pub use admin::reload_all;
pub use list::handle_list_button;

use super::state::{Data, Error};
use std::sync::Arc;

/// Every command briefbot registers, with its French names and descriptions.
pub fn all() -> Vec<poise::Command<Arc<Data>, Error>> {
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
    ];
    for command in &mut commands {
        localize(command);
    }
    commands
}

/// French localizations (Discord locale `fr`), applied by command name so the table stays in one
/// place rather than in attributes spread over every command.
fn localize(command: &mut poise::Command<Arc<Data>, Error>) {
    let fr: &[(&str, &str, &str)] = &[
        (
            "brief",
            "briefing",
            "Lire le dernier briefing, ou celui de votre choix",
        ),
        (
            "whats-happening",
            "ce-qui-se-passe",
            "La section « Ce qui se passe » d'un briefing",
        ),
        (
            "why-it-matters",
            "pourquoi-c-est-important",
            "La section « Pourquoi c'est important » d'un briefing",
        ),
        (
            "whats-next",
            "et-apres",
            "La section « Et après » d'un briefing",
        ),
        (
            "beyond-the-headlines",
            "au-dela-des-titres",
            "La section « Au-delà des gros titres » d'un briefing",
        ),
        (
            "section",
            "section",
            "N'importe quelle section d'un briefing",
        ),
        (
            "briefings",
            "briefings",
            "La liste des briefings, du plus récent au plus ancien",
        ),
        ("search", "recherche", "Chercher dans les briefings"),
        ("briefbot", "briefbot", "Administration de briefbot"),
    ];
    if let Some((_, name, description)) = fr.iter().find(|(n, _, _)| *n == command.name) {
        command
            .name_localizations
            .insert("fr".into(), (*name).into());
        command
            .description_localizations
            .insert("fr".into(), (*description).into());
    }
    let fr_options: &[(&str, &str)] = &[
        ("briefing", "Quel briefing (par défaut : le plus récent)"),
        ("name", "Le nom de la section"),
        ("tag", "Seulement les briefings avec ce mot-clé"),
        ("page", "Numéro de page"),
        ("query", "Les mots à chercher"),
    ];
    for param in &mut command.parameters {
        if let Some((_, description)) = fr_options.iter().find(|(n, _)| *n == param.name) {
            param
                .description_localizations
                .insert("fr".into(), (*description).into());
        }
    }
}
