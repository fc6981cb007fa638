//! `[schedule] targets`: what `/digest add` and `/digest edit` may choose.

use super::*;

fn parsed(text: &str) -> Result<Config, Vec<String>> {
    parse(text, Path::new("config.toml"))
        .map_err(|e| e.problems().iter().map(|p| p.to_string()).collect())
}

#[test]
fn every_target_is_offered_unless_the_key_says_otherwise() {
    let all = parsed("").unwrap();
    assert_eq!(all.schedule.targets, TargetKind::ALL);
    let some = parsed("[schedule]\ntargets = [\"webhook\", \"channel\", \"webhook\"]\n").unwrap();
    // In the usual order, once each.
    assert_eq!(
        some.schedule.targets,
        [TargetKind::Channel, TargetKind::Webhook]
    );
}

#[test]
fn an_unknown_target_is_named_at_its_line_and_column() {
    let problems = parsed("[schedule]\ntargets = [\"channel\", \"webhok\", \"dm\"]\n").unwrap_err();
    assert_eq!(
        problems,
        [
            "config.toml:2:23: `targets` names `webhok`, which is not a target: use `channel`, \
             `forum`, `thread`, `webhook` (did you mean `webhook`?)",
            "config.toml:2:33: `targets` names `dm`, which is not a target: use `channel`, \
             `forum`, `thread`, `webhook`",
        ]
    );
}

#[test]
fn an_empty_list_is_refused_rather_than_read_as_no_digests() {
    let problems = parsed("[schedule]\ntargets = []\n").unwrap_err();
    assert_eq!(
        problems,
        [
            "config.toml:2:11: `targets` must name at least one of `channel`, `forum`, `thread`, \
          `webhook`; to let moderators choose any, remove the key"
        ]
    );
    let problems = parsed("[schedule]\ntargets = \"channel\"\n").unwrap_err();
    assert!(
        problems[0].starts_with("config.toml:2:11: "),
        "{problems:?}"
    );
}
