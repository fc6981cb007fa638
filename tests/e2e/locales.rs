//! briefbot speaks the member's language end to end: the interaction's `locale`, else the
//! guild's `guild_locale`, else English; digests and alerts in the digest's `lang` or the
//! guild's locale; an admin's locale folder reloads while the bot runs.

use crate::support::{embeds, shipped_briefings, write_file, Bot, BotSpec, WAIT};
use fake_discord::*;
use serde_json::Value;
use std::time::{Duration, Instant};

/// 25 dated briefings: three pages of ten, so the list has buttons.
fn many() -> Vec<(String, String)> {
    (0..25)
        .map(|i| {
            let text = format!(
                "+++\ntitle = \"Story {i}\"\ndate = 2026-11-{:02}\n+++\n## What's Next?\nText.\n",
                i + 1
            );
            (format!("b{i:02}.md"), text)
        })
        .collect()
}

fn button_labels(message: &Value) -> Vec<String> {
    let row = message["components"][0]["components"].as_array().unwrap();
    row.iter()
        .map(|b| b["label"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_member_gets_french_refusals_list_titles_and_buttons() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &many(), "").await;

    let ix = fake
        .command("brief")
        .option("briefing", "nope")
        .locale("fr")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(view.is_ephemeral());
    let text = &view.contents()[0];
    assert!(
        text.starts_with("Je ne trouve pas de briefing nommé `nope`. Briefings récents : `b24`"),
        "{text}"
    );

    let ix = fake
        .command("briefings")
        .option("tag", "zzz")
        .locale("fr")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert_eq!(
        view.contents(),
        ["Aucun briefing n'a le mot-clé `zzz`. Mots-clés : aucun pour l'instant."]
    );

    let ix = fake.command("briefings").locale("fr").send().await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let list = embeds(&view).remove(0);
    assert_eq!(list["title"], "Briefings");
    assert_eq!(list["footer"]["text"], "Page 1 sur 3 · 25 briefings");
    let message = view.original.clone().unwrap();
    assert_eq!(button_labels(&message), ["Précédent", "Suivant"]);

    // The next page answers the clicker in their language too.
    let next = message["components"][0]["components"][1]["custom_id"]
        .as_str()
        .unwrap();
    let click = fake
        .component(next)
        .locale("fr")
        .message(message.clone())
        .send()
        .await;
    let view = fake.wait_for_answer(&click, WAIT).await.unwrap();
    let page = &view.callback.as_ref().unwrap()["data"];
    assert_eq!(
        page["embeds"][0]["footer"]["text"],
        "Page 2 sur 3 · 25 briefings"
    );
    assert_eq!(button_labels(page), ["Précédent", "Suivant"]);

    let ix = fake
        .command("briefbot status")
        .user(MEMBER_USER_ID)
        .locale("fr")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert_eq!(
        view.contents(),
        ["Seuls les administrateurs de briefbot peuvent utiliser cette commande."]
    );
    let ix = fake
        .command("briefbot status")
        .user(ADMIN_USER_ID)
        .locale("fr")
        .send()
        .await;
    let status = fake
        .wait_for_answer(&ix, WAIT)
        .await
        .unwrap()
        .contents()
        .concat();
    assert!(
        status.contains("Briefings : 25 chargés, 0 ignorés"),
        "{status}"
    );
}

const FRENCH_GUILD_ID: u64 = 910_000_000_000_000_500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_locale_is_answered_in_english_and_a_french_guild_in_french() {
    let mut config = FakeConfig::default();
    let mut french = GuildSpec::new(FRENCH_GUILD_ID, "Serveur français")
        .with_channel(920_000_000_000_000_501, "general")
        .with_member(MemberSpec::new(MEMBER_USER_ID, "marie", &[]));
    french.preferred_locale = "fr".into();
    config.guilds.push(french);
    let fake = FakeDiscord::start_with(config).await;
    let spec = BotSpec {
        discord: format!("guild_ids = [{GUILD_ID}, {FRENCH_GUILD_ID}]"),
        ..BotSpec::new(&shipped_briefings())
    };
    let bot = Bot::launch(&fake, spec);
    let route = format!("/applications/{APPLICATION_ID}/guilds/{FRENCH_GUILD_ID}/commands");
    if let Err(e) = fake.wait_for(|r| r.is("PUT", &route), WAIT).await {
        panic!("commands never registered: {e:?}\nlogs:\n{}", bot.logs());
    }

    // `xx` has no file and the default guild speaks en-US.
    let ix = fake
        .command("section")
        .option("name", "nope")
        .locale("xx")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(
        view.contents()[0].contains("has no nope section"),
        "{:?}",
        view.contents()
    );

    // German has no file either, but this guild is French.
    let ix = fake
        .command("section")
        .option("name", "nope")
        .guild(FRENCH_GUILD_ID)
        .user(MEMBER_USER_ID)
        .locale("de")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let text = &view.contents()[0];
    assert!(text.contains("n'a pas de section nope"), "{text}");
}

/// A digest with `lang = "fr"` posts French chrome whoever asks for it; one without a `lang`
/// follows its guild's locale, and so does the guild's alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digests_post_and_alert_in_their_language() {
    let mut config = FakeConfig::default();
    config.guilds[0].preferred_locale = "fr".into();
    let fake = FakeDiscord::start_with(config).await;
    let digests = format!(
        "[[guild]]\nid = {GUILD_ID}\nalert_channel_id = {SECOND_CHANNEL_ID}\n\n\
         [[digest]]\nname = \"soir\"\nchannel_id = {CHANNEL_ID}\nguild_id = {GUILD_ID}\n\
         schedule = \"@yearly\"\ntags = [\"none-yet\"]\nwhen_empty = \"notice\"\nlang = \"fr\"\n\n\
         [[digest]]\nname = \"matin\"\nchannel_id = {CHANNEL_ID}\nguild_id = {GUILD_ID}\n\
         schedule = \"@yearly\"\n"
    );
    let _bot = Bot::start(&fake, &shipped_briefings(), &digests).await;

    // An English moderator sends the French digest: the post is French, the reply English.
    let ix = fake
        .command("digest send-now")
        .option("name", "soir")
        .user(MODERATOR_USER_ID)
        .locale("en-US")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let reply = view.contents().concat();
    assert!(reply.starts_with("Sent `soir` to <#"), "{reply}");
    let posted = fake.channel_messages(CHANNEL_ID);
    let notice = posted.last().unwrap()["content"].as_str().unwrap();
    assert!(notice.starts_with("**soir** · <t:"), "{notice}");
    assert!(notice.ends_with("\nRien de nouveau à publier."), "{notice}");

    // A digest without a `lang` speaks its guild's language, in its alert too.
    let path = format!("/channels/{CHANNEL_ID}/messages");
    fake.missing_permissions("POST", &path, u32::MAX);
    let ix = fake
        .command("digest send-now")
        .option("name", "matin")
        .user(MODERATOR_USER_ID)
        .locale("fr")
        .send()
        .await;
    let reply = fake
        .wait_for_answer(&ix, WAIT)
        .await
        .unwrap()
        .contents()
        .concat();
    assert!(
        reply.starts_with("Je n'ai pas pu publier `matin` dans <#"),
        "{reply}"
    );
    let alerts = fake.channel_messages(SECOND_CHANNEL_ID);
    let alert = alerts.last().unwrap()["content"].as_str().unwrap();
    assert!(
        alert.starts_with("⚠️ Le digest `matin` est en pause : channel "),
        "{alert}"
    );
}

