//! `/digest …`: moderators schedule, list, pause, preview, send and remove their server's
//! digests. Moderator rights are checked here on every call (Discord's default permissions only
//! hide the command) and every lookup is scoped to the interaction's guild, so a moderator never
//! sees or touches another server's digests. The checks and texts live in
//! `crate::digests::answers`; this maps options in and answers out, only ever to the caller.

mod edit;
mod support;
mod target;

use super::autocomplete;
use crate::answer::Choice;
use crate::answer::Tag;
use crate::config::{WhenEmpty, DEFAULT_MAX_BRIEFINGS};
use crate::digests::answers;
use crate::discord::language::words;
use crate::discord::reply::{answer, Target};
use crate::discord::state::{Ctx, Error};
use crate::render::MessagePayload;
use crate::store::NewDigest;
use chrono::Utc;
use poise::serenity_prelude::{self as serenity, AutocompleteChoice};
use std::sync::Arc;
use support::{
    answer_soon, channel_facts, check_permissions, find, finish, moderated_guild, refusal, text,
    with_digest,
};
use target::{ForumPostChoice, TargetArgs, TargetChoice};

/// `when_empty` as a Discord choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum WhenEmptyChoice {
    #[name = "skip"]
    Skip,
    #[name = "notice"]
    Notice,
}

impl WhenEmptyChoice {
    fn into_core(self) -> WhenEmpty {
        match self {
            WhenEmptyChoice::Skip => WhenEmpty::Skip,
            WhenEmptyChoice::Notice => WhenEmpty::Notice,
        }
    }
}

/// Schedule briefings to be posted in this server's channels
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "add",
        "edit::edit",
        "list",
        "remove",
        "pause",
        "resume",
        "preview",
        "send_now"
    ),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD"
)]
pub async fn digest(ctx: Ctx<'_>) -> Result<(), Error> {
    // Only a stale registration can call this without a subcommand; answer rather than time out.
    let subcommands = "add, edit, list, remove, pause, resume, preview, send-now";
    let pick = words(ctx).t("pick-one-of", &[("subcommands", subcommands.into())]);
    answer(ctx, Err(crate::answer::UserError::new(pick))).await
}

