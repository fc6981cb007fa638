//! Registers the slash commands in one scope: the configured guilds (instant) or globally.
//! A command registered in both scopes shows twice, so the other scope is emptied.

use super::rest::{Rest, RetryPolicy};
use poise::serenity_prelude::CreateCommand;

pub async fn register(
    rest: &Rest,
    application_id: u64,
    commands: &[CreateCommand],
    guild_ids: &[u64],
    ready_guilds: &[u64],
) -> anyhow::Result<()> {
    let global = format!("/applications/{application_id}/commands");
    let in_guild = |g: u64| format!("/applications/{application_id}/guilds/{g}/commands");
    if guild_ids.is_empty() {
        rest.put(&global, &commands, RetryPolicy::PATIENT).await?;
        // Guild copies left over from an earlier guild-scoped run would show twice.
        for &guild in ready_guilds {
            clear_if_any(rest, &in_guild(guild)).await?;
        }
        tracing::info!(count = commands.len(), "registered commands globally");
    } else {
        for &guild in guild_ids {
            rest.put(&in_guild(guild), &commands, RetryPolicy::PATIENT)
                .await?;
        }
        clear_if_any(rest, &global).await?;
        tracing::info!(count = commands.len(), guilds = ?guild_ids, "registered commands in guilds");
    }
    Ok(())
}

async fn clear_if_any(rest: &Rest, path: &str) -> anyhow::Result<()> {
    let existing = rest.get(path, RetryPolicy::PATIENT).await?;
    if existing.as_array().is_some_and(|a| !a.is_empty()) {
        rest.put(path, &Vec::<()>::new(), RetryPolicy::PATIENT)
            .await?;
        tracing::info!(path = %super::rest::route_label(path), "removed commands registered in the other scope");
    }
    Ok(())
}
