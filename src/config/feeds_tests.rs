//! `[feeds]`, `[[feed]]` and `[schedule] edit_window`: defaults, and each problem at its place.

use super::*;

fn parse_at(text: &str) -> Result<Config, Vec<String>> {
    parse(text, Path::new("/srv/bot/config.toml")).map_err(|e| {
        e.problems()
            .iter()
            .map(|p| format!("{}:{}: {}", p.line, p.col, p.message))
            .collect()
    })
}

#[test]
fn a_feed_gets_the_documented_defaults() {
    let config =
        parse_at("[[feed]]\nname = \"Sahel\"\nurl = \"https://example.org/feed.xml\"\n").unwrap();
    let feeds = &config.feeds;
    assert_eq!(feeds.dir, Path::new("/srv/bot/briefings/feeds"));
    assert_eq!(feeds.timeout, Duration::from_secs(20));
    assert_eq!(feeds.max_bytes, 5 << 20);
    assert_eq!(feeds.alert_after, Duration::from_secs(3600));
    let feed = &feeds.list[0];
    assert_eq!(
        feed.name, "sahel",
        "names are lower-cased: they are folders and ids"
    );
    assert_eq!(feed.poll, Duration::from_secs(900));
    assert_eq!(feed.max_items, 50);
    assert_eq!(feed.section.as_str(), "whats_happening");
    assert_eq!(feed.lang, None);
    assert_eq!(config.schedule.edit_window, Duration::from_secs(24 * 3600));
}

#[test]
fn bad_feeds_are_named_where_they_are() {
    let text = "[schedule]\nedit_window = \"soon\"\n\
                [[feed]]\nname = \"a b\"\nurl = \"ftp://x\"\npoll = \"10s\"\nsection = \"nope\"\n\
                [[feed]]\nname = \"ok\"\nurl = \"https://e.org/f\"\nmax_items = 0\nlang = \"english\"\n\
                [[feed]]\nname = \"OK\"\nurl = \"https://e.org/g\"\n\
                [[feed]]\nurl = \"https://e.org/h\"\n";
    let problems = parse_at(text).unwrap_err();
    assert_eq!(
        problems,
        vec![
            "2:15: invalid duration `soon`; write e.g. \"90s\", \"15m\" or \"1h\"",
            "4:8: feed name `a b` may use only letters a-z, digits, `-` and `_`",
            "5:7: `url` must be an http(s) URL such as `https://example.org/feed.xml`, found `ftp://x`",
            "6:8: `poll` must be at least 30s, found `10s`",
            "7:11: unknown section `nope`; an item without headings goes into a known section such as `whats_happening`",
            "11:13: `max_items` must be between 1 and 1000, found 0",
            "12:8: `lang` must be a language code such as \"en\" or \"fr\", found `english`",
            "14:8: duplicate feed name `OK` (first used on line 9)",
            "16:1: this `[[feed]]` has no `name` (its folder and the middle of its ids)",
        ]
    );
}

#[test]
fn corrections_can_be_turned_off() {
    let config = parse_at("[schedule]\nedit_window = \"0s\"\n").unwrap();
    assert_eq!(config.schedule.edit_window, Duration::ZERO);
}
