//! Stage two: raw values -> the typed [`Config`], with defaults applied. Every check runs and
//! records its problem, falling back to a stand-in so later checks still run (a bad time zone
//! does not hide a bad cron expression); a config is returned only when nothing failed.

use super::raw::{IdList, IntOrStr, RawConfig, RawDiscord, RawId, RawLocales, RawStorage, Text};
use super::report::{did_you_mean, line_col, problem_at, quoted_list};
use super::shards::MAX_SHARDS;
use super::*;
use crate::digests::schedule::parse_timezone;
use crate::locales::{is_lang_tag, LoadProblem, Locales};
use std::ops::{Range, RangeInclusive};
use toml::Spanned;

const TOKEN_ENV: &str = "DISCORD_TOKEN";
const API_BASE: &str = "https://discord.com";
const BRIEFINGS_DIR: &str = "briefings";
const DEFAULT_LANG: &str = "en";
const STORAGE_PATH: &str = "briefbot.db";
const GRACE: Duration = Duration::from_secs(60 * 60);
const EDIT_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
const CLAIM_LEASE: RangeInclusive<Duration> = Duration::from_secs(5)..=Duration::from_secs(120);
const LISTEN: &str = "127.0.0.1:9100";
const COOLDOWN: Duration = Duration::from_secs(3);
/// Discord's longest string option.
const QUERY_LEN: RangeInclusive<i64> = 1..=6000;
/// Discord's most fields in an embed and choices in an autocomplete.
const LIST_LEN: RangeInclusive<i64> = 1..=25;

pub(super) fn validate(raw: RawConfig, text: &str, path: &Path) -> Result<Config, Vec<Problem>> {
    let mut c = Checker {
        text,
        path,
        problems: Vec::new(),
        elsewhere: Vec::new(),
    };
    let base = path.parent().unwrap_or(Path::new(""));
    let discord = c.discord(&raw.discord);
    let briefings = BriefingsConfig {
        dir: c.path(raw.briefings.dir.as_ref(), "dir", BRIEFINGS_DIR, base),
        watch: raw.briefings.watch.unwrap_or(true),
        default_lang: c.lang(raw.briefings.default_lang.as_ref()),
        follow_symlinks: raw.briefings.follow_symlinks.unwrap_or(false),
    };
    let storage = c.storage(&raw.storage, base);
    let permissions = PermissionsConfig {
        moderator_role_ids: c.ids(raw.permissions.moderator_role_ids.as_ref()),
        admin_user_ids: c.ids(raw.permissions.admin_user_ids.as_ref()),
    };
    let s = &raw.schedule;
    let default_timezone = s.default_timezone.as_ref().and_then(|tz| c.timezone(tz));
    let catch_up = c.choice(s.catch_up.as_ref(), "catch_up");
    let grace = s.grace.as_ref().and_then(|g| c.duration(g));
    let edit_window = s.edit_window.as_ref().and_then(|g| c.duration(g));
    let targets = s.targets.as_ref().map(|t| c.targets(t));
    let schedule = ScheduleConfig {
        default_timezone: default_timezone.unwrap_or(Tz::UTC),
        catch_up: catch_up.unwrap_or(CatchUp::Once),
        grace: grace.unwrap_or(GRACE),
        edit_window: edit_window.unwrap_or(EDIT_WINDOW),
        targets: targets.unwrap_or_else(|| TargetKind::ALL.to_vec()),
    };
    let sections = c.sections(&raw.sections);
    let guilds = c.guilds(&raw.guild);
    let before = c.problems.len();
    let locales = c.locales(raw.locales.as_ref(), base);
    // Broken locale files are reported on their own, not again as every `lang` naming them.
    let loaded = c.problems.len() == before && c.elsewhere.is_empty();
    let known_langs = loaded.then_some(&*locales);
    let digests = c.digests(&raw.digest, &schedule, &sections, known_langs);
    let feeds = c.feeds(raw.feeds.as_ref(), &raw.feed, &briefings.dir, &sections);
    let ops = raw.ops.as_ref().map(|ops| OpsConfig {
        listen: c.listen(ops.listen.as_ref()),
    });
    let l = &raw.limits;
    let cooldown = l.cooldown.as_ref().and_then(|d| c.duration(d));
    let limits = LimitsConfig {
        cooldown: cooldown.unwrap_or(COOLDOWN),
        max_query_len: c.count(l.max_query_len.as_ref(), "max_query_len", QUERY_LEN, 200),
        search_results: c.count(l.search_results.as_ref(), "search_results", LIST_LEN, 5),
        page_size: c.count(l.page_size.as_ref(), "page_size", LIST_LEN, 10),
    };
    if !c.problems.is_empty() || !c.elsewhere.is_empty() {
        c.problems.sort_by_key(|p| (p.line, p.col));
        c.problems.append(&mut c.elsewhere);
        return Err(c.problems);
    }
    Ok(Config {
        source: path.to_path_buf(),
        discord,
        briefings,
        storage,
        permissions,
        schedule,
        sections,
        guilds,
        digests,
        ops,
        limits,
        locales,
        feeds,
    })
}

