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
        digest::digest(),
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
        (
            "digest",
            "digest",
            "Programmer des briefings dans les salons de ce serveur",
        ),
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
    for sub in &mut command.subcommands {
        localize_subcommand(sub);
    }
}

/// French for subcommands and their options, by (subcommand, option): the same option name
/// means different things in different subcommands (`/digest add name` names a new digest).
fn localize_subcommand(command: &mut poise::Command<Arc<Data>, Error>) {
    let fr: &[(&str, &str, &str)] = &[
        (
            "add",
            "ajouter",
            "Créer un digest qui publie des briefings dans un salon selon un horaire",
        ),
        (
            "list",
            "liste",
            "Les digests de ce serveur : horaire, prochaine publication, pauses, erreurs",
        ),
        (
            "edit",
            "modifier",
            "Modifier un digest de ce serveur : horaire, sections, mot-clé, mention, contenu",
        ),
        ("remove", "supprimer", "Supprimer un digest de ce serveur"),
        ("pause", "pause", "Suspendre un digest jusqu'à sa reprise"),
        (
            "resume",
            "reprendre",
            "Relancer un digest suspendu, à partir de sa prochaine heure",
        ),
        (
            "preview",
            "apercu",
            "Voir ce qu'un digest publierait maintenant (visible par vous seul)",
        ),
        (
            "send-now",
            "envoyer",
            "Publier un digest maintenant dans son salon",
        ),
    ];
    if let Some((_, name, description)) = fr.iter().find(|(n, _, _)| *n == command.name) {
        command
            .name_localizations
            .insert("fr".into(), (*name).into());
        command
            .description_localizations
            .insert("fr".into(), (*description).into());
    }
    let fr_options: &[(&str, &str, &str)] = &[
        ("add", "name", "Un nom court : lettres, chiffres, - et _"),
        ("add", "channel", "Où publier"),
        (
            "add",
            "schedule",
            "Quand, en cron : 0 8 * * MON-FRI, */30 * * * *, @daily",
        ),
        (
            "add",
            "timezone",
            "Fuseau horaire IANA, p. ex. Europe/Paris (par défaut : celui du bot)",
        ),
        (
            "add",
            "sections",
            "Sections à inclure, séparées par des virgules (par défaut : toutes)",
        ),
        ("add", "tag", "Seulement les briefings avec ce mot-clé"),
        (
            "add",
            "mention_role",
            "Un rôle à mentionner à chaque publication",
        ),
        ("add", "silent", "Publier sans notification"),
        (
            "edit",
            "schedule",
            "Quand, en cron : 0 8 * * MON-FRI, */30 * * * *, @daily",
        ),
        (
            "edit",
            "timezone",
            "Fuseau horaire IANA, p. ex. Europe/Paris",
        ),
        (
            "edit",
            "sections",
            "Sections à inclure, séparées par des virgules, ou all",
        ),
        ("edit", "tag", "Seulement les briefings avec ce mot-clé"),
        (
            "edit",
            "mention_role",
            "Un rôle à mentionner à chaque publication",
        ),
        ("edit", "silent", "Publier sans notification"),
        (
            "edit",
            "clear",
            "Remettre un réglage à sa valeur par défaut",
        ),
        (
            "*",
            "max_briefings",
            "Nombre maximal de briefings par publication (1 à 10)",
        ),
        (
            "*",
            "only_new",
            "Ignorer les briefings déjà publiés dans le salon",
        ),
        (
            "*",
            "when_empty",
            "Sans nouveauté : ne rien publier, ou un court avis",
        ),
        ("*", "name", "Quel digest"),
    ];
    for param in &mut command.parameters {
        let found = fr_options
            .iter()
            .find(|(c, n, _)| *c == command.name && *n == param.name)
            .or_else(|| {
                fr_options
                    .iter()
                    .find(|(c, n, _)| *c == "*" && *n == param.name)
            });
        if let Some((_, _, description)) = found {
            param
                .description_localizations
                .insert("fr".into(), (*description).into());
        }
    }
}
