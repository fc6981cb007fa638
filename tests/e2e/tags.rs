//! One normal form for a tag, end to end: a briefing tagged `#Sahel` in its front matter is
//! listed by `/briefings tag:sahel` and `tag:#SAHEL`, offered by tag autocomplete, kept by
//! `/search tag:` and posted by a digest with `tags = ["Sahel"]`.

use crate::support::{embeds, Bot, WAIT};
use fake_discord::*;
use serde_json::Value;

fn briefings() -> Vec<(String, String)> {
    let sahel = "+++\ntitle = \"Sahel alliance plans joint operations\"\ndate = 2026-11-27\n\
                 tags = [\"#Sahel\", \"Security   Forces\"]\n+++\n\
                 ## What's Happening?\nThe alliance plans joint operations.\n\n\
                 ## What's Next?\nA summit in Bamako.\n";
    let chad =
        "+++\ntitle = \"Lake Chad water deal\"\ndate = 2026-11-28\ntags = [\"lake-chad\"]\n+++\n\
                ## What's Happening?\nJoint operations to share the lake's water.\n";
    vec![
        ("sahel.md".to_string(), sahel.to_string()),
        ("chad.md".to_string(), chad.to_string()),
    ]
}

fn description(view: &InteractionView) -> String {
    embeds(view)[0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_written_with_a_hash_and_capitals_is_one_tag_everywhere() {
    let fake = FakeDiscord::start().await;
    let digest = format!(
        "[[digest]]\nname = \"sahel\"\nchannel_id = {SECOND_CHANNEL_ID}\n\
         schedule = \"*/2 * * * * *\"\ntags = [\"Sahel\"]\nonly_new = false\n"
    );
    let bot = Bot::start(&fake, &briefings(), &digest).await;

    for typed in ["sahel", "#SAHEL", "  Sahel "] {
        let ix = fake.command("briefings").option("tag", typed).send().await;
        let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
        assert!(!view.is_ephemeral(), "tag:{typed:?} was refused: {view:?}");
        assert_eq!(
            embeds(&view)[0]["title"],
            "Briefings tagged #sahel",
            "tag:{typed:?}"
        );
        let listed = description(&view);
        assert!(listed.contains("`sahel`"), "tag:{typed:?}: {listed}");
        assert!(!listed.contains("lake"), "tag:{typed:?}: {listed}");
    }

    // Inner whitespace collapses too: "Security   Forces" is the tag `security forces`.
    let ix = fake
        .command("briefings")
        .option("tag", "security forces")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    assert!(description(&view).contains("`sahel`"), "{view:?}");

    for partial in ["sah", "#Sah"] {
        let ix = fake
            .autocomplete("briefings", "tag")
            .option("tag", partial)
            .send()
            .await;
        let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
        let values: Vec<Value> = view.choices().iter().map(|c| c["value"].clone()).collect();
        assert_eq!(values, ["sahel"], "autocomplete of {partial:?}");
    }

    let ix = fake
        .command("search")
        .option("query", "joint operations")
        .option("tag", "#Sahel")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let fields = embeds(&view)[0]["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!fields.is_empty(), "no search hit: {view:?}");
    for field in &fields {
        let value = field["value"].as_str().unwrap();
        assert!(value.contains("briefing:sahel "), "{value}");
    }

    // The footer of every answer shows the tag as members type it, once, with one `#`.
    let ix = fake
        .command("brief")
        .option("briefing", "sahel")
        .send()
        .await;
    let view = fake.wait_for_answer(&ix, WAIT).await.unwrap();
    let footer = embeds(&view).last().unwrap()["footer"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(footer.contains("#sahel · #security forces"), "{footer}");
    assert!(!footer.contains("##"), "{footer}");

    let route = format!("/channels/{SECOND_CHANNEL_ID}/messages");
    let posted = fake
        .wait_for(|r| r.is("POST", &route), WAIT)
        .await
        .unwrap_or_else(|e| panic!("the digest never posted: {e:?}\n{}", bot.logs()));
    let text = posted
        .body
        .as_ref()
        .map(Value::to_string)
        .unwrap_or_default();
    assert!(
        text.contains("Sahel alliance plans joint operations"),
        "{text}"
    );
    assert!(!text.contains("Lake Chad"), "{text}");
}
