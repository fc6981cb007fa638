use super::*;
use crate::digests::Identity;
use crate::locales::Locales;

fn en() -> Words {
    Words::english()
}

fn fr() -> Words {
    Locales::shipped().words(&[Some("fr")])
}

fn facts(kind: u64, parent_id: Option<u64>) -> ChannelFacts {
    ChannelFacts {
        guild_id: Some(1),
        kind,
        parent_id,
    }
}

fn options(f: impl FnOnce(&mut TargetOptions)) -> TargetOptions {
    let mut o = TargetOptions::default();
    f(&mut o);
    o
}

fn target(kind: &str) -> TargetOptions {
    options(|o| o.target = Some(kind.into()))
}

const TEXT: u64 = GUILD_TEXT;
const FORUM: u64 = GUILD_FORUM;
const THREAD: u64 = PUBLIC_THREAD;
const ALL: [TargetKind; 4] = TargetKind::ALL;

#[test]
fn each_target_in_the_channel_that_suits_it() {
    let placed =
        |o: TargetOptions, kind, parent| place_target(&en(), o, 5, &facts(kind, parent), &ALL);
    assert_eq!(
        placed(target("channel"), TEXT, None),
        Ok((5, Target::Channel))
    );
    assert_eq!(
        placed(target("channel"), GUILD_ANNOUNCEMENT, None),
        Ok((5, Target::Channel))
    );
    let forum = Target::Forum {
        post: ForumPost::Digest,
        tags: false,
        identity: None,
    };
    assert_eq!(placed(target("forum"), FORUM, None), Ok((5, forum.clone())));
    let hook = options(|o| {
        o.target = Some("webhook".into());
        o.username = Some("Sahel Brief".into());
    });
    let (channel, hook) = placed(hook, TEXT, None).unwrap();
    assert_eq!(channel, 5);
    assert_eq!(
        hook.identity().unwrap().username.as_deref(),
        Some("Sahel Brief")
    );
    let open = options(|o| {
        o.target = Some("thread".into());
        o.open_thread = Some(true);
    });
    assert_eq!(
        placed(open, TEXT, None),
        Ok((5, Target::Thread(ThreadTarget::OpenUnderEach)))
    );
}

#[test]
fn a_thread_is_stored_as_its_parent_channel_and_the_thread() {
    let existing = Target::Thread(ThreadTarget::Existing { thread_id: 5 });
    let placed = place_target(&en(), target("thread"), 5, &facts(THREAD, Some(9)), &ALL);
    assert_eq!(placed, Ok((9, existing.clone())));
    // Picking a thread (or a forum) with no target means posting there.
    let placed = place_target(
        &en(),
        TargetOptions::default(),
        5,
        &facts(THREAD, Some(9)),
        &ALL,
    );
    assert_eq!(placed, Ok((9, existing)));
    let placed = place_target(
        &en(),
        TargetOptions::default(),
        5,
        &facts(FORUM, None),
        &ALL,
    );
    assert!(
        matches!(placed, Ok((5, Target::Forum { .. }))),
        "{placed:?}"
    );
}

#[test]
fn a_channel_that_does_not_suit_the_target_is_refused_naming_channel() {
    let refused = |o: TargetOptions, kind| {
        place_target(&en(), o, 5, &facts(kind, Some(9)), &ALL)
            .unwrap_err()
            .0
    };
    assert_eq!(
        refused(target("forum"), TEXT),
        "`channel`: <#5> is not a forum channel, and `target: forum` posts in one. Pick a forum, \
         or another target."
    );
    assert_eq!(
        refused(target("webhook"), FORUM),
        "`channel`: <#5> is a forum. To post there under a name of your own, use `target: forum` \
         with `username`."
    );
    assert_eq!(
        refused(target("thread"), TEXT),
        "`channel`: <#5> is not a thread. Pick a thread to post into, or set `open_thread: True` \
         to open one under each message."
    );
    for o in [
        target("channel"),
        target("webhook"),
        options(|o| {
            o.target = Some("thread".into());
            o.open_thread = Some(true);
        }),
    ] {
        let text = refused(o.clone(), THREAD);
        assert!(
            text.contains("is not a text or announcement channel"),
            "{o:?}: {text}"
        );
        let text = refused(o.clone(), FORUM);
        assert!(text.starts_with("`channel`: <#5>"), "{o:?}: {text}");
    }
    let orphan = place_target(&en(), target("thread"), 5, &facts(THREAD, None), &ALL);
    assert!(orphan.unwrap_err().0.contains("did not say which channel"));
}

