//! The target options of `/digest add` and `/digest edit` as Discord choices, and the
//! `TargetOptions` they make. Choice names are the config's words; their translations are
//! `.choice-<name>` attributes of the option's words in `locales/*.ftl`.

use crate::digests::{TargetKind, TargetOptions};

/// `target` as a Discord choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum TargetChoice {
    #[name = "channel"]
    Channel,
    #[name = "forum"]
    Forum,
    #[name = "thread"]
    Thread,
    #[name = "webhook"]
    Webhook,
}

impl TargetChoice {
    fn kind(self) -> TargetKind {
        match self {
            TargetChoice::Channel => TargetKind::Channel,
            TargetChoice::Forum => TargetKind::Forum,
            TargetChoice::Thread => TargetKind::Thread,
            TargetChoice::Webhook => TargetKind::Webhook,
        }
    }
}

/// `forum_post` as a Discord choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum ForumPostChoice {
    #[name = "digest"]
    Digest,
    #[name = "briefing"]
    Briefing,
}

impl ForumPostChoice {
    fn word(self) -> &'static str {
        match self {
            ForumPostChoice::Digest => "digest",
            ForumPostChoice::Briefing => "briefing",
        }
    }
}

/// What the member chose, unchecked: `TargetOptions::build` and `place_target` check it.
pub struct TargetArgs {
    pub target: Option<TargetChoice>,
    pub open_thread: Option<bool>,
    pub forum_post: Option<ForumPostChoice>,
    pub forum_tags: Option<bool>,
    pub username: Option<String>,
    pub avatar_url: Option<String>,
}

impl TargetArgs {
    pub fn options(self) -> TargetOptions {
        TargetOptions {
            target: self.target.map(|t| t.kind().as_str().to_string()),
            thread_id: None,
            open_thread: self.open_thread,
            forum_post: self.forum_post.map(|p| p.word().to_string()),
            forum_tags: self.forum_tags,
            username: self.username,
            avatar_url: self.avatar_url,
        }
    }

    /// Whether any target option was given (`/digest edit` leaves the target alone otherwise).
    pub fn any(&self) -> bool {
        self.target.is_some()
            || self.open_thread.is_some()
            || self.forum_post.is_some()
            || self.forum_tags.is_some()
            || self.username.is_some()
            || self.avatar_url.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digests::ForumPost;
    use poise::ChoiceParameter;

    #[test]
    fn choice_names_are_the_configs_words() {
        for (choice, kind) in [
            (TargetChoice::Channel, TargetKind::Channel),
            (TargetChoice::Forum, TargetKind::Forum),
            (TargetChoice::Thread, TargetKind::Thread),
            (TargetChoice::Webhook, TargetKind::Webhook),
        ] {
            assert_eq!(choice.name(), kind.as_str());
            assert_eq!(choice.kind(), kind);
        }
        for (choice, post) in [
            (ForumPostChoice::Digest, ForumPost::Digest),
            (ForumPostChoice::Briefing, ForumPost::Briefing),
        ] {
            assert_eq!(choice.name(), choice.word());
            let options = TargetArgs {
                target: Some(TargetChoice::Forum),
                open_thread: None,
                forum_post: Some(choice),
                forum_tags: None,
                username: None,
                avatar_url: None,
            };
            let built = options.options().build();
            assert!(
                matches!(built, Ok(crate::digests::Target::Forum { post: p, .. }) if p == post),
                "{built:?}"
            );
        }
    }
}
