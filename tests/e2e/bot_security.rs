//! Secrets and rights. The bot token never shows: not in the logs at any level (trace included,
//! through a command, a 429 retry, a resume, a reload and a shutdown), not in `/briefbot status`,
//! not in `/metrics`, not in the exit error when Discord refuses it, not in the `Debug` of the
//! config or of the REST client, not echoed when pasted into the config, and not in tungstenite's
//! hex-encoded frame dumps at trace level either (a test of its own). Moderator and
//! admin rights are read from each interaction, so a member demoted between two calls is refused
//! on the second. No code in `src/discord` unwraps user data, so no panic message can carry it.
//!
//! One guild's digests being invisible to another guild's moderators is proven in
//! `bot_digest_commands.rs`.

use crate::support::{
    free_port, metrics_containing, ops_config, shipped_briefings, Bot, BotSpec, WAIT,
};
use fake_discord::*;
use std::path::Path;
use std::time::Duration;

/// Shaped like a real token (id, timestamp, HMAC), so a redaction keyed on the shape would
/// catch it as well as the fake's own.
const OTHER_TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.wr0ng-t0ken_AbCdEfGhIjKlMnOpQrStUv";

/// Everything the logs must not hold for `token`: the token itself and the encodings a
/// frame or byte dump would show (tungstenite logs frames as hex at trace level).
fn leaks(text: &str, token: &str) -> Vec<&'static str> {
    let hex: String = token.bytes().map(|b| format!("{b:02x}")).collect();
    let bytes = format!("{:?}", token.as_bytes());
    let bytes = bytes.trim_start_matches('[').trim_end_matches(']');
    let mut found = Vec::new();
    if text.contains(token) {
        found.push("the token");
    }
    if text.to_ascii_lowercase().contains(&hex) {
        found.push("the token in hex");
    }
    if text.contains(bytes) {
        found.push("the token as a byte list");
    }
    found
}

fn trace_spec(extra_config: String) -> BotSpec {
    BotSpec {
        extra_config,
        env: vec![("RUST_LOG".into(), "trace".into())],
        ..BotSpec::new(&shipped_briefings())
    }
}

async fn registered(fake: &FakeDiscord, bot: &Bot) {
    let route = format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
    if let Err(e) = fake.wait_for(|r| r.is("PUT", &route), WAIT).await {
        panic!("commands never registered: {e:?}\nlogs:\n{}", bot.logs());
    }
}

