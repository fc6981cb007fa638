//! `/briefings` and its Previous/Next buttons. The buttons carry page and tag in their
//! `custom_id`, so they keep working after a restart or reload.

use super::autocomplete;
use crate::briefings::answers;
use crate::discord::http::callback::UPDATE_MESSAGE;
use crate::discord::language::words;
use crate::discord::reply::{answer, ephemeral, Target};
use crate::discord::state::{Ctx, Data, Error};
use crate::locales::Words;

/// The briefings, newest first
#[poise::command(slash_command, guild_only)]
pub async fn briefings(
    ctx: Ctx<'_>,
    #[description = "Only briefings with this tag"]
    #[autocomplete = "autocomplete::tag"]
    #[max_length = 100]
    tag: Option<String>,
    #[description = "Page number"]
    #[min = 1]
    #[max = 10000]
    page: Option<u32>,
) -> Result<(), Error> {
    let content = ctx.data().content();
    let page_size = ctx.data().config().limits.page_size;
    let page = page.unwrap_or(1) as usize;
    let words = words(ctx);
    let list = answers::list_page(&words, &content.library, tag.as_deref(), page, page_size);
    answer(ctx, list.map(|p| vec![p])).await
}

/// A click on a paging button: the message is updated in place. Anything else briefbot did not
/// make gets a short explanation, only for the clicker.
pub async fn handle_list_button(
    data: &Data,
    words: &Words,
    id: u64,
    token: &str,
    custom_id: &str,
) -> Result<(), Error> {
    let target = Target { id, token };
    let Some((page, tag)) = answers::parse_list_button(custom_id) else {
        let note = ephemeral(words.text("button-expired"));
        target.respond(data, 4, vec![note]).await?;
        crate::metrics::interaction("button", "refused", 0.0);
        return Ok(());
    };
    let content = data.content();
    let page_size = data.config().limits.page_size;
    match answers::list_page(words, &content.library, tag.as_deref(), page, page_size) {
        Ok(payload) => target.respond(data, UPDATE_MESSAGE, vec![payload]).await?,
        Err(e) => target.respond(data, 4, vec![ephemeral(e.0)]).await?,
    }
    crate::metrics::interaction("button", "ok", 0.0);
    Ok(())
}
