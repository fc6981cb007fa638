//! `/brief`, the four section commands and `/section`.

use super::autocomplete;
use crate::briefings::answers;
use crate::discord::language::words;
use crate::discord::reply::answer_prepared;
use crate::discord::state::{Ctx, Error};

/// Read the newest briefing, or the one you pick
#[poise::command(slash_command, guild_only)]
pub async fn brief(
    ctx: Ctx<'_>,
    #[description = "Which briefing (default: the newest)"]
    #[autocomplete = "autocomplete::briefing"]
    #[max_length = 100]
    briefing: Option<String>,
) -> Result<(), Error> {
    let content = ctx.data().content();
    let brief = answers::brief(
        &words(ctx),
        &content.library,
        &content.answers,
        briefing.as_deref(),
    );
    answer_prepared(ctx, brief).await
}

/// One section of a briefing, by key or heading.
async fn one_section(ctx: Ctx<'_>, key: &str, briefing: Option<String>) -> Result<(), Error> {
    let content = ctx.data().content();
    let config = ctx.data().config();
    let words = words(ctx);
    let section = answers::section(
        &words,
        &content.library,
        &content.answers,
        &config.sections,
        briefing.as_deref(),
        key,
    );
    answer_prepared(ctx, section).await
}

/// What's happening: the news itself
#[poise::command(slash_command, guild_only, rename = "whats-happening")]
pub async fn whats_happening(
    ctx: Ctx<'_>,
    #[description = "Which briefing (default: the newest)"]
    #[autocomplete = "autocomplete::briefing"]
    #[max_length = 100]
    briefing: Option<String>,
) -> Result<(), Error> {
    one_section(ctx, "whats_happening", briefing).await
}

/// Why it matters
#[poise::command(slash_command, guild_only, rename = "why-it-matters")]
pub async fn why_it_matters(
    ctx: Ctx<'_>,
    #[description = "Which briefing (default: the newest)"]
    #[autocomplete = "autocomplete::briefing"]
    #[max_length = 100]
    briefing: Option<String>,
) -> Result<(), Error> {
    one_section(ctx, "why_it_matters", briefing).await
}

/// What comes next
#[poise::command(slash_command, guild_only, rename = "whats-next")]
pub async fn whats_next(
    ctx: Ctx<'_>,
    #[description = "Which briefing (default: the newest)"]
    #[autocomplete = "autocomplete::briefing"]
    #[max_length = 100]
    briefing: Option<String>,
) -> Result<(), Error> {
    one_section(ctx, "whats_next", briefing).await
}

/// Beyond the headlines: the wider picture
#[poise::command(slash_command, guild_only, rename = "beyond-the-headlines")]
pub async fn beyond_the_headlines(
    ctx: Ctx<'_>,
    #[description = "Which briefing (default: the newest)"]
    #[autocomplete = "autocomplete::briefing"]
    #[max_length = 100]
    briefing: Option<String>,
) -> Result<(), Error> {
    one_section(ctx, "beyond_the_headlines", briefing).await
}

/// Any section of a briefing, custom ones too
#[poise::command(slash_command, guild_only)]
pub async fn section(
    ctx: Ctx<'_>,
    #[description = "The section's name"]
    #[autocomplete = "autocomplete::section"]
    #[max_length = 100]
    name: String,
    #[description = "Which briefing (default: the newest)"]
    #[autocomplete = "autocomplete::briefing"]
    #[max_length = 100]
    briefing: Option<String>,
) -> Result<(), Error> {
    one_section(ctx, &name, briefing).await
}