async fn private_text(fake: &FakeDiscord, ix: Injected) -> String {
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(view.is_ephemeral(), "not ephemeral: {view:?}");
    view.contents().concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_in_no_trace_log_status_or_metrics_through_a_bot_lifetime() {
    let fake = FakeDiscord::start().await;
    let port = free_port();
    let mut bot = Bot::launch(&fake, trace_spec(ops_config(port)));
    registered(&fake, &bot).await;

    // A command whose answer is refused once with 429 and retried.
    fake.rate_limit("POST", "/callback", 1, 0.2, false);
    let ix = fake.command("whats-next").send().await;
    fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let reload = fake
        .command("briefbot reload")
        .user(ADMIN_USER_ID)
        .send()
        .await;
    let reloaded = private_text(&fake, reload).await;
    assert!(reloaded.starts_with("Reloaded."), "{reloaded}");
    // A Resume carries the token too.
    assert!(fake.drop_connection());
    fake.wait_for_resumes(1, WAIT).await.unwrap();
    let status = fake
        .command("briefbot status")
        .user(ADMIN_USER_ID)
        .send()
        .await;
    let status = private_text(&fake, status).await;
    assert!(status.contains("Last gateway fault:"), "{status}");
    assert_eq!(leaks(&status, fake.token()), [] as [&str; 0], "{status}");

    let metrics = metrics_containing(port, "briefbot_rest_retries_total", WAIT).await;
    assert!(
        metrics.contains("briefbot_rest_retries_total{status=\"429\"} 1"),
        "{metrics}"
    );
    assert_eq!(leaks(&metrics, fake.token()), [] as [&str; 0]);

    assert_eq!(bot.terminate().code(), Some(0), "{}", bot.logs());
    let logs = bot.logs();
    // The paths above were taken, at trace level.
    for expected in [
        " TRACE ",
        "retrying Discord request",
        "reloaded",
        "shutting down",
        "stopped",
    ] {
        assert!(logs.contains(expected), "no `{expected}` in the logs");
    }
    let leaked = logs.lines().find(|l| l.contains(fake.token()));
    assert_eq!(leaked, None, "the token is in the trace logs");
}

/// The frames serenity sends are dumped by tungstenite at trace level (through the `log`
/// bridge), payload included: Identify and Resume carry `"token": "Bot …"`, so the token shows
/// hex- and byte-encoded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_hold_the_token_in_no_encoding_either() {
    let fake = FakeDiscord::start().await;
    let mut bot = Bot::launch(&fake, trace_spec(String::new()));
    registered(&fake, &bot).await;
    assert!(fake.drop_connection());
    fake.wait_for_resumes(1, WAIT).await.unwrap();
    assert_eq!(bot.terminate().code(), Some(0), "{}", bot.logs());
    let logs = bot.logs();
    let first = logs
        .lines()
        .find(|l| !leaks(l, fake.token()).is_empty())
        .unwrap_or_default();
    assert!(
        first.is_empty(),
        "{:?} in the trace logs, e.g.:\n{}",
        leaks(&logs, fake.token()),
        first.chars().take(300).collect::<String>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_exits_2_with_one_clear_line_that_does_not_hold_it() {
    let fake = FakeDiscord::start().await;
    let spec = BotSpec {
        env: vec![
            ("RUST_LOG".into(), "trace".into()),
            ("DISCORD_TOKEN".into(), OTHER_TOKEN.into()),
        ],
        ..BotSpec::new(&shipped_briefings())
    };
    let mut bot = Bot::launch(&fake, spec);
    let status = bot
        .wait(Duration::from_secs(30))
        .expect("briefbot should stop when Discord refuses its token");
    assert_eq!(status.code(), Some(2), "{}", bot.logs());
    let logs = bot.logs();
    assert_eq!(
        logs.lines().last(),
        Some("briefbot: Discord rejected the bot token (401): check DISCORD_TOKEN"),
        "{logs}"
    );
    let refused = fake.requests_matching(|r| r.status == 401);
    assert_eq!(refused.len(), 1, "asked once, not retried");
    assert_eq!(fake.gateway_log().connections, 0);
    assert_eq!(leaks(&logs, OTHER_TOKEN), [] as [&str; 0]);
}

#[test]
fn neither_the_config_nor_the_rest_client_prints_the_token() {
    // A variable no other test reads, so setting it races with nobody.
    let var = "BRIEFBOT_SECURITY_TEST_TOKEN";
    std::env::set_var(var, OTHER_TOKEN);
    let path = Path::new("/srv/briefbot/config.toml");
    let text = format!("[discord]\ntoken_env = \"{var}\"\nguild_ids = [{GUILD_ID}]\n");
    let config = briefbot::config::parse(&text, path).unwrap();
    let printed = format!("{config:?} {config:#?}");
    assert!(printed.contains(var), "{printed}");
    assert_eq!(leaks(&printed, OTHER_TOKEN), [] as [&str; 0], "{printed}");

    let rest = briefbot::discord::Rest::new("http://127.0.0.1:9", OTHER_TOKEN).unwrap();
    let printed = format!("{rest:?} {rest:#?}");
    assert_eq!(leaks(&printed, OTHER_TOKEN), [] as [&str; 0], "{printed}");

    // A token pasted where the config wants something else is refused without being echoed.
    for pasted in [
        format!("[discord]\ntoken = \"{OTHER_TOKEN}\"\n"),
        format!("[discord]\ntoken_env = \"{OTHER_TOKEN}\"\n"),
        format!("[discord]\nguild_ids = \"{OTHER_TOKEN}\"\n"),
        format!("token = \"{OTHER_TOKEN}\"\n"),
    ] {
        let error = briefbot::config::parse(&pasted, path).unwrap_err();
        let printed = format!("{error} {error:?}");
        assert_eq!(leaks(&printed, OTHER_TOKEN), [] as [&str; 0], "{printed}");
    }
}

/// A guild where admin rights come from a role (the owner's cannot be taken away).
const ADMIN_ROLE_ID: u64 = 940_000_000_000_000_030;
const ROLE_ADMIN_ID: u64 = 930_000_000_000_000_030;

fn guild_with_a_role_admin() -> FakeConfig {
    let mut cfg = FakeConfig::default();
    cfg.guilds[0] = GuildSpec::default_guild()
        .with_role(ADMIN_ROLE_ID, "Admins", perms::ADMINISTRATOR)
        .with_member(MemberSpec::new(
            ROLE_ADMIN_ID,
            "ada-admin",
            &[ADMIN_ROLE_ID],
        ));
    cfg
}

async fn digest_list(fake: &FakeDiscord, user: u64) -> String {
    let ix = fake.command("digest list").user(user).send().await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(view.is_ephemeral(), "{view:?}");
    let titles: Vec<String> = crate::support::embeds(&view)
        .iter()
        .filter_map(|e| e["title"].as_str().map(String::from))
        .collect();
    format!("{}{}", view.contents().concat(), titles.concat())
}

const NOT_A_MODERATOR: &str =
    "Only moderators (Manage Server permission or a moderator role) can manage digests.";
const NOT_AN_ADMIN: &str = "Only briefbot's admins can use this command.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderator_rights_are_read_from_every_call() {
    let fake = FakeDiscord::start().await;
    let digest = format!(
        "[[digest]]\nname = \"morning\"\nchannel_id = {CHANNEL_ID}\nguild_id = {GUILD_ID}\n\
         schedule = \"0 8 * * *\"\n"
    );
    let spec = BotSpec {
        extra_config: digest,
        ..BotSpec::new(&shipped_briefings())
    };
    let bot = Bot::launch(&fake, spec);
    registered(&fake, &bot).await;

    // By role: the Moderator role carries Manage Server.
    assert_eq!(
        digest_list(&fake, MODERATOR_USER_ID).await,
        "Digests in this server"
    );
    fake.set_member_roles(GUILD_ID, MODERATOR_USER_ID, &[]);
    assert_eq!(digest_list(&fake, MODERATOR_USER_ID).await, NOT_A_MODERATOR);
    fake.set_member_roles(GUILD_ID, MODERATOR_USER_ID, &[MODERATOR_ROLE_ID]);
    assert_eq!(
        digest_list(&fake, MODERATOR_USER_ID).await,
        "Digests in this server"
    );

    // By permission alone, granted and then withdrawn.
    assert_eq!(digest_list(&fake, MEMBER_USER_ID).await, NOT_A_MODERATOR);
    let manage = perms::EVERYONE_DEFAULT | perms::MANAGE_GUILD;
    fake.set_member_permissions(GUILD_ID, MEMBER_USER_ID, Some(manage));
    assert_eq!(
        digest_list(&fake, MEMBER_USER_ID).await,
        "Digests in this server"
    );
    fake.set_member_permissions(GUILD_ID, MEMBER_USER_ID, None);
    assert_eq!(digest_list(&fake, MEMBER_USER_ID).await, NOT_A_MODERATOR);
}

async fn status_of(fake: &FakeDiscord, user: u64) -> String {
    let ix = fake.command("briefbot status").user(user).send().await;
    private_text(fake, ix).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_rights_are_read_from_every_call() {
    let fake = FakeDiscord::start_with(guild_with_a_role_admin()).await;
    let bot = Bot::launch(&fake, BotSpec::new(&shipped_briefings()));
    registered(&fake, &bot).await;

    let text = status_of(&fake, ROLE_ADMIN_ID).await;
    assert!(text.starts_with("**briefbot "), "{text}");

    fake.set_member_roles(GUILD_ID, ROLE_ADMIN_ID, &[]);
    assert_eq!(status_of(&fake, ROLE_ADMIN_ID).await, NOT_AN_ADMIN);
    let reload = fake
        .command("briefbot reload")
        .user(ROLE_ADMIN_ID)
        .send()
        .await;
    assert_eq!(private_text(&fake, reload).await, NOT_AN_ADMIN);

    // Administrator as a permission of the member, then gone again.
    fake.set_member_permissions(GUILD_ID, ROLE_ADMIN_ID, Some(perms::ALL));
    assert!(status_of(&fake, ROLE_ADMIN_ID)
        .await
        .starts_with("**briefbot "));
    fake.set_member_permissions(
        GUILD_ID,
        ROLE_ADMIN_ID,
        Some(perms::ALL & !perms::ADMINISTRATOR),
    );
    assert_eq!(status_of(&fake, ROLE_ADMIN_ID).await, NOT_AN_ADMIN);
}
