//! briefbot end to end through the fake Discord: the real binary connects, registers its
//! commands and answers injected interactions; the tests read what it sent.

use crate::support::{embeds, shipped_briefings, text_of, Bot, WAIT};
use fake_discord::*;
use serde_json::{json, Value};

const EXPECTED_COMMANDS: [&str; 10] = [
    "beyond-the-headlines",
    "brief",
    "briefbot",
    "briefings",
    "digest",
    "search",
    "section",
    "whats-happening",
    "whats-next",
    "why-it-matters",
];

fn seed_section(heading: &str, next: Option<&str>) -> String {
    let text = include_str!("../../briefings/sahel-alliance-joint-operations.txt");
    let start = text.find(&format!("{heading}\n")).unwrap() + heading.len() + 1;
    let end = next.map_or(text.len(), |n| text.find(&format!("{n}\n")).unwrap());
    text[start..end].trim().replace('\n', " ")
}

fn assert_no_mentions(view: &InteractionView) {
    let callback = view.callback.as_ref().unwrap();
    assert_eq!(
        callback["data"]["allowed_mentions"],
        json!({"parse": []}),
        "{callback}"
    );
    for message in view.original.iter().chain(&view.followups) {
        assert_eq!(message["mention_everyone"], false, "{message}");
        assert_eq!(message["mention_roles"], json!([]), "{message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_the_spec_commands_and_answers_each_for_the_shipped_briefings() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &shipped_briefings(), "").await;
    let mut names = fake.registered_command_names(Scope::Guild(GUILD_ID));
    names.sort();
    assert_eq!(names, EXPECTED_COMMANDS);
    assert_eq!(
        fake.scopes_with_commands(),
        [Scope::Guild(GUILD_ID)],
        "nothing global"
    );
    let fr = fake.registered_commands(Scope::Guild(GUILD_ID));
    let next = fr.iter().find(|c| c["name"] == "whats-next").unwrap();
    assert_eq!(next["name_localizations"]["fr"], "et-apres");

    // The seed has no date, so its file time makes it the newest: the default everywhere.
    for (command, heading, next) in [
        (
            "whats-happening",
            "What's Happening?",
            Some("Why It's Important?"),
        ),
        (
            "why-it-matters",
            "Why It's Important?",
            Some("What's Next?"),
        ),
        ("whats-next", "What's Next?", Some("Beyond the Headlines")),
        ("beyond-the-headlines", "Beyond the Headlines", None),
    ] {
        let ix = fake.command(command).send().await;
        let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
        assert_eq!(view.callback_type(), Some(4));
        assert!(!view.is_ephemeral());
        assert_eq!(text_of(&view), seed_section(heading, next), "/{command}");
        assert_eq!(embeds(&view)[0]["title"], heading);
        assert_no_mentions(&view);
    }

    let ix = fake
        .command("brief")
        .option("briefing", "2026/niger-river-flooding")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let titles: Vec<Value> = embeds(&view).iter().map(|e| e["title"].clone()).collect();
    assert_eq!(
        titles,
        [
            "What's Happening?",
            "Why It's Important?",
            "What's Next?",
            "By the Numbers"
        ]
    );
    // The title, linked to the source, once on the first embed; tags and date on the last.
    let all = embeds(&view);
    let author = &all[0]["author"];
    assert_eq!(
        author["name"],
        "Niger River floods displace thousands in Mali and Niger"
    );
    assert_eq!(author["url"], "https://example.org/niger-river-floods");
    assert!(all[1..].iter().all(|e| e["author"].is_null()), "{all:?}");
    let last = &all[all.len() - 1];
    assert_eq!(last["footer"]["text"], "#sahel · #climate · #humanitarian");
    assert_eq!(last["timestamp"], "2026-11-20T12:00:00Z");
    assert!(all[..all.len() - 1]
        .iter()
        .all(|e| e["timestamp"].is_null()));

    let ix = fake
        .command("section")
        .option("name", "key_players")
        .option("briefing", "2026/lake-chad-water-deal")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(
        text_of(&view).starts_with("- The **Lake Chad Basin Commission**"),
        "{}",
        text_of(&view)
    );

    let ix = fake
        .command("whats-next")
        .option("briefing", "2026/alliance-sahel-monnaie-fr")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert_eq!(embeds(&view)[0]["title"], "Et après");

    let ix = fake.command("briefings").send().await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let list = embeds(&view)[0]["description"]
        .as_str()
        .unwrap()
        .to_string();
    for id in [
        "sahel-alliance-joint-operations",
        "2026/alliance-sahel-monnaie-fr",
        "2026/niger-river-flooding",
    ] {
        assert!(list.contains(id), "{list}");
    }

    let ix = fake
        .command("search")
        .option("query", "Traoré")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let fields = embeds(&view)[0]["fields"].as_array().unwrap().clone();
    assert!(
        fields[0]["value"].as_str().unwrap().contains("**Traoré**"),
        "{fields:?}"
    );

    // A singular finds the plural, bolded as the briefing spells it.
    let ix = fake
        .command("search")
        .option("query", "joint operation")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let first = &embeds(&view)[0]["fields"][0];
    assert!(
        first["value"].as_str().unwrap().contains("**operations**"),
        "{first}"
    );

    // The query is echoed as typed: Markdown characters escaped, not replaced.
    let ix = fake
        .command("search")
        .option("query", "section:whats_next Niamey~2")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert_eq!(
        embeds(&view)[0]["title"],
        r"Search: section:whats\_next Niamey\~2"
    );

    // Finding nothing is told to the caller only, so the bot repeats nothing to the channel.
    let ix = fake
        .command("search")
        .option("query", "@everyone zzyzx")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(view.is_ephemeral(), "{:?}", view.callback);
    assert_eq!(
        view.contents().concat(),
        r"No briefing matches “\@everyone zzyzx”."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_section_arrives_whole_across_follow_ups_and_nobody_is_pinged() {
    let mut body = String::new();
    let mut i = 0;
    while body.len() < 9_000 {
        body.push_str(&format!("Point {i} for @everyone and <@&{MODERATOR_ROLE_ID}> with [a source](https://example.org/{i}). "));
        i += 1;
    }
    let file = format!(
        "+++\ntitle = \"Long\"\n+++\n## What's Next?\n{}\n",
        body.trim_end()
    );
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &[("long.md".into(), file)], "").await;
    let ix = fake
        .command("whats-next")
        .option("briefing", "long")
        .send()
        .await;
    let view = fake
        .wait_for_interaction(&ix, "all parts", |v| embeds(v).len() >= 3, WAIT)
        .await
        .unwrap();
    assert!(
        !view.followups.is_empty(),
        "the answer continues as follow-ups"
    );
    assert_eq!(text_of(&view), body.trim_end());
    assert_no_mentions(&view);
    let n = embeds(&view).len();
    for (k, embed) in embeds(&view).iter().enumerate() {
        assert_eq!(embed["title"], format!("What's Next? ({}/{n})", k + 1));
        let description = embed["description"].as_str().unwrap();
        assert!(
            description.chars().count() <= 4096 && description.ends_with(")."),
            "{description}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_offers_at_most_25_matching_ids_best_first() {
    let mut files: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!("2026/story-{i:02}.md"),
                format!("+++\ntitle = \"Story {i}\"\n+++\n## What's Next?\nText {i}.\n"),
            )
        })
        .collect();
    files.push((
        "sahel.md".into(),
        "+++\ntitle = \"Sahel\"\n+++\n## What's Next?\nText.\n".into(),
    ));
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &files, "").await;

    let ix = fake
        .autocomplete("whats-next", "briefing")
        .option("briefing", "")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert_eq!(view.callback_type(), Some(8));
    assert_eq!(view.choices().len(), 25);

    let ix = fake
        .autocomplete("brief", "briefing")
        .option("briefing", "sah")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert_eq!(view.choices()[0]["value"], "sahel");
    assert_eq!(view.choices().len(), 1);

    let ix = fake
        .autocomplete("section", "name")
        .option("name", "")
        .option("briefing", "sahel")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert_eq!(
        view.choices(),
        [json!({"name": "What's Next?", "value": "whats_next"})]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_ephemeral_friendly_and_name_what_exists() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &shipped_briefings(), "").await;

    let ix = fake
        .command("brief")
        .option("briefing", "../../etc/passwd")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(view.is_ephemeral());
    let text = &view.contents()[0];
    assert!(
        text.contains("couldn't find a briefing")
            && text.contains("`sahel-alliance-joint-operations`"),
        "{text}"
    );
    assert!(
        !text.contains("/tmp") && !text.contains("briefings/"),
        "{text}"
    );

    let ix = fake
        .command("section")
        .option("name", "nope")
        .option("briefing", "2026/niger-river-flooding")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(view.is_ephemeral());
    assert!(view.contents()[0]
        .contains("It has: What's Happening?, Why It's Important?, What's Next?, By the Numbers"));

    // A plain member may not see the admin status; an admin may.
    let ix = fake
        .command("briefbot status")
        .user(MEMBER_USER_ID)
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(view.is_ephemeral());
    assert_eq!(
        view.contents(),
        ["Only briefbot's admins can use this command."]
    );
    let ix = fake
        .command("briefbot status")
        .user(ADMIN_USER_ID)
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(view.is_ephemeral());
    assert!(
        view.contents()[0].contains("Briefings: 4 loaded, 0 skipped"),
        "{:?}",
        view.contents()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_buttons_turn_pages_and_forged_ones_are_explained() {
    let files: Vec<(String, String)> = (0..25)
        .map(|i| (format!("b{i:02}.md"), format!("+++\ntitle = \"Story {i}\"\ndate = 2026-11-{:02}\n+++\n## What's Next?\nText.\n", i + 1)))
        .collect();
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &files, "").await;
    let ix = fake.command("briefings").send().await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let message = view.original.clone().unwrap();
    assert!(embeds(&view)[0]["footer"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Page 1 of 3"));
    let next_id = message["components"][0]["components"][1]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();

    let click = fake.component(&next_id).send().await;
    let view = fake.wait_for_answer(&click, WAIT).await.unwrap();
    assert_eq!(
        view.callback_type(),
        Some(7),
        "the list message is updated in place"
    );
    let page = &view.callback.as_ref().unwrap()["data"];
    assert!(
        page["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Page 2 of 3"),
        "{page}"
    );

    let forged = fake
        .component("brf:list:../../etc/passwd:")
        .message(message)
        .send()
        .await;
    let view = fake.wait_for_answer(&forged, WAIT).await.unwrap();
    assert!(view.is_ephemeral());
    assert!(view.contents()[0].contains("no longer works"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_on_cooldown_is_told_how_long_to_wait_and_others_are_not() {
    let fake = FakeDiscord::start().await;
    let _bot = Bot::start(&fake, &shipped_briefings(), "[limits]\ncooldown = \"30s\"").await;
    let first = fake.command("whats-next").user(MEMBER_USER_ID).send().await;
    assert!(!fake
        .wait_for_answer(&first, WAIT)
        .await
        .unwrap()
        .is_ephemeral());
    let again = fake.command("brief").user(MEMBER_USER_ID).send().await;
    let view = fake.wait_for_answer(&again, WAIT).await.unwrap();
    assert!(view.is_ephemeral());
    assert_eq!(
        view.contents(),
        ["You're going a bit fast. Try again in 30 s."]
    );
    // Another member, and admin commands, are not held up.
    let other = fake
        .command("whats-next")
        .user(MODERATOR_USER_ID)
        .send()
        .await;
    assert!(!fake
        .wait_for_answer(&other, WAIT)
        .await
        .unwrap()
        .is_ephemeral());
    let status = fake
        .command("briefbot status")
        .user(ADMIN_USER_ID)
        .send()
        .await;
    let view = fake.wait_for_answer(&status, WAIT).await.unwrap();
    assert!(
        view.contents()[0].contains("Last gateway fault: none"),
        "{:?}",
        view.contents()
    );
}