/// Create a digest that posts briefings to a channel on a schedule
#[poise::command(slash_command, guild_only)]
#[allow(clippy::too_many_arguments)] // one per Discord option
pub async fn add(
    ctx: Ctx<'_>,
    #[description = "A short name: letters, digits, - and _"]
    #[max_length = 50]
    name: String,
    #[description = "Where to post: a text channel, a forum, or a thread"]
    #[channel_types("Text", "News", "Forum", "PublicThread", "NewsThread", "PrivateThread")]
    channel: serenity::ChannelId,
    #[description = "When, as cron: 0 8 * * MON-FRI, */30 * * * *, @daily (6 fields: seconds first)"]
    #[max_length = 100]
    schedule: String,
    #[description = "IANA time zone, e.g. Europe/Paris (default: the bot's)"]
    #[autocomplete = "complete_timezone"]
    #[max_length = 64]
    timezone: Option<String>,
    #[description = "Sections to show, comma separated (default: all)"]
    #[max_length = 300]
    sections: Option<String>,
    #[description = "Only briefings with this tag"]
    #[autocomplete = "autocomplete::tag"]
    #[max_length = 100]
    tag: Option<String>,
    #[description = "A role to mention in each post"] mention_role: Option<serenity::RoleId>,
    #[description = "Post without notifications"] silent: Option<bool>,
    #[description = "Most briefings in one post (1-10, default 3)"]
    #[min = 1]
    #[max = 10]
    max_briefings: Option<i64>,
    #[description = "Skip briefings it already posted to the channel (default: yes)"]
    only_new: Option<bool>,
    #[description = "With nothing new: post nothing (default), or a short notice"]
    when_empty: Option<WhenEmptyChoice>,
    #[description = "Language of its posts (default: this server's)"]
    #[autocomplete = "complete_lang"]
    #[max_length = 20]
    lang: Option<String>,
    #[description = "How it posts: messages, forum posts, in a thread, or through a webhook"]
    target: Option<TargetChoice>,
    #[description = "Open a thread under each message (target: thread)"] open_thread: Option<bool>,
    #[description = "One forum post per fire or per briefing (target: forum)"] forum_post: Option<
        ForumPostChoice,
    >,
    #[description = "Apply the forum's tags that match the briefings' tags (target: forum)"]
    forum_tags: Option<bool>,
    #[description = "The name its posts show (target: webhook or forum)"]
    #[max_length = 80]
    username: Option<String>,
    #[description = "The avatar its posts show, an https link (target: webhook or forum)"]
    #[max_length = 2048]
    avatar_url: Option<String>,
) -> Result<(), Error> {
    let target = TargetArgs {
        target,
        open_thread,
        forum_post,
        forum_tags,
        username,
        avatar_url,
    }
    .options();
    let words = words(ctx);
    let Some(guild) = moderated_guild(ctx) else {
        return answer(ctx, Err(answers::not_a_moderator(&words))).await;
    };
    let data = ctx.data();
    let config = data.config();
    let mention_role = mention_role.map(|r| r.get());
    // Everything that needs no network is checked first and refused at once, naming the option.
    let checked = (|| {
        let name =
            answers::check_name(&words, &name).map_err(|e| answers::named(&words, "name", e))?;
        let default_zone = config.schedule.default_timezone;
        let schedule = answers::check_schedule_options(
            &words,
            &schedule,
            timezone.as_deref(),
            default_zone,
            Utc::now(),
        )?;
        let sections = match sections.as_deref() {
            Some(sections) => answers::check_sections(&words, sections, &config.sections)?,
            None => Vec::new(),
        };
        let tag = (tag.as_deref())
            .map(|t| answers::check_tag(&words, t))
            .transpose()?;
        answers::check_mention_role(&words, mention_role, guild)
            .map_err(|e| answers::named(&words, "mention_role", e))?;
        let max_briefings = max_briefings
            .map(|n| answers::check_max_briefings(&words, n))
            .transpose()?
            .unwrap_or(DEFAULT_MAX_BRIEFINGS);
        let lang = answers::check_lang(&words, &config.locales, lang.as_deref())
            .map_err(|e| answers::named(&words, "lang", e))?;
        if data.scheduler().find(guild, name).is_some() {
            return Err(answers::duplicate_name(&words, name));
        }
        Ok((
            name.to_string(),
            schedule,
            sections,
            tag,
            max_briefings,
            lang,
        ))
    })();
    let (name, schedule, sections, tag, max_briefings, lang) = match checked {
        Ok(checked) => checked,
        Err(refusal) => return answer(ctx, Err(refusal)).await,
    };
    let tag = tag.as_deref().and_then(Tag::new);
    let channel = channel.get();
    let created_by = ctx.author().id.get();
    // Without a language it posts in the server's, as Discord says it now.
    let lang = lang.or_else(|| guild_locale(ctx));
    answer_soon(ctx, async move {
        let facts = channel_facts(data, &words, channel).await?;
        let facts = answers::check_channel(&words, channel, facts.as_ref(), guild)?;
        // `channel` becomes the one that holds the messages: a thread's parent.
        let (channel, target) =
            answers::place_target(&words, target, channel, facts, &config.schedule.targets)?;
        check_permissions(data, &words, channel, &target).await?;
        let new = NewDigest {
            guild_id: guild,
            name: name.clone(),
            channel_id: channel,
            schedule: schedule.expr().to_string(),
            timezone: schedule.timezone().name().to_string(),
            sections,
            tag: tag.as_ref().map(|t| t.to_string()),
            mention_role,
            silent: silent.unwrap_or(false),
            max_briefings,
            only_new: only_new.unwrap_or(true),
            when_empty: when_empty.map_or(WhenEmpty::Skip, WhenEmptyChoice::into_core),
            created_by,
            lang,
            target,
        };
        let spec = data
            .scheduler()
            .add(new)
            .await
            .map_err(|e| refusal(&words, e, &name))?;
        let kind = spec.target.kind().as_str();
        tracing::info!(guild, digest = %spec.key, channel, target = kind, "digest added");
        let content = data.content();
        let unknown_tag = tag.filter(|t| content.library.with_tag(t).next().is_none());
        let text = answers::added_text(
            &words,
            &spec.name,
            spec.channel_id,
            &spec.target,
            &spec.schedule,
            Utc::now(),
            unknown_tag.as_ref().map(Tag::as_str),
        );
        Ok(vec![MessagePayload::with_content(text)])
    })
    .await
}

/// This server's digests: schedule, next post, pauses, last delivery and errors
#[poise::command(slash_command, guild_only)]
pub async fn list(ctx: Ctx<'_>) -> Result<(), Error> {
    let words = words(ctx);
    let Some(guild) = moderated_guild(ctx) else {
        return answer(ctx, Err(answers::not_a_moderator(&words))).await;
    };
    let scheduler = ctx.data().scheduler();
    answer_soon(ctx, async move {
        let statuses = scheduler.list(guild).await;
        let statuses = statuses.map_err(|e| refusal(&words, e, ""))?;
        Ok(vec![answers::list_payload(&words, &statuses)])
    })
    .await
}

/// Remove a digest of this server
#[poise::command(slash_command, guild_only)]
pub async fn remove(
    ctx: Ctx<'_>,
    #[description = "Which digest"]
    #[autocomplete = "complete_name"]
    #[max_length = 100]
    name: String,
) -> Result<(), Error> {
    with_digest(ctx, &name, |data, guild, spec, words| async move {
        let scheduler = data.scheduler();
        let removed = scheduler.remove(guild, &spec.name).await;
        removed.map_err(|e| refusal(&words, e, &spec.name))?;
        tracing::info!(guild, digest = %spec.key, "digest removed");
        Ok(text(answers::removed_text(&words, &spec.name)))
    })
    .await
}

