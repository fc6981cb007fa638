//! Where a moderator's digest posts: the target options of `/digest add` and `/digest edit`
//! checked by the config's rules (`TargetOptions::build`), the chosen channel checked against
//! the target, each refusal in the member's words naming the option, and the target in words
//! for `/digest list`.

use super::channel_type::{
    ANNOUNCEMENT_THREAD, GUILD_ANNOUNCEMENT, GUILD_FORUM, GUILD_TEXT, PRIVATE_THREAD, PUBLIC_THREAD,
};
use super::{named, prose, ChannelFacts};
use crate::answer::{echo, UserError};
use crate::digests::target::{AVATAR_URL_MAX, USERNAME_MAX};
use crate::digests::{
    ForumPost, Target, TargetError, TargetKind, TargetOptions, TargetProblem, ThreadTarget,
};
use crate::locales::Words;

fn is_thread(kind: u64) -> bool {
    matches!(kind, ANNOUNCEMENT_THREAD | PUBLIC_THREAD | PRIVATE_THREAD)
}

fn is_text(kind: u64) -> bool {
    matches!(kind, GUILD_TEXT | GUILD_ANNOUNCEMENT)
}

/// A [`TargetError`] in the member's words, as "`option`: reason". Commands have no
/// `thread_id`: the thread is the `channel` they picked.
pub fn target_refusal(words: &Words, e: &TargetError) -> UserError {
    let text = |key: &str| words.text(key);
    let reason = match &e.problem {
        TargetProblem::UnknownTarget { given } => {
            words.t("target-unknown", &[("given", echo(given, 40).into())])
        }
        TargetProblem::OnlyWith { with } => {
            let with: Vec<String> = with.iter().map(|k| format!("`{}`", k.as_str())).collect();
            let or = format!(" {} ", words.text("settings-or"));
            words.t("target-only-with", &[("with", with.join(&or).into())])
        }
        TargetProblem::ThreadAndOpenThread => text("target-thread-and-open"),
        TargetProblem::ThreadMissing => text("target-thread-missing"),
        TargetProblem::UnknownForumPost { given } => words.t(
            "target-forum-post-unknown",
            &[("given", echo(given, 40).into())],
        ),
        TargetProblem::UsernameLength { len } => words.t(
            "target-username-length",
            &[
                ("max", USERNAME_MAX.to_string().into()),
                ("len", len.to_string().into()),
            ],
        ),
        TargetProblem::UsernameWord { word } => {
            words.t("target-username-word", &[("word", (*word).into())])
        }
        TargetProblem::AvatarNotUrl { given } => words.t(
            "target-avatar-not-url",
            &[("given", echo(given, 100).into())],
        ),
        TargetProblem::AvatarTooLong => words.t(
            "target-avatar-too-long",
            &[("max", AVATAR_URL_MAX.to_string().into())],
        ),
    };
    let option = match e.option {
        "thread_id" => "channel",
        option => option,
    };
    named(words, option, UserError::new(reason))
}

/// A target of a kind `allowed` (`[schedule] targets`) does not offer is refused, naming
/// `target` and the allowed ones. Discord's choices are the same for every server, so this
/// refusal is what keeps digests to the targets the invite asked permissions for.
/// `chosen` says whether the member named the target or it was the channel's default.
pub fn check_allowed(
    words: &Words,
    kind: TargetKind,
    chosen: bool,
    allowed: &[TargetKind],
) -> Result<(), UserError> {
    if allowed.contains(&kind) {
        return Ok(());
    }
    let names: Vec<String> = allowed
        .iter()
        .map(|k| format!("`{}`", k.as_str()))
        .collect();
    let or = format!(" {} ", words.text("settings-or"));
    let args = [
        ("given", kind.as_str().into()),
        ("allowed", names.join(&or).into()),
    ];
    let key = if chosen {
        "target-not-allowed"
    } else {
        "target-default-not-allowed"
    };
    Err(named(words, "target", UserError::new(words.t(key, &args))))
}

/// The target of a new digest in `channel`, and the channel that holds its messages (a thread's
/// parent, every other channel itself). Without `target`, a forum channel means forum posts and
/// a thread means posting into it. `facts` is what Discord says of `channel`, already checked
/// to be a channel of the guild; `allowed` is `[schedule] targets`.
pub fn place_target(
    words: &Words,
    mut options: TargetOptions,
    channel: u64,
    facts: &ChannelFacts,
    allowed: &[TargetKind],
) -> Result<(u64, Target), UserError> {
    let chosen = options.target.is_some();
    let refuse = |key: &str| {
        let args = [("channel", channel.to_string().into())];
        Err(named(words, "channel", UserError::new(words.t(key, &args))))
    };
    if options.target.is_none() {
        if facts.kind == GUILD_FORUM {
            options.target = Some(TargetKind::Forum.as_str().into());
        } else if is_thread(facts.kind) {
            options.target = Some(TargetKind::Thread.as_str().into());
        }
    }
    let kind = options.target.as_deref().and_then(TargetKind::parse);
    // Before the channel's fit: a target that is not offered is the answer, whatever channel.
    match (&options.target, kind) {
        (None, _) => check_allowed(words, TargetKind::Channel, chosen, allowed)?,
        (Some(_), Some(kind)) => check_allowed(words, kind, chosen, allowed)?,
        // An unknown name is `build`'s refusal.
        (Some(_), None) => {}
    }
    let existing_thread = kind == Some(TargetKind::Thread) && options.open_thread != Some(true);
    let mut holder = channel;
    if existing_thread {
        if !is_thread(facts.kind) {
            return refuse("target-channel-needs-thread");
        }
        let Some(parent) = facts.parent_id else {
            return refuse("target-channel-no-parent");
        };
        options.thread_id = Some(channel);
        holder = parent;
    }
    let target = options.build().map_err(|e| target_refusal(words, &e))?;
    match target.kind() {
        TargetKind::Forum if facts.kind != GUILD_FORUM => refuse("target-channel-needs-forum"),
        TargetKind::Webhook if facts.kind == GUILD_FORUM => refuse("target-channel-webhook-forum"),
        TargetKind::Thread if existing_thread => Ok((holder, target)),
        TargetKind::Channel | TargetKind::Webhook | TargetKind::Thread if !is_text(facts.kind) => {
            refuse("target-channel-needs-text")
        }
        _ => Ok((holder, target)),
    }
}

