//! `[storage]`: the SQLite default, a PostgreSQL URL in the file or in an environment
//! variable, and the two refused together.

use super::*;

fn parse_at(text: &str) -> Result<Config, ConfigError> {
    parse(text, Path::new("/srv/bot/config.toml"))
}

fn problems(text: &str) -> Vec<String> {
    match parse_at(text) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .problems()
            .iter()
            .map(|p| format!("{}:{}: {}", p.line, p.col, p.message))
            .collect(),
    }
}

#[test]
fn sqlite_stays_the_default() {
    let config = parse_at("").unwrap();
    assert_eq!(config.storage.postgres, None);
    assert_eq!(config.storage.path, Path::new("/srv/bot/briefbot.db"));
}

#[test]
fn a_postgres_url_or_the_variable_that_holds_it() {
    let url = "[storage]\nurl = \"postgres://bot@db/briefbot\"\n";
    let config = parse_at(url).unwrap();
    assert_eq!(
        config.storage.postgres,
        Some(PostgresUrl::Inline("postgres://bot@db/briefbot".into()))
    );
    let env = "[storage]\nurl_env = \"BRIEFBOT_DATABASE_URL\"\n";
    let config = parse_at(env).unwrap();
    assert_eq!(
        config.storage.postgres,
        Some(PostgresUrl::Env("BRIEFBOT_DATABASE_URL".into()))
    );
    // Never printed, even in a debug dump of the config.
    let dumped = format!("{:?}", parse_at(url).unwrap().storage);
    assert!(!dumped.contains("bot@db"), "{dumped}");
}

#[test]
fn a_path_and_a_url_together_are_refused_at_the_second() {
    let both = "[storage]\npath = \"bb.db\"\nurl_env = \"DB_URL\"\n";
    assert_eq!(
        problems(both),
        [
            "3:11: `url_env` and `path` are both set: the store is either an SQLite file (`path`) \
          or a PostgreSQL database (`url` or `url_env`)"
        ]
    );
    let urls = "[storage]\nurl = \"postgres://x/y\"\nurl_env = \"DB_URL\"\n";
    assert_eq!(problems(urls).len(), 1);
}

#[test]
fn the_claim_lease_stays_within_discords_nonce_window() {
    assert_eq!(
        parse_at("").unwrap().storage.claim_lease,
        Duration::from_secs(30)
    );
    let set = parse_at("[storage]\nclaim_lease = \"45s\"\n").unwrap();
    assert_eq!(set.storage.claim_lease, Duration::from_secs(45));
    let long = problems("[storage]\nclaim_lease = \"10m\"\n");
    assert_eq!(long.len(), 1);
    assert!(
        long[0].starts_with("2:15: `claim_lease` must be between 5s and 2m"),
        "{long:?}"
    );
}

#[test]
fn a_url_that_is_not_postgres_or_a_value_in_url_env_is_named_not_echoed() {
    let found = problems("[storage]\nurl = \"mysql://root:secret@db/x\"\n");
    assert_eq!(
        found,
        ["2:7: `url` must be a PostgreSQL URL (`postgres://user@host/db`)"]
    );
    let found = problems("[storage]\nurl_env = \"postgres://root:secret@db/x\"\n");
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("2:11: `url_env` names the environment variable"));
    assert!(!found[0].contains("secret"));
}
