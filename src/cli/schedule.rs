//! `briefbot schedule`: the next fire times of every digest (the config's, and the ones made
//! with `/digest add` when the database exists, SQLite or PostgreSQL), in the digest's time zone and in UTC, so an
//! admin can see a schedule means what they think before deploying.

use super::{load_config, ConfigArg, Outcome};
use crate::config::Config;
use crate::digests::DigestSpec;
use anyhow::Context;
use chrono::Utc;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// How many fire times to show per digest.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub next: usize,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run(args: &ScheduleArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let config = load_config(&args.config)?;
    let mut digests = DigestSpec::all_from_config(&config);
    digests.extend(runtime_digests(&config, out)?);
    if digests.is_empty() {
        writeln!(out, "no digests configured in {}", config.source.display())?;
        return Ok(Outcome::Ok);
    }
    let now = Utc::now();
    for digest in &digests {
        let tz = digest.schedule.timezone();
        let origin = match digest.guild_id {
            Some(guild) if !digest.is_config() => format!(" (guild {guild}, /digest add)"),
            _ => String::new(),
        };
        let paused = if digest.paused { " [paused]" } else { "" };
        writeln!(
            out,
            "{}{origin}{paused} — `{}` in {} → channel {}",
            digest.name,
            digest.schedule.expr(),
            tz,
            digest.channel_id
        )?;
        let fires = digest.schedule.upcoming(now, args.next);
        if fires.is_empty() {
            writeln!(out, "  never fires")?;
        }
        for fire in fires {
            writeln!(
                out,
                "  {}  ({})",
                fire.with_timezone(&tz).format("%a %Y-%m-%d %H:%M:%S %Z"),
                fire.format("%Y-%m-%d %H:%M:%S UTC")
            )?;
        }
    }
    Ok(Outcome::Ok)
}

/// Digests stored by `/digest add`. No database yet means none (and none is created here).
fn runtime_digests(config: &Config, out: &mut dyn Write) -> anyhow::Result<Vec<DigestSpec>> {
    let rows = super::store_info::runtime_digests(config).context("cannot read stored digests")?;
    let mut specs = Vec::with_capacity(rows.len());
    for row in &rows {
        match DigestSpec::from_row(row, &config.schedule) {
            Ok(mut spec) => {
                spec.paused = row.paused;
                specs.push(spec);
            }
            Err(e) => writeln!(
                out,
                "{} (guild {}): {e}",
                row.digest.name, row.digest.guild_id
            )?,
        }
    }
    Ok(specs)
}
