//! Choosing where a digest posts, end to end: `/digest add` with a forum, a webhook and a
//! thread target through the real binary, `/digest edit` renaming the webhook, refusals naming
//! the option when the channel does not suit the target or `[schedule] targets` does not offer
//! it, and `/digest list` showing each target in words, before and after a restart.

use crate::support::{embeds, shipped_briefings, Bot, BotSpec, WAIT};
use fake_discord::*;

const FORUM_ID: u64 = 920_000_000_000_000_015;
/// A thread members opened in `CHANNEL_ID`.
const THREAD_ID: u64 = 920_000_000_000_000_011;

fn with_forum() -> FakeConfig {
    let mut cfg = FakeConfig::default();
    cfg.guilds[0] = GuildSpec::default_guild()
        .with_forum(FORUM_ID, "news-forum", &["sahel"])
        .with_thread(THREAD_ID, CHANNEL_ID, "sahel-talk");
    cfg
}

fn spec() -> BotSpec {
    BotSpec::new(&shipped_briefings())
}

async fn launch(fake: &FakeDiscord) -> Bot {
    let bot = Bot::launch(fake, spec());
    registered(fake, &bot).await;
    bot
}

async fn registered(fake: &FakeDiscord, bot: &Bot) {
    let route = format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
    let found = fake.wait_for(|r| r.is("PUT", &route), WAIT).await;
    found.unwrap_or_else(|e| panic!("commands never registered: {e:?}\n{}", bot.logs()));
}

fn add<'a>(fake: &'a FakeDiscord, name: &str, channel: u64) -> InteractionBuilder<'a> {
    fake.command("digest add")
        .user(MODERATOR_USER_ID)
        .option("name", name)
        .option("channel", channel)
        .option("schedule", "0 8 * * *")
}

/// The text only the caller sees.
async fn private_text(fake: &FakeDiscord, ix: Injected) -> String {
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(view.is_ephemeral(), "not ephemeral: {view:?}");
    view.contents().concat()
}

/// Each `/digest list` field as "name: value".
async fn listed(fake: &FakeDiscord) -> Vec<String> {
    let ix = fake
        .command("digest list")
        .user(MODERATOR_USER_ID)
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    embeds(&view)
        .iter()
        .flat_map(|e| e["fields"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            format!(
                "{}: {}",
                f["name"].as_str().unwrap(),
                f["value"].as_str().unwrap()
            )
        })
        .collect()
}

/// The first line of digest `name`'s field: its schedule and target.
fn line_of<'a>(fields: &'a [String], name: &str) -> &'a str {
    let prefix = format!("{name}: ");
    let field = fields.iter().find_map(|f| f.strip_prefix(&prefix));
    let field = field.unwrap_or_else(|| panic!("no `{name}` in {fields:?}"));
    field.lines().next().unwrap()
}

