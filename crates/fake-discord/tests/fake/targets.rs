//! Forum channels, threads, webhooks and the guild as the bot reads them, through serenity's own
//! HTTP client and model types, so every new payload is one serenity accepts. The config here
//! is shared by the other `targets_*` files.

use fake_discord::bare_bot::http_for as http;
use fake_discord::raw_client::{rest as call, RawGateway};
use fake_discord::*;
use serde_json::{json, Value};
use serenity::all::{
    AutoArchiveDuration, Channel, ChannelId, ChannelType, Guild, GuildChannel, GuildId, Message,
    MessageId, MessagePagination, RoleId, UserId, Webhook,
};

pub const FORUM: u64 = 920_000_000_000_000_101;
pub const STRICT_FORUM: u64 = 920_000_000_000_000_102;
pub const THREAD: u64 = 920_000_000_000_000_103;
pub const TAGS: [&str; 6] = [
    "Sahel",
    "Climate",
    "Markets",
    "Health",
    "Security",
    "Elections",
];

/// The default guild with a forum of six tags, a forum that requires a tag, and a thread
/// under `#general`.
pub fn config() -> FakeConfig {
    let mut cfg = FakeConfig::default();
    cfg.guilds[0] = GuildSpec::default_guild()
        .with_forum(FORUM, "news", &TAGS)
        .with_forum(STRICT_FORUM, "strict", &["Sahel"])
        .with_channel_flags(STRICT_FORUM, REQUIRE_TAG)
        .with_thread(THREAD, CHANNEL_ID, "discussion");
    cfg
}

pub fn tag(fake: &FakeDiscord, name: &str) -> String {
    fake.forum_tag_id(FORUM, name).expect("a tag").to_string()
}

fn guild_channel(channel: Channel) -> GuildChannel {
    match channel {
        Channel::Guild(c) => c,
        other => panic!("expected a guild channel, got {other:?}"),
    }
}

/// The token serenity keeps secret, read through its own serializer.
fn token_of(hook: &Webhook) -> String {
    let v = serde_json::to_value(hook).expect("serializable");
    v["token"].as_str().expect("a token").to_owned()
}

fn message(v: &Value) -> Message {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("serenity rejects {v}\n{e}"))
}

