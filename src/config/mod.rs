//! `config.toml`, read in two stages: `raw` holds what the admin typed (every table denies
//! unknown keys, every key is optional); `validate` (with `entries` for the list-like tables)
//! turns it into the typed [`Config`] the program uses, collecting every problem, so one
//! `briefbot check` lists them all; `report` words each as `file:line:col: reason`. The Discord
//! token is never in the file nor in [`Config`]: `discord.token_env` only names the environment
//! variable that holds it.

mod entries;
mod feeds;
mod raw;
mod report;
mod shards;
mod target;
mod validate;

#[cfg(test)]
mod feeds_tests;
#[cfg(test)]
mod schedule_targets_tests;
#[cfg(test)]
mod storage_tests;
#[cfg(test)]
mod target_tests;
#[cfg(test)]
mod tests;

use crate::briefings::{SectionCatalog, SectionKey};
use crate::digests::schedule::Schedule;
use crate::digests::TargetKind;
use crate::locales::Locales;
use chrono_tz::Tz;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use report::known_keys;
pub(crate) use report::problem_at;
pub use shards::Shards;

/// The file used when neither `--config` nor `BRIEFBOT_CONFIG` names one.
pub const DEFAULT_PATH: &str = "config.toml";
/// How many briefings one digest post may carry (`max_briefings`, also `/digest add|edit`).
pub const MAX_BRIEFINGS: std::ops::RangeInclusive<i64> = 1..=10;
pub const DEFAULT_MAX_BRIEFINGS: usize = 3;

/// The validated configuration. Relative paths are already resolved against the directory of
/// the config file, ids are checked, schedules parsed.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this was read from (as given, not canonicalized).
    pub source: PathBuf,
    pub discord: DiscordConfig,
    pub briefings: BriefingsConfig,
    pub storage: StorageConfig,
    pub permissions: PermissionsConfig,
    pub schedule: ScheduleConfig,
    /// Built-in sections plus the aliases and custom sections from `[sections]`.
    pub sections: SectionCatalog,
    pub guilds: Vec<GuildConfig>,
    pub digests: Vec<DigestConfig>,
    /// `None` when there is no `[ops]` table: no health or metrics endpoint is served.
    pub ops: Option<OpsConfig>,
    pub limits: LimitsConfig,
    /// The shipped languages with the `[locales] dir` files over them, loaded with the config
    /// so that a reload picks up their edits too.
    pub locales: Arc<Locales>,
    /// `[feeds]` and every `[[feed]]`.
    pub feeds: FeedsConfig,
}

