//! Where a digest's messages go: a channel (the bot's own messages), a forum (a post per fire or
//! per briefing), a thread (an existing one, or one opened under each message), or a channel
//! webhook that posts under the digest's own name and avatar. One type for the config and for
//! `/digest add`, checked by the same rules, stored as JSON beside the digest.

use crate::permissions::Permissions;
use serde::{Deserialize, Serialize};

/// The longest webhook username and forum post or thread name Discord accepts.
pub const USERNAME_MAX: usize = 80;
pub const THREAD_NAME_MAX: usize = 100;
/// Discord refuses longer avatar URLs in practice; a sane bound for a stored string.
pub const AVATAR_URL_MAX: usize = 2048;

/// Where a digest's messages go. `channel_id` of the digest is always the channel that holds
/// them: the text channel, the forum, or the parent of the thread.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// Plain messages from the bot, as always.
    #[default]
    Channel,
    /// A forum post per fire (`ForumPost::Digest`) or per briefing; follow-up messages of the
    /// same post go into its thread. With `identity`, posts are made through the channel's
    /// webhook (`thread_name`), under that name and avatar.
    Forum {
        post: ForumPost,
        /// Apply the forum's tags whose names match the briefings' tags.
        tags: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identity: Option<Identity>,
    },
    /// Messages into an existing thread, or each message posted to the channel with a thread
    /// opened under it, named after the briefing it carries.
    Thread(ThreadTarget),
    /// Messages through a webhook the bot makes in the channel, under the digest's name.
    Webhook(Identity),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForumPost {
    /// One post per fire, titled with the digest's name and date.
    #[default]
    Digest,
    /// One post per briefing, titled with the briefing's title.
    Briefing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ThreadTarget {
    /// Post into this thread (a child of the digest's channel).
    Existing { thread_id: u64 },
    /// Post to the channel and open a thread under each message.
    OpenUnderEach,
}

/// The name and avatar webhook messages show; `None` keeps the webhook's own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Identity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// The four targets a moderator chooses from, by the name the config and `/digest add` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    Channel,
    Forum,
    Thread,
    Webhook,
}

