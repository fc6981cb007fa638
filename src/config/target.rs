//! A `[[digest]]`'s target keys (`target`, `thread_id`, `open_thread`, `forum_post`,
//! `forum_tags`, `username`, `avatar_url`), checked by the same rules as `/digest add`
//! (`TargetOptions::build`). A problem points at the key it names, or at `target` (or the
//! digest) when that key is absent, so the admin sees which line to change.

use super::raw::RawDigest;
use super::validate::Checker;
use crate::digests::{Target, TargetOptions};
use std::ops::Range;
use toml::Spanned;

impl Checker<'_> {
    /// The digest's target; `None` after reporting what is wrong. `channel_id` is the digest's,
    /// already checked.
    pub(super) fn digest_target(
        &mut self,
        entry: &Spanned<RawDigest>,
        channel_id: Option<u64>,
    ) -> Option<Target> {
        let d = entry.get_ref();
        let thread_id = match &d.thread_id {
            // A bad id is reported by `id` itself; the rest would only repeat it.
            Some(raw) => Some(self.id(raw)?),
            None => None,
        };
        if let (Some(id), Some(raw)) = (thread_id, &d.thread_id) {
            if Some(id) == channel_id {
                // The usual slip: the thread's id pasted in both places.
                let message = "`thread_id` is the thread; `channel_id` must be the channel it \
                               belongs to (its parent), not the thread again";
                self.report(&raw.span(), message.to_string());
                return None;
            }
        }
        let options = TargetOptions {
            target: d.target.as_ref().map(|t| t.get_ref().clone()),
            thread_id,
            open_thread: d.open_thread.as_ref().map(|b| *b.get_ref()),
            forum_post: d.forum_post.as_ref().map(|t| t.get_ref().clone()),
            forum_tags: d.forum_tags.as_ref().map(|b| *b.get_ref()),
            username: d.username.as_ref().map(|t| t.get_ref().clone()),
            avatar_url: d.avatar_url.as_ref().map(|t| t.get_ref().clone()),
        };
        options
            .build()
            .map_err(|e| {
                let span = key_span(d, e.option)
                    .or_else(|| d.target.as_ref().map(Spanned::span))
                    .unwrap_or_else(|| entry.span());
                self.report(&span, format!("`{}`: {}", e.option, e.reason));
            })
            .ok()
    }
}

/// Where the value of target key `option` is written, when it is.
fn key_span(d: &RawDigest, option: &str) -> Option<Range<usize>> {
    match option {
        "target" => d.target.as_ref().map(Spanned::span),
        "thread_id" => d.thread_id.as_ref().map(Spanned::span),
        "open_thread" => d.open_thread.as_ref().map(Spanned::span),
        "forum_post" => d.forum_post.as_ref().map(Spanned::span),
        "forum_tags" => d.forum_tags.as_ref().map(Spanned::span),
        "username" => d.username.as_ref().map(Spanned::span),
        "avatar_url" => d.avatar_url.as_ref().map(Spanned::span),
        _ => None,
    }
}