// Choice values are indexes, as Discord sends them: target channel 0, forum 1, thread 2,
// webhook 3.
const FORUM: u64 = 1;
const WEBHOOK: u64 = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forum_webhook_and_thread_targets_are_added_listed_and_kept_across_a_restart() {
    let fake = FakeDiscord::start_with(with_forum()).await;
    let mut bot = launch(&fake).await;

    let ix = add(&fake, "forum-news", FORUM_ID)
        .option("target", FORUM)
        .option("forum_tags", true)
        .send()
        .await;
    let text = private_text(&fake, ix).await;
    assert!(text.starts_with("Digest `forum-news` created"), "{text}");
    assert!(
        text.contains(&format!(
            "\nDelivery: a forum post per fire in <#{FORUM_ID}> (with matching tags)."
        )),
        "{text}"
    );

    let ix = add(&fake, "sahel-hook", CHANNEL_ID)
        .option("target", WEBHOOK)
        .option("username", "Sahel Brief")
        .option("avatar_url", "https://example.org/sahel.png")
        .send()
        .await;
    let text = private_text(&fake, ix).await;
    assert!(
        text.contains(&format!(
            "\nDelivery: webhook as “Sahel Brief” in <#{CHANNEL_ID}>."
        )),
        "{text}"
    );

    // A thread picked as the channel, with no target: posts go into it, and the digest's
    // channel is the thread's parent.
    let ix = add(&fake, "in-thread", THREAD_ID).send().await;
    let text = private_text(&fake, ix).await;
    assert!(
        text.starts_with(&format!(
            "Digest `in-thread` created: it posts to <#{CHANNEL_ID}> on"
        )) && text.contains(&format!("\nDelivery: thread <#{THREAD_ID}>.")),
        "{text}"
    );

    let expected = [
        (
            "in-thread",
            format!("`0 8 * * *` (UTC) → thread <#{THREAD_ID}>"),
        ),
        (
            "forum-news",
            format!(
                "`0 8 * * *` (UTC) → a forum post per fire in <#{FORUM_ID}> (with matching tags)"
            ),
        ),
        (
            "sahel-hook",
            format!("`0 8 * * *` (UTC) → webhook as “Sahel Brief” in <#{CHANNEL_ID}>"),
        ),
    ];
    let fields = listed(&fake).await;
    for (name, line) in &expected {
        assert_eq!(line_of(&fields, name), line, "{fields:?}");
    }

    // An edit changes the target within its channel and says where it now posts.
    let ix = fake
        .command("digest edit")
        .user(MODERATOR_USER_ID)
        .option("name", "sahel-hook")
        .option("username", "Sahel Evening")
        .send()
        .await;
    let text = private_text(&fake, ix).await;
    assert!(
        text.starts_with(&format!(
            "Digest `sahel-hook` updated: it posts to webhook as “Sahel Evening” in <#{CHANNEL_ID}>"
        )),
        "{text}"
    );
    let expected = [
        expected[0].clone(),
        expected[1].clone(),
        (
            "sahel-hook",
            format!("`0 8 * * *` (UTC) → webhook as “Sahel Evening” in <#{CHANNEL_ID}>"),
        ),
    ];

    bot.terminate();
    bot.relaunch(&fake, spec());
    registered(&fake, &bot).await;
    let fields = listed(&fake).await;
    for (name, line) in &expected {
        assert_eq!(line_of(&fields, name), line, "after a restart: {fields:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_that_does_not_suit_the_target_is_refused_naming_the_option() {
    let fake = FakeDiscord::start_with(with_forum()).await;
    let _bot = launch(&fake).await;
    let cases = [
        (
            add(&fake, "hook-in-forum", FORUM_ID).option("target", WEBHOOK),
            format!(
                "`channel`: <#{FORUM_ID}> is a forum. To post there under a name of your own, \
                 use `target: forum` with `username`."
            ),
        ),
        (
            add(&fake, "forum-in-text", CHANNEL_ID).option("target", FORUM),
            format!(
                "`channel`: <#{CHANNEL_ID}> is not a forum channel, and `target: forum` posts \
                 in one. Pick a forum, or another target."
            ),
        ),
        (
            add(&fake, "clyde", CHANNEL_ID)
                .option("target", WEBHOOK)
                .option("username", "Clyde"),
            "`username`: Discord refuses webhook names containing \"clyde\". Pick another name."
                .to_string(),
        ),
        (
            add(&fake, "open-in-thread", THREAD_ID)
                .option("target", 2)
                .option("open_thread", true),
            format!(
                "`channel`: <#{THREAD_ID}> is not a text or announcement channel, and this \
                 target posts in one. Pick one, or `target: forum` or `thread`."
            ),
        ),
        (
            add(&fake, "tags-on-text", CHANNEL_ID).option("forum_tags", true),
            "`forum_tags`: only applies with `target` `forum`.".to_string(),
        ),
    ];
    for (builder, expected) in cases {
        let text = private_text(&fake, builder.send().await).await;
        assert_eq!(text, expected);
    }
    assert!(listed(&fake).await.is_empty(), "nothing was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_the_bot_may_not_deliver_is_refused_naming_the_permission() {
    let fake = FakeDiscord::start_with(with_forum()).await;
    let _bot = launch(&fake).await;
    // A moderator took Manage Webhooks from the bot's role in this one channel.
    let bot_role = fake.config().guilds[0].bot_role_id;
    let (role, deny) = (OverwriteKind::Role, perms::MANAGE_WEBHOOKS);
    fake.set_overwrite(CHANNEL_ID, bot_role, role, 0, deny);
    let hooked = || add(&fake, "hooked", CHANNEL_ID).option("target", WEBHOOK);
    let text = private_text(&fake, hooked().send().await).await;
    assert_eq!(
        text,
        format!(
            "I may not deliver a webhook digest in <#{CHANNEL_ID}>: I lack Manage Webhooks \
             there. Grant it to my role in that channel (or run `briefbot invite` again), then \
             add the digest."
        )
    );
    assert!(listed(&fake).await.is_empty(), "nothing was stored");
    // A plain channel digest needs no webhook; and once the right is back, the webhook one goes in.
    let plain = add(&fake, "plain", CHANNEL_ID).send().await;
    assert!(private_text(&fake, plain).await.contains("plain"));
    fake.set_overwrite(CHANNEL_ID, bot_role, role, 0, 0);
    let text = private_text(&fake, hooked().send().await).await;
    assert!(text.contains("hooked"), "{text}");
    assert_eq!(listed(&fake).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_targets_the_config_offers_may_be_chosen() {
    let fake = FakeDiscord::start_with(with_forum()).await;
    let spec = BotSpec {
        extra_config: "[schedule]\ntargets = [\"webhook\"]\n".into(),
        ..spec()
    };
    let bot = Bot::launch(&fake, spec);
    registered(&fake, &bot).await;
    // No target in a text channel means `channel`, which is not offered: say what to pick.
    let text = private_text(&fake, add(&fake, "plain", CHANNEL_ID).send().await).await;
    assert_eq!(
        text,
        "`target`: without it, this channel means `channel`, which this server's digests do not \
         use: set `target` to `webhook`."
    );
    let forum = add(&fake, "posts", FORUM_ID).option("target", FORUM);
    let text = private_text(&fake, forum.send().await).await;
    assert_eq!(
        text,
        "`target`: this server's digests do not use `forum`: choose `webhook`."
    );
    assert!(listed(&fake).await.is_empty(), "nothing was stored");

    let hooked = add(&fake, "hooked", CHANNEL_ID).option("target", WEBHOOK);
    let text = private_text(&fake, hooked.send().await).await;
    assert!(text.starts_with("Digest `hooked` created"), "{text}");
    // An edit may not move it to a target that is not offered either.
    let ix = fake
        .command("digest edit")
        .user(MODERATOR_USER_ID)
        .option("name", "hooked")
        .option("target", 0)
        .send()
        .await;
    let text = private_text(&fake, ix).await;
    assert_eq!(
        text,
        "`target`: this server's digests do not use `channel`: choose `webhook`."
    );
    let fields = listed(&fake).await;
    assert!(line_of(&fields, "hooked").contains("webhook"), "{fields:?}");
}