#[tokio::test]
async fn forums_threads_and_guild_read_back_with_serenity() {
    let fake = FakeDiscord::start_with(config()).await;
    let http = http(&fake);

    let forum = guild_channel(
        http.get_channel(ChannelId::new(FORUM))
            .await
            .expect("forum"),
    );
    assert_eq!(forum.kind, ChannelType::Forum);
    let names: Vec<&str> = forum
        .available_tags
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, TAGS);
    assert_eq!(
        forum.available_tags[0].id.get().to_string(),
        tag(&fake, "Sahel")
    );
    let strict = http
        .get_channel(ChannelId::new(STRICT_FORUM))
        .await
        .expect("strict");
    assert_eq!(guild_channel(strict).flags.bits(), REQUIRE_TAG);
    let thread = guild_channel(
        http.get_channel(ChannelId::new(THREAD))
            .await
            .expect("thread"),
    );
    assert_eq!(
        (thread.kind, thread.parent_id),
        (ChannelType::PublicThread, Some(ChannelId::new(CHANNEL_ID)))
    );
    assert!(!thread.thread_metadata.expect("metadata").archived);

    // A forum post: the thread with its first message, under the bot's name, one id for both.
    let post = json!({"name": "Sahel, 1 May", "applied_tags": [tag(&fake, "Sahel")],
        "message": {"content": "**Sahel** <@&940000000000000001>", "allowed_mentions": {"parse": []},
                    "nonce": "not-honoured", "embeds": [{"title": "Sahel", "description": "Rain"}]}});
    let made = http
        .create_forum_post(ChannelId::new(FORUM), &post, None)
        .await
        .expect("forum post");
    assert_eq!(made.owner_id, Some(UserId::new(BOT_USER_ID)));
    assert_eq!(made.applied_tags[0].get().to_string(), tag(&fake, "Sahel"));
    let metadata = made.thread_metadata.expect("metadata");
    assert_eq!(metadata.auto_archive_duration, AutoArchiveDuration::OneDay);
    let posted = &fake.threads(FORUM)[0];
    let starter = message(&posted["message"]);
    assert_eq!(
        (starter.id.get(), starter.channel_id.get()),
        (made.id.get(), made.id.get())
    );
    assert!(starter.nonce.is_none() && starter.mention_roles.is_empty());

    // A thread under a message takes the message's id; the message says it has one.
    let sent = http
        .send_message(
            ChannelId::new(CHANNEL_ID),
            vec![],
            &json!({"content": "Digest"}),
        )
        .await
        .expect("message");
    let opened = http
        .create_thread_from_message(sent.channel_id, sent.id, &json!({"name": "Digest"}), None)
        .await
        .expect("thread from message");
    assert_eq!(
        (opened.id.get(), opened.kind),
        (sent.id.get(), ChannelType::PublicThread)
    );
    let reread = http
        .get_message(sent.channel_id, sent.id)
        .await
        .expect("message");
    assert_eq!(reread.thread.expect("thread").id, opened.id);

    // Messages in a thread: the nonce deduplicates, the count goes up once.
    let in_thread = json!({"content": "reply", "nonce": "t-1", "enforce_nonce": true});
    let first = http
        .send_message(opened.id, vec![], &in_thread)
        .await
        .expect("in thread");
    let again = http
        .send_message(opened.id, vec![], &in_thread)
        .await
        .expect("again");
    assert_eq!(first.id, again.id);
    let counted = guild_channel(http.get_channel(opened.id).await.expect("thread"));
    assert_eq!(counted.message_count, Some(1));

    let active = http
        .get_guild_active_threads(GuildId::new(GUILD_ID))
        .await
        .expect("active threads");
    let mut ids: Vec<u64> = active.threads.iter().map(|t| t.id.get()).collect();
    ids.sort_unstable();
    let mut expected = vec![THREAD, made.id.get(), opened.id.get()];
    expected.sort_unstable();
    assert_eq!(ids, expected);

    let guild = http.get_guild(GuildId::new(GUILD_ID)).await.expect("guild");
    let bot_role = fake.config().guilds[0].bot_role_id;
    let role = &guild.roles[&bot_role.into()];
    assert!(role.managed && role.tags.bot_id == Some(UserId::new(BOT_USER_ID)));
    assert_eq!(role.permissions.bits(), perms::BOT_DEFAULT);
    let member = http
        .get_member(GuildId::new(GUILD_ID), UserId::new(BOT_USER_ID))
        .await
        .expect("bot member");
    assert_eq!(member.roles, [RoleId::new(bot_role)]);
    let app = http.get_current_application_info().await.expect("app");
    assert!(app.bot_public && !app.bot_require_code_grant);
}

