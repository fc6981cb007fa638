//! Everything the framework hands us besides a successful command: button clicks, and every
//! kind of failure, each answered with a short note only the caller sees. Internals (errors,
//! paths) go to the log, never to the member.

use super::commands::handle_list_button;
use super::http::callback;
use super::language::{words, words_for};
use super::reply::{ephemeral, Invocation, Target};
use super::state::{Ctx, Data, Error, FrameworkError};
use poise::serenity_prelude as serenity;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

pub fn pre_command(ctx: Ctx<'_>) -> poise::BoxFuture<'_, ()> {
    Box::pin(async move {
        let guard = ctx.data().begin_interaction();
        ctx.set_invocation_data(Invocation {
            started: Instant::now(),
            _in_flight: guard,
        })
        .await;
    })
}

/// Commands that read briefings: these share the per-user cooldown of `[limits] cooldown`.
const QUERY_COMMANDS: &[&str] = &[
    "brief",
    "whats-happening",
    "why-it-matters",
    "whats-next",
    "beyond-the-headlines",
    "section",
    "briefings",
    "search",
];

/// Refuses a query command while its caller is on cooldown, telling them how long to wait.
/// Returning `false` after answering makes poise skip the command without another reply.
/// Typing in an option (autocomplete) is not a use: it neither spends nor waits out the cooldown.
pub fn command_check(ctx: Ctx<'_>) -> poise::BoxFuture<'_, Result<bool, Error>> {
    Box::pin(async move {
        if !QUERY_COMMANDS.contains(&ctx.command().qualified_name.as_str()) || is_autocomplete(ctx)
        {
            return Ok(true);
        }
        let Err(wait) = ctx
            .data()
            .cooldowns()
            .try_use(ctx.author().id.get(), Instant::now())
        else {
            return Ok(true);
        };
        crate::metrics::cooldown_refusal();
        let target = Target::of(ctx)?;
        target
            .respond(
                ctx.data(),
                4,
                vec![ephemeral(crate::answer::wait_text(&words(ctx), wait))],
            )
            .await?;
        super::reply::record(ctx, "cooldown").await;
        Ok(false)
    })
}

pub fn event_handler<'a>(
    ctx: &'a serenity::Context,
    event: &'a serenity::FullEvent,
    _framework: poise::FrameworkContext<'a, Arc<Data>, Error>,
    data: &'a Arc<Data>,
) -> poise::BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        if let serenity::FullEvent::InteractionCreate { interaction } = event {
            // Which replica and shard got it, when several share a bot.
            let (id, shard) = (interaction.id().get(), ctx.shard_id.0);
            tracing::debug!(id, shard, "interaction received");
        }
        match event {
            serenity::FullEvent::InteractionCreate {
                interaction: serenity::Interaction::Component(click),
            } => {
                let _guard = data.begin_interaction();
                let span = tracing::info_span!("interaction", id = click.id.get(), kind = "button");
                let guild = click.guild_id.map(|g| g.get());
                let locale = Some(click.locale.as_str());
                let words = words_for(data, locale, click.guild_locale.as_deref(), guild);
                let custom_id = &click.data.custom_id;
                handle_list_button(data, &words, click.id.get(), &click.token, custom_id)
                    .instrument(span)
                    .await?;
            }
            // Each guild's locale, for the digests and alerts that name no language.
            serenity::FullEvent::GuildCreate { guild, .. } => {
                let scheduler = data.scheduler();
                scheduler.note_guild_locale(guild.id.get(), &guild.preferred_locale);
            }
            // serenity tells the framework about a lost connection only once it is back: a
            // resume, or a shard's READY after its first (the session was lost and identified
            // again). Each shard of a range has a first READY of its own.
            serenity::FullEvent::Ready { .. } if !data.first_ready(ctx.shard_id.0) => {
                tracing::warn!("gateway session was lost; identified again");
                crate::metrics::gateway_event(
                    "disconnect",
                    "gateway session lost; identified again",
                );
                crate::metrics::gateway_event("reidentify", "new session");
            }
            serenity::FullEvent::Resume { .. } => {
                tracing::warn!("gateway connection was lost; session resumed");
                crate::metrics::gateway_event(
                    "disconnect",
                    "gateway connection lost; session resumed",
                );
                crate::metrics::gateway_event("resume", "resumed");
            }
            _ => {}
        }
        Ok(())
    })
}

