//! `briefbot schedule`: the next fire times of every configured digest, in the digest's time
//! zone and in UTC, so an admin can see a schedule means what they think before deploying.

use super::{load_config, ConfigArg, Outcome};
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
    if config.digests.is_empty() {
        writeln!(out, "no digests configured in {}", config.source.display())?;
        return Ok(Outcome::Ok);
    }
    let now = Utc::now();
    for digest in &config.digests {
        let tz = digest.schedule.timezone();
        writeln!(
            out,
            "{} — `{}` in {} → channel {}",
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
