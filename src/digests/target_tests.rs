//! The target rules: each option builds its target, each wrong one is refused by name,
//! Discord's naming rules, the stored form, and what each target needs.

use super::*;

fn opts(f: impl FnOnce(&mut TargetOptions)) -> TargetOptions {
    let mut o = TargetOptions::default();
    f(&mut o);
    o
}

#[test]
fn no_options_is_a_channel() {
    assert_eq!(TargetOptions::default().build(), Ok(Target::Channel));
}

#[test]
fn each_target_builds_from_its_options() {
    let forum = opts(|o| {
        o.target = Some("Forum".into());
        o.forum_post = Some("briefing".into());
        o.forum_tags = Some(true);
    });
    assert_eq!(
        forum.build(),
        Ok(Target::Forum {
            post: ForumPost::Briefing,
            tags: true,
            identity: None
        })
    );
    let thread = opts(|o| {
        o.target = Some("thread".into());
        o.thread_id = Some(42);
    });
    let existing = ThreadTarget::Existing { thread_id: 42 };
    assert_eq!(thread.build(), Ok(Target::Thread(existing)));
    let hook = opts(|o| {
        o.target = Some("webhook".into());
        o.username = Some("  Sahel Brief ".into());
        o.avatar_url = Some("https://example.org/a.png".into());
    });
    let Target::Webhook(identity) = hook.build().unwrap() else {
        panic!("not a webhook")
    };
    assert_eq!(identity.username.as_deref(), Some("Sahel Brief"));
}

#[test]
fn wrong_options_name_the_option() {
    let cases: [(TargetOptions, &str); 7] = [
        (opts(|o| o.target = Some("dm".into())), "target"),
        (opts(|o| o.username = Some("Sahel".into())), "username"),
        (
            opts(|o| {
                o.target = Some("webhook".into());
                o.username = Some("Discord News".into());
            }),
            "username",
        ),
        (
            opts(|o| {
                o.target = Some("webhook".into());
                o.username = Some("x".repeat(81));
            }),
            "username",
        ),
        (
            opts(|o| {
                o.target = Some("webhook".into());
                o.avatar_url = Some("ftp://x/y.png".into());
            }),
            "avatar_url",
        ),
        (opts(|o| o.target = Some("thread".into())), "thread_id"),
        (
            opts(|o| {
                o.target = Some("forum".into());
                o.forum_post = Some("story".into());
            }),
            "forum_post",
        ),
    ];
    for (o, option) in cases {
        let e = o.build().expect_err("must be refused");
        assert_eq!(e.option, option, "{e}");
    }
}

#[test]
fn usernames_follow_discords_rules() {
    assert!(check_username("CLYDE's digest").is_err());
    assert!(check_username(&"é".repeat(80)).is_ok());
    assert!(check_username("   ").is_err());
}

#[test]
fn stored_form_round_trips() {
    for t in [
        Target::Channel,
        Target::Thread(ThreadTarget::OpenUnderEach),
        Target::Forum {
            post: ForumPost::Digest,
            tags: false,
            identity: Some(Identity {
                username: Some("Sahel Brief".into()),
                avatar_url: None,
            }),
        },
    ] {
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Target>(&json).unwrap(), t, "{json}");
    }
}

#[test]
fn webhooks_need_manage_webhooks_and_an_existing_thread_no_thread_creation() {
    let hook = Target::Webhook(Identity::default());
    assert!(hook.permissions().contains(Permissions::MANAGE_WEBHOOKS));
    let existing = Target::Thread(ThreadTarget::Existing { thread_id: 1 });
    assert!(!existing
        .permissions()
        .contains(Permissions::CREATE_PUBLIC_THREADS));
    assert!(existing
        .permissions()
        .contains(Permissions::SEND_MESSAGES_IN_THREADS));
}