/// Stop a digest from posting until it is resumed
#[poise::command(slash_command, guild_only)]
pub async fn pause(
    ctx: Ctx<'_>,
    #[description = "Which digest"]
    #[autocomplete = "complete_name"]
    #[max_length = 100]
    name: String,
) -> Result<(), Error> {
    let reason = format!("paused by {} with /digest pause", ctx.author().name);
    with_digest(ctx, &name, |data, _, spec, words| async move {
        if !spec.paused {
            let paused = data.scheduler().pause(&spec.key, &reason).await;
            paused.map_err(|e| refusal(&words, e, &spec.name))?;
            tracing::info!(digest = %spec.key, "digest paused");
        }
        Ok(text(answers::paused_text(&words, &spec.name, spec.paused)))
    })
    .await
}

/// Start a paused digest again, from its next fire time
#[poise::command(slash_command, guild_only)]
pub async fn resume(
    ctx: Ctx<'_>,
    #[description = "Which digest"]
    #[autocomplete = "complete_name"]
    #[max_length = 100]
    name: String,
) -> Result<(), Error> {
    with_digest(ctx, &name, |data, _, spec, words| async move {
        let scheduler = data.scheduler();
        let (next, skipped) = if spec.paused {
            let resumed = scheduler.resume(&spec.key).await;
            let resumed = resumed.map_err(|e| refusal(&words, e, &spec.name))?;
            tracing::info!(digest = %spec.key, skipped = ?resumed.skipped, "digest resumed");
            (resumed.next_fire, resumed.skipped)
        } else {
            (scheduler.next_fire(&spec.key), None)
        };
        let reply = answers::resumed_text(&words, &spec.name, next, skipped, !spec.paused);
        Ok(text(reply))
    })
    .await
}

/// See what a digest would post now (only you see it)
#[poise::command(slash_command, guild_only)]
pub async fn preview(
    ctx: Ctx<'_>,
    #[description = "Which digest"]
    #[autocomplete = "complete_name"]
    #[max_length = 100]
    name: String,
) -> Result<(), Error> {
    with_digest(ctx, &name, |data, _, spec, words| async move {
        let preview = data.scheduler().preview(&spec.key).await;
        let mut payloads = preview.map_err(|e| refusal(&words, e, &spec.name))?;
        answers::label_preview(&words, &mut payloads);
        Ok(payloads)
    })
    .await
}

/// Post a digest to its channel now
#[poise::command(slash_command, guild_only, rename = "send-now")]
pub async fn send_now(
    ctx: Ctx<'_>,
    #[description = "Which digest"]
    #[autocomplete = "complete_name"]
    #[max_length = 100]
    name: String,
) -> Result<(), Error> {
    let words = words(ctx);
    let Some(guild) = moderated_guild(ctx) else {
        return answer(ctx, Err(answers::not_a_moderator(&words))).await;
    };
    // A send may wait out rate limits and retries: always deferred, then the original edited.
    let target = Target::of(ctx)?;
    let data = ctx.data();
    target.defer(data, true).await?;
    let result = async {
        let spec = find(data, &words, guild, &name).await?;
        let outcome = data.scheduler().send_now(&spec.key).await;
        let outcome = outcome.map_err(|e| refusal(&words, e, &spec.name))?;
        tracing::info!(digest = %spec.key, ?outcome, "digest sent on request");
        let sent = answers::send_now_text(&words, &spec.name, spec.channel_id, &outcome);
        Ok(text(sent))
    };
    finish(ctx, &target, result.await).await
}

pub(super) async fn complete_timezone(ctx: Ctx<'_>, partial: &str) -> Vec<AutocompleteChoice> {
    let default_zone = ctx.data().config().schedule.default_timezone;
    to_choices(answers::complete_timezones(
        partial,
        default_zone,
        Utc::now(),
    ))
}

/// This guild's digests; nothing for members who are not moderators.
pub(super) async fn complete_name(ctx: Ctx<'_>, partial: &str) -> Vec<AutocompleteChoice> {
    let Some(guild) = moderated_guild(ctx) else {
        return Vec::new();
    };
    let statuses = ctx.data().scheduler().list(guild).await.unwrap_or_default();
    to_choices(answers::complete_names(&words(ctx), &statuses, partial))
}

/// The languages there are locale files for.
async fn complete_lang(ctx: Ctx<'_>, partial: &str) -> Vec<AutocompleteChoice> {
    let locales = Arc::clone(&ctx.data().config().locales);
    to_choices(answers::complete_langs(&locales, partial))
}

/// The interaction's `guild_locale`: the language of the server it came from.
fn guild_locale(ctx: Ctx<'_>) -> Option<String> {
    match ctx {
        poise::Context::Application(app) => app.interaction.guild_locale.clone(),
        poise::Context::Prefix(_) => None,
    }
}

fn to_choices(choices: Vec<Choice>) -> Vec<AutocompleteChoice> {
    choices
        .into_iter()
        .map(|c| AutocompleteChoice::new(c.name, c.value))
        .collect()
}
