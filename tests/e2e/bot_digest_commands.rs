//! `/digest …` end to end: the real binary behind the fake Discord, with two guilds. A moderator
//! (by role or by Manage Server) creates, lists, previews, sends, pauses and removes digests of
//! their own guild only; members and other guilds' moderators are refused; bad input gets a
//! short answer only the caller sees; a digest made from Discord survives a restart and fires.

use crate::support::{embeds, shipped_briefings, Bot, BotSpec, WAIT};
use fake_discord::*;
use serde_json::Value;
use std::path::Path;

/// In `GUILD_ID`: a role with no permissions that the config names as a moderator role.
const EDITOR_ROLE_ID: u64 = 940_000_000_000_000_010;
const EDITOR_USER_ID: u64 = 930_000_000_000_000_010;
/// A second guild with its own moderator and channel.
const OTHER_GUILD_ID: u64 = 910_000_000_000_000_002;
const OTHER_CHANNEL_ID: u64 = 920_000_000_000_000_010;
const OTHER_MODERATOR_ROLE_ID: u64 = 940_000_000_000_000_020;
const OTHER_MODERATOR_ID: u64 = 930_000_000_000_000_020;

fn two_guilds() -> FakeConfig {
    let mut cfg = FakeConfig::default();
    cfg.guilds[0] = GuildSpec::default_guild()
        .with_role(EDITOR_ROLE_ID, "Digest editors", 0)
        .with_member(MemberSpec::new(
            EDITOR_USER_ID,
            "eddie-editor",
            &[EDITOR_ROLE_ID],
        ));
    cfg.guilds.push(
        GuildSpec::new(OTHER_GUILD_ID, "Other Guild")
            .with_channel(OTHER_CHANNEL_ID, "other-general")
            .with_role(OTHER_MODERATOR_ROLE_ID, "Mods", perms::MANAGE_GUILD)
            .with_member(MemberSpec::new(
                OTHER_MODERATOR_ID,
                "olga-other",
                &[OTHER_MODERATOR_ROLE_ID],
            )),
    );
    cfg
}

/// Starts briefbot on both guilds with its database at `db` (outside the bot's own temporary
/// folder, so a second launch finds it) and waits until its commands are registered.
async fn launch(fake: &FakeDiscord, db: &Path, briefings: &[(String, String)], extra: &str) -> Bot {
    let spec = BotSpec {
        discord: format!("guild_ids = [{GUILD_ID}, {OTHER_GUILD_ID}]"),
        extra_config: format!(
            "[storage]\npath = \"{}\"\n\n[permissions]\nmoderator_role_ids = [{EDITOR_ROLE_ID}]\n\n{extra}",
            db.display()
        ),
        ..BotSpec::new(briefings)
    };
    let bot = Bot::launch(fake, spec);
    for guild in [GUILD_ID, OTHER_GUILD_ID] {
        let route = format!("/applications/{APPLICATION_ID}/guilds/{guild}/commands");
        if let Err(e) = fake.wait_for(|r| r.is("PUT", &route), WAIT).await {
            panic!("commands never registered: {e:?}\nlogs:\n{}", bot.logs());
        }
    }
    bot
}

async fn answer_of(fake: &FakeDiscord, ix: Injected) -> InteractionView {
    fake.wait_for_answer(&ix, WAIT).await.unwrap()
}

/// The one text the caller sees, after checking that only they see it.
async fn private_text(fake: &FakeDiscord, ix: Injected) -> String {
    let view = answer_of(fake, ix).await;
    assert!(view.is_ephemeral(), "not ephemeral: {view:?}");
    view.contents().concat()
}

fn add<'a>(fake: &'a FakeDiscord, user: u64, name: &str, schedule: &str) -> InteractionBuilder<'a> {
    fake.command("digest add")
        .user(user)
        .option("name", name)
        .option("channel", CHANNEL_ID)
        .option("schedule", schedule)
}

fn by<'a>(fake: &'a FakeDiscord, command: &str, user: u64, name: &str) -> InteractionBuilder<'a> {
    fake.command(command).user(user).option("name", name)
}

/// The `/digest list` fields (name and value), as the moderator of `guild` sees them.
async fn listed(fake: &FakeDiscord, guild: u64, user: u64) -> Vec<(String, String)> {
    let view = answer_of(
        fake,
        fake.command("digest list")
            .guild(guild)
            .user(user)
            .send()
            .await,
    )
    .await;
    assert!(view.is_ephemeral());
    embeds(&view)
        .iter()
        .flat_map(|e| e["fields"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (text("name"), text("value"))
        })
        .collect()
}

