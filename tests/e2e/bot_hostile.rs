//! Hostile interactions against the real binary through the fake Discord: every string option
//! of every registered command at its maximum length and beyond, with control, zero-width,
//! right-to-left and emoji characters; unknown options, wrong option types, unknown commands
//! and subcommands; forged and stale button `custom_id`s; briefing ids and `custom_id`s that try
//! to climb out of the briefings folder, where a secret waits beside it.
//!
//! Each case must be answered (callback accepted by the fake, which refuses what Discord would
//! refuse), refusals only to the caller, or be deliberately ignored; the bot must never panic,
//! never send the secret anywhere, and still answer a plain `/whats-next` afterwards.

use crate::support::{embeds, shipped_briefings, text_of, Bot, WAIT};
use fake_discord::*;
use serde_json::{json, Value};
use std::time::Duration;

/// In every file beside the briefings folder; the bot must never send it anywhere.
const SECRET: &str = "SECRET-51c0e2-beside-the-briefings-folder";
/// In `briefings/etc/passwd.md`, the one file `../../etc/passwd` may legitimately reach.
const INSIDE: &str = "Inside the briefings folder.";

/// The shipped briefings, a briefing whose id is `etc/passwd`, and secrets outside the folder:
/// names are relative to `briefings/`, so `../secret.md` lands beside it.
fn briefings_with_secrets_beside() -> Vec<(String, String)> {
    let secret = format!("+++\ntitle = \"{SECRET}\"\n+++\n## What's Next?\n{SECRET}\n");
    let mut files = shipped_briefings();
    files.push((
        "etc/passwd.md".into(),
        format!("+++\ntitle = \"Inside\"\n+++\n## What's Next?\n{INSIDE}\n"),
    ));
    for outside in [
        "../secret.md",
        "../secret.txt",
        "../etc/passwd.md",
        "../briefings-evil/evil.md",
    ] {
        files.push((outside.into(), secret.clone()));
    }
    files.push(("../etc/passwd".into(), format!("root:x:0:0:{SECRET}\n")));
    files
}

/// A running bot with the secrets beside its briefings, and the checks every test ends with.
struct Hostile {
    fake: FakeDiscord,
    bot: Bot,
}

impl Hostile {
    async fn start() -> Hostile {
        let fake = FakeDiscord::start().await;
        let bot = Bot::start(&fake, &briefings_with_secrets_beside(), "").await;
        assert!(
            bot.dir.path().join("secret.md").exists(),
            "the secret is beside the folder"
        );
        Hostile { fake, bot }
    }

    /// Waits for the answer to `ix`; `what` says which case it was.
    async fn answer(&self, ix: &Injected, what: &str) -> InteractionView {
        match self.fake.wait_for_answer(ix, WAIT).await {
            Ok(view) => view,
            Err(e) => panic!(
                "no answer to {what} (Discord would show \"The application did not respond\")\n\
                 {e:?}\nlogs:\n{}",
                self.bot.logs()
            ),
        }
    }

    /// An answer in a new message only the caller sees (a refusal, or an admin's status), as text.
    async fn private_answer(&self, ix: &Injected, what: &str) -> String {
        let view = self.answer(ix, what).await;
        assert!(
            view.is_ephemeral(),
            "{what}: not ephemeral: {:?}",
            view.callback
        );
        view.contents().concat()
    }