/// A setting whose value is one of a few words (`catch_up = "once"`).
pub(super) trait Choice: Copy + 'static {
    const OPTIONS: &'static [Self];
    fn word(self) -> &'static str;
}

impl Choice for CatchUp {
    const OPTIONS: &'static [Self] = &CatchUp::ALL;
    fn word(self) -> &'static str {
        self.as_str()
    }
}

impl Choice for WhenEmpty {
    const OPTIONS: &'static [Self] = &WhenEmpty::ALL;
    fn word(self) -> &'static str {
        self.as_str()
    }
}

/// Collects problems while building the typed config; `entries.rs` adds the checks of
/// `[sections]`, `[[guild]]` and `[[digest]]`.
pub(super) struct Checker<'a> {
    text: &'a str,
    path: &'a Path,
    problems: Vec<Problem>,
    /// Problems in the files the config names (locale files), listed after its own.
    elsewhere: Vec<Problem>,
}

impl Checker<'_> {
    pub(super) fn report(&mut self, span: &Range<usize>, message: String) {
        let problem = problem_at(self.path, self.text, span.start, message);
        self.problems.push(problem);
    }

    /// The line a span starts on, to say where something was first seen.
    pub(super) fn line_of(&self, span: &Range<usize>) -> usize {
        line_col(self.text, span.start).0
    }

    fn discord(&mut self, raw: &RawDiscord) -> DiscordConfig {
        let token_env = match &raw.token_env {
            Some(name) if !is_env_name(name.get_ref()) => {
                // Never echo the value: it may be the token itself, pasted in the wrong place.
                let message = "`token_env` names the environment variable that holds the token \
                               (letters, digits and `_`), not the token itself";
                self.report(&name.span(), message.to_string());
                TOKEN_ENV.to_string()
            }
            Some(name) => name.get_ref().clone(),
            None => TOKEN_ENV.to_string(),
        };
        let api_base = match &raw.api_base {
            Some(url) => match http_url(url.get_ref()) {
                Some(base) => base,
                None => {
                    let message = format!(
                        "`api_base` must be an http(s) URL such as `{API_BASE}`, found `{}`",
                        url.get_ref()
                    );
                    self.report(&url.span(), message);
                    API_BASE.to_string()
                }
            },
            None => API_BASE.to_string(),
        };
        let shards = match raw.shards.as_ref().map(|s| (s.span(), &s.get_ref().0)) {
            None => Shards::Auto,
            Some((_, IntOrStr::Int(n))) if (1..=i64::from(MAX_SHARDS)).contains(n) => {
                Shards::Count(*n as u32)
            }
            Some((span, IntOrStr::Str(s))) => Shards::parse(s).unwrap_or_else(|message| {
                self.report(&span, message);
                Shards::Auto
            }),
            Some((span, IntOrStr::Int(n))) => {
                let message = format!(
                    "`shards` must be \"auto\", a number of shards from 1 to {MAX_SHARDS} or a \
                     range such as \"0-3/8\", found {n}"
                );
                self.report(&span, message);
                Shards::Auto
            }
        };
        DiscordConfig {
            token_env,
            guild_ids: self.ids(raw.guild_ids.as_ref()),
            api_base,
            shards,
            application_id: raw.application_id.as_ref().and_then(|id| self.id(id)),
        }
    }

    /// A path relative to the config file's directory (`:memory:` is SQLite's, kept as is).
    /// `[storage]`: the SQLite `path`, or a PostgreSQL `url` / `url_env`, never two of them.
    fn storage(&mut self, raw: &RawStorage, base: &Path) -> StorageConfig {
        let path = self.path(raw.path.as_ref(), "path", STORAGE_PATH, base);
        let given: Vec<(&str, &Text)> = [
            ("path", &raw.path),
            ("url", &raw.url),
            ("url_env", &raw.url_env),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
        if let [(first, _), (second, at), ..] = given.as_slice() {
            let message = format!(
                "`{second}` and `{first}` are both set: the store is either an SQLite file \
                 (`path`) or a PostgreSQL database (`url` or `url_env`)"
            );
            self.report(&at.span(), message);
        }
        let postgres = match (&raw.url, &raw.url_env) {
            (Some(url), _) => {
                let u = url.get_ref();
                if !(u.starts_with("postgres://") || u.starts_with("postgresql://")) {
                    // Never echo it: it may hold a password.
                    let message = "`url` must be a PostgreSQL URL (`postgres://user@host/db`)";
                    self.report(&url.span(), message.to_string());
                }
                Some(PostgresUrl::Inline(u.clone()))
            }
            (None, Some(var)) => {
                if !is_env_name(var.get_ref()) {
                    let message = "`url_env` names the environment variable that holds the URL \
                                   (letters, digits and `_`), not the URL itself";
                    self.report(&var.span(), message.to_string());
                }
                Some(PostgresUrl::Env(var.get_ref().clone()))
            }
            (None, None) => None,
        };
        let claim_lease = raw.claim_lease.as_ref().and_then(|raw| {
            let lease = self.duration(raw)?;
            if CLAIM_LEASE.contains(&lease) {
                return Some(lease);
            }
            let message = "`claim_lease` must be between 5s and 2m: shorter than Discord's nonce \
                           window (a few minutes), so that a take-over's re-sends are deduplicated";
            self.report(&raw.span(), message.to_string());
            None
        });
        StorageConfig {
            path,
            postgres,
            claim_lease: claim_lease.unwrap_or(crate::store::DEFAULT_CLAIM_LEASE),
        }
    }

    fn path(&mut self, raw: Option<&Text>, key: &str, default: &str, base: &Path) -> PathBuf {
        let value = match raw {
            Some(p) if p.get_ref().trim().is_empty() => {
                self.report(&p.span(), format!("`{key}` must not be empty"));
                default
            }
            Some(p) => p.get_ref().as_str(),
            None => default,
        };
        match value {
            ":memory:" => PathBuf::from(value),
            _ => base.join(value),
        }
    }

    /// The shipped locales with the `[locales] dir` files over them. A problem in a file is
    /// reported at its own place; a problem with the folder, at `dir`.
    fn locales(&mut self, raw: Option<&RawLocales>, base: &Path) -> Arc<Locales> {
        let Some(dir) = raw.and_then(|l| l.dir.as_ref()) else {
            return Locales::shipped();
        };
        if dir.get_ref().trim().is_empty() {
            self.report(&dir.span(), "`dir` must not be empty".to_string());
            return Locales::shipped();
        }
        match Locales::load(Some(&base.join(dir.get_ref()))) {
            Ok(locales) => Arc::new(locales),
            Err(problems) => {
                for problem in problems {
                    match problem {
                        LoadProblem::Folder(message) => self.report(&dir.span(), message),
                        LoadProblem::File(problem) => self.elsewhere.push(problem),
                    }
                }
                Locales::shipped()
            }
        }
    }

    fn lang(&mut self, raw: Option<&Text>) -> String {
        let Some(lang) = raw else {
            return DEFAULT_LANG.to_string();
        };
        if !is_lang_tag(lang.get_ref()) {
            let message = format!(
                "`default_lang` must be a language code such as \"en\" or \"fr\", found `{}`",
                lang.get_ref()
            );
            self.report(&lang.span(), message);
        }
        lang.get_ref().clone()
    }

    pub(super) fn id(&mut self, raw: &Spanned<RawId>) -> Option<u64> {
        let problem = match &raw.get_ref().0 {
            IntOrStr::Int(n) if *n > 0 => return Some(*n as u64),
            IntOrStr::Int(n) => format!("invalid id `{n}`: Discord ids are positive"),
            IntOrStr::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                match s.parse::<u64>() {
                    Ok(n) if n > 0 && n <= i64::MAX as u64 => return Some(n),
                    Ok(0) => "invalid id `0`: Discord ids are positive".to_string(),
                    _ => "invalid id: larger than any Discord id (below 2^63)".to_string(),
                }
            }
            // The string is not echoed: it may be a token in the wrong place.
            IntOrStr::Str(_) => "invalid id: expected an integer or a string of digits".into(),
        };
        self.report(&raw.span(), problem);
        None
    }

    fn ids(&mut self, list: Option<&IdList>) -> Vec<u64> {
        let list = list.map_or(&[][..], |l| &l.0[..]);
        list.iter().filter_map(|id| self.id(id)).collect()
    }

    pub(super) fn duration(&mut self, raw: &Text) -> Option<Duration> {
        match humantime::parse_duration(raw.get_ref()) {
            Ok(d) => Some(d),
            Err(e) => {
                // humantime's other errors name a byte position, which the column already gives.
                let why = match e {
                    humantime::DurationError::UnknownUnit { .. } => format!(": {e}"),
                    _ => String::new(),
                };
                let message = format!(
                    "invalid duration `{}`{why}; write e.g. \"90s\", \"15m\" or \"1h\"",
                    raw.get_ref()
                );
                self.report(&raw.span(), message);
                None
            }
        }
    }

    /// An IANA zone; the schedule module's error already carries a "did you mean".
    pub(super) fn timezone(&mut self, raw: &Text) -> Option<Tz> {
        parse_timezone(raw.get_ref())
            .map_err(|e| self.report(&raw.span(), e.to_string()))
            .ok()
    }

    pub(super) fn choice<T: Choice>(&mut self, raw: Option<&Text>, key: &str) -> Option<T> {
        let raw = raw?;
        let value = raw.get_ref();
        if let Some(found) = T::OPTIONS.iter().find(|o| o.word() == value) {
            return Some(*found);
        }
        let names: Vec<&str> = T::OPTIONS.iter().map(|o| o.word()).collect();
        let mut message = format!(
            "`{key}` must be one of {}, found `{value}`",
            quoted_list(&names)
        );
        if let Some(best) = did_you_mean(value, names.iter().copied()) {
            message.push_str(&format!(" (did you mean `{best}`?)"));
        }
        self.report(&raw.span(), message);
        None
    }

    /// `[schedule] targets`: known target names, at least one (an empty list would leave
    /// `/digest add` nothing to offer, which is surely not what was meant).
    fn targets(&mut self, raw: &Spanned<Vec<Text>>) -> Vec<TargetKind> {
        let names: Vec<&str> = TargetKind::ALL.iter().map(|k| k.as_str()).collect();
        if raw.get_ref().is_empty() {
            let message = format!(
                "`targets` must name at least one of {}; to let moderators choose any, \
                 remove the key",
                quoted_list(&names)
            );
            self.report(&raw.span(), message);
        }
        let mut kinds = Vec::new();
        for name in raw.get_ref() {
            let value = name.get_ref();
            match TargetKind::ALL.into_iter().find(|k| k.as_str() == value) {
                Some(kind) => kinds.push(kind),
                None => {
                    let mut message = format!(
                        "`targets` names `{value}`, which is not a target: use {}",
                        quoted_list(&names)
                    );
                    if let Some(best) = did_you_mean(value, names.iter().copied()) {
                        message.push_str(&format!(" (did you mean `{best}`?)"));
                    }
                    self.report(&name.span(), message);
                }
            }
        }
        TargetKind::ALL
            .into_iter()
            .filter(|k| kinds.contains(k))
            .collect()
    }

    pub(super) fn count(
        &mut self,
        raw: Option<&Spanned<i64>>,
        key: &str,
        range: RangeInclusive<i64>,
        default: usize,
    ) -> usize {
        match raw {
            Some(n) if range.contains(n.get_ref()) => *n.get_ref() as usize,
            Some(n) => {
                let (lo, hi, found) = (range.start(), range.end(), n.get_ref());
                let message = format!("`{key}` must be between {lo} and {hi}, found {found}");
                self.report(&n.span(), message);
                default
            }
            None => default,
        }
    }

    fn listen(&mut self, raw: Option<&Text>) -> SocketAddr {
        let fallback = || LISTEN.parse().expect("the default listen address is valid");
        let Some(addr) = raw else {
            return fallback();
        };
        addr.get_ref().parse().unwrap_or_else(|_| {
            let message = format!(
                "invalid listen address `{}`: expected IP:port such as `{LISTEN}`",
                addr.get_ref()
            );
            self.report(&addr.span(), message);
            fallback()
        })
    }
}

fn is_env_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The URL without trailing slashes, if it is `http(s)://host…`.
fn http_url(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split('/').next().unwrap_or("");
    let ok = !host.is_empty() && !url.contains(char::is_whitespace);
    ok.then(|| url.trim_end_matches('/').to_string())
}
