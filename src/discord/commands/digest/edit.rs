//! `/digest edit`: a moderator changes one of their server's runtime digests in place. The
//! name stays, and with it the digest's ledger and the briefings it already posted; a new
//! schedule re-plans the next post. The checks are `crate::digests::answers::apply_edit`.

use super::support::{check_permissions, moderated_guild, refusal, text, with_digest};
use super::target::{ForumPostChoice, TargetArgs, TargetChoice};
use super::{complete_name, complete_timezone, WhenEmptyChoice};
use crate::digests::answers::{self, Clear, EditOptions};
use crate::discord::commands::autocomplete;
use crate::discord::language::words;
use crate::discord::reply::answer;
use crate::discord::state::{Ctx, Error};
use chrono::Utc;
use poise::serenity_prelude as serenity;

/// A setting `/digest edit` sets back to its default.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum ClearChoice {
    #[name = "tag"]
    Tag,
    #[name = "mention_role"]
    MentionRole,
    #[name = "sections"]
    Sections,
    #[name = "username"]
    Username,
    #[name = "avatar_url"]
    AvatarUrl,
}

/// Change a digest of this server: schedule, sections, tag, mention, what it posts, how it posts
#[poise::command(slash_command, guild_only)]
#[allow(clippy::too_many_arguments)] // one per Discord option
pub async fn edit(
    ctx: Ctx<'_>,
    #[description = "Which digest"]
    #[autocomplete = "complete_name"]
    #[max_length = 100]
    name: String,
    #[description = "When, as cron: 0 8 * * MON-FRI, */30 * * * *, @daily (6 fields: seconds first)"]
    #[max_length = 100]
    schedule: Option<String>,
    #[description = "IANA time zone, e.g. Europe/Paris"]
    #[autocomplete = "complete_timezone"]
    #[max_length = 64]
    timezone: Option<String>,
    #[description = "Sections to show, comma separated, or all"]
    #[max_length = 300]
    sections: Option<String>,
    #[description = "Only briefings with this tag"]
    #[autocomplete = "autocomplete::tag"]
    #[max_length = 100]
    tag: Option<String>,
    #[description = "A role to mention in each post"] mention_role: Option<serenity::RoleId>,
    #[description = "Post without notifications"] silent: Option<bool>,
    #[description = "Most briefings in one post (1-10)"]
    #[min = 1]
    #[max = 10]
    max_briefings: Option<i64>,
    #[description = "Skip briefings it already posted to the channel"] only_new: Option<bool>,
    #[description = "With nothing new: post nothing, or a short notice"] when_empty: Option<
        WhenEmptyChoice,
    >,
    #[description = "Set one setting back to its default"] clear: Option<ClearChoice>,
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
    };
    let target = target.any().then(|| target.options());
    if moderated_guild(ctx).is_none() {
        return answer(ctx, Err(answers::not_a_moderator(&words(ctx)))).await;
    }
    let options = EditOptions {
        schedule: schedule.as_deref(),
        timezone: timezone.as_deref(),
        sections: sections.as_deref(),
        tag: tag.as_deref(),
        mention_role: mention_role.map(|r| r.get()),
        silent,
        max_briefings,
        only_new,
        when_empty: when_empty.map(WhenEmptyChoice::into_core),
        clear: clear.map(|c| match c {
            ClearChoice::Tag => Clear::Tag,
            ClearChoice::MentionRole => Clear::MentionRole,
            ClearChoice::Sections => Clear::Sections,
            ClearChoice::Username => Clear::Username,
            ClearChoice::AvatarUrl => Clear::AvatarUrl,
        }),
        target,
    };
    with_digest(ctx, &name, |data, guild, spec, words| async move {
        let scheduler = data.scheduler();
        let stored = scheduler.stored(guild, &spec.name).await;
        let stored = stored.map_err(|e| refusal(&words, e, &spec.name))?;
        let config = data.config();
        let edited = answers::apply_edit(
            &words,
            &stored.digest,
            &options,
            &config.sections,
            &config.schedule.targets,
            Utc::now(),
        )?;
        if edited.target != stored.digest.target {
            check_permissions(&data, &words, edited.channel_id, &edited.target).await?;
        }
        let updated = scheduler.update(edited).await;
        let updated = updated.map_err(|e| refusal(&words, e, &spec.name))?;
        tracing::info!(guild, digest = %updated.key, "digest edited");
        let next = scheduler.next_fire(&updated.key);
        Ok(text(answers::edited_text(&words, &updated, next)))
    })
    .await
}
