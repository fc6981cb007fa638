//! Answering interactions with the renderer's payloads, sent as they are: the first as the
//! interaction response, the rest as follow-ups; refusals and errors only to the caller.

use super::http::{callback, Route};
use super::rest::{Rest, RestError, RetryPolicy};
use super::state::{Ctx, Data, Error};
use crate::answer::UserError;
use crate::render::{MessagePayload, EPHEMERAL};
use serde_json::json;
use std::time::Instant;

/// Set on every invocation by the framework's pre-command hook: when it started, and a guard
/// that keeps shutdown waiting until the answer is out.
pub struct Invocation {
    pub started: Instant,
    pub _in_flight: super::state::InFlight,
}

/// A message only the caller sees, cut to fit one message (its words may come from an
/// admin's locale file).
pub fn ephemeral(text: impl Into<String>) -> MessagePayload {
    let text = crate::answer::clip(&text.into(), crate::render::limits::CONTENT);
    let mut p = MessagePayload::with_content(text);
    p.add_flag(EPHEMERAL);
    p
}

/// Stands in for an answer with no message (no command makes one); the caller's language is
/// not known here.
fn nothing(data: &Data) -> MessagePayload {
    ephemeral(data.config().locales.english().text("nothing-to-show"))
}

/// Where an interaction is answered: its id and token.
pub struct Target<'a> {
    pub id: u64,
    pub token: &'a str,
}

impl Target<'_> {
    pub fn of(ctx: Ctx<'_>) -> anyhow::Result<Target<'_>> {
        match ctx {
            poise::Context::Application(app) => Ok(Target {
                id: app.interaction.id.get(),
                token: &app.interaction.token,
            }),
            poise::Context::Prefix(_) => anyhow::bail!("briefbot only has slash commands"),
        }
    }

    /// Sends `payloads`: the first as the response of `kind`, the rest as follow-ups.
    pub async fn respond(
        &self,
        data: &Data,
        kind: u8,
        payloads: Vec<MessagePayload>,
    ) -> Result<(), RestError> {
        let mut payloads = payloads.into_iter();
        let first = payloads.next().unwrap_or_else(|| nothing(data));
        data.rest
            .post(
                self.callback(),
                &json!({ "type": kind, "data": first }),
                RetryPolicy::INTERACTION,
            )
            .await?;
        self.follow_up(&data.rest, data.application_id, payloads)
            .await
    }

    /// Answers an autocomplete with no choices (for options or commands the bot cannot serve).
    pub async fn respond_choices(&self, data: &Data) -> Result<(), RestError> {
        let body = json!({ "type": callback::AUTOCOMPLETE_RESULT, "data": { "choices": [] } });
        data.rest
            .post(self.callback(), &body, RetryPolicy::INTERACTION)
            .await
            .map(drop)
    }

    /// Acknowledges now and answers later with `edit_original` (for work that may take > 3 s).
    pub async fn defer(&self, data: &Data, only_caller: bool) -> Result<(), RestError> {
        let flags = if only_caller { EPHEMERAL } else { 0 };
        let body =
            json!({ "type": callback::DEFERRED_CHANNEL_MESSAGE, "data": { "flags": flags } });
        data.rest
            .post(self.callback(), &body, RetryPolicy::INTERACTION)
            .await
            .map(drop)
    }

    /// Completes a deferred interaction by editing its original response, then follows up.
    pub async fn edit_original(
        &self,
        data: &Data,
        payloads: Vec<MessagePayload>,
    ) -> Result<(), RestError> {
        let mut payloads = payloads.into_iter();
        let first = payloads.next().unwrap_or_else(|| nothing(data));
        let route = Route::OriginalResponse {
            application: data.application_id,
            token: self.token,
        };
        data.rest.patch(route, &first, RetryPolicy::PATIENT).await?;
        self.follow_up(&data.rest, data.application_id, payloads)
            .await
    }

    fn callback(&self) -> Route<'_> {
        Route::InteractionCallback {
            interaction: self.id,
            token: self.token,
        }
    }

    /// Where follow-up messages of this interaction go.
    pub fn follow_up_route(&self, application_id: u64) -> Route<'_> {
        Route::FollowUp {
            application: application_id,
            token: self.token,
        }
    }

    async fn follow_up(
        &self,
        rest: &Rest,
        application_id: u64,
        payloads: impl Iterator<Item = MessagePayload>,
    ) -> Result<(), RestError> {
        for payload in payloads {
            // The interaction token lives 15 minutes: follow-ups may wait out a rate limit.
            rest.post(
                self.follow_up_route(application_id),
                &payload,
                RetryPolicy::PATIENT,
            )
            .await?;
        }
        Ok(())
    }
}

/// Answers a command with `result`: the payloads, or the user error shown only to the caller.
pub async fn answer(
    ctx: Ctx<'_>,
    result: Result<Vec<MessagePayload>, UserError>,
) -> Result<(), Error> {
    let outcome = if result.is_ok() { "ok" } else { "refused" };
    let payloads = result.unwrap_or_else(|e| vec![ephemeral(e.0)]);
    Target::of(ctx)?
        .respond(ctx.data(), callback::CHANNEL_MESSAGE, payloads)
        .await?;
    record(ctx, outcome).await;
    Ok(())
}

/// Counts the answer and its latency under the command's full name.
pub async fn record(ctx: Ctx<'_>, outcome: &str) {
    let started = ctx.invocation_data::<Invocation>().await.map(|i| i.started);
    let seconds = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    let command = ctx.command().qualified_name.replace(' ', "_");
    crate::metrics::interaction(&command, outcome, seconds);
    tracing::info!(command, outcome, ms = (seconds * 1000.0) as u64, "answered");
}