/// Waits for a digest message in `CHANNEL_ID` that names `digest` and its fire time.
async fn digest_post(fake: &FakeDiscord, digest: &str) -> RecordedRequest {
    let route = format!("/channels/{CHANNEL_ID}/messages");
    let posted = fake
        .wait_for(
            |r| {
                let content = r.json("content").as_str().unwrap_or_default();
                r.is("POST", &route) && content.contains(digest) && content.contains(":f>")
            },
            WAIT,
        )
        .await;
    posted.unwrap_or_else(|e| panic!("no `{digest}` message: {e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_moderator_adds_a_digest_that_fires_and_survives_a_restart() {
    let db = tempfile::tempdir().unwrap();
    let db = db.path().join("briefbot.db");
    let fake = FakeDiscord::start_with(two_guilds()).await;
    let mut bot = launch(&fake, &db, &shipped_briefings(), "").await;

    let ix = add(&fake, EDITOR_USER_ID, "sahel-flash", "*/3 * * * * *")
        .option("timezone", "Europe/Paris")
        .option("sections", "whats_next")
        .send()
        .await;
    let text = private_text(&fake, ix).await;
    assert!(
        text.starts_with(&format!(
            "Digest `sahel-flash` created: it posts to <#{CHANNEL_ID}> on `*/3 * * * * *` (Europe/Paris)."
        )),
        "{text}"
    );
    assert_eq!(text.matches(":F> (").count(), 3, "{text}");
    assert_eq!(text.matches(", Europe/Paris)").count(), 3, "{text}");

    let posted = digest_post(&fake, "sahel-flash").await;
    assert_eq!(posted.json("enforce_nonce"), &Value::Bool(true));
    let status = bot.terminate();
    assert_eq!(status.code(), Some(0), "logs:\n{}", bot.logs());

    // Same database, a fresh Discord and one new briefing, so there is something to post.
    let fake = FakeDiscord::start_with(two_guilds()).await;
    let mut briefings = shipped_briefings();
    briefings.push((
        "2030/fresh.md".into(),
        "+++\ntitle = \"Fresh\"\ndate = 2030-01-01\n+++\n## What's Next?\nAfter the restart.\n"
            .into(),
    ));
    let _bot = launch(&fake, &db, &briefings, "").await;
    let fields = listed(&fake, GUILD_ID, MODERATOR_USER_ID).await;
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].0, "sahel-flash");
    assert!(fields[0].1.contains("Next: <t:"), "{fields:?}");
    let posted = digest_post(&fake, "sahel-flash").await;
    let embeds = posted.json("embeds").to_string();
    assert!(embeds.contains("After the restart."), "{embeds}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_and_other_guilds_moderators_can_neither_see_nor_change_a_guilds_digests() {
    let db = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start_with(two_guilds()).await;
    let _bot = launch(&fake, &db.path().join("b.db"), &shipped_briefings(), "").await;
    let ix = add(&fake, MODERATOR_USER_ID, "guild-a", "0 8 * * *")
        .send()
        .await;
    assert!(private_text(&fake, ix).await.contains("created"));

    let refused =
        "Only moderators (Manage Server permission or a moderator role) can manage digests.";
    let ix = add(&fake, MEMBER_USER_ID, "sneaky", "0 8 * * *")
        .send()
        .await;
    assert_eq!(private_text(&fake, ix).await, refused);
    let ix = fake
        .command("digest list")
        .user(MEMBER_USER_ID)
        .send()
        .await;
    assert_eq!(private_text(&fake, ix).await, refused);
    let ix = by(&fake, "digest remove", MEMBER_USER_ID, "guild-a")
        .send()
        .await;
    assert_eq!(private_text(&fake, ix).await, refused);

    // The other guild's moderator sees none of it, and cannot reach it by name.
    let other = |command: &str| {
        fake.command(command)
            .guild(OTHER_GUILD_ID)
            .channel(OTHER_CHANNEL_ID)
            .user(OTHER_MODERATOR_ID)
    };
    let ix = other("digest list").send().await;
    assert_eq!(
        private_text(&fake, ix).await,
        "This server has no digests yet. Create one with `/digest add`."
    );
    let ix = other("digest remove")
        .option("name", "guild-a")
        .send()
        .await;
    assert!(private_text(&fake, ix).await.contains("no digests yet"));
    let ix = other("digest send-now")
        .option("name", "guild-a")
        .send()
        .await;
    assert!(private_text(&fake, ix).await.contains("no digests yet"));
    let ix = fake
        .autocomplete("digest remove", "name")
        .guild(OTHER_GUILD_ID)
        .channel(OTHER_CHANNEL_ID)
        .user(OTHER_MODERATOR_ID)
        .option("name", "guild")
        .send()
        .await;
    assert!(answer_of(&fake, ix).await.choices().is_empty());

    let names: Vec<String> = listed(&fake, GUILD_ID, MODERATOR_USER_ID)
        .await
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["guild-a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_inputs_get_short_answers_saying_what_is_valid() {
    let db = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start_with(two_guilds()).await;
    let bot = launch(&fake, &db.path().join("b.db"), &shipped_briefings(), "").await;
    let m = MODERATOR_USER_ID;
    let cases: Vec<(InteractionBuilder<'_>, &str)> = vec![
        (
            add(&fake, m, "bad-cron", "0 25 * * *"),
            "`0 25 * * *` is not a schedule I understand: hour `25` is out of range 0-23.",
        ),
        (
            add(&fake, m, "bad-zone", "0 8 * * *").option("timezone", "Europe/Pariss"),
            "Unknown time zone `Europe/Pariss`. Did you mean `Europe/Paris`?",
        ),
        (
            add(&fake, m, "bad-section", "0 8 * * *").option("sections", "whats_next, numbers"),
            "Unknown section `numbers`. Sections are `whats_happening`, `why_it_matters`, \
             `whats_next`, `beyond_the_headlines`",
        ),
        (
            add(&fake, m, "elsewhere", "0 8 * * *").option("channel", OTHER_CHANNEL_ID),
            "is not a channel of this server",
        ),
        (
            add(&fake, m, "two words", "0 8 * * *"),
            "can't be a digest name: use up to 50 letters, digits, `-` or `_`",
        ),
        (add(&fake, m, "never", "0 0 30 2 *"), "never fires"),
        (
            by(&fake, "digest pause", m, "nope"),
            "There's no digest called `nope`",
        ),
    ];
    for (ix, want) in cases {
        let text = private_text(&fake, ix.send().await).await;
        assert!(text.contains(want), "{text}\nwanted: {want}");
        assert!(text.chars().count() < 400, "{text}");
        assert!(!text.contains("/tmp") && !text.contains("b.db"), "{text}");
    }

    let ix = add(&fake, m, "dup", "0 8 * * *").send().await;
    assert!(private_text(&fake, ix).await.contains("created"));
    let ix = add(&fake, m, "DUP", "0 9 * * *").send().await;
    assert_eq!(
        private_text(&fake, ix).await,
        "A digest called `DUP` already exists in this server. Pick another name, or remove the old one first."
    );
    let names: Vec<String> = listed(&fake, GUILD_ID, m)
        .await
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(names, ["dup"], "logs:\n{}", bot.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_digests_are_listed_and_cannot_be_removed_from_discord() {
    let db = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start_with(two_guilds()).await;
    let config_digest = format!(
        "[[digest]]\nname = \"weekly-roundup\"\nchannel_id = {CHANNEL_ID}\nguild_id = {GUILD_ID}\n\
         schedule = \"0 9 * * MON\"\ntimezone = \"Africa/Bamako\"\n"
    );
    let _bot = launch(
        &fake,
        &db.path().join("b.db"),
        &shipped_briefings(),
        &config_digest,
    )
    .await;

    let fields = listed(&fake, GUILD_ID, MODERATOR_USER_ID).await;
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].0, "weekly-roundup (config)");
    let value = &fields[0].1;
    assert!(
        value.starts_with(&format!(
            "`0 9 * * MON` (Africa/Bamako) → <#{CHANNEL_ID}>\nNext: <t:"
        )) && value.contains(":F>\nLast delivery: none yet"),
        "{value}"
    );

    let ix = fake
        .autocomplete("digest remove", "name")
        .user(MODERATOR_USER_ID)
        .option("name", "week")
        .send()
        .await;
    let choices = answer_of(&fake, ix).await.choices();
    assert_eq!(choices[0]["value"], "weekly-roundup");

    let ix = by(&fake, "digest remove", MODERATOR_USER_ID, "weekly-roundup")
        .send()
        .await;
    let text = private_text(&fake, ix).await;
    let refused =
        "`weekly-roundup` is defined in the bot's config file, so it can't be changed or \
                   removed from Discord.";
    assert!(text.starts_with(refused), "{text}");
    // Editing it is refused the same way, and changes nothing.
    let ix = by(&fake, "digest edit", MODERATOR_USER_ID, "weekly-roundup")
        .option("schedule", "0 10 * * MON")
        .send()
        .await;
    let text = private_text(&fake, ix).await;
    assert!(text.starts_with(refused), "{text}");
    let fields = listed(&fake, GUILD_ID, MODERATOR_USER_ID).await;
    assert!(fields[0].1.starts_with("`0 9 * * MON`"), "{fields:?}");
    assert_eq!(listed(&fake, GUILD_ID, MODERATOR_USER_ID).await.len(), 1);
    // Another guild's moderator does not see it either.
    let other = listed(&fake, OTHER_GUILD_ID, OTHER_MODERATOR_ID).await;
    assert!(other.is_empty(), "{other:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timezones_complete_preview_stays_private_and_send_now_edits_its_answer() {
    let db = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start_with(two_guilds()).await;
    let _bot = launch(&fake, &db.path().join("b.db"), &shipped_briefings(), "").await;
    let m = MODERATOR_USER_ID;

    let ix = fake
        .autocomplete("digest add", "timezone")
        .user(m)
        .option("timezone", "new_y")
        .send()
        .await;
    let choices = answer_of(&fake, ix).await.choices();
    assert!(!choices.is_empty() && choices.len() <= 25, "{choices:?}");
    assert_eq!(choices[0]["value"], "America/New_York");
    let ix = fake
        .autocomplete("digest add", "timezone")
        .user(m)
        .option("timezone", "a")
        .send()
        .await;
    assert_eq!(answer_of(&fake, ix).await.choices().len(), 25);

    let ix = add(&fake, m, "on-demand", "0 8 * * *")
        .option("sections", "What's Next?")
        .option("mention_role", MODERATOR_ROLE_ID)
        .send()
        .await;
    assert!(private_text(&fake, ix).await.contains("created"));
    let channel_posts = |fake: &FakeDiscord| {
        let route = format!("/channels/{CHANNEL_ID}/messages");
        fake.requests()
            .into_iter()
            .filter(|r| r.is("POST", &route))
            .count()
    };

    let view = answer_of(
        &fake,
        by(&fake, "digest preview", m, "on-demand").send().await,
    )
    .await;
    assert!(view.is_ephemeral());
    assert!(
        view.contents()[0].starts_with("Preview (only you see this) · "),
        "{view:?}"
    );
    assert!(!embeds(&view).is_empty());
    // Only the chosen section, under each briefing's own heading for it.
    let titles: Vec<Value> = embeds(&view).iter().map(|e| e["title"].clone()).collect();
    assert!(
        titles
            .iter()
            .all(|t| t == "What's Next?" || t == "Et après"),
        "{titles:?}"
    );
    for message in view.original.iter().chain(&view.followups) {
        assert_eq!(message["flags"].as_u64().unwrap_or(0) & 64, 64, "{message}");
        assert_eq!(message["mention_roles"], serde_json::json!([]), "{message}");
    }
    assert_eq!(channel_posts(&fake), 0, "a preview posts nothing");

    let ix = by(&fake, "digest send-now", m, "on-demand").send().await;
    let view = answer_of(&fake, ix).await;
    assert_eq!(view.callback_type(), Some(5), "deferred");
    assert!(view.is_ephemeral());
    let original = view.original.as_ref().unwrap();
    assert!(!original["edited_timestamp"].is_null(), "{original}");
    assert!(view.followups.is_empty());
    let sent = &view.contents()[0];
    assert!(
        sent.starts_with(&format!("Sent `on-demand` to <#{CHANNEL_ID}> (")),
        "{sent}"
    );
    let posted = digest_post(&fake, "on-demand").await;
    assert!(posted.json("nonce").is_string());
    assert_eq!(
        posted.json("allowed_mentions")["roles"],
        serde_json::json!([MODERATOR_ROLE_ID.to_string()])
    );

    // Pause and resume show in the list.
    let ix = by(&fake, "digest pause", m, "on-demand").send().await;
    assert!(private_text(&fake, ix)
        .await
        .starts_with("Paused `on-demand`."));
    let fields = listed(&fake, GUILD_ID, m).await;
    assert_eq!(fields[0].0, "on-demand · paused");
    assert!(
        fields[0]
            .1
            .contains("Paused: paused by mo-moderator with /digest pause"),
        "{fields:?}"
    );
    assert!(fields[0].1.contains("Last delivery: <t:"), "{fields:?}");
    let ix = by(&fake, "digest resume", m, "on-demand").send().await;
    assert!(private_text(&fake, ix)
        .await
        .starts_with("Resumed `on-demand`; next post <t:"));
    let ix = by(&fake, "digest remove", m, "on-demand").send().await;
    assert_eq!(
        private_text(&fake, ix).await,
        "Removed `on-demand`. It won't post again."
    );
    assert!(listed(&fake, GUILD_ID, m).await.is_empty());
}