#[test]
fn each_target_error_names_its_option_in_the_members_words() {
    let build = |o: TargetOptions| target_refusal(&en(), &o.build().unwrap_err()).0;
    let named = |o: TargetOptions, words: &Words| {
        let e = o.build().unwrap_err();
        target_refusal(words, &e).0
    };
    assert_eq!(
        build(options(|o| {
            o.target = Some("webhook".into());
            o.username = Some("Clyde".into());
        })),
        "`username`: Discord refuses webhook names containing \"clyde\". Pick another name."
    );
    assert_eq!(
        build(options(|o| o.username = Some("Sahel".into()))),
        "`username`: only applies with `target` `webhook` or `forum`."
    );
    assert_eq!(
        build(options(|o| o.open_thread = Some(true))),
        "`open_thread`: only applies with `target` `thread`."
    );
    assert_eq!(
        build(options(|o| {
            o.target = Some("webhook".into());
            o.avatar_url = Some("not a url".into());
        })),
        "`avatar_url`: `not a url` is not an http(s) link to an image."
    );
    assert_eq!(
        build(options(|o| {
            o.target = Some("webhook".into());
            o.username = Some("x".repeat(81));
        })),
        "`username`: must be 1 to 80 characters (this one has 81)."
    );
    // A command has no `thread_id`: the thread is the channel.
    assert!(build(target("thread")).starts_with("`channel`: `target: thread` needs a thread"));
    let french = named(options(|o| o.forum_tags = Some(true)), &fr());
    assert_eq!(
        french,
        "`forum_tags` : ne s'applique qu'avec `target` `forum`."
    );
}

#[test]
fn every_target_in_words() {
    let text = |t: Target| target_text(&en(), 1, &t);
    assert_eq!(text(Target::Channel), "<#1>");
    assert_eq!(
        text(Target::Forum {
            post: ForumPost::Digest,
            tags: true,
            identity: None
        }),
        "a forum post per fire in <#1> (with matching tags)"
    );
    assert_eq!(
        text(Target::Forum {
            post: ForumPost::Briefing,
            tags: false,
            identity: Some(Identity {
                username: Some("Sahel Brief".into()),
                avatar_url: None
            })
        }),
        "a forum post per briefing in <#1> as “Sahel Brief”"
    );
    assert_eq!(
        text(Target::Thread(ThreadTarget::Existing { thread_id: 2 })),
        "thread <#2>"
    );
    assert_eq!(
        text(Target::Thread(ThreadTarget::OpenUnderEach)),
        "threads under each message in <#1>"
    );
    let named = Identity {
        username: Some("Sahel *Brief* <@1>".into()),
        avatar_url: None,
    };
    assert_eq!(
        text(Target::Webhook(named)),
        "webhook as “Sahel 'Brief' ''1'” in <#1>",
        "a name shows as prose, never as a mention"
    );
    assert_eq!(
        text(Target::Webhook(Identity::default())),
        "webhook in <#1>"
    );
    let fr = target_text(&fr(), 1, &Target::Thread(ThreadTarget::OpenUnderEach));
    assert_eq!(fr, "un fil sous chaque message dans <#1>");
}

#[test]
fn an_edit_changes_the_target_within_its_channel() {
    let edit = |current: &Target, o: TargetOptions| edit_target(&en(), current, &o, &ALL);
    let hook = options(|o| {
        o.target = Some("webhook".into());
        o.username = Some("Sahel Brief".into());
    });
    let Ok(Target::Webhook(identity)) = edit(&Target::Channel, hook) else {
        panic!("a channel digest becomes a webhook one");
    };
    let renamed = edit(
        &Target::Webhook(identity),
        options(|o| o.avatar_url = Some("https://example.org/a.png".into())),
    )
    .unwrap();
    let identity = renamed.identity().unwrap();
    assert_eq!(identity.username.as_deref(), Some("Sahel Brief"), "kept");
    assert!(identity.avatar_url.is_some(), "added");
    assert_eq!(edit(&renamed, target("channel")), Ok(Target::Channel));
    let forum = Target::Forum {
        post: ForumPost::Digest,
        tags: false,
        identity: None,
    };
    let tagged = edit(&forum, options(|o| o.forum_tags = Some(true))).unwrap();
    assert!(matches!(tagged, Target::Forum { tags: true, .. }));
    let existing = Target::Thread(ThreadTarget::Existing { thread_id: 4 });
    let open = options(|o| o.open_thread = Some(true));
    let opened = edit(&existing, open).unwrap();
    assert_eq!(opened, Target::Thread(ThreadTarget::OpenUnderEach));
}