pub fn on_error(error: FrameworkError<'_>) -> poise::BoxFuture<'_, ()> {
    Box::pin(async move {
        match error {
            FrameworkError::Command { error, ctx, .. } => {
                tracing::error!(command = %ctx.command().qualified_name, error = %format!("{error:#}"), "command failed");
                tell(ctx, "sorry", "error").await;
            }
            FrameworkError::ArgumentParse { ctx, error, .. } => {
                tracing::info!(command = %ctx.command().qualified_name, %error, "bad option value");
                tell(ctx, "bad-option", "bad_input").await;
            }
            FrameworkError::CommandStructureMismatch {
                ctx, description, ..
            } => {
                tracing::warn!(command = %ctx.command.qualified_name, description, "command shape does not match the registered one");
                tell(
                    poise::Context::Application(ctx),
                    "command-changed",
                    "bad_input",
                )
                .await;
            }
            // The cooldown check has answered already.
            FrameworkError::CommandCheckFailed { error: None, .. } => {}
            FrameworkError::GuildOnly { ctx, .. } => tell(ctx, "servers-only", "refused").await,
            FrameworkError::SubcommandRequired { ctx } => {
                tell(ctx, "pick-subcommand", "bad_input").await
            }
            FrameworkError::UnknownInteraction {
                framework,
                interaction,
                ..
            } => {
                tracing::info!(command = %interaction.data.name, "unknown command");
                let target = Target {
                    id: interaction.id.get(),
                    token: &interaction.token,
                };
                let guild = interaction.guild_id.map(|g| g.get());
                let locale = Some(interaction.locale.as_str());
                let guild_locale = interaction.guild_locale.as_deref();
                let words = words_for(framework.user_data, locale, guild_locale, guild);
                let note = ephemeral(words.text("unknown-command"));
                let answered = if interaction.data.autocomplete().is_some() {
                    target.respond_choices(framework.user_data).await
                } else {
                    target.respond(framework.user_data, 4, vec![note]).await
                };
                if let Err(e) = answered {
                    tracing::warn!(error = %e, "could not answer an unknown command");
                }
                crate::metrics::interaction("unknown", "refused", 0.0);
            }
            FrameworkError::EventHandler { error, .. } => {
                tracing::error!(error = %format!("{error:#}"), "event handler failed");
            }
            other => {
                if let Some(ctx) = other.ctx() {
                    tell(ctx, "sorry", "error").await;
                }
                tracing::error!(error = %other, "framework error");
            }
        }
    })
}

/// Tells the caller the message `key`, in their language, as the response or, if one was
/// already sent, as a follow-up.
async fn tell(ctx: Ctx<'_>, key: &str, outcome: &str) {
    let Ok(target) = Target::of(ctx) else { return };
    let data = ctx.data();
    if is_autocomplete(ctx) {
        // An autocomplete can only be answered with choices: none, rather than an error.
        if let Err(e) = target.respond_choices(data).await {
            tracing::warn!(error = %e, "could not answer an autocomplete");
        }
        return;
    }
    let text = words(ctx).text(key);
    let text = text.as_str();
    if target
        .respond(data, callback::CHANNEL_MESSAGE, vec![ephemeral(text)])
        .await
        .is_err()
    {
        if let Err(e) = data
            .rest
            .post(
                target.follow_up_route(data.application_id),
                &ephemeral(text),
                super::rest::RetryPolicy::INTERACTION,
            )
            .await
        {
            tracing::warn!(error = %e, "could not tell the caller about an error");
        }
    }
    super::reply::record(ctx, outcome).await;
}

fn is_autocomplete(ctx: Ctx<'_>) -> bool {
    matches!(ctx, poise::Context::Application(app)
        if app.interaction_type == poise::CommandInteractionType::Autocomplete)
}
