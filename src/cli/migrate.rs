//! `briefbot migrate --from sqlite:PATH --to postgres://...` (or `--to-env VAR`): moves an
//! installation to PostgreSQL, its runtime digests, pauses, ledger and posted history
//! included, and says how many of each it copied. The target must be empty.

use super::store_info::block_on;
use super::Outcome;
use crate::config::PostgresUrl;
use crate::store::{copy, postgres::PgStorage, resolve_url};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// The SQLite database to copy, as `sqlite:PATH`.
    #[arg(long, value_name = "sqlite:PATH")]
    pub from: String,
    /// The PostgreSQL URL to copy into.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "to_env",
        required_unless_present = "to_env"
    )]
    pub to: Option<String>,
    /// The environment variable that holds the PostgreSQL URL (keeps the password off the
    /// command line).
    #[arg(long, value_name = "VAR")]
    pub to_env: Option<String>,
}

pub fn run(args: &MigrateArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let from = args
        .from
        .strip_prefix("sqlite:")
        .map(PathBuf::from)
        .with_context(|| format!("--from must be `sqlite:PATH`, found `{}`", args.from))?;
    if !from.exists() {
        anyhow::bail!("--from: no database at `{}`", from.display());
    }
    let url = match (&args.to, &args.to_env) {
        (Some(url), _) => PostgresUrl::Inline(url.clone()),
        (None, Some(var)) => PostgresUrl::Env(var.clone()),
        (None, None) => anyhow::bail!("--to or --to-env is required"),
    };
    let url = resolve_url(&url).context("--to")?;
    let (place, counts) = block_on(async {
        let target = PgStorage::connect(&url).await?;
        let counts = copy::sqlite_to_postgres(from.clone(), &target).await?;
        Ok((crate::store::Storage::describe(&target), counts))
    })
    .with_context(|| format!("cannot migrate `{}`", from.display()))?;
    writeln!(
        out,
        "migrated {} into {place}: {} digest(s), {} digest state row(s), {} ledger row(s), {} posted briefing(s)",
        from.display(),
        counts.digests,
        counts.states,
        counts.deliveries,
        counts.posted
    )?;
    Ok(Outcome::Ok)
}
