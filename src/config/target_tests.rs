//! `[[digest]]` target keys: each builds its target, each problem names its key at its line.

use super::*;
use crate::digests::{ForumPost, Identity, Target, ThreadTarget};

/// A valid digest on lines 1-4, so a case's own keys start on line 5.
const DIGEST: &str = "[[digest]]\nname = \"morning\"\nchannel_id = 1\nschedule = \"0 8 * * *\"\n";

fn target_of(keys: &str) -> Target {
    let text = format!("{DIGEST}{keys}");
    let config = parse(&text, Path::new("config.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"));
    config.digests[0].target.clone()
}

fn problems(keys: &str) -> Vec<String> {
    let text = format!("{DIGEST}{keys}");
    match parse(&text, Path::new("config.toml")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn no_target_keys_is_a_channel() {
    assert_eq!(target_of(""), Target::Channel);
    assert_eq!(target_of("target = \"channel\""), Target::Channel);
}

#[test]
fn each_key_shapes_its_target() {
    assert_eq!(
        target_of("target = \"forum\"\nforum_post = \"briefing\"\nforum_tags = true"),
        Target::Forum {
            post: ForumPost::Briefing,
            tags: true,
            identity: None
        }
    );
    assert_eq!(
        target_of("target = \"forum\"\nusername = \"Sahel Brief\""),
        Target::Forum {
            post: ForumPost::Digest,
            tags: false,
            identity: Some(Identity {
                username: Some("Sahel Brief".into()),
                avatar_url: None
            })
        }
    );
    assert_eq!(
        target_of("target = \"thread\"\nthread_id = \"77\""),
        Target::Thread(ThreadTarget::Existing { thread_id: 77 })
    );
    assert_eq!(
        target_of("target = \"thread\"\nopen_thread = true"),
        Target::Thread(ThreadTarget::OpenUnderEach)
    );
    assert_eq!(
        target_of(
            "target = \"webhook\"\nusername = \"Sahel Brief\"\navatar_url = \"https://example.org/a.png\""
        ),
        Target::Webhook(Identity {
            username: Some("Sahel Brief".into()),
            avatar_url: Some("https://example.org/a.png".into())
        })
    );
}

#[test]
fn a_thread_digest_keeps_its_parent_as_channel() {
    let text = format!("{DIGEST}target = \"thread\"\nthread_id = 77");
    let config = parse(&text, Path::new("config.toml")).unwrap();
    assert_eq!(config.digests[0].channel_id, 1);
}

#[test]
fn each_problem_names_its_key_at_its_line() {
    let cases: [(&str, &str); 11] = [
        (
            "target = \"dm\"",
            "config.toml:5:10: `target`: `dm` is not a target; use channel, forum, thread or webhook",
        ),
        (
            "target = \"webhook\"\nusername = \"Discord News\"",
            "config.toml:6:12: `username`: Discord refuses webhook names containing \"discord\"",
        ),
        (
            "target = \"webhook\"\nusername = \"\"",
            "config.toml:6:12: `username`: must be 1 to 80 characters (this one has 0)",
        ),
        (
            "target = \"webhook\"\navatar_url = \"ftp://x/a.png\"",
            "config.toml:6:14: `avatar_url`: `ftp://x/a.png` is not an http(s) URL",
        ),
        (
            "silent = true\nopen_thread = true",
            "config.toml:6:15: `open_thread`: only applies with target = \"thread\"",
        ),
        (
            "target = \"channel\"\nforum_tags = true",
            "config.toml:6:14: `forum_tags`: only applies with target = \"forum\"",
        ),
        (
            "target = \"thread\"\nforum_post = \"digest\"",
            "config.toml:6:14: `forum_post`: only applies with target = \"forum\"",
        ),
        (
            "username = \"Sahel Brief\"",
            "config.toml:5:12: `username`: only applies with target = \"webhook\" or \"forum\"",
        ),
        (
            "target = \"forum\"\nforum_post = \"story\"",
            "config.toml:6:14: `forum_post`: `story` is not a choice; use \"digest\" (a post per \
             fire) or \"briefing\" (a post per briefing)",
        ),
        (
            "target = \"thread\"\nthread_id = 5\nopen_thread = true",
            "config.toml:7:15: `open_thread`: cannot be set with thread_id: post into that thread, \
             or open a new one under each message",
        ),
        (
            "thread_id = 1\ntarget = \"thread\"",
            "config.toml:5:13: `thread_id` is the thread; `channel_id` must be the channel it \
             belongs to (its parent), not the thread again",
        ),
    ];
    for (keys, expected) in cases {
        assert_eq!(problems(keys), [expected], "{keys}");
    }
}

#[test]
fn a_missing_key_is_reported_at_target_or_the_digest() {
    assert_eq!(
        problems("\ntarget = \"thread\""),
        [
            "config.toml:6:10: `thread_id`: target = \"thread\" needs thread_id (an existing \
          thread) or open_thread = true"
        ]
    );
    assert_eq!(
        problems("thread_id = 0\ntarget = \"thread\""),
        ["config.toml:5:13: invalid id `0`: Discord ids are positive"],
        "a bad id is reported once, as an id"
    );
}

#[test]
fn wrong_types_are_toml_problems_at_the_value() {
    assert_eq!(
        problems("target = \"thread\"\nopen_thread = \"yes\""),
        ["config.toml:6:15: expected a boolean, found a string"]
    );
}