/// An admin's `fr.ftl` rewords one message while the bot runs: the folder watcher reloads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_locale_file_is_picked_up_without_a_restart() {
    let locales = tempfile::tempdir().unwrap();
    let fr = locales.path().join("fr.ftl");
    write_file(&fr, "no-briefings = Pas encore de briefing.\n");
    let fake = FakeDiscord::start().await;
    let extra = format!("[locales]\ndir = \"{}\"\n", locales.path().display());
    let bot = Bot::start(&fake, &[], &extra).await;
    let ask = || async {
        let ix = fake.command("brief").locale("fr").send().await;
        fake.wait_for_answer(&ix, WAIT)
            .await
            .unwrap()
            .contents()
            .concat()
    };
    assert_eq!(ask().await, "Pas encore de briefing.");

    write_file(&fr, "no-briefings = Rien n'est publié pour l'instant.\n");
    let deadline = Instant::now() + WAIT;
    loop {
        let text = ask().await;
        if text == "Rien n'est publié pour l'instant." {
            break;
        }
        assert!(Instant::now() < deadline, "still {text:?}\n{}", bot.logs());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A broken edit keeps the running words and says where it is broken.
    write_file(&fr, "no-briefings = Rien { $oops\n");
    let logged = bot
        .wait_for_log(|l| l.contains("reload not applied"), WAIT)
        .await;
    assert!(logged.is_some(), "{}", bot.logs());
    assert!(
        bot.logs().contains("fr.ftl:1:28: syntax error"),
        "{}",
        bot.logs()
    );
    assert_eq!(ask().await, "Rien n'est publié pour l'instant.");
}

