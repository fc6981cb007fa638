//! Table-driven: a TOML snippet and the `line:col: message` problems it must produce.

use super::*;
use crate::digests::schedule::{parse_timezone, Schedule};

/// A valid digest on lines 1-4, so a case's own lines start at 5.
const DIGEST: &str = "[[digest]]\nname = \"morning\"\nchannel_id = 1\nschedule = \"0 8 * * *\"\n";

fn problems(text: &str) -> Vec<String> {
    match parse(text, Path::new("config.toml")) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .problems()
            .iter()
            .map(|p| format!("{}:{}: {}", p.line, p.col, p.message))
            .collect(),
    }
}

fn valid(text: &str) -> Config {
    parse(text, Path::new("/srv/bot/config.toml")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn rejects_with_line_col_and_reason() {
    let digest = |extra: &str| format!("{DIGEST}{extra}");
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("unknown top-level key", "colour = 1".into(), vec![
            "1:1: unknown field `colour`, expected one of `discord`, `briefings`, `storage`, \
             `permissions`, `schedule`, `sections`, `guild`, `digest`, `ops`, `limits`, … \
             (13 keys, all in config.toml.example)",
        ]),
        ("misplaced key", "token_env = \"TOKEN\"".into(), vec![
            "1:1: unknown field `token_env` here, it belongs in `[discord]`",
        ]),
        ("misplaced key, several homes", "[discord]\ngrace = \"1h\"".into(), vec![
            "2:1: unknown field `grace` here, it belongs in `[schedule]` or `[[digest]]`",
        ]),
        ("misspelt top-level table", "[digests]".into(), vec![
            "1:2: unknown field `digests`, did you mean `digest`?",
        ]),
        ("misspelt nested key", "[discord]\ntokn_env = \"TOKEN\"".into(), vec![
            "2:1: unknown field `tokn_env`, did you mean `token_env`?",
        ]),
        ("part of a key", "[schedule]\ntimezone = \"UTC\"".into(), vec![
            "2:1: unknown field `timezone`, did you mean `default_timezone`?",
        ]),
        ("long key list is cut short", digest("colour = 1"), vec![
            "5:1: unknown field `colour`, expected one of `name`, `channel_id`, `guild_id`, \
             `schedule`, `timezone`, `sections`, `tags`, `max_briefings`, `only_new`, \
             `when_empty`, … (22 keys, all in config.toml.example)",
        ]),
        ("wrong type: list", "[discord]\nguild_ids = \"123\"".into(), vec![
            "2:13: expected a list of ids, found a string",
        ]),
        ("wrong type: bool", "[briefings]\nwatch = \"yes\"".into(), vec![
            "2:9: expected a boolean, found a string",
        ]),
        ("wrong type: integer", "[limits]\npage_size = \"10\"".into(), vec![
            "2:13: expected an integer, found a string",
        ]),
        ("wrong type: table", "discord = 3".into(), vec!["1:11: expected a table, found an integer"]),
        ("single brackets", "[digest]\nname = \"x\"".into(), vec![
            "1:1: expected an array of tables (`[[...]]`, with double brackets), found a table",
        ]),
        ("syntax", "[discord]\n[discord]".into(), vec!["2:2: duplicate key `discord`"]),
        ("unknown section in a digest", digest("sections = [\"whats_nxt\", \"What's Next\", \"numbers\"]"), vec![
            "5:13: unknown section `whats_nxt`, did you mean `whats_next`?",
            "5:26: unknown section `What's Next`, did you mean `whats_next`?",
            "5:41: unknown section `numbers`; known sections are `whats_happening`, \
             `why_it_matters`, `whats_next`, `beyond_the_headlines` (declare others in [[sections.custom]])",
        ]),
        ("unknown section in aliases", "[sections.aliases]\nwhats_nex = [\"Looking Ahead\"]".into(), vec![
            "2:1: unknown section `whats_nex`, did you mean `whats_next`?",
        ]),
        ("alias taken by another section", "[sections.aliases]\nwhats_next = [\"The News\"]".into(), vec![
            "2:15: heading `The News` already names section `whats_happening`",
        ]),
        ("duplicate digest name", format!("{DIGEST}{}", DIGEST.replace("morning", "Morning")), vec![
            "6:8: duplicate digest name `Morning` (first used on line 2)",
        ]),
        ("digest name", digest("[[digest]]\nname = \"good morning\"\nchannel_id = 2\nschedule = \"@daily\""), vec![
            "6:8: digest name `good morning` may use only letters a-z, digits, `-` and `_`",
        ]),
        ("missing digest keys", "[[digest]]\nname = \"x\"".into(), vec![
            "1:1: digest `x` is missing `channel_id`, `schedule`",
        ]),
        ("invalid ids", "[discord]\nguild_ids = [0, -4, \"abc\", \"12\", \"99999999999999999999\"]".into(), vec![
            "2:14: invalid id `0`: Discord ids are positive",
            "2:17: invalid id `-4`: Discord ids are positive",
            "2:21: invalid id: expected an integer or a string of digits",
            "2:34: invalid id: larger than any Discord id (below 2^63)",
        ]),
        ("id as a float", "[[guild]]\nid = 1.5".into(), vec!["2:6: expected an id, found a number with a fraction"]),
        ("bad grace", "[schedule]\ngrace = \"soon\"".into(), vec![
            "2:9: invalid duration `soon`; write e.g. \"90s\", \"15m\" or \"1h\"",
        ]),
        ("bad catch_up", "[schedule]\ncatch_up = \"onse\"".into(), vec![
            "2:12: `catch_up` must be one of `once`, `skip`, `all`, found `onse` (did you mean `once`?)",
        ]),
        ("bad shards", "[discord]\nshards = 0".into(), vec![
            "2:10: `shards` must be \"auto\", a number of shards from 1 to 65535 or a range such as \"0-3/8\", found 0",
        ]),
        ("shard range backwards", "[discord]\nshards = \"3-1/8\"".into(), vec![
            "2:10: `shards` range `3-1/8` starts after it ends: write the lower shard id first",
        ]),
        ("shard range past the total", "[discord]\nshards = \"4-8/8\"".into(), vec![
            "2:10: `shards` range `4-8/8` goes past the last shard: the ids of 8 shards run from 0 to 7",
        ]),
        ("shard total 0", "[discord]\nshards = \"0/0\"".into(), vec![
            "2:10: `shards` total must be between 1 and 65535, found 0 in `0/0`",
        ]),
        ("shard garbage", "[discord]\nshards = \"first half\"".into(), vec![
            "2:10: `shards` must be \"auto\", a number of shards or a range of a total such as \"0-3/8\" (shards 0 to 3 of 8), found `first half`",
        ]),
        ("bad application_id", "[discord]\napplication_id = \"my-bot\"".into(), vec![
            "2:18: invalid id: expected an integer or a string of digits",
        ]),
        ("bad api_base", "[discord]\napi_base = \"discord.com\"".into(), vec![
            "2:12: `api_base` must be an http(s) URL such as `https://discord.com`, found `discord.com`",
        ]),
        ("bad listen", "[ops]\nlisten = \"localhost:9100\"".into(), vec![
            "2:10: invalid listen address `localhost:9100`: expected IP:port such as `127.0.0.1:9100`",
        ]),
        ("column counts characters", digest("tags = [\"été\", \"\"]"), vec!["5:16: a tag must not be empty"]),
        ("BOM and CRLF", "\u{feff}[discord]\r\ntokn_env = 1\r\n".into(), vec![
            "2:1: unknown field `tokn_env`, did you mean `token_env`?",
        ]),
        ("several problems at once", digest(concat!(
            "tags = [\"\"]\nmax_briefings = 11\nwhen_empty = \"silent\"\n",
            "mention_role = 0\ngrace = \"x\"\n",
            "[[digest]]\nname = \"morning\"\nchannel_id = \"abc\"\nschedule = \"@daily\"\n",
            "[schedule]\ncatch_up = \"never\"\n",
            "[[guild]]\nid = 7\n[[guild]]\nid = 7\nalert_channel_id = -1\n",
        )), vec![
            "5:9: a tag must not be empty",
            "6:17: `max_briefings` must be between 1 and 10, found 11",
            "7:14: `when_empty` must be one of `skip`, `notice`, found `silent`",
            "8:16: invalid id `0`: Discord ids are positive",
            "9:9: invalid duration `x`; write e.g. \"90s\", \"15m\" or \"1h\"",
            "11:8: duplicate digest name `morning` (first used on line 2)",
            "12:14: invalid id: expected an integer or a string of digits",
            "15:12: `catch_up` must be one of `once`, `skip`, `all`, found `never`",
            "19:6: guild 7 is configured twice (first on line 17)",
            "20:20: invalid id `-1`: Discord ids are positive",
        ]),
    ];
    for (name, text, expected) in cases {
        assert_eq!(problems(&text), expected, "case: {name}\n{text}");
    }
}

#[test]
fn a_bad_cron_expression_reports_the_schedule_error_at_the_expression() {
    let text = DIGEST.replace("0 8 * * *", "0 8 * *");
    let error = Schedule::parse("0 8 * *", chrono_tz::UTC).unwrap_err();
    assert_eq!(problems(&text), vec![format!("4:12: {error}")]);
}

#[test]
fn an_unknown_time_zone_reports_the_schedule_error_with_a_suggestion() {
    for (text, at, name, meant) in [
        (
            format!("{DIGEST}timezone = \"Europe/Pariss\""),
            "5:12",
            "Europe/Pariss",
            "Europe/Paris",
        ),
        (
            "[schedule]\ndefault_timezone = \"new york\"".into(),
            "2:20",
            "new york",
            "America/New_York",
        ),
    ] {
        let error = parse_timezone(name).unwrap_err().to_string();
        assert!(
            error.contains(&format!("did you mean `{meant}`")),
            "{error}"
        );
        assert_eq!(problems(&text), vec![format!("{at}: {error}")]);
    }
}

#[test]
fn custom_sections_are_checked_and_join_the_catalog() {
    let text = concat!(
        "[[sections.custom]]\nkey = \"By Numbers\"\ntitle = \"x\"\n",
        "[[sections.custom]]\nkey = \"numbers\"\ntitle = \"What's Next\"\n",
        "[[sections.custom]]\nkey = \"numbers\"\ntitle = \"Numbers\"\n",
        "[[sections.custom]]\ntitle = \"Orphan\"\n",
    );
    assert_eq!(
        problems(text),
        vec![
            "2:7: section key `By Numbers` must be a slug of a-z, 0-9 and `_`",
            "6:9: heading `What's Next` already names section `whats_next`",
            "8:7: section `numbers` is declared twice (first on line 5)",
            "10:1: this `[[sections.custom]]` has no `key` (a slug like `by_the_numbers`)",
        ]
    );

    let config = valid(&format!(
        "[sections.aliases]\nwhats_next = [\"Looking Ahead\"]\nby_the_numbers = [\"Figures\"]\n\
         [[sections.custom]]\nkey = \"by_the_numbers\"\ntitle = \"By the Numbers\"\n\
         {DIGEST}sections = [\"by_the_numbers\", \"whats_next\"]\n"
    ));
    let lookup = |heading| config.sections.lookup(heading).map(|d| d.key.as_str());
    assert_eq!(lookup("Looking ahead?"), Some("whats_next"));
    assert_eq!(lookup("figures"), Some("by_the_numbers"));
    assert_eq!(lookup("By the Numbers"), Some("by_the_numbers"));
    let sections: Vec<&str> = config.digests[0]
        .sections
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(sections, ["by_the_numbers", "whats_next"]);
}

#[test]
fn an_empty_file_or_only_briefings_is_valid_with_every_default() {
    let empty = valid("");
    assert_eq!(valid("[briefings]\n").briefings, empty.briefings);
    assert_eq!(empty.discord.token_env, "DISCORD_TOKEN");
    assert_eq!(empty.discord.guild_ids, Vec::<u64>::new());
    assert_eq!(empty.discord.api_base, "https://discord.com");
    assert_eq!(empty.discord.shards, Shards::Auto);
    assert_eq!(empty.discord.application_id, None);
    let given = valid("[discord]\napplication_id = \"900000000000000001\"\n");
    assert_eq!(given.discord.application_id, Some(900_000_000_000_000_001));
    assert!(empty.briefings.watch);
    assert_eq!(empty.briefings.default_lang, "en");
    assert_eq!(empty.schedule.default_timezone, chrono_tz::UTC);
    assert_eq!(empty.schedule.catch_up, CatchUp::Once);
    assert_eq!(empty.schedule.grace, Duration::from_secs(3600));
    assert_eq!(empty.sections, SectionCatalog::default());
    assert!(empty.guilds.is_empty() && empty.digests.is_empty() && empty.ops.is_none());
    let limits = LimitsConfig {
        cooldown: Duration::from_secs(3),
        max_query_len: 200,
        search_results: 5,
        page_size: 10,
    };
    assert_eq!(empty.limits, limits);
    let ops = valid("[ops]\n").ops.map(|o| o.listen.to_string());
    assert_eq!(ops.as_deref(), Some("127.0.0.1:9100"));
}

#[test]
fn relative_paths_are_resolved_against_the_config_directory() {
    let config = valid("");
    assert_eq!(config.source, Path::new("/srv/bot/config.toml"));
    assert_eq!(config.briefings.dir, Path::new("/srv/bot/briefings"));
    assert_eq!(config.storage.path, Path::new("/srv/bot/briefbot.db"));

    let config = valid("[briefings]\ndir = \"../news\"\n[storage]\npath = \"/var/lib/bb.db\"");
    assert_eq!(config.briefings.dir, Path::new("/srv/bot/../news"));
    assert_eq!(config.storage.path, Path::new("/var/lib/bb.db"));
    let memory = valid("[storage]\npath = \":memory:\"").storage.path;
    assert_eq!(memory, Path::new(":memory:"));
    // A bare file name has an empty parent: paths stay relative to the working directory.
    let bare = parse("", Path::new("config.toml")).unwrap();
    assert_eq!(bare.briefings.dir, Path::new("briefings"));
}

#[test]
fn digests_take_their_defaults_from_schedule_and_may_override_them() {
    let text = format!(
        "[discord]\nguild_ids = [5, \"6\"]\napi_base = \"http://127.0.0.1:8080/\"\nshards = 2\n\
         [schedule]\ndefault_timezone = \"Africa/Bamako\"\ncatch_up = \"all\"\ngrace = \"90s\"\n\
         {DIGEST}{}catch_up = \"skip\"\ngrace = \"2h\"\ntimezone = \"Europe/Paris\"\n\
         guild_id = \"42\"\nmention_role = 43\nmax_briefings = 10\nwhen_empty = \"notice\"\n\
         silent = true\nonly_new = false\ntags = [\"sahel\"]\n",
        DIGEST.replace("morning", "evening")
    );
    let config = valid(&text);
    assert_eq!(config.discord.guild_ids, [5, 6]);
    assert_eq!(config.discord.api_base, "http://127.0.0.1:8080");
    assert_eq!(config.discord.shards, Shards::Count(2));
    let range = valid("[discord]\nshards = \"0-3/8\"").discord.shards;
    let single = valid("[discord]\nshards = \"5/8\"").discord.shards;
    assert_eq!(
        (range, single),
        (
            Shards::Range {
                first: 0,
                last: 3,
                total: 8
            },
            Shards::Range {
                first: 5,
                last: 5,
                total: 8
            }
        )
    );
    let [morning, evening] = &config.digests[..] else {
        panic!("two digests")
    };
    assert_eq!((morning.name.as_str(), morning.channel_id), ("morning", 1));
    assert_eq!(morning.timezone, chrono_tz::Africa::Bamako);
    assert_eq!(morning.catch_up, CatchUp::All);
    assert_eq!(morning.grace, Duration::from_secs(90));
    assert_eq!((morning.max_briefings, morning.only_new), (3, true));
    assert_eq!(
        (morning.when_empty, morning.silent),
        (WhenEmpty::Skip, false)
    );
    assert!(morning.sections.is_empty() && morning.tags.is_empty());
    assert_eq!(morning.guild_id.or(morning.mention_role), None);

    assert_eq!(evening.timezone, chrono_tz::Europe::Paris);
    assert_eq!(evening.catch_up, CatchUp::Skip);
    assert_eq!(evening.grace, Duration::from_secs(7200));
    assert_eq!(
        (evening.guild_id, evening.mention_role),
        (Some(42), Some(43))
    );
    assert_eq!((evening.max_briefings, evening.only_new), (10, false));
    assert_eq!(
        (evening.when_empty, evening.silent),
        (WhenEmpty::Notice, true)
    );
    assert_eq!(evening.tags, ["sahel"]);
}

#[test]
fn a_token_pasted_anywhere_is_never_echoed() {
    let token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123";
    for text in [
        format!("[discord]\ntoken_env = \"{token}\""),
        format!("[discord]\nguild_ids = [\"{token}\"]"),
        format!("[discord]\ntoken = \"{token}\""),
        format!("[discord]\ntoken_env = [\"{token}\"]"),
    ] {
        let found = problems(&text);
        assert_eq!(found.len(), 1, "{text}");
        assert!(!found[0].contains("GhIjKl"), "{}", found[0]);
    }
}

#[test]
fn errors_read_as_one_line_each() {
    let error = load(Path::new("/nonexistent/config.toml")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot read config file `/nonexistent/config.toml`: No such file or directory (os error 2)"
    );
    assert!(
        std::error::Error::source(&error).is_none(),
        "the reason is printed once"
    );
    let error = parse("a = 1\n", Path::new("config.toml")).unwrap_err();
    assert!(error
        .to_string()
        .starts_with("config.toml:1:1: unknown field `a`"));
    let two = parse(
        "[[guild]]\nid = 0\nalert_channel_id = 0",
        Path::new("c.toml"),
    )
    .unwrap_err();
    let expected = "c.toml:2:6: invalid id `0`: Discord ids are positive\n\
                    c.toml:3:20: invalid id `0`: Discord ids are positive";
    assert_eq!(two.to_string(), expected);
}

#[test]
fn the_config_path_comes_from_the_flag_then_the_environment() {
    let flag = Some(PathBuf::from("a.toml"));
    let env = Some("b.toml".into());
    assert_eq!(choose_path(flag, env.clone()), Path::new("a.toml"));
    assert_eq!(choose_path(None, env), Path::new("b.toml"));
    assert_eq!(choose_path(None, Some("".into())), Path::new("config.toml"));
    assert_eq!(choose_path(None, None), Path::new("config.toml"));
}

#[test]
fn known_keys_are_read_from_the_raw_structs() {
    let keys = known_keys();
    for key in [
        "discord.token_env",
        "sections.aliases",
        "sections.custom.key",
        "guild.alert_channel_id",
        "digest.mention_role",
        "ops.listen",
        "limits.page_size",
        "locales.dir",
        "digest.lang",
        "storage.url_env",
        "feed.section",
        "digest.target",
        "digest.avatar_url",
        "feeds.alert_after",
        "schedule.edit_window",
        "schedule.targets",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
    }
    assert!(!keys.iter().any(|k| k == "discord" || k == "sections"));
    assert_eq!(keys.len(), 65);
}

#[test]
fn a_digest_lang_names_a_locale_there_is() {
    let config = valid(&format!("{DIGEST}lang = \"fr-CA\"\n"));
    assert_eq!(
        config.digests[0].lang.as_deref(),
        Some("fr"),
        "served by fr"
    );
    assert_eq!(valid(DIGEST).digests[0].lang, None, "follows the guild");
    assert_eq!(
        problems(&format!("{DIGEST}lang = \"de\"\n")),
        [
            "5:8: no locale for `lang = \"de\"`: languages are `en`, `fr` (add `de.ftl` to the \
          [locales] folder for another)"
        ]
    );
}

#[test]
fn the_locales_folder_is_relative_to_the_config_and_its_problems_name_their_file() {
    let dir = tempfile::tempdir().unwrap();
    let words = dir.path().join("words");
    std::fs::create_dir(&words).unwrap();
    std::fs::write(words.join("de.ftl"), "button-next = Weiter\n").unwrap();
    let path = dir.path().join("config.toml");
    let text = format!("[locales]\ndir = \"words\"\n\n{DIGEST}lang = \"de\"\n");
    let config = parse(&text, &path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.locales.dir(), Some(words.as_path()));
    assert_eq!(config.digests[0].lang.as_deref(), Some("de"));

    std::fs::write(words.join("fr.ftl"), "button-next = { $page\n").unwrap();
    let error = parse(&text, &path).unwrap_err();
    let fr = words.join("fr.ftl");
    assert_eq!(
        error.to_string(),
        format!(
            "{}:1:22: syntax error: Expected a token starting with \"}}\"",
            fr.display()
        )
    );

    let missing = "[locales]\ndir = \"nowhere\"\n";
    let found = problems(missing);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("2:7: cannot read the locales folder `nowhere`"),
        "{found:?}"
    );
}
