//! `briefbot check`: validates the config and every briefing before a deploy. Every problem is
//! printed as `file:line[:col]: reason`; the exit code is 1 when there was any. With the token
//! set, it also warns where the bot lacks a permission a digest or an alert needs.

use super::{load_config, load_library, CheckArgs, Outcome};
use crate::config::ConfigError;
use crate::render;
use std::io::Write;

pub fn run(args: &CheckArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let config = match load_config(&args.config) {
        Ok(config) => config,
        Err(ConfigError::Invalid { problems }) => {
            for problem in &problems {
                writeln!(out, "{problem}")?;
            }
            writeln!(
                out,
                "config: {} problem(s); fix the config to check the briefings",
                problems.len()
            )?;
            return Ok(Outcome::Problems);
        }
        Err(err) => return Err(err.into()),
    };
    let (library, report) = load_library(&config)?;

    let mut problems = report.errors.len() + report.outside_links.len();
    for error in &report.errors {
        writeln!(out, "{error}")?;
    }
    for link in &report.outside_links {
        writeln!(out, "{link}")?;
    }
    // The renderer must keep every briefing within Discord's limits; a failure here is a bug
    // in briefbot, but it is better found by `check` than by Discord rejecting a message.
    for briefing in library.newest_first() {
        for payload in render::render_briefing(briefing) {
            if let Err(e) = render::limits::check(&payload) {
                problems += 1;
                writeln!(
                    out,
                    "{}: rendered message breaks a Discord limit: {e}",
                    briefing.id
                )?;
            }
        }
    }

    writeln!(
        out,
        "config {}: ok ({} digest(s))",
        config.source.display(),
        config.digests.len()
    )?;
    // Missing keys are said in English: worth fixing, not a reason to fail a deploy.
    let locales = &config.locales;
    for warning in locales.warnings() {
        writeln!(out, "warning: {warning}")?;
    }
    let tags: Vec<&str> = locales.tags().collect();
    let from = locales
        .dir()
        .map_or_else(String::new, |d| format!(" with {}", d.display()));
    writeln!(
        out,
        "locales{from}: {} ({} warning(s))",
        tags.join(", "),
        locales.warnings().len()
    )?;
    let (store_line, store_problem) = super::store_info::describe(&config);
    writeln!(out, "{store_line}")?;
    problems += usize::from(store_problem);
    writeln!(
        out,
        "briefings {}: {} loaded, {} skipped, {} tag(s)",
        config.briefings.dir.display(),
        report.loaded,
        report.skipped(),
        library.tags().count()
    )?;
    // Only warnings: a missing permission is fixed in Discord, and may be on purpose.
    super::check_permissions::run(&config, out)?;
    if args.feeds {
        problems += super::check_feeds::run(&config, out)?;
    } else if !config.feeds.list.is_empty() {
        writeln!(
            out,
            "feeds: {} configured (`briefbot check --feeds` fetches them)",
            config.feeds.list.len()
        )?;
    }
    Ok(if problems == 0 {
        Outcome::Ok
    } else {
        writeln!(out, "{problems} problem(s) found")?;
        Outcome::Problems
    })
}
