//! Digests as the scheduler sees them: one [`DigestSpec`] type whether the digest comes from a
//! `[[digest]]` in `config.toml` or from `/digest add` (a store row plus the `[schedule]`
//! defaults).

use crate::answer::Tag;
use crate::briefings::SectionKey;
use crate::config::{CatchUp, Config, DigestConfig, ScheduleConfig, WhenEmpty};
use crate::digests::schedule::{parse_timezone, Schedule, ScheduleError};
use crate::digests::Target;
use crate::store::{config_key, runtime_key, DigestRow};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// Where a digest is defined, which decides who may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestSource {
    /// A `[[digest]]` in `config.toml`: only the admin changes it (`/digest remove` explains).
    Config,
    /// Made with `/digest add`, stored in the database.
    Runtime {
        created_by: u64,
        created_at: DateTime<Utc>,
    },
}

/// Everything the scheduler needs to know about one digest.
#[derive(Debug, Clone)]
pub struct DigestSpec {
    /// Ledger key, stable across restarts: `cfg:NAME` or `g:GUILD:NAME` (lowercase name).
    pub key: String,
    pub name: String,
    pub source: DigestSource,
    /// The guild whose alert channel hears about failures; config digests may leave it out.
    pub guild_id: Option<u64>,
    pub channel_id: u64,
    /// Carries the digest's time zone; shared with every digest of the same schedule.
    pub schedule: Arc<Schedule>,
    /// Sections to show; empty means every section of each briefing.
    pub sections: Vec<SectionKey>,
    /// Empty means any briefing.
    pub tags: Vec<Tag>,
    pub max_briefings: usize,
    pub only_new: bool,
    pub when_empty: WhenEmpty,
    pub silent: bool,
    pub mention_role: Option<u64>,
    pub catch_up: CatchUp,
    pub grace: Duration,
    /// Paused digests are not fired; set from the store's state when the scheduler loads.
    pub paused: bool,
    /// The language its posts are in (a locale tag or a Discord locale); `None` follows the
    /// guild's locale.
    pub lang: Option<String>,
    /// Where its messages go; `channel_id` is the channel that holds them.
    pub target: Target,
}

impl DigestSpec {
    pub fn from_config(d: &DigestConfig) -> DigestSpec {
        DigestSpec {
            key: config_key(&d.name),
            name: d.name.clone(),
            source: DigestSource::Config,
            guild_id: d.guild_id,
            channel_id: d.channel_id,
            schedule: shared_schedule(d.schedule.expr(), d.schedule.timezone(), || {
                Ok(d.schedule.clone())
            })
            .expect("an already parsed schedule"),
            sections: d.sections.clone(),
            tags: Tag::all(d.tags.iter().map(String::as_str)),
            max_briefings: d.max_briefings,
            only_new: d.only_new,
            when_empty: d.when_empty,
            silent: d.silent,
            mention_role: d.mention_role,
            catch_up: d.catch_up,
            grace: d.grace,
            paused: false,
            lang: d.lang.clone(),
            target: d.target.clone(),
        }
    }

    /// Every `[[digest]]` of a config.
    pub fn all_from_config(config: &Config) -> Vec<DigestSpec> {
        config.digests.iter().map(DigestSpec::from_config).collect()
    }

    /// A runtime digest; catch-up and grace come from `[schedule]`. Fails only if the stored
    /// expression or zone no longer parses (e.g. a zone dropped from the tz database).
    pub fn from_row(
        row: &DigestRow,
        defaults: &ScheduleConfig,
    ) -> Result<DigestSpec, ScheduleError> {
        let d = &row.digest;
        let tz = parse_timezone(&d.timezone)?;
        Ok(DigestSpec {
            key: runtime_key(d.guild_id, &d.name),
            name: d.name.clone(),
            source: DigestSource::Runtime {
                created_by: d.created_by,
                created_at: row.created_at,
            },
            guild_id: Some(d.guild_id),
            channel_id: d.channel_id,
            schedule: shared_schedule(&d.schedule, tz, || Schedule::parse(&d.schedule, tz))?,
            sections: d.sections.iter().map(SectionKey::new).collect(),
            tags: Tag::all(d.tag.as_deref()),
            max_briefings: d.max_briefings,
            only_new: d.only_new,
            when_empty: d.when_empty,
            silent: d.silent,
            mention_role: d.mention_role,
            catch_up: defaults.catch_up,
            grace: defaults.grace,
            paused: row.paused,
            lang: d.lang.clone(),
            target: d.target.clone(),
        })
    }

    pub fn is_config(&self) -> bool {
        self.source == DigestSource::Config
    }

    /// True when `other` fires at the same times as `self`: an update that keeps the
    /// schedule keeps the digest's next fire time.
    pub fn same_schedule(&self, other: &DigestSpec) -> bool {
        self.schedule.expr() == other.schedule.expr()
            && self.schedule.timezone() == other.schedule.timezone()
    }
}

/// Parsed schedules by (expression, zone), shared by the digests that use them. A croner
/// `Cron` carries about 5 KB of bitfields (one byte per year up to 5000), so 100,000 digests
/// each holding a copy would take half a gigabyte; most digests share a handful of schedules.
/// Entries are weak: a schedule no digest uses any more is dropped.
type SchedulePool = HashMap<(String, Tz), Weak<Schedule>>;
static SCHEDULES: Mutex<Option<SchedulePool>> = Mutex::new(None);

fn shared_schedule(
    expr: &str,
    tz: Tz,
    parse: impl FnOnce() -> Result<Schedule, ScheduleError>,
) -> Result<Arc<Schedule>, ScheduleError> {
    let key = (expr.trim().to_string(), tz);
    let mut pool = SCHEDULES.lock().unwrap_or_else(|p| p.into_inner());
    let pool = pool.get_or_insert_with(HashMap::new);
    if let Some(shared) = pool.get(&key).and_then(Weak::upgrade) {
        return Ok(shared);
    }
    let schedule = Arc::new(parse()?);
    // Forget dead entries now and then, so the pool stays the size of what is in use.
    if pool.len() >= 1024 && pool.len().is_power_of_two() {
        pool.retain(|_, w| w.strong_count() > 0);
    }
    pool.insert(key, Arc::downgrade(&schedule));
    Ok(schedule)
}