impl TargetKind {
    pub const ALL: [TargetKind; 4] = [
        TargetKind::Channel,
        TargetKind::Forum,
        TargetKind::Thread,
        TargetKind::Webhook,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Channel => "channel",
            TargetKind::Forum => "forum",
            TargetKind::Thread => "thread",
            TargetKind::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<TargetKind> {
        TargetKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// What the bot must be allowed in the digest's channel to deliver to this target, the
    /// lookups that keep nonce-less sends exactly once included.
    pub fn permissions(self) -> Permissions {
        use Permissions as P;
        let base = P::VIEW_CHANNEL | P::EMBED_LINKS;
        match self {
            TargetKind::Channel => base | P::SEND_MESSAGES,
            TargetKind::Forum => {
                base | P::SEND_MESSAGES | P::SEND_MESSAGES_IN_THREADS | P::READ_MESSAGE_HISTORY
            }
            TargetKind::Thread => {
                base | P::SEND_MESSAGES
                    | P::SEND_MESSAGES_IN_THREADS
                    | P::CREATE_PUBLIC_THREADS
                    | P::READ_MESSAGE_HISTORY
            }
            TargetKind::Webhook => base | P::MANAGE_WEBHOOKS | P::READ_MESSAGE_HISTORY,
        }
    }
}

impl Target {
    pub fn kind(&self) -> TargetKind {
        match self {
            Target::Channel => TargetKind::Channel,
            Target::Forum { .. } => TargetKind::Forum,
            Target::Thread(_) => TargetKind::Thread,
            Target::Webhook(_) => TargetKind::Webhook,
        }
    }

    /// The webhook identity, when messages go through a webhook.
    pub fn identity(&self) -> Option<&Identity> {
        match self {
            Target::Webhook(identity) => Some(identity),
            Target::Forum { identity, .. } => identity.as_ref(),
            _ => None,
        }
    }

    /// This target with `clear` applied to its webhook identity. A forum left with neither name
    /// nor avatar posts as the bot again, as if they had never been set.
    pub fn without_identity(&self, clear: impl FnOnce(&mut Identity)) -> Target {
        let mut next = self.clone();
        match &mut next {
            Target::Webhook(identity) => clear(identity),
            Target::Forum { identity, .. } => {
                if let Some(i) = identity.as_mut() {
                    clear(i);
                }
                if identity.as_ref() == Some(&Identity::default()) {
                    *identity = None;
                }
            }
            Target::Channel | Target::Thread(_) => {}
        }
        next
    }

    /// What the bot needs in the digest's channel for this target exactly.
    pub fn permissions(&self) -> Permissions {
        let needed = self.kind().permissions();
        match self {
            Target::Thread(ThreadTarget::Existing { .. }) => {
                (needed - Permissions::CREATE_PUBLIC_THREADS) - Permissions::SEND_MESSAGES
            }
            Target::Thread(ThreadTarget::OpenUnderEach) => {
                needed - Permissions::SEND_MESSAGES_IN_THREADS
            }
            Target::Forum {
                identity: Some(_), ..
            } => needed | Permissions::MANAGE_WEBHOOKS,
            _ => needed,
        }
    }
}

/// A target option that is wrong, named as the config key and the `/digest add` option are.
/// `reason` is the English wording (the config's problems, logs); `problem` says the same as
/// a value, for answers that word it in the member's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{option}: {reason}")]
pub struct TargetError {
    pub option: &'static str,
    pub reason: String,
    pub problem: TargetProblem,
}

/// What is wrong with a target option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetProblem {
    /// `target` is none of the four.
    UnknownTarget {
        given: String,
    },
    /// The option does not apply to the chosen target; `with` names the targets it applies to.
    OnlyWith {
        with: &'static [TargetKind],
    },
    /// An existing thread and a new thread per message at once.
    ThreadAndOpenThread,
    /// `target = "thread"` with neither an existing thread nor `open_thread`.
    ThreadMissing,
    UnknownForumPost {
        given: String,
    },
    UsernameLength {
        len: usize,
    },
    UsernameWord {
        word: &'static str,
    },
    AvatarNotUrl {
        given: String,
    },
    AvatarTooLong,
}

impl TargetProblem {
    fn reason(&self) -> String {
        match self {
            TargetProblem::UnknownTarget { given } => {
                format!("`{given}` is not a target; use channel, forum, thread or webhook")
            }
            TargetProblem::OnlyWith { with } => {
                let with: Vec<String> =
                    with.iter().map(|k| format!("\"{}\"", k.as_str())).collect();
                format!("only applies with target = {}", with.join(" or "))
            }
            TargetProblem::ThreadAndOpenThread => "cannot be set with thread_id: post into that \
                thread, or open a new one under each message"
                .into(),
            TargetProblem::ThreadMissing => "target = \"thread\" needs thread_id (an existing \
                thread) or open_thread = true"
                .into(),
            TargetProblem::UnknownForumPost { given } => format!(
                "`{given}` is not a choice; use \"digest\" (a post per fire) or \"briefing\" \
                 (a post per briefing)"
            ),
            TargetProblem::UsernameLength { len } => {
                format!("must be 1 to {USERNAME_MAX} characters (this one has {len})")
            }
            TargetProblem::UsernameWord { word } => {
                format!("Discord refuses webhook names containing \"{word}\"")
            }
            TargetProblem::AvatarNotUrl { given } => format!("`{given}` is not an http(s) URL"),
            TargetProblem::AvatarTooLong => {
                format!("is longer than {AVATAR_URL_MAX} characters")
            }
        }
    }
}

impl TargetError {
    fn new(option: &'static str, problem: TargetProblem) -> Self {
        TargetError {
            option,
            reason: problem.reason(),
            problem,
        }
    }
}

/// A moderator's or admin's choices, before they are checked.
#[derive(Debug, Clone, Default)]
pub struct TargetOptions {
    pub target: Option<String>,
    pub thread_id: Option<u64>,
    pub open_thread: Option<bool>,
    pub forum_post: Option<String>,
    pub forum_tags: Option<bool>,
    pub username: Option<String>,
    pub avatar_url: Option<String>,
}

impl TargetOptions {
    /// The target these options describe, or the first option that is wrong. Options that do
    /// not apply to the chosen target are refused rather than ignored: a moderator who set
    /// `username` on a channel digest expects it to show.
    pub fn build(&self) -> Result<Target, TargetError> {
        let kind = match self.target.as_deref() {
            None => TargetKind::Channel,
            Some(s) => TargetKind::parse(s).ok_or_else(|| {
                let given = s.to_string();
                TargetError::new("target", TargetProblem::UnknownTarget { given })
            })?,
        };
        let identity = self.identity()?;
        let only = |option: &'static str, set: bool, with: &'static [TargetKind]| {
            if set && !with.contains(&kind) {
                Err(TargetError::new(option, TargetProblem::OnlyWith { with }))
            } else {
                Ok(())
            }
        };
        for (option, set) in [
            ("thread_id", self.thread_id.is_some()),
            ("open_thread", self.open_thread.is_some()),
        ] {
            only(option, set, &[TargetKind::Thread])?;
        }
        for (option, set) in [
            ("forum_post", self.forum_post.is_some()),
            ("forum_tags", self.forum_tags.is_some()),
        ] {
            only(option, set, &[TargetKind::Forum])?;
        }
        for (option, set) in [
            ("username", identity.username.is_some()),
            ("avatar_url", identity.avatar_url.is_some()),
        ] {
            only(option, set, &[TargetKind::Webhook, TargetKind::Forum])?;
        }
        Ok(match kind {
            TargetKind::Channel => Target::Channel,
            TargetKind::Webhook => Target::Webhook(identity),
            TargetKind::Forum => Target::Forum {
                post: self.forum_post()?,
                tags: self.forum_tags.unwrap_or(false),
                identity: (identity != Identity::default()).then_some(identity),
            },
            TargetKind::Thread => Target::Thread(match (self.thread_id, self.open_thread) {
                (Some(_), Some(true)) => {
                    return Err(TargetError::new(
                        "open_thread",
                        TargetProblem::ThreadAndOpenThread,
                    ))
                }
                (Some(thread_id), _) => ThreadTarget::Existing { thread_id },
                (None, Some(true)) => ThreadTarget::OpenUnderEach,
                (None, _) => {
                    return Err(TargetError::new("thread_id", TargetProblem::ThreadMissing))
                }
            }),
        })
    }

