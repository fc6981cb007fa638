//! `briefbot check` against the fake Discord's permissions: each config digest's channel and
//! each alert channel, computed from the channel's overwrites, the guild's roles and the bot's
//! member as Discord does, warns naming the digest, the channel and the permission, without
//! failing the check.

use fake_discord::{
    perms, FakeConfig, FakeDiscord, GuildSpec, OverwriteKind, BOT_USER_ID, CHANNEL_ID, GUILD_ID,
    SECOND_CHANNEL_ID,
};
use std::process::Command;

async fn check(dir: &std::path::Path, token: &str) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_briefbot"));
    command
        .arg("check")
        .current_dir(dir)
        .env_remove("BRIEFBOT_CONFIG")
        .env("DISCORD_TOKEN", token)
        .env("RUST_LOG", "warn");
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (out.status.code().unwrap_or(-1), stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_warns_where_the_bot_lacks_what_a_digest_or_an_alert_needs() {
    let guild = GuildSpec::default_guild();
    let bot_role = guild.bot_role_id;
    // #general is hidden from @everyone but shown to the bot's role: nothing lacks there.
    // In #digests the bot itself may not send.
    let guild = guild
        .with_overwrite(
            CHANNEL_ID,
            GUILD_ID,
            OverwriteKind::Role,
            0,
            perms::VIEW_CHANNEL,
        )
        .with_overwrite(
            CHANNEL_ID,
            bot_role,
            OverwriteKind::Role,
            perms::VIEW_CHANNEL,
            0,
        )
        .with_overwrite(
            SECOND_CHANNEL_ID,
            BOT_USER_ID,
            OverwriteKind::Member,
            0,
            perms::SEND_MESSAGES,
        );
    let fake = FakeDiscord::start_with(FakeConfig {
        guilds: vec![guild],
        ..FakeConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    let digest = |name: &str, channel: u64| {
        format!("[[digest]]\nname = \"{name}\"\nchannel_id = {channel}\nschedule = \"@daily\"\n")
    };
    let config = format!(
        "[discord]\napi_base = \"{}\"\n[briefings]\ndir = \"b\"\n\
         [[guild]]\nid = {GUILD_ID}\nalert_channel_id = {SECOND_CHANNEL_ID}\n{}{}{}",
        fake.base_url(),
        digest("morning", CHANNEL_ID),
        digest("evening", SECOND_CHANNEL_ID),
        digest("lost", 999),
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();

    let (code, out) = check(dir.path(), fake.token()).await;
    assert_eq!(code, 0, "warnings do not fail check:\n{out}");
    let expected = [
        format!("warning: digest `evening` (target = \"channel\"): the bot lacks Send Messages in channel {SECOND_CHANNEL_ID}"),
        "warning: digest `lost` (target = \"channel\"): channel 999 is not in a server the bot is in".to_string(),
        format!("warning: alert channel of guild {GUILD_ID}: the bot lacks Send Messages in channel {SECOND_CHANNEL_ID}"),
        "permissions: 4 channel(s) checked (3 warning(s))".to_string(),
    ];
    for line in &expected {
        assert!(out.lines().any(|l| l == line), "no `{line}` in\n{out}");
    }
    assert!(!out.contains("digest `morning`"), "{out}");
    // The fake enforces what check computed.
    assert_eq!(
        fake.bot_permissions_in(SECOND_CHANNEL_ID) & perms::SEND_MESSAGES,
        0
    );
    assert_ne!(fake.bot_permissions_in(CHANNEL_ID) & perms::VIEW_CHANNEL, 0);

    // A moderator lifts the overwrite: only the unknown channel is left.
    fake.set_overwrite(SECOND_CHANNEL_ID, BOT_USER_ID, OverwriteKind::Member, 0, 0);
    let (code, out) = check(dir.path(), fake.token()).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("permissions: 4 channel(s) checked (1 warning(s))"),
        "{out}"
    );
    assert!(!out.contains("lacks"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_target_names_what_a_target_lacks_and_a_thread_follows_its_parent() {
    use briefbot::digests::{Identity, Target, ThreadTarget};
    use briefbot::discord::permissions::{check_target, Missing};
    use briefbot::permissions::Permissions;
    const THREAD: u64 = 920_000_000_000_000_100;
    let guild = GuildSpec::default_guild()
        .with_bot_permissions(perms::BOT_DEFAULT & !perms::MANAGE_WEBHOOKS)
        .with_thread(THREAD, SECOND_CHANNEL_ID, "desk")
        .with_overwrite(
            SECOND_CHANNEL_ID,
            BOT_USER_ID,
            OverwriteKind::Member,
            0,
            perms::SEND_MESSAGES_IN_THREADS,
        );
    let fake = FakeDiscord::start_with(FakeConfig {
        guilds: vec![guild],
        ..FakeConfig::default()
    })
    .await;
    let rest = briefbot::discord::Rest::new(&fake.base_url(), fake.token()).unwrap();
    let lacks = |channel_id, permissions| {
        Err(Missing::Permissions {
            channel_id,
            permissions,
        })
    };
    let hook = Target::Webhook(Identity::default());
    assert_eq!(
        check_target(&rest, CHANNEL_ID, &hook).await,
        lacks(CHANNEL_ID, Permissions::MANAGE_WEBHOOKS)
    );
    assert_eq!(
        check_target(&rest, CHANNEL_ID, &Target::Channel).await,
        Ok(())
    );
    let existing = Target::Thread(ThreadTarget::Existing { thread_id: THREAD });
    // Asked about the thread itself, the parent's overwrites decide.
    assert_eq!(
        check_target(&rest, THREAD, &existing).await,
        lacks(THREAD, Permissions::SEND_MESSAGES_IN_THREADS)
    );
    assert_eq!(check_target(&rest, CHANNEL_ID, &existing).await, Ok(()));
}
