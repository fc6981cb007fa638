//! Registers the slash commands in one scope: the configured guilds (instant) or globally.
//! A command registered in both scopes shows twice, so the other scope is emptied.

use super::http::Route;
use super::rest::{Rest, RetryPolicy};
use poise::serenity_prelude::CreateCommand;

pub async fn register(
    rest: &Rest,
    application_id: u64,
    commands: &[CreateCommand],
    guild_ids: &[u64],
    ready_guilds: &[u64],
) -> anyhow::Result<()> {
    let global = Route::GlobalCommands {
        application: application_id,
    };
    let in_guild = |guild: u64| Route::GuildCommands {
        application: application_id,
        guild,
    };
    if guild_ids.is_empty() {
        rest.put(global, &commands, RetryPolicy::PATIENT).await?;
        // Guild copies left over from an earlier guild-scoped run would show twice.
        for &guild in ready_guilds {
            clear_if_any(rest, in_guild(guild)).await?;
        }
        tracing::info!(count = commands.len(), "registered commands globally");
    } else {
        for &guild in guild_ids {
            rest.put(in_guild(guild), &commands, RetryPolicy::PATIENT)
                .await?;
        }
        clear_if_any(rest, global).await?;
        tracing::info!(count = commands.len(), guilds = ?guild_ids, "registered commands in guilds");
    }
    Ok(())
}

async fn clear_if_any(rest: &Rest, route: Route<'_>) -> anyhow::Result<()> {
    let existing = rest.get(route, RetryPolicy::PATIENT).await?;
    let registered: Vec<serde::de::IgnoredAny> =
        serde_json::from_value(existing).unwrap_or_default();
    if !registered.is_empty() {
        rest.put(route, &Vec::<()>::new(), RetryPolicy::PATIENT)
            .await?;
        tracing::info!(
            route = route.label(),
            "removed commands registered in the other scope"
        );
    }
    Ok(())
}
