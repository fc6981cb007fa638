//! Where the messages of a digest posting one forum post per briefing live. Each briefing's
//! post is a thread whose id is its starter message's id; its other messages went into that
//! thread. The ledger keeps the delivery's message ids in step order and the briefings in the
//! order they were posted, so the posts are found again by how many messages each one holds,
//! recorded with what it shows at the send: what the briefing renders to now may differ.

use crate::digests::steps::{Place, Step};
use crate::digests::{DigestSpec, ForumPost, Target};
use crate::store::{Shown, ShownBriefing};
use std::collections::BTreeMap;

/// One briefing's post as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Post<'a> {
    pub briefing: &'a str,
    /// Its thread: the id of its first message.
    pub thread: u64,
    pub messages: &'a [u64],
}

/// Whether `spec` posts one forum post per briefing.
pub(super) fn per_briefing(spec: &DigestSpec) -> bool {
    matches!(
        spec.target,
        Target::Forum {
            post: ForumPost::Briefing,
            ..
        }
    )
}

/// Records in `shown` how many messages each briefing's post holds, from the `steps` that
/// send the briefings `order`. Nothing for a delivery that is not one post per briefing (a
/// "nothing new" notice is one post).
pub(super) fn record_sizes(
    spec: &DigestSpec,
    order: &[String],
    steps: &[Step],
    shown: &mut BTreeMap<String, ShownBriefing>,
) {
    if !per_briefing(spec) {
        return;
    }
    let mut sizes: Vec<usize> = Vec::new();
    for step in steps {
        match (&step.place, sizes.last_mut()) {
            (Place::NewForumPost { .. }, _) | (_, None) => sizes.push(1),
            (_, Some(n)) => *n += 1,
        }
    }
    if sizes.len() != order.len() {
        return;
    }
    for (id, n) in order.iter().zip(sizes) {
        if let Some(s) = shown.get_mut(id) {
            s.messages = Some(n);
        }
    }
}

/// The posts of `row`, whose briefings were posted in `order`. A briefing recorded without
/// its size (a delivery sent before sizes were kept) takes `size_now`'s; the last post takes
/// whatever messages are left, so no message is edited in another post's thread.
pub(super) fn posts<'a>(
    row: &'a Shown,
    order: &'a [String],
    size_now: impl Fn(&str) -> usize,
) -> Vec<Post<'a>> {
    let mut rest = row.message_ids.as_slice();
    let mut posts = Vec::new();
    for (i, id) in order.iter().enumerate() {
        let Some(&thread) = rest.first() else { break };
        let recorded = row.briefings.get(id).and_then(|s| s.messages);
        let n = if i + 1 == order.len() {
            rest.len()
        } else {
            recorded
                .unwrap_or_else(|| size_now(id))
                .clamp(1, rest.len())
        };
        let (messages, after) = rest.split_at(n);
        posts.push(Post {
            briefing: id,
            thread,
            messages,
        });
        rest = after;
    }
    posts
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn row(ids: &[u64], sizes: &[(&str, Option<usize>)]) -> Shown {
        let briefings = sizes
            .iter()
            .map(|(id, n)| {
                let s = ShownBriefing {
                    revision: "r".into(),
                    title: id.to_string(),
                    messages: *n,
                };
                (id.to_string(), s)
            })
            .collect();
        Shown {
            digest_key: "cfg:d".into(),
            fire_time: Utc::now(),
            channel_id: 1,
            message_ids: ids.to_vec(),
            briefings,
            sent_at: Utc::now(),
            edited_at: None,
        }
    }

    #[test]
    fn each_post_holds_its_recorded_messages_in_its_first_ones_thread() {
        let row = row(
            &[10, 11, 12, 20, 30, 31],
            &[("b", Some(3)), ("a", Some(1)), ("c", Some(2))],
        );
        let order = ["b".to_string(), "a".into(), "c".into()];
        let posts = posts(&row, &order, |_| 1);
        let got: Vec<(&str, u64, &[u64])> = posts
            .iter()
            .map(|p| (p.briefing, p.thread, p.messages))
            .collect();
        let want: Vec<(&str, u64, &[u64])> = vec![
            ("b", 10, &[10, 11, 12]),
            ("a", 20, &[20]),
            ("c", 30, &[30, 31]),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn without_recorded_sizes_the_current_ones_stand_in_within_the_posted_messages() {
        let row = row(&[10, 11, 20], &[("a", None), ("b", None)]);
        let order = ["a".to_string(), "b".into()];
        let posts = posts(&row, &order, |id| if id == "a" { 2 } else { 5 });
        assert_eq!(posts[0].messages, [10, 11]);
        assert_eq!((posts[1].thread, posts[1].messages), (20, &[20u64][..]));
        // A guess too large never reaches past the messages there are.
        let posts = super::posts(&row, &order, |_| 9);
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].messages, [10, 11, 20]);
    }
}