    /// The checks after all the hostility: still answering, no panic, nothing refused by
    /// Discord, nobody pinged, no secret sent anywhere.
    async fn finish(self) {
        let ix = self.fake.command("whats-next").send().await;
        let view = self.answer(&ix, "a plain /whats-next at the end").await;
        assert!(!view.is_ephemeral());
        assert_eq!(embeds(&view)[0]["title"], "What's Next?");
        assert!(!text_of(&view).is_empty());

        let logs = self.bot.logs();
        assert!(!logs.contains("panicked"), "the bot panicked:\n{logs}");
        let mut refused = Vec::new();
        for r in self.fake.requests() {
            let body = r.body_text.as_str();
            assert!(
                !body.contains(SECRET),
                "{} sent the secret: {body}",
                r.summary()
            );
            let answer = r.path.contains("/interactions/") || r.path.contains("/webhooks/");
            if answer && r.status >= 300 {
                refused.push(format!("{}: {}", r.summary(), cut(body, 300)));
            }
            for data in [
                &r.json("data")["allowed_mentions"],
                r.json("allowed_mentions"),
            ] {
                let quiet = data.is_null() || data["parse"] == json!([]);
                assert!(quiet, "{} may ping: {data}", r.summary());
            }
        }
        assert!(
            refused.is_empty(),
            "Discord would refuse these answers:\n{}\nbriefbot's logs:\n{}",
            refused.join("\n"),
            briefbot_lines(&logs)
        );
    }
}