#[tokio::test]
async fn webhooks_read_back_with_serenity() {
    let fake = FakeDiscord::start_with(config()).await;
    let http = http(&fake);
    let avatar = "data:image/png;base64,iVBORw0KGgo=";
    let hook = http
        .create_webhook(
            ChannelId::new(SECOND_CHANNEL_ID),
            &json!({"name": "Sahel Brief", "avatar": avatar}),
            None,
        )
        .await
        .expect("webhook");
    let token = token_of(&hook);
    assert_eq!(
        hook.user.as_ref().map(|u| u.id),
        Some(UserId::new(BOT_USER_ID))
    );
    assert!(hook.avatar.is_some());
    let listed = http
        .get_channel_webhooks(ChannelId::new(SECOND_CHANNEL_ID))
        .await
        .expect("list");
    assert_eq!((listed.len(), listed[0].id), (1, hook.id));

    let body = json!({"content": "@everyone digest", "username": "Sahel Brief (1 May)",
        "avatar_url": "https://example.org/sahel.png", "allowed_mentions": {"parse": []}});
    let msg = http
        .execute_webhook(hook.id, None, &token, true, vec![], &body)
        .await
        .expect("execute")
        .expect("wait=true answers the message");
    assert_eq!(
        (msg.webhook_id, msg.author.id.get()),
        (Some(hook.id), hook.id.get())
    );
    assert_eq!(msg.author.name, "Sahel Brief (1 May)");
    assert!(!msg.mention_everyone && msg.author.avatar.is_some());
    let quiet = http
        .execute_webhook(
            hook.id,
            None,
            &token,
            false,
            vec![],
            &json!({"content": "x"}),
        )
        .await
        .expect("execute without wait");
    assert!(quiet.is_none());
    assert_eq!(fake.channel_messages(SECOND_CHANNEL_ID).len(), 2);

    // Into a forum: `thread_name` opens a post the webhook owns.
    let forum_hook = http
        .create_webhook(ChannelId::new(FORUM), &json!({"name": "Forum Brief"}), None)
        .await
        .expect("forum webhook");
    let forum_token = token_of(&forum_hook);
    let post = json!({"content": "first", "thread_name": "Sahel, 1 May",
        "applied_tags": [tag(&fake, "Climate")]});
    let starter = http
        .execute_webhook(forum_hook.id, None, &forum_token, true, vec![], &post)
        .await
        .expect("post")
        .expect("message");
    let thread = &fake.threads(FORUM)[0];
    assert_eq!(thread["id"], starter.channel_id.to_string());
    assert_eq!(thread["owner_id"], forum_hook.id.to_string());
    assert_eq!(thread["message"]["id"], starter.id.to_string());
    let thread_id = starter.channel_id;
    let reply = http
        .execute_webhook(
            forum_hook.id,
            Some(thread_id),
            &forum_token,
            true,
            vec![],
            &json!({"content": "more"}),
        )
        .await
        .expect("into the post")
        .expect("message");
    assert_eq!(reply.channel_id, thread_id);
    let edited = http
        .edit_webhook_message(
            forum_hook.id,
            Some(thread_id),
            &forum_token,
            reply.id,
            &json!({"content": "edited"}),
            vec![],
        )
        .await
        .expect("edit");
    assert!(edited.edited_timestamp.is_some());
    let fetched = http
        .get_webhook_message(forum_hook.id, Some(thread_id), &forum_token, reply.id)
        .await
        .expect("get");
    assert_eq!(fetched.content, "edited");
    http.delete_webhook(forum_hook.id, None)
        .await
        .expect("delete");
    assert!(fake.webhooks(FORUM).is_empty());
}

#[tokio::test]
async fn history_pages_newest_first() {
    let fake = FakeDiscord::start_with(config()).await;
    let http = http(&fake);
    let channel = ChannelId::new(SECOND_CHANNEL_ID);
    let mut ids = Vec::new();
    for i in 0..5 {
        let body = json!({"content": format!("m{i}")});
        ids.push(
            http.send_message(channel, vec![], &body)
                .await
                .expect("sent")
                .id,
        );
    }
    let newest = http
        .get_messages(channel, None, Some(2))
        .await
        .expect("newest");
    assert_eq!(
        newest.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ids[4], ids[3]]
    );
    let before = http
        .get_messages(channel, Some(MessagePagination::Before(ids[2])), None)
        .await
        .expect("before");
    assert_eq!(
        before.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ids[1], ids[0]]
    );
    let after = http
        .get_messages(channel, Some(MessagePagination::After(ids[0])), Some(2))
        .await
        .expect("after");
    assert_eq!(
        after.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ids[2], ids[1]]
    );
    for limit in ["0", "101", "many"] {
        let route = format!("/channels/{SECOND_CHANNEL_ID}/messages?limit={limit}");
        let (status, _, body) = call(&fake, "GET", &route, None).await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (400, Some(50035)),
            "limit={limit}"
        );
    }
    let unknown = http.get_message(channel, MessageId::new(1)).await;
    assert!(format!("{:?}", unknown.expect_err("unknown")).contains("10008"));
}

#[tokio::test]
async fn guild_create_carries_forums_threads_and_the_bot_role() {
    let fake = FakeDiscord::start_with(config()).await;
    let mut gw = RawGateway::connect(&fake).await;
    let frames = gw.identify(&fake, fake.token(), 1).await;
    let guild: Guild = serde_json::from_value(frames[1]["d"].clone())
        .unwrap_or_else(|e| panic!("serenity rejects GUILD_CREATE: {e}"));
    let forum = &guild.channels[&ChannelId::new(FORUM)];
    assert_eq!(forum.available_tags.len(), TAGS.len());
    assert!(!guild.channels.contains_key(&ChannelId::new(THREAD)));
    assert_eq!(guild.threads.len(), 1);
    assert_eq!(guild.threads[0].parent_id, Some(ChannelId::new(CHANNEL_ID)));
    let bot = &guild.members[&UserId::new(BOT_USER_ID)];
    assert_eq!(
        bot.roles,
        [RoleId::new(fake.config().guilds[0].bot_role_id)]
    );
}
