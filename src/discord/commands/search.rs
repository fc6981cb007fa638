//! `/search`.

use super::autocomplete;
use crate::briefings::answers;
use crate::discord::language::words;
use crate::discord::reply::answer;
use crate::discord::state::{Ctx, Error};

/// Search the briefings
#[poise::command(slash_command, guild_only)]
pub async fn search(
    ctx: Ctx<'_>,
    #[description = "Words to look for"]
    #[max_length = 200]
    query: String,
    #[description = "Only briefings with this tag"]
    #[autocomplete = "autocomplete::tag"]
    #[max_length = 100]
    tag: Option<String>,
) -> Result<(), Error> {
    let content = ctx.data().content();
    let limits = ctx.data().config().limits.clone();
    let result = answers::search(
        &words(ctx),
        &content.search,
        &query,
        tag.as_deref(),
        limits.search_results,
        limits.max_query_len,
    );
    answer(ctx, result.map(|p| vec![p])).await
}