/// The target after `/digest edit`: `given` over the current target's options (all of them
/// replaced when `target` names another kind). The digest keeps its channel, so a change that
/// needs another kind of channel (to or from a forum, into a thread it does not know) is
/// refused: that is a new digest. A kind `allowed` does not offer is refused too, also when
/// only its options change.
pub fn edit_target(
    words: &Words,
    current: &Target,
    given: &TargetOptions,
    allowed: &[TargetKind],
) -> Result<Target, UserError> {
    let now = current.kind();
    let kind = match given.target.as_deref() {
        None => now,
        Some(s) => TargetKind::parse(s).ok_or_else(|| {
            let e = TargetOptions {
                target: Some(s.into()),
                ..TargetOptions::default()
            };
            target_refusal(words, &e.build().expect_err("an unknown target"))
        })?,
    };
    check_allowed(words, kind, given.target.is_some(), allowed)?;
    let mut merged = if kind == now {
        options_of(current)
    } else {
        TargetOptions::default()
    };
    merged.target = Some(kind.as_str().into());
    if given.open_thread == Some(true) {
        // Threads opened under each message replace the one thread it posted into.
        merged.thread_id = None;
    }
    macro_rules! over {
        ($($field:ident),*) => {$(
            if given.$field.is_some() {
                merged.$field = given.$field.clone();
            }
        )*};
    }
    over!(open_thread, forum_post, forum_tags, username, avatar_url);
    let into_thread = kind == TargetKind::Thread && merged.open_thread != Some(true);
    let forum_change = (now == TargetKind::Forum) != (kind == TargetKind::Forum);
    if forum_change || (into_thread && merged.thread_id.is_none()) {
        return Err(named(
            words,
            "target",
            UserError::new(words.text("target-edit-needs-add")),
        ));
    }
    merged.build().map_err(|e| target_refusal(words, &e))
}

/// The options that build `target` again.
fn options_of(target: &Target) -> TargetOptions {
    let mut o = TargetOptions {
        target: Some(target.kind().as_str().into()),
        ..TargetOptions::default()
    };
    match target {
        Target::Channel | Target::Webhook(_) => {}
        Target::Forum { post, tags, .. } => {
            o.forum_post = Some(forum_post_word(*post).into());
            o.forum_tags = Some(*tags);
        }
        Target::Thread(ThreadTarget::Existing { thread_id }) => o.thread_id = Some(*thread_id),
        Target::Thread(ThreadTarget::OpenUnderEach) => o.open_thread = Some(true),
    }
    if let Some(identity) = target.identity() {
        o.username = identity.username.clone();
        o.avatar_url = identity.avatar_url.clone();
    }
    o
}

fn forum_post_word(post: ForumPost) -> &'static str {
    match post {
        ForumPost::Digest => "digest",
        ForumPost::Briefing => "briefing",
    }
}

/// The target in words: "<#1>", "a forum post per fire in <#1> (with matching tags)",
/// "thread <#2>", "threads under each message in <#1>", "webhook as “Sahel Brief” in <#1>".
/// `channel` is the digest's channel (the one that holds its messages).
pub fn target_text(words: &Words, channel: u64, target: &Target) -> String {
    let channel = ("channel", channel.to_string().into());
    let username = target.identity().and_then(|i| i.username.as_deref());
    let username = username.map(|name| ("username", prose(name, 80).into()));
    match target {
        Target::Channel => words.t("target-text-channel", &[channel]),
        Target::Forum { post, tags, .. } => {
            let per = forum_post_word(*post);
            let tags = if *tags { "yes" } else { "no" };
            let args = [channel, ("per", per.into()), ("tags", tags.into())];
            let mut text = words.t("target-text-forum", &args);
            if let Some(username) = username {
                text.push_str(&words.t("target-text-as", &[username]));
            }
            text
        }
        Target::Thread(ThreadTarget::Existing { thread_id }) => words.t(
            "target-text-thread",
            &[("thread", thread_id.to_string().into())],
        ),
        Target::Thread(ThreadTarget::OpenUnderEach) => {
            words.t("target-text-open-thread", &[channel])
        }
        Target::Webhook(_) => match username {
            Some(username) => words.t("target-text-webhook-as", &[username, channel]),
            None => words.t("target-text-webhook", &[channel]),
        },
    }
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
