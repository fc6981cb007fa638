//! The bot's channel permissions computed from its role and the channels' overwrites, in
//! Discord's order, and enforced with Discord's 403s on the routes that need them.

use fake_discord::raw_client::{rest as call, RawGateway};
use fake_discord::*;
use serde_json::json;
use serenity::all::{GuildChannel, Interaction, PermissionOverwriteType, RoleId};

use super::targets::{config, FORUM, THREAD};
use super::targets_rules::refusal;

#[tokio::test]
async fn permissions_follow_roles_and_overwrites_in_discords_order() {
    let second_guild = 911_000_000_000_000_001;
    let (no_hooks, admin_only) = (921_000_000_000_000_001, 922_000_000_000_000_001);
    let mut cfg = config();
    cfg.guilds.push(
        GuildSpec::new(second_guild, "No webhooks")
            .with_channel(no_hooks, "news")
            .with_bot_permissions(perms::BOT_DEFAULT & !perms::MANAGE_WEBHOOKS),
    );
    cfg.guilds.push(
        GuildSpec::new(912_000_000_000_000_001, "Admin bot")
            .with_channel(admin_only, "locked")
            .with_overwrite(
                admin_only,
                912_000_000_000_000_001,
                OverwriteKind::Role,
                0,
                perms::VIEW_CHANNEL,
            )
            .with_bot_permissions(perms::ADMINISTRATOR),
    );
    let fake = FakeDiscord::start_with(cfg).await;
    let bot_role = fake.config().guilds[0].bot_role_id;
    assert_eq!(
        fake.bot_permissions_in(CHANNEL_ID),
        perms::EVERYONE_DEFAULT | perms::BOT_DEFAULT
    );
    let post = |channel: u64| {
        let fake = &fake;
        async move {
            let route = format!("/channels/{channel}/messages");
            refusal(&call(fake, "POST", &route, Some(json!({"content": "x"}))).await)
        }
    };
    assert_eq!(post(CHANNEL_ID).await.0, 200);
    let hook = json!({"name": "h"});
    let answer = call(
        &fake,
        "POST",
        &format!("/channels/{no_hooks}/webhooks"),
        Some(hook.clone()),
    )
    .await;
    assert_eq!(
        refusal(&answer),
        (403, Some(50013)),
        "the role lacks Manage Webhooks"
    );
    assert_eq!(
        post(admin_only).await.0,
        200,
        "an administrator ignores overwrites"
    );

    // @everyone's deny beats the roles' base; a role's allow beats it; the member's deny wins.
    fake.set_overwrite(
        CHANNEL_ID,
        GUILD_ID,
        OverwriteKind::Role,
        0,
        perms::SEND_MESSAGES,
    );
    assert_eq!(post(CHANNEL_ID).await, (403, Some(50013)));
    fake.set_overwrite(
        CHANNEL_ID,
        bot_role,
        OverwriteKind::Role,
        perms::SEND_MESSAGES,
        0,
    );
    assert_eq!(post(CHANNEL_ID).await.0, 200);
    fake.set_overwrite(
        CHANNEL_ID,
        BOT_USER_ID,
        OverwriteKind::Member,
        0,
        perms::SEND_MESSAGES,
    );
    assert_eq!(post(CHANNEL_ID).await, (403, Some(50013)));
    let (_, _, shown) = call(&fake, "GET", &format!("/channels/{CHANNEL_ID}"), None).await;
    let channel: GuildChannel = serde_json::from_value(shown).expect("serenity reads overwrites");
    let kinds: Vec<PermissionOverwriteType> = channel
        .permission_overwrites
        .iter()
        .map(|o| o.kind)
        .collect();
    assert!(kinds.contains(&PermissionOverwriteType::Role(RoleId::new(bot_role))));
    assert_eq!(channel.permission_overwrites.len(), 3);

    // A thread follows its parent: Send Messages in Threads, not Send Messages.
    assert_eq!(
        post(THREAD).await.0,
        200,
        "the member's Send Messages deny does not reach threads"
    );
    fake.set_overwrite(
        CHANNEL_ID,
        bot_role,
        OverwriteKind::Role,
        0,
        perms::SEND_MESSAGES_IN_THREADS,
    );
    assert_eq!(post(THREAD).await, (403, Some(50013)));
    fake.set_overwrite(
        SECOND_CHANNEL_ID,
        bot_role,
        OverwriteKind::Role,
        0,
        perms::MANAGE_WEBHOOKS,
    );
    let hooks = format!("/channels/{SECOND_CHANNEL_ID}/webhooks");
    assert_eq!(
        refusal(&call(&fake, "POST", &hooks, Some(hook)).await),
        (403, Some(50013))
    );
    assert_eq!(
        refusal(&call(&fake, "GET", &hooks, None).await),
        (403, Some(50013))
    );
    fake.set_overwrite(
        FORUM,
        bot_role,
        OverwriteKind::Role,
        0,
        perms::SEND_MESSAGES,
    );
    let forum_post = json!({"name": "p", "message": {"content": "x"}});
    let answer = call(
        &fake,
        "POST",
        &format!("/channels/{FORUM}/threads"),
        Some(forum_post),
    )
    .await;
    assert_eq!(refusal(&answer), (403, Some(50013)));

    // Without View Channel: Missing Access, and the thread list leaves its threads out.
    fake.set_overwrite(
        CHANNEL_ID,
        GUILD_ID,
        OverwriteKind::Role,
        0,
        perms::VIEW_CHANNEL,
    );
    fake.set_overwrite(CHANNEL_ID, bot_role, OverwriteKind::Role, 0, 0);
    assert_eq!(post(CHANNEL_ID).await, (403, Some(50001)));
    assert_eq!(
        refusal(&call(&fake, "GET", &format!("/channels/{THREAD}"), None).await),
        (403, Some(50001))
    );
    let active = call(
        &fake,
        "GET",
        &format!("/guilds/{GUILD_ID}/threads/active"),
        None,
    )
    .await;
    assert_eq!(active.2["threads"], json!([]));
    fake.set_overwrite(
        SECOND_CHANNEL_ID,
        bot_role,
        OverwriteKind::Role,
        0,
        perms::READ_MESSAGE_HISTORY,
    );
    let history = call(
        &fake,
        "GET",
        &format!("/channels/{SECOND_CHANNEL_ID}/messages"),
        None,
    )
    .await;
    assert_eq!(refusal(&history), (403, Some(50013)));
    assert_eq!(post(SECOND_CHANNEL_ID).await.0, 200, "other bits untouched");
}

#[tokio::test]
async fn interactions_carry_the_bots_permissions_in_their_channel() {
    let fake = FakeDiscord::start_with(config()).await;
    let mut gw = RawGateway::connected(&fake).await;
    let bot_role = fake.config().guilds[0].bot_role_id;
    fake.set_overwrite(
        SECOND_CHANNEL_ID,
        bot_role,
        OverwriteKind::Role,
        0,
        perms::MANAGE_WEBHOOKS,
    );
    for (channel, webhooks) in [(CHANNEL_ID, true), (SECOND_CHANNEL_ID, false)] {
        fake.command("digest add").channel(channel).send().await;
        let frame = gw.recv_dispatch("INTERACTION_CREATE").await;
        let ix: Interaction = serde_json::from_value(frame["d"].clone()).expect("an interaction");
        let Interaction::Command(cmd) = ix else {
            panic!("not a command")
        };
        let held = cmd.app_permissions.expect("app_permissions").bits();
        assert_eq!(held & perms::MANAGE_WEBHOOKS != 0, webhooks, "in {channel}");
        assert_eq!(held, fake.bot_permissions_in(channel));
    }
}
