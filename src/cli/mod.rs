//! The command line: argument definitions and the subcommands `check`, `preview`,
//! `schedule`, `migrate` and `invite`. Each subcommand writes to stdout and reports problems through
//! `Outcome`; anything that stops it from running at all is an `anyhow::Error` (exit 2).

mod check;
mod check_feeds;
mod check_permissions;
mod invite;
mod log_writer;
mod migrate;
mod preview;
mod schedule;
mod store_info;

pub use log_writer::LogGuard;

use crate::briefings::{Library, LoadReport};
use crate::config::{self, Config};
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "briefbot",
    version,
    about = "A Discord bot that serves news briefings"
)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, value_enum, global = true, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `--config PATH`, shared by every subcommand.
#[derive(Debug, clap::Args)]
pub struct ConfigArg {
    /// Configuration file [default: $BRIEFBOT_CONFIG, else config.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// `briefbot check [--feeds]`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Also fetch every `[[feed]]` once and report on each (nothing is written).
    #[arg(long)]
    pub feeds: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot until SIGINT/SIGTERM.
    Run(ConfigArg),
    /// Validate the config and every briefing; exit 1 listing every problem.
    Check(CheckArgs),
    /// Print what the bot would post for a briefing.
    Preview(preview::PreviewArgs),
    /// Print the next fire times of every digest, in its time zone and in UTC.
    Schedule(schedule::ScheduleArgs),
    /// Copy an SQLite installation into an empty PostgreSQL database.
    Migrate(migrate::MigrateArgs),
    /// Print the URL that adds the bot to a server, with the permissions it needs and why.
    Invite(invite::InviteArgs),
}

/// How a subcommand that ran went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// It ran, and found problems it has printed (exit code 1).
    Problems,
}

/// Logs to stderr through a writer thread, so that logging never blocks the task that logs
/// (`log_writer`). Keep the guard until the end of `main`: dropping it writes what is left.
pub fn init_logging(format: LogFormat) -> LogGuard {
    use tracing_subscriber::prelude::*;
    // tungstenite's trace level dumps every websocket frame, the Identify with the token
    // included (as bytes): never below debug, whatever RUST_LOG says.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
        .add_directive("tungstenite=debug".parse().expect("a valid directive"));
    // serenity's info-level spans record whole gateway events, interaction tokens included, and
    // formatting them costs more than answering; its log events still come through.
    let no_serenity_spans = tracing_subscriber::filter::filter_fn(|meta| {
        !(meta.is_span() && meta.target().starts_with("serenity"))
    });
    let (writer, guard) = log_writer::stderr();
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(no_serenity_spans);
    match format {
        LogFormat::Text => registry.with(fmt).init(),
        LogFormat::Json => registry.with(fmt.json()).init(),
    }
    guard
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Run(args) => run_bot(&args),
        Command::Check(args) => check::run(&args, &mut out),
        Command::Preview(args) => preview::run(&args, &mut out),
        Command::Schedule(args) => schedule::run(&args, &mut out),
        Command::Migrate(args) => migrate::run(&args, &mut out),
        Command::Invite(args) => invite::run(&args, &mut out),
    }
}

/// `briefbot run`: reads the config and the token, then hands over to the Discord layer.
fn run_bot(args: &ConfigArg) -> anyhow::Result<Outcome> {
    let path = config::path_from_env_or(args.config.clone());
    let config = config::load(&path)?;
    let var = &config.discord.token_env;
    let token = std::env::var(var)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .with_context(|| format!("the bot token is missing: set the environment variable {var}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(crate::app::run(config, path, token.trim().to_string()))?;
    Ok(Outcome::Ok)
}

/// Reads and validates the config file named by `--config`, `BRIEFBOT_CONFIG` or the default.
fn load_config(arg: &ConfigArg) -> Result<Config, config::ConfigError> {
    config::load(&config::path_from_env_or(arg.config.clone()))
}

/// Loads the briefings folder the config names. Only an unreadable folder is fatal.
fn load_library(config: &Config) -> anyhow::Result<(Library, LoadReport)> {
    let dir = &config.briefings.dir;
    let links = crate::briefings::Symlinks::follow(config.briefings.follow_symlinks);
    Library::load(dir, &config.sections, &config.briefings.default_lang, links)
        .with_context(|| format!("cannot read briefings folder `{}`", dir.display()))
}
