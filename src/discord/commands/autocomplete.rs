//! Autocomplete for the `briefing`, `name` and `tag` options: at most 25 choices, best first,
//! computed from the in-memory library so they arrive well within Discord's deadline.

use crate::answer::Choice;
use crate::briefings::answers;
use crate::discord::state::Ctx;
use poise::serenity_prelude::AutocompleteChoice;

fn to_choices(choices: Vec<Choice>) -> Vec<AutocompleteChoice> {
    choices
        .into_iter()
        .map(|c| AutocompleteChoice::new(c.name, c.value))
        .collect()
}

pub async fn briefing(ctx: Ctx<'_>, partial: &str) -> Vec<AutocompleteChoice> {
    to_choices(answers::complete_briefings(
        &ctx.data().content().library,
        partial,
    ))
}

pub async fn tag(ctx: Ctx<'_>, partial: &str) -> Vec<AutocompleteChoice> {
    to_choices(answers::complete_tags(
        &ctx.data().content().library,
        partial,
    ))
}

/// Sections of the briefing already chosen in the same command, if any.
pub async fn section(ctx: Ctx<'_>, partial: &str) -> Vec<AutocompleteChoice> {
    let chosen = match ctx {
        poise::Context::Application(app) => app
            .interaction
            .data
            .options
            .iter()
            .find(|o| o.name == "briefing")
            .and_then(|o| o.value.as_str().map(str::to_string)),
        poise::Context::Prefix(_) => None,
    };
    let config = ctx.data().config();
    let content = ctx.data().content();
    to_choices(answers::complete_sections(
        &content.library,
        &config.sections,
        chosen.as_deref(),
        partial,
    ))
}