    fn forum_post(&self) -> Result<ForumPost, TargetError> {
        match self.forum_post.as_deref().map(str::trim) {
            None => Ok(ForumPost::Digest),
            Some(s) if s.eq_ignore_ascii_case("digest") => Ok(ForumPost::Digest),
            Some(s) if s.eq_ignore_ascii_case("briefing") => Ok(ForumPost::Briefing),
            Some(s) => Err(TargetError::new(
                "forum_post",
                TargetProblem::UnknownForumPost { given: s.into() },
            )),
        }
    }

    fn identity(&self) -> Result<Identity, TargetError> {
        let username = match self.username.as_deref() {
            None => None,
            Some(name) => Some(check_username(name)?),
        };
        let avatar_url = match self.avatar_url.as_deref() {
            None => None,
            Some(url) => Some(check_avatar_url(url)?),
        };
        Ok(Identity {
            username,
            avatar_url,
        })
    }
}

/// Discord's rules for a webhook's username: 1 to 80 characters once trimmed, and never
/// containing "clyde" or "discord" (refused by Discord whatever the case).
pub fn check_username(name: &str) -> Result<String, TargetError> {
    let name = name.trim();
    let len = name.chars().count();
    if len == 0 || len > USERNAME_MAX {
        return Err(TargetError::new(
            "username",
            TargetProblem::UsernameLength { len },
        ));
    }
    let lower = name.to_lowercase();
    if let Some(word) = ["clyde", "discord"].into_iter().find(|w| lower.contains(w)) {
        return Err(TargetError::new(
            "username",
            TargetProblem::UsernameWord { word },
        ));
    }
    Ok(name.to_string())
}

/// An avatar must be an absolute http(s) URL Discord can fetch.
pub fn check_avatar_url(url: &str) -> Result<String, TargetError> {
    let url = url.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    let host_ok = url
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().is_some_and(|h| !h.is_empty()))
        .unwrap_or(false);
    if !scheme_ok || !host_ok || url.chars().any(char::is_whitespace) {
        let given = url.to_string();
        return Err(TargetError::new(
            "avatar_url",
            TargetProblem::AvatarNotUrl { given },
        ));
    }
    if url.len() > AVATAR_URL_MAX {
        return Err(TargetError::new("avatar_url", TargetProblem::AvatarTooLong));
    }
    Ok(url.to_string())
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
