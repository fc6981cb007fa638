//! Answering interactions with the renderer's payloads, sent as they are: the first as the
//! interaction response, the rest as follow-ups; refusals and errors only to the caller.
//! Briefings and sections come prepared (serialized once per library snapshot), so answering
//! them is a lookup and the send.

use super::http::{callback, Route};
use super::rest::{Rest, RestError, RetryPolicy};
use super::state::{Ctx, Data, Error};
use crate::answer::UserError;
use crate::render::{MessagePayload, Prepared, EPHEMERAL};
use serde_json::json;
use std::borrow::Cow;
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

/// What an answer sends: payloads built for it, or messages prepared beforehand.
pub enum Messages {
    Built(Vec<MessagePayload>),
    Prepared(Prepared),
}

impl From<Vec<MessagePayload>> for Messages {
    fn from(payloads: Vec<MessagePayload>) -> Self {
        Messages::Built(payloads)
    }
}

impl From<Prepared> for Messages {
    fn from(prepared: Prepared) -> Self {
        Messages::Prepared(prepared)
    }
}

impl Messages {
    /// Each message as Discord's JSON; never empty.
    fn json(&self, data: &Data) -> Vec<Cow<'_, str>> {
        let json: Vec<Cow<'_, str>> = match self {
            Messages::Built(payloads) => payloads.iter().map(|p| Cow::Owned(to_json(p))).collect(),
            Messages::Prepared(prepared) => prepared.messages().map(Cow::Borrowed).collect(),
        };
        if json.is_empty() {
            return vec![Cow::Owned(to_json(&nothing(data)))];
        }
        json
    }
}

fn to_json(payload: &MessagePayload) -> String {
    serde_json::to_string(payload).expect("a message payload always serializes")
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

    /// Sends `messages`: the first as the response of `kind`, the rest as follow-ups.
    pub async fn respond(
        &self,
        data: &Data,
        kind: u8,
        messages: impl Into<Messages>,
    ) -> Result<(), RestError> {
        let messages = messages.into();
        let json = messages.json(data);
        // The response wraps the first message: `{"type": kind, "data": message}`.
        let body = format!(r#"{{"type":{kind},"data":{}}}"#, json[0]);
        data.rest
            .post_json(self.callback(), body.into_bytes(), RetryPolicy::INTERACTION)
            .await?;
        self.follow_up(&data.rest, data.application_id, &json[1..])
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
        let more: Vec<Cow<'_, str>> = payloads.map(|p| Cow::Owned(to_json(&p))).collect();
        self.follow_up(&data.rest, data.application_id, &more).await
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
        messages: &[Cow<'_, str>],
    ) -> Result<(), RestError> {
        for message in messages {
            // The interaction token lives 15 minutes: follow-ups may wait out a rate limit.
            rest.post_json(
                self.follow_up_route(application_id),
                message.as_bytes().to_vec(),
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
    answer_with(ctx, result.map(Messages::Built)).await
}

/// Answers a command with messages prepared beforehand (a briefing or a section), or the user
/// error shown only to the caller.
pub async fn answer_prepared(
    ctx: Ctx<'_>,
    result: Result<Prepared, UserError>,
) -> Result<(), Error> {
    answer_with(ctx, result.map(Messages::Prepared)).await
}

async fn answer_with(ctx: Ctx<'_>, result: Result<Messages, UserError>) -> Result<(), Error> {
    let (outcome, messages) = match result {
        Ok(messages) => ("ok", messages),
        Err(e) => ("refused", Messages::Built(vec![ephemeral(e.0)])),
    };
    Target::of(ctx)?
        .respond(ctx.data(), callback::CHANNEL_MESSAGE, messages)
        .await?;
    record(ctx, outcome).await;
    Ok(())
}

/// Counts the answer and its latency under the command's full name.
pub async fn record(ctx: Ctx<'_>, outcome: &str) {
    let started = ctx.invocation_data::<Invocation>().await.map(|i| i.started);
    let seconds = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    let name = &ctx.command().qualified_name;
    let command: Cow<'_, str> = if name.contains(' ') {
        Cow::Owned(name.replace(' ', "_"))
    } else {
        Cow::Borrowed(name)
    };
    crate::metrics::interaction(&command, outcome, seconds);
    tracing::info!(
        command = &*command,
        outcome,
        ms = (seconds * 1000.0) as u64,
        "answered"
    );
}