#[test]
fn an_edit_that_needs_another_channel_or_breaks_a_rule_is_refused() {
    let needs_add = "`target`: `/digest edit` keeps the digest's channel";
    let forum = Target::Forum {
        post: ForumPost::Digest,
        tags: false,
        identity: None,
    };
    for (current, o) in [
        (Target::Channel, target("forum")),
        (forum.clone(), target("webhook")),
        (Target::Channel, target("thread")),
    ] {
        let refused = edit_target(&en(), &current, &o, &ALL).unwrap_err().0;
        assert!(
            refused.starts_with(needs_add),
            "{current:?} {o:?}: {refused}"
        );
    }
    let refused = edit_target(
        &en(),
        &forum,
        &options(|o| o.open_thread = Some(true)),
        &ALL,
    );
    assert_eq!(
        refused.unwrap_err().0,
        "`open_thread`: only applies with `target` `thread`."
    );
    let refused = edit_target(
        &en(),
        &Target::Webhook(Identity::default()),
        &options(|o| o.username = Some("discord bot".into())),
        &ALL,
    );
    assert!(refused
        .unwrap_err()
        .0
        .starts_with("`username`: Discord refuses"));
}

#[test]
fn a_target_the_config_does_not_offer_is_refused_naming_target_and_the_allowed_ones() {
    let only = [TargetKind::Channel, TargetKind::Forum];
    let refused = place_target(&en(), target("webhook"), 5, &facts(TEXT, None), &only);
    assert_eq!(
        refused.unwrap_err().0,
        "`target`: this server's digests do not use `webhook`: choose `channel` or `forum`."
    );
    let refused = place_target(&fr(), target("thread"), 5, &facts(TEXT, None), &only);
    assert_eq!(
        refused.unwrap_err().0,
        "`target` : les digests de ce serveur n'utilisent pas `thread` : choisissez `channel` ou `forum`."
    );
    // What is offered still goes through.
    let placed = place_target(&en(), target("channel"), 5, &facts(TEXT, None), &only);
    assert_eq!(placed, Ok((5, Target::Channel)));
}

#[test]
fn without_target_the_channel_default_is_refused_when_not_offered_saying_what_to_pick() {
    let hooks = [TargetKind::Webhook];
    let refused = place_target(
        &en(),
        TargetOptions::default(),
        5,
        &facts(TEXT, None),
        &hooks,
    );
    assert_eq!(
        refused.unwrap_err().0,
        "`target`: without it, this channel means `channel`, which this server's digests do not \
         use: set `target` to `webhook`."
    );
    let refused = place_target(
        &fr(),
        TargetOptions::default(),
        5,
        &facts(TEXT, None),
        &hooks,
    );
    assert!(refused
        .unwrap_err()
        .0
        .contains("donnez à `target` la valeur `webhook`"));
    // A thread picked without a target means posting into it: refused too when not offered.
    let refused = place_target(
        &en(),
        TargetOptions::default(),
        5,
        &facts(THREAD, Some(9)),
        &hooks,
    );
    assert!(refused.unwrap_err().0.contains("means `thread`"));
}

#[test]
fn an_edit_to_a_target_not_offered_is_refused_and_other_options_of_the_current_one_too() {
    let channel_only = [TargetKind::Channel];
    let refused = edit_target(&en(), &Target::Channel, &target("webhook"), &channel_only);
    assert_eq!(
        refused.unwrap_err().0,
        "`target`: this server's digests do not use `webhook`: choose `channel`."
    );
    let hook = Target::Webhook(Identity::default());
    let renamed = options(|o| o.username = Some("Sahel Brief".into()));
    assert!(edit_target(&en(), &hook, &renamed, &channel_only).is_err());
    assert_eq!(
        edit_target(&en(), &hook, &target("channel"), &channel_only),
        Ok(Target::Channel)
    );
}
