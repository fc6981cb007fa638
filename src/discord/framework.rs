//! poise's framework with one change: autocomplete interactions are answered through
//! briefbot's own REST client (`rest.rs`, with its 429 and 5xx retries) instead of by poise
//! through serenity's client, whose rate limiter is off under `discord.api_base`, so a single
//! 429 there lost the member's choices. Finding the command, running its checks and calling the
//! option's autocomplete function stay poise's: the `#[autocomplete = …]` attributes remain the
//! one place that says how an option completes.

use super::http::Route;
use super::rest::RetryPolicy;
use super::state::{Data, Error};
use poise::serenity_prelude as serenity;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};
use tracing::Instrument;

pub struct Framework {
    poise: poise::Framework<Arc<Data>, Error>,
    /// From the first READY, as poise keeps its own (which it does not share).
    bot_id: OnceLock<serenity::UserId>,
}

impl Framework {
    pub fn new(poise: poise::Framework<Arc<Data>, Error>) -> Framework {
        Framework {
            poise,
            bot_id: OnceLock::new(),
        }
    }

    async fn autocomplete(
        &self,
        ctx: serenity::Context,
        interaction: serenity::CommandInteraction,
    ) {
        let data = self.poise.user_data().await;
        let Some(&bot_id) = self.bot_id.get() else {
            return; // an interaction before READY: the gateway does not send one
        };
        let _guard = data.begin_interaction();
        let framework = poise::FrameworkContext {
            bot_id,
            options: self.poise.options(),
            user_data: data,
            shard_manager: self.poise.shard_manager(),
        };
        let span = tracing::info_span!(
            "interaction",
            id = interaction.id.get(),
            kind = "autocomplete",
            command = %interaction.data.name
        );
        answer(framework, &ctx, &interaction).instrument(span).await;
    }
}

#[serenity::async_trait]
impl serenity::Framework for Framework {
    async fn init(&mut self, client: &serenity::Client) {
        self.poise.init(client).await;
    }

    async fn dispatch(&self, ctx: serenity::Context, event: serenity::FullEvent) {
        if let serenity::FullEvent::Ready { data_about_bot } = &event {
            let _ = self.bot_id.set(data_about_bot.user.id);
        }
        match event {
            serenity::FullEvent::InteractionCreate {
                interaction: serenity::Interaction::Autocomplete(interaction),
            } => self.autocomplete(ctx, interaction).await,
            event => self.poise.dispatch(ctx, event).await,
        }
    }
}

/// What poise's own autocomplete dispatch does, with the answer sent by briefbot's client. A
/// command, option or check that fails is answered with no choices (by `on_error` for poise's
/// errors), never with a message, which Discord refuses for an autocomplete.
async fn answer(
    framework: poise::FrameworkContext<'_, Arc<Data>, Error>,
    ctx: &serenity::Context,
    interaction: &serenity::CommandInteraction,
) {
    let options = interaction.data.options();
    let sent = AtomicBool::new(false);
    let invocation = tokio::sync::Mutex::new(Box::new(()) as _);
    let mut parents = Vec::new();
    let found = poise::dispatch::extract_command_and_run_checks(
        framework,
        ctx,
        interaction,
        poise::CommandInteractionType::Autocomplete,
        &sent,
        &invocation,
        &options,
        &mut parents,
    )
    .await;
    let app = match found {
        Ok(app) => app,
        Err(error) => return error.handle(framework.options).await,
    };
    let focused = app.args.iter().find_map(|o| match o.value {
        serenity::ResolvedValue::Autocomplete { value, .. } => Some((o.name, value)),
        _ => None,
    });
    let callback = focused.and_then(|(name, partial)| {
        let parameter = app.command.parameters.iter().find(|p| p.name == name)?;
        Some((parameter.autocomplete_callback?, partial))
    });
    let response = match callback {
        Some((callback, partial)) => match callback(app, partial).await {
            Ok(response) => response,
            Err(e) => {
                tracing::warn!(error = %e, "autocomplete failed; offering no choices");
                serenity::CreateAutocompleteResponse::new()
            }
        },
        None => {
            tracing::info!("autocomplete for an option that has none; offering no choices");
            serenity::CreateAutocompleteResponse::new()
        }
    };
    let route = Route::InteractionCallback {
        interaction: interaction.id.get(),
        token: &interaction.token,
    };
    let body = serenity::CreateInteractionResponse::Autocomplete(response);
    let data = framework.user_data;
    if let Err(e) = data.rest.post(route, &body, RetryPolicy::INTERACTION).await {
        tracing::warn!(error = %e, "could not send autocomplete choices");
    }
}