/// The bot's own log lines, without the libraries' debug output.
fn briefbot_lines(logs: &str) -> String {
    let lines: Vec<&str> = logs.lines().filter(|l| l.contains(" briefbot::")).collect();
    lines.join("\n")
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// `n` characters cycling through `pattern`.
fn exactly(n: usize, pattern: &str) -> String {
    pattern.chars().cycle().take(n).collect()
}

const MIXED: &str = "a\u{0}\u{1b}[31m\u{200b}\u{202e}😀👍🏽@everyone`*_~|<>\u{2028}漢字e\u{301}../";
const CONTROL: &str = "\u{0}\u{1}\u{7}\u{8}\t\n\r\u{b}\u{c}\u{1b}\u{7f}\u{85}\u{9c}";
const INVISIBLE: &str =
    "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}\u{ad}\u{202e}\u{202d}\u{2066}\u{2069}\u{200f}مرحبا";
const EMOJI: &str = "👨‍👩‍👧‍👦🏳️‍🌈🇫🇷👍🏽😀";

/// Discord's longest string option; what a string option without `max_length` may carry.
const DISCORD_MAX: usize = 6000;

/// Values for a string option registered with `max`: at the limit, just beyond, far beyond
/// (Discord would refuse those two, the bot must still not panic), and short hostile ones.
fn hostile_values(max: usize) -> Vec<(String, String)> {
    vec![
        (format!("{max} mixed"), exactly(max, MIXED)),
        (
            format!("{} mixed (beyond)", max + 1),
            exactly(max + 1, MIXED),
        ),
        (
            format!("{DISCORD_MAX} emoji (far beyond)"),
            exactly(DISCORD_MAX.max(max + 1), EMOJI),
        ),
        ("control".into(), exactly(max.min(20), CONTROL)),
        ("zero-width and RTL".into(), exactly(max.min(20), INVISIBLE)),
        ("emoji".into(), exactly(max.min(8), EMOJI)),
        ("empty".into(), String::new()),
    ]
}

/// One command or subcommand as registered: its path (`"digest add"`) and its options.
struct Leaf {
    path: String,
    options: Vec<Value>,
}

fn leaves(commands: &[Value]) -> Vec<Leaf> {
    fn walk(prefix: &str, options: &[Value], out: &mut Vec<Leaf>) {
        let subs: Vec<&Value> = options
            .iter()
            .filter(|o| matches!(o["type"].as_u64(), Some(1 | 2)))
            .collect();
        if subs.is_empty() {
            out.push(Leaf {
                path: prefix.to_string(),
                options: options.to_vec(),
            });
        }
        for sub in subs {
            let path = format!("{prefix} {}", sub["name"].as_str().unwrap());
            walk(
                &path,
                sub["options"].as_array().map_or(&[], |v| v.as_slice()),
                out,
            );
        }
    }
    let mut out = Vec::new();
    for c in commands {
        let name = c["name"].as_str().unwrap();
        walk(
            name,
            c["options"].as_array().map_or(&[], |v| v.as_slice()),
            &mut out,
        );
    }
    out
}

/// A plausible value for a required option that is not the one under test.
fn filler(option: &Value) -> Value {
    match (option["type"].as_u64(), option["name"].as_str()) {
        (Some(3), Some("schedule")) => json!("0 8 * * *"),
        (Some(3), Some("name")) => json!("hostile-check"),
        (Some(3), _) => json!("x"),
        (Some(4), _) => json!(1),
        (Some(5), _) => json!(false),
        (Some(7), _) => json!(CHANNEL_ID.to_string()),
        (Some(8), _) => json!(MODERATOR_ROLE_ID.to_string()),
        _ => Value::Null,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_string_option_survives_hostile_values() {
    let h = Hostile::start().await;
    let leaves = leaves(&h.fake.registered_commands(Scope::Guild(GUILD_ID)));
    let (mut commands, mut completions) = (0, 0);
    for leaf in &leaves {
        for option in leaf.options.iter().filter(|o| o["type"] == 3) {
            let name = option["name"].as_str().unwrap();
            let max = option["max_length"]
                .as_u64()
                .map_or(DISCORD_MAX, |m| m as usize);
            for (label, value) in hostile_values(max) {
                let what = format!("/{} {name}: {label}", leaf.path);
                let mut options = json!({ name: value.clone() });
                for other in &leaf.options {
                    if other["required"] == true && other["name"] != name {
                        options[other["name"].as_str().unwrap()] = filler(other);
                    }
                }
                // As an admin, so moderator and admin commands read their options too.
                let ix = h
                    .fake
                    .command(&leaf.path)
                    .user(ADMIN_USER_ID)
                    .options(options.clone())
                    .send()
                    .await;
                let view = h.answer(&ix, &what).await;
                // Refusals (no such briefing, tag or digest; a search that finds nothing; not a
                // valid name or schedule) and moderators' confirmations go to the caller only, so
                // nothing a member types is repeated to the channel but inside a real answer
                // (an empty `briefing` means the newest one).
                let public_ok = !embeds(&view).is_empty();
                assert!(
                    view.is_ephemeral() || public_ok,
                    "{what}: {:?}",
                    view.callback
                );
                commands += 1;
                if option["autocomplete"] == true {
                    let ix = h
                        .fake
                        .autocomplete(&leaf.path, name)
                        .user(ADMIN_USER_ID)
                        .options(options)
                        .send()
                        .await;
                    let view = h.answer(&ix, &format!("autocomplete of {what}")).await;
                    assert_eq!(view.callback_type(), Some(8), "{what}");
                    assert!(view.choices().len() <= 25, "{what}");
                    completions += 1;
                }
            }
        }
    }
    // At the time of writing: 20 string options, 16 of them with autocomplete, 7 values each
    // (140 commands, 112 autocompletes). The floor only proves the walk found the commands.
    assert!(
        commands >= 100 && completions >= 70,
        "{commands} commands, {completions} autocompletes"
    );
    // What the hostile values left behind (a digest with a hostile tag) still shows.
    for listing in ["digest list", "briefbot status"] {
        let ix = h.fake.command(listing).user(ADMIN_USER_ID).send().await;
        h.private_answer(&ix, listing).await;
    }
    let digests = h
        .fake
        .command("digest list")
        .user(ADMIN_USER_ID)
        .send()
        .await;
    let digests = h.answer(&digests, "digest list").await;
    assert!(
        format!("{:?}", digests.original).contains("hostile-check"),
        "{digests:?}"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_options_wrong_types_and_unknown_commands_get_a_clear_answer() {
    let h = Hostile::start().await;
    let raw =
        |name: &str, kind: u64, value: Value| json!([{"name": name, "type": kind, "value": value}]);

    // An option the command does not have is ignored: the answer is the newest briefing.
    let ix = h
        .fake
        .command("whats-next")
        .options(raw("bogus", 3, json!("x")))
        .send()
        .await;
    let view = h.answer(&ix, "/whats-next bogus:x").await;
    assert_eq!(embeds(&view)[0]["title"], "What's Next?");

    // Wrong types and missing required options, as a stale registration would produce them.
    for (command, options, what) in [
        (
            "briefings",
            raw("page", 3, json!("abc")),
            "page as a string",
        ),
        ("briefings", raw("page", 10, json!(1.5)), "page as a number"),
        ("briefings", raw("page", 4, json!(-5)), "a negative page"),
        (
            "briefings",
            raw("page", 4, json!(1u64 << 40)),
            "a page beyond u32",
        ),
        (
            "briefings",
            raw("page", 5, json!(true)),
            "page as a boolean",
        ),
        ("search", raw("query", 4, json!(42)), "query as an integer"),
        (
            "brief",
            raw("briefing", 5, json!(true)),
            "briefing as a boolean",
        ),
        (
            "brief",
            raw("briefing", 7, json!(CHANNEL_ID.to_string())),
            "briefing as a channel",
        ),
        ("section", json!([]), "/section without its required name"),
        (
            "search",
            raw("tag", 3, json!("sahel")),
            "/search without its required query",
        ),
        (
            "brief",
            json!([{"type": 1, "name": "nope", "options": []}]),
            "a subcommand /brief does not have",
        ),
    ] {
        let what = format!("/{command} with {what}");
        let ix = h.fake.command(command).options(options).send().await;
        let text = h.private_answer(&ix, &what).await;
        assert!(!text.trim().is_empty(), "{what}: empty refusal");
    }

    // Beyond Discord's schema (an option without a value, an integer option holding text, an
    // unknown option type, an interaction without data). Discord never sends these; whatever
    // serenity can read is refused like any mismatch, the rest it drops before briefbot sees it
    // (logged as an unknown event). Either way the bot must survive.
    let malformed = [
        ("brief", json!([{"name": "briefing", "type": 3}]), None),
        (
            "briefings",
            json!([{"name": "page", "type": 4, "value": "abc"}]),
            None,
        ),
        (
            "briefings",
            json!([{"name": "page", "type": 99, "value": 1}]),
            Some(4),
        ),
    ];
    for (command, options, answer) in malformed {
        let what = format!("/{command} {options}");
        let ix = h.fake.command(command).options(options).send().await;
        let view = match answer {
            Some(_) => h.answer(&ix, &what).await,
            None => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                h.fake.interaction(&ix)
            }
        };
        assert_eq!(view.callback_type(), answer, "{what}: {:?}", view.callback);
        assert!(answer.is_none() || view.is_ephemeral(), "{what}");
    }
    let garbage =
        json!({"id": "1", "type": 2, "token": "t", "application_id": APPLICATION_ID.to_string()});
    h.fake.dispatch_event("INTERACTION_CREATE", garbage);
    h.fake.dispatch_event("INTERACTION_CREATE", json!(null));

    // Pages out of range are clamped to the pages there are.
    for page in [0, 10_001, i64::from(u32::MAX)] {
        let ix = h
            .fake
            .command("briefings")
            .options(raw("page", 4, json!(page)))
            .send()
            .await;
        let view = h.answer(&ix, &format!("/briefings page:{page}")).await;
        let footer = embeds(&view)[0]["footer"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(footer.starts_with("Page 1 of 1"), "page {page}: {footer}");
    }

    // Commands and subcommands the bot does not have.
    for name in [
        "no-such-command",
        "../../etc/passwd",
        "briefbot nonsense",
        "digest nonsense",
        "𝕓𝕣𝕚𝕖𝕗",
    ] {
        let ix = h.fake.command(name).user(ADMIN_USER_ID).send().await;
        let text = h
            .private_answer(&ix, &format!("unknown command /{name}"))
            .await;
        assert!(!text.is_empty(), "/{name}");
    }
    // Outside a server, the guild-only commands say so.
    let ix = h.fake.command("brief").dm().send().await;
    let text = h.private_answer(&ix, "/brief in a DM").await;
    assert!(text.contains("servers only"), "{text}");

    // Autocomplete on an option that has none: nothing to offer, nothing sent.
    let ix = h
        .fake
        .autocomplete("search", "query")
        .option("query", "x")
        .send()
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let view = h.fake.interaction(&ix);
    assert!(
        matches!(view.callback_type(), None | Some(8)),
        "{:?}",
        view.callback
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_buttons_and_path_like_ids_never_read_outside_the_folder() {
    let h = Hostile::start().await;

    // A real list message to click on, so forged ids sit on a plausible message.
    let ix = h.fake.command("briefings").send().await;
    let list = h.answer(&ix, "/briefings").await.original.unwrap();

    let long_tag = format!("brf:list:1:{}", "t".repeat(200));
    for custom_id in [
        "brf:list:999999:",
        long_tag.as_str(),
        "xyz",
        "",
        "brf:list:",
        "brf:list:0:",
        "brf:list:-1:",
        "brf:list:1",
        "brf:list:../../etc/passwd:",
        "brf:list:1:../../etc/passwd",
        "brf:list:1:..%2F..%2Fsecret",
        "brf:list:1:\u{0}\u{202e}😀",
        "\u{200b}brf:list:1:",
    ] {
        let what = format!("button {custom_id:?}");
        let ix = h
            .fake
            .component(custom_id)
            .message(list.clone())
            .send()
            .await;
        let view = h.answer(&ix, &what).await;
        match view.callback_type() {
            // A readable id updates the list in place (a stale page shows the last one).
            Some(7) => {
                let data = &view.callback.as_ref().unwrap()["data"];
                assert!(
                    data["embeds"][0]["footer"]["text"].as_str().is_some(),
                    "{what}: {data}"
                );
            }
            _ => assert!(view.is_ephemeral(), "{what}: {:?}", view.callback),
        }
    }
    // A select menu where briefbot only ever made buttons.
    let ix = h
        .fake
        .component("brf:list:1:")
        .select(3, &["../../etc/passwd"])
        .message(list.clone())
        .send()
        .await;
    h.answer(&ix, "a select menu with a path").await;

    // Ids that try to leave the folder: refused, or the briefing that really is inside.
    let traversal = [
        "../../etc/passwd",
        "/etc/passwd",
        "..\\..\\windows\\win.ini",
        "..%2F..%2Fsecret",
        "%2e%2e%2f%2e%2e%2fsecret",
        "../secret",
        "../secret.txt",
        "../briefings-evil/evil",
        "briefings/../../secret",
    ];
    for id in traversal {
        for command in [
            "brief",
            "whats-happening",
            "why-it-matters",
            "whats-next",
            "beyond-the-headlines",
        ] {
            let what = format!("/{command} briefing:{id}");
            let ix = h.fake.command(command).option("briefing", id).send().await;
            let view = h.answer(&ix, &what).await;
            let shown = format!("{:?}", view.original);
            if !view.is_ephemeral() {
                assert!(
                    shown.contains(INSIDE) || shown.contains("Inside"),
                    "{what}: {shown}"
                );
            }
        }
        let ix = h
            .fake
            .command("section")
            .option("name", id)
            .option("briefing", id)
            .send()
            .await;
        h.answer(&ix, &format!("/section name:{id} briefing:{id}"))
            .await;
        let ix = h.fake.command("briefings").option("tag", id).send().await;
        h.private_answer(&ix, &format!("/briefings tag:{id}")).await;
        let ix = h
            .fake
            .command("search")
            .option("query", id)
            .option("tag", id)
            .send()
            .await;
        h.answer(&ix, &format!("/search query:{id} tag:{id}")).await;
        for (command, option) in [
            ("brief", "briefing"),
            ("section", "name"),
            ("briefings", "tag"),
        ] {
            let ix = h
                .fake
                .autocomplete(command, option)
                .option(option, id)
                .send()
                .await;
            let view = h
                .answer(&ix, &format!("autocomplete /{command} {option}:{id}"))
                .await;
            assert_eq!(view.callback_type(), Some(8));
        }
    }
    // `../../etc/passwd` reaches `briefings/etc/passwd.md`, the one inside, and nothing else.
    let ix = h
        .fake
        .command("whats-next")
        .option("briefing", "../../etc/passwd")
        .send()
        .await;
    let view = h.answer(&ix, "/whats-next briefing:../../etc/passwd").await;
    assert_eq!(text_of(&view), INSIDE);
    h.finish().await;
}

/// A command with subcommands invoked bare, as a stale registration (from before the command had
/// subcommands) would send it. poise raises `SubcommandRequired` for prefix commands only; for a
/// slash command it runs the parent's body, which returns `Ok(())` without answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_without_its_subcommand_is_answered() {
    let h = Hostile::start().await;
    for name in ["briefbot", "digest"] {
        let ix = h.fake.command(name).user(ADMIN_USER_ID).send().await;
        let text = h
            .private_answer(&ix, &format!("/{name} without a subcommand"))
            .await;
        assert!(!text.is_empty(), "/{name}");
    }
    h.finish().await;
}

/// Autocomplete for a command or an option the bot does not have (a registration older or newer
/// than the running bot). There are no choices to offer and Discord shows "Loading options
/// failed" either way, but the bot answers with a message (type 4), which Discord refuses for an
/// autocomplete (400), then tries a follow-up on a webhook that does not exist yet (404): two
/// invalid requests per keystroke while the registration is stale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_for_unknown_commands_and_options_is_answered_as_autocomplete() {
    let h = Hostile::start().await;
    for (command, focused) in [("no-such-command", "x"), ("brief", "nope")] {
        let ix = h
            .fake
            .autocomplete(command, focused)
            .option(focused, "x")
            .send()
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let view = h.fake.interaction(&ix);
        assert!(
            matches!(view.callback_type(), None | Some(8)),
            "autocomplete of /{command} {focused}: {:?}",
            view.callback
        );
    }
    h.finish().await;
}

/// A full `/search` page and a full `/briefings` page, with the largest sizes `[limits]` allows
/// and headlines of ordinary length. Discord refuses both answers (a search embed over 6000
/// characters, a list description over 4096); the member is told "Something went wrong".
const HEADLINE: &str =
    "Niger river floods displace thousands across Mali and Niger as the rainy season runs long \
     and aid groups warn of cholera in the camps";
const BODY: &str = "The river floods again; officials expect more rain in the coming weeks, \
                    and aid groups warn of cholera in the camps along the banks.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_search_and_list_pages_fit() {
    let files: Vec<(String, String)> = (0..30)
        .map(|i| {
            let title = format!("{HEADLINE}, update {i:02}");
            let text = format!("+++\ntitle = \"{title}\"\n+++\n## What's Next?\n{BODY} {BODY}\n");
            (format!("2026/flood-{i:02}.md"), text)
        })
        .collect();
    let fake = FakeDiscord::start().await;
    let limits = "[limits]\ncooldown = \"0s\"\nsearch_results = 25\npage_size = 25";
    let bot = Bot::start(&fake, &files, limits).await;
    let h = Hostile { fake, bot };
    let search = h
        .fake
        .command("search")
        .option("query", "floods")
        .send()
        .await;
    let search = h.answer(&search, "/search floods").await;
    let list = h.fake.command("briefings").send().await;
    let list = h.answer(&list, "/briefings").await;
    // Both arrive as "Something went wrong on my side. Please try again in a moment."
    let results = |v: &InteractionView| embeds(v).first().map(|e| e.to_string());
    assert!(
        results(&search).is_some() && results(&list).is_some(),
        "/search: {:?}, /briefings: {:?}",
        search.contents(),
        list.contents()
    );
    h.finish().await;
}