#[test]
fn check_reports_a_broken_override_with_its_line_and_a_missing_key_as_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        &dir.path().join("config.toml"),
        "[briefings]\ndir = \"b\"\n\n[locales]\ndir = \"words\"\n",
    );
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    let fr = "button-next = Suivant\nlist-title-tagged = Briefings #{ $tga }\n";
    write_file(&dir.path().join("words/fr.ftl"), fr);
    let run = |dir: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_briefbot"))
            .arg("check")
            .current_dir(dir)
            .env_remove("BRIEFBOT_CONFIG")
            .output()
            .unwrap()
    };
    let out = run(dir.path());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "words/fr.ftl:2:1: `list-title-tagged` uses `{ $tga }`, which it is never given"
        ),
        "{stdout}"
    );

    // A new language that lacks keys is fine: each missing key is named, English stands in.
    std::fs::remove_file(dir.path().join("words/fr.ftl")).unwrap();
    write_file(&dir.path().join("words/de.ftl"), "button-next = Weiter\n");
    let out = run(dir.path());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("warning: words/de.ftl: `button-previous` is missing; English is used"),
        "{stdout}"
    );
    assert!(
        stdout.contains("locales with words: en, fr, de ("),
        "{stdout}"
    );
}

/// `/digest add lang` stores the digest's language: its preview is French chrome under the
/// caller's English label; a language without a file is refused, naming those there are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_added_in_french_previews_in_french() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &shipped_briefings(), "").await;
    let add = |lang: &str| {
        fake.command("digest add")
            .user(MODERATOR_USER_ID)
            .option("name", "soir")
            .option("channel", CHANNEL_ID)
            .option("schedule", "0 18 * * *")
            .option("tag", "none-yet")
            .option("lang", lang)
    };
    let ix = add("xx").send().await;
    let refused = fake
        .wait_for_answer(&ix, WAIT)
        .await
        .unwrap()
        .contents()
        .concat();
    assert_eq!(
        refused,
        "`lang`: I have no words in `xx`. Languages: `en`, `fr`."
    );

    let ix = fake
        .autocomplete("digest add", "lang")
        .user(MODERATOR_USER_ID)
        .option("lang", "f")
        .send()
        .await;
    let choices = fake.wait_for_answer(&ix, WAIT).await.unwrap().choices();
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0]["name"], "fr · Français");

    let ix = add("fr").send().await;
    let added = fake
        .wait_for_answer(&ix, WAIT)
        .await
        .unwrap()
        .contents()
        .concat();
    assert!(added.starts_with("Digest `soir` created"), "{added}");
    let ix = fake
        .command("digest preview")
        .user(MODERATOR_USER_ID)
        .option("name", "soir")
        .send()
        .await;
    let preview = fake
        .wait_for_answer(&ix, WAIT)
        .await
        .unwrap()
        .contents()
        .concat();
    assert!(
        preview.starts_with("Preview (only you see this) · **soir** · <t:"),
        "{preview}"
    );
    assert!(
        preview.ends_with("\nRien de nouveau à publier."),
        "{preview}"
    );
}