impl Config {
    /// Per-guild settings, if the file has a `[[guild]]` entry for it.
    pub fn guild(&self, id: u64) -> Option<&GuildConfig> {
        self.guilds.iter().find(|g| g.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscordConfig {
    /// Name of the environment variable holding the bot token (not the token).
    pub token_env: String,
    /// Guilds to register commands in; empty means global registration.
    pub guild_ids: Vec<u64>,
    /// REST base URL without a trailing slash, e.g. `https://discord.com`.
    pub api_base: String,
    pub shards: Shards,
    /// The application's id (the Developer Portal's "Application ID"), so `briefbot invite`
    /// can print the invite URL without asking Discord; `None` asks with the token.
    pub application_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefingsConfig {
    pub dir: PathBuf,
    pub watch: bool,
    pub default_lang: String,
    /// Serve file links that lead outside `dir` (off: they are skipped and reported).
    pub follow_symlinks: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageConfig {
    /// The SQLite file (or `:memory:`), used when no PostgreSQL URL is configured.
    pub path: PathBuf,
    /// A PostgreSQL database instead of the SQLite file (`url` or `url_env`).
    pub postgres: Option<PostgresUrl>,
    /// How long a replica's claim on a delivery holds without renewal before another replica
    /// may take it over.
    pub claim_lease: Duration,
}

/// Where the PostgreSQL URL comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum PostgresUrl {
    /// `storage.url`, written in the file.
    Inline(String),
    /// `storage.url_env`: the environment variable that holds it, so no password is in the file.
    Env(String),
}

impl fmt::Debug for PostgresUrl {
    // The URL may carry a password: never in a debug print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostgresUrl::Inline(_) => f.write_str("Inline(..)"),
            PostgresUrl::Env(var) => write!(f, "Env({var:?})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionsConfig {
    pub moderator_role_ids: Vec<u64>,
    pub admin_user_ids: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleConfig {
    pub default_timezone: Tz,
    pub catch_up: CatchUp,
    pub grace: Duration,
    /// How long after a digest post a changed briefing still edits it; zero turns it off.
    pub edit_window: Duration,
    /// The targets moderators may choose with `/digest add` and `/digest edit`, in
    /// [`TargetKind::ALL`]'s order; never empty. `briefbot invite` asks only for what these
    /// (and the config's own digests) need.
    pub targets: Vec<TargetKind>,
}

/// What to deliver for fire times missed while the bot was down (within `grace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// Only the latest missed fire time.
    Once,
    Skip,
    /// Every missed fire time, oldest first.
    All,
}

impl CatchUp {
    pub const ALL: [CatchUp; 3] = [CatchUp::Once, CatchUp::Skip, CatchUp::All];

    pub fn as_str(self) -> &'static str {
        match self {
            CatchUp::Once => "once",
            CatchUp::Skip => "skip",
            CatchUp::All => "all",
        }
    }
}

/// What a digest does when no briefing matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenEmpty {
    Skip,
    /// Post a short "nothing new" message.
    Notice,
}

impl WhenEmpty {
    pub const ALL: [WhenEmpty; 2] = [WhenEmpty::Skip, WhenEmpty::Notice];

    pub fn as_str(self) -> &'static str {
        match self {
            WhenEmpty::Skip => "skip",
            WhenEmpty::Notice => "notice",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuildConfig {
    pub id: u64,
    /// Where alerts about this guild's digests (403/404, paused) are posted.
    pub alert_channel_id: Option<u64>,
}

/// A `[[digest]]` from the file; `catch_up`, `grace` and `timezone` already have the
/// `[schedule]` defaults applied.
#[derive(Debug, Clone)]
pub struct DigestConfig {
    pub name: String,
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    /// Parsed in `timezone`.
    pub schedule: Schedule,
    pub timezone: Tz,
    /// Sections to show; empty means every section of each briefing.
    pub sections: Vec<SectionKey>,
    /// Only briefings carrying one of these tags; empty means any.
    pub tags: Vec<String>,
    pub max_briefings: usize,
    pub only_new: bool,
    pub when_empty: WhenEmpty,
    pub silent: bool,
    pub mention_role: Option<u64>,
    pub catch_up: CatchUp,
    pub grace: Duration,
    /// The language its posts are in, as a tag there is a locale for; `None` follows the
    /// guild's locale.
    pub lang: Option<String>,
    /// Where its messages go. With an existing thread, `channel_id` is still the channel
    /// that holds it (its parent), as for every digest.
    pub target: crate::digests::Target,
}

/// What every feed shares, and the feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedsConfig {
    /// `<briefings dir>/feeds`: the folder the bot owns, one subfolder per feed.
    pub dir: PathBuf,
    /// For one whole fetch, connection to last byte.
    pub timeout: Duration,
    /// A body larger than this is refused while it streams in.
    pub max_bytes: usize,
    /// Items older than this (by date) are not kept.
    pub max_age: Duration,
    /// A feed failing for this long alerts the guilds' alert channels once.
    pub alert_after: Duration,
    pub list: Vec<FeedConfig>,
}

/// A `[[feed]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    /// Lower case; the folder and the middle of item ids (`feeds/<name>/<slug>`).
    pub name: String,
    pub url: String,
    pub poll: Duration,
    /// Added to each item's own categories.
    pub tags: Vec<String>,
    /// Overrides the item's and the feed's language.
    pub lang: Option<String>,
    pub max_items: usize,
    /// Where an item's text goes when its HTML has no heading the catalogue knows.
    pub section: SectionKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsConfig {
    /// Where `/healthz` and `/metrics` are served.
    pub listen: SocketAddr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitsConfig {
    /// Per-user cooldown on query commands; zero disables it.
    pub cooldown: Duration,
    pub max_query_len: usize,
    pub search_results: usize,
    pub page_size: usize,
}

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The io error is in the message and deliberately not a `source()`: printers that walk
    /// the chain (anyhow's `{:#}`) would otherwise repeat it on the one line `briefbot` prints.
    #[error("cannot read config file `{}`: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}", join_lines(problems))]
    Invalid { problems: Vec<Problem> },
}

impl ConfigError {
    /// Every problem found; empty for a read error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ConfigError::Read { .. } => &[],
            ConfigError::Invalid { problems } => problems,
        }
    }
}

fn join_lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One thing wrong with the file, displayed as `config.toml:12:5: message`. `line` and `col`
/// are 1-based; `col` counts characters, and points at the offending key or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, line, col) = (self.path.display(), self.line, self.col);
        write!(f, "{path}:{line}:{col}: {}", self.message)
    }
}

/// Reads, parses and validates the config file at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    parse(&text, path)
}

/// Parses and validates config text; `path` names the file in problems and is the base for
/// relative paths in it.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    // Editors on Windows like to add a BOM; toml does not accept one.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw = toml::from_str::<raw::RawConfig>(text).map_err(|e| ConfigError::Invalid {
        problems: vec![report::toml_problem(&e, text, path)],
    })?;
    validate::validate(raw, text, path).map_err(|problems| ConfigError::Invalid { problems })
}

/// The config file to use: the `--config` flag, else `BRIEFBOT_CONFIG`, else `config.toml`.
pub fn path_from_env_or(cli: Option<PathBuf>) -> PathBuf {
    choose_path(cli, std::env::var_os("BRIEFBOT_CONFIG"))
}

fn choose_path(cli: Option<PathBuf>, env: Option<std::ffi::OsString>) -> PathBuf {
    cli.or_else(|| env.filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PATH))
}
