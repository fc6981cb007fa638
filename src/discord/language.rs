//! Which language an answer is in: the member's client locale when briefbot has words for it,
//! else the guild's (`guild_locale`, which Discord sends on guild interactions), else English.
//! Each guild interaction also tells the scheduler the guild's locale, for digests and alerts
//! that name no language.

use super::state::{Ctx, Data};
use crate::locales::Words;

/// The words to answer this command (or autocomplete) in.
pub fn words(ctx: Ctx<'_>) -> Words {
    match ctx {
        poise::Context::Application(app) => {
            let ix = app.interaction;
            let guild = ix.guild_id.map(|g| g.get());
            words_for(
                ctx.data(),
                Some(&ix.locale),
                ix.guild_locale.as_deref(),
                guild,
            )
        }
        poise::Context::Prefix(_) => ctx.data().config().locales.english(),
    }
}

/// The words for an interaction that said `locale` and `guild_locale`.
pub fn words_for(
    data: &Data,
    locale: Option<&str>,
    guild_locale: Option<&str>,
    guild_id: Option<u64>,
) -> Words {
    if let (Some(guild), Some(guild_locale)) = (guild_id, guild_locale) {
        data.scheduler().note_guild_locale(guild, guild_locale);
    }
    data.config().locales.words(&[locale, guild_locale])
}
