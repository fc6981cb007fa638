//! `briefbot check --feeds`: fetches every `[[feed]]` once, as the bot would (same limits,
//! same conversion, every item checked by the briefing parser), and reports per feed. Nothing
//! is written: the bot's own folder and validators are left alone.

use crate::config::Config;
use crate::feeds::inspect;
use anyhow::Context;
use std::io::Write;

/// Prints one line per feed (and one per skipped item); returns the number of problems.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<usize> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let results = runtime.block_on(async {
        let checks = config.feeds.list.iter().map(|feed| inspect(config, feed));
        futures::future::join_all(checks).await
    });
    let mut problems = 0;
    for (feed, result) in config.feeds.list.iter().zip(results) {
        match result {
            Ok(found) => {
                writeln!(
                    out,
                    "feed {} ({}): ok, {} item(s), {} skipped",
                    feed.name,
                    feed.url,
                    found.items,
                    found.skipped.len()
                )?;
                for reason in &found.skipped {
                    writeln!(out, "feed {}: skipped {reason}", feed.name)?;
                }
            }
            Err(e) => {
                problems += 1;
                writeln!(out, "feed {} ({}): {e}", feed.name, feed.url)?;
            }
        }
    }
    Ok(problems)
}
