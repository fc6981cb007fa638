//! What every `/digest` subcommand shares: who may use it and in which guild, finding a
//! digest by name, checking a channel with Discord, and answering in time and only to the
//! caller (directly when quick, else deferred and completed by editing the original response).

use crate::answer::UserError;
use crate::digests::answers::{self as answers, ChannelFacts};
use crate::digests::scheduler::SchedulerError;
use crate::digests::DigestSpec;
use crate::discord::http::{ChannelReply, Route};
use crate::discord::language::words;
use crate::discord::reply::{answer, ephemeral, record, Target};
use crate::discord::rest::RetryPolicy;
use crate::discord::state::{Ctx, Data, Error};
use crate::locales::Words;
use crate::render::{AllowedMentions, MessagePayload, EPHEMERAL};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub type Answer = Result<Vec<MessagePayload>, UserError>;

/// Work that finishes within this answers at once; slower work is deferred first, so the
/// answer never misses Discord's 3-second deadline.
const QUICK: Duration = Duration::from_millis(1500);

/// The guild of the interaction, when the caller moderates it.
pub fn moderated_guild(ctx: Ctx<'_>) -> Option<u64> {
    let poise::Context::Application(app) = ctx else {
        return None;
    };
    let guild = app.interaction.guild_id?;
    let member = app.interaction.member.as_ref()?;
    let roles: Vec<u64> = member.roles.iter().map(|r| r.get()).collect();
    let config = ctx.data().config();
    let moderator = answers::is_moderator(
        member.permissions.map(|p| p.bits()),
        &roles,
        &config.permissions.moderator_role_ids,
    );
    moderator.then_some(guild.get())
}

/// The shape of remove, pause, resume and preview: a moderator names one of their guild's
/// digests, `work` acts on it and answers in the caller's words.
pub async fn with_digest<F, Fut>(ctx: Ctx<'_>, name: &str, work: F) -> Result<(), Error>
where
    F: FnOnce(Arc<Data>, u64, Arc<DigestSpec>, Words) -> Fut,
    Fut: Future<Output = Answer>,
{
    let words = words(ctx);
    let Some(guild) = moderated_guild(ctx) else {
        return answer(ctx, Err(answers::not_a_moderator(&words))).await;
    };
    let data = Arc::clone(ctx.data());
    answer_soon(ctx, async move {
        let spec = find(&data, &words, guild, name).await?;
        work(data, guild, spec, words).await
    })
    .await
}

/// A digest of this guild by name, or a refusal naming the ones there are.
pub async fn find(
    data: &Data,
    words: &Words,
    guild: u64,
    name: &str,
) -> Result<Arc<DigestSpec>, UserError> {
    if let Some(spec) = data.scheduler().find(guild, name.trim()) {
        return Ok(spec);
    }
    let statuses = data.scheduler().list(guild).await.unwrap_or_default();
    let names: Vec<String> = statuses.iter().map(|s| s.spec.name.clone()).collect();
    Err(answers::no_such_digest(words, name, &names))
}

/// The channel's guild and type as Discord reports them; `None` when the bot may not see it.
pub async fn channel_facts(
    data: &Data,
    words: &Words,
    channel: u64,
) -> Result<Option<ChannelFacts>, UserError> {
    match data
        .rest
        .get(Route::Channel(channel), RetryPolicy::INTERACTION)
        .await
    {
        Ok(v) => Ok(serde_json::from_value::<ChannelReply>(v)
            .ok()
            .map(|c| ChannelFacts {
                guild_id: c.guild_id.and_then(|g| g.parse().ok()),
                kind: u64::from(c.kind),
                parent_id: c.parent_id.and_then(|p| p.parse().ok()),
            })),
        Err(e) if matches!(e.status(), Some(403 | 404)) => Ok(None),
        Err(e) => {
            tracing::warn!(channel, error = %e, "could not look up a digest's channel");
            Err(UserError::new(words.text("sorry")))
        }
    }
}

/// The caller's explanation of a scheduler refusal; database failures are logged and
/// answered with an apology instead.
pub fn refusal(words: &Words, e: SchedulerError, name: &str) -> UserError {
    answers::explain_refusal(words, &e, name).unwrap_or_else(|| {
        tracing::error!(error = %e, "digest command failed");
        UserError::new(words.text("sorry"))
    })
}

pub fn text(content: String) -> Vec<MessagePayload> {
    vec![MessagePayload::with_content(content)]
}

/// Shown only to the caller and pinging nobody (a preview carries the digest's own mention).
fn only_caller(payloads: Vec<MessagePayload>) -> Vec<MessagePayload> {
    let mut payloads = payloads;
    for p in &mut payloads {
        p.flags = Some(EPHEMERAL);
        p.allowed_mentions = AllowedMentions::none();
        (p.nonce, p.enforce_nonce) = (None, None);
    }
    payloads
}

/// Answers directly when `work` is quick; otherwise defers (only to the caller) and edits the
/// original response when it is done.
pub async fn answer_soon(ctx: Ctx<'_>, work: impl Future<Output = Answer>) -> Result<(), Error> {
    let mut work = std::pin::pin!(work);
    match tokio::time::timeout(QUICK, &mut work).await {
        Ok(result) => answer(ctx, result.map(only_caller)).await,
        Err(_) => {
            let target = Target::of(ctx)?;
            target.defer(ctx.data(), true).await?;
            finish(ctx, &target, work.await).await
        }
    }
}

/// Completes a deferred interaction by editing its original response.
pub async fn finish(ctx: Ctx<'_>, target: &Target<'_>, result: Answer) -> Result<(), Error> {
    let outcome = if result.is_ok() { "ok" } else { "refused" };
    let payloads = match result {
        Ok(payloads) => only_caller(payloads),
        Err(refusal) => vec![ephemeral(refusal.0)],
    };
    target.edit_original(ctx.data(), payloads).await?;
    record(ctx, outcome).await;
    Ok(())
}
