//! Digest schedules: when a cron expression fires, on the wall clock of an IANA time zone.
//!
//! croner matches the pattern against naive local times and this module turns each match into an
//! instant with chrono-tz, applying briefbot's DST rule: a local time that occurs twice fires once,
//! at the earlier instant; one that does not exist fires when the gap ends. croner's own zone
//! handling fires interval patterns (`0 * * * *`) in both halves of an overlap, hence doing it here.
//! Every answer is computed from the instant asked about, never from accumulated intervals.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};
use croner::errors::CronError;
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// What can be wrong with a digest's schedule; the text is shown to whoever wrote it.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum ScheduleError {
    #[error("invalid cron expression `{expr}`: {reason}")]
    InvalidCron { expr: String, reason: String },
    #[error("unknown time zone `{name}`{}", zone_hint(.suggestion))]
    UnknownTimeZone {
        name: String,
        suggestion: Option<String>,
    },
}

fn zone_hint(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(name) => format!(" (did you mean `{name}`?)"),
        None => "; use an IANA name such as `Europe/Paris`, or `UTC`".to_string(),
    }
}

const FORMS: &str = "expected 5 fields (minute hour day-of-month month day-of-week), \
                     6 with leading seconds, or one of @hourly @daily @weekly @monthly @yearly";
/// Name and valid values of each field of a 6-field expression; a 5-field one starts at minute.
const FIELDS: [(&str, &str); 6] = [
    ("second", "0-59"),
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day of month", "1-31"),
    ("month", "1-12 or JAN-DEC"),
    ("day of week", "0-7 or SUN-SAT (0 and 7 are Sunday)"),
];

/// A parsed cron expression and the time zone whose wall clock it follows.
#[derive(Debug, Clone)]
pub struct Schedule {
    expr: String,
    /// Shared between schedules with the same expression: croner keeps a bitfield of years up
    /// to 5000 (about 5 KB a pattern), which 100,000 digests would otherwise copy each.
    cron: Arc<Cron>,
    tz: Tz,
    /// False when no date matches (`0 0 30 2 *`): found once here, as croner takes milliseconds
    /// to give up and `next_after` would otherwise repeat that search on every call.
    fires: bool,
}

/// Parses `text`, or returns the pattern already parsed for it if one is still in use.
fn shared_cron(text: &str) -> Result<Arc<Cron>, CronError> {
    static PARSED: OnceLock<Mutex<HashMap<String, Weak<Cron>>>> = OnceLock::new();
    let mut parsed = PARSED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(cron) = parsed.get(text).and_then(Weak::upgrade) {
        return Ok(cron);
    }
    let cron = Arc::new(parser().parse(text)?);
    // Forget patterns nobody uses any more, so the map stays as small as the live set.
    if parsed.len() >= 1024 && parsed.len().is_power_of_two() {
        parsed.retain(|_, weak| weak.strong_count() > 0);
    }
    parsed.insert(text.to_string(), Arc::downgrade(&cron));
    Ok(cron)
}

impl Schedule {
    pub fn parse(expr: &str, tz: Tz) -> Result<Schedule, ScheduleError> {
        let invalid = |reason: String| ScheduleError::InvalidCron {
            expr: expr.to_string(),
            reason,
        };
        let text = expr.trim();
        let fields: Vec<&str> = text.split_whitespace().collect();
        let shorthand = text.starts_with('@');
        // croner's own messages for these cases name neither the count nor the valid forms.
        if !shorthand && !matches!(fields.len(), 5 | 6) {
            return Err(invalid(format!("{FORMS}; found {}", fields.len())));
        }
        let cron = shared_cron(text).map_err(|e| {
            let reason = if shorthand {
                format!("unknown shorthand; {FORMS}")
            } else {
                explain(&fields, e)
            };
            invalid(reason)
        })?;
        // Without a year field the calendar repeats every 400 years, well inside croner's search
        // horizon (year 5000), so one search settles whether the pattern ever fires.
        let fires = cron
            .find_next_occurrence(&DateTime::UNIX_EPOCH.naive_utc(), true)
            .is_ok();
        Ok(Schedule {
            expr: text.to_string(),
            cron,
            tz,
            fires,
        })
    }

    pub fn expr(&self) -> &str {
        &self.expr
    }

    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The first fire time strictly after `after`, or `None` if the pattern never matches
    /// (`0 0 30 2 *`) or only after croner's search horizon (year 5000).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !self.fires {
            return None;
        }
        // Fire times are whole seconds, so the sub-second part of `after` only matters below.
        let local = after
            .with_timezone(&self.tz)
            .naive_local()
            .with_nanosecond(0)?;
        let (mut from, mut inclusive) = match self.tz.from_local_datetime(&local) {
            // `after` is in the repeat of an overlap: its wall-clock times all fired in the first
            // pass, so resume where the repeated range ends.
            LocalResult::Ambiguous(earlier, later) if later.to_utc() <= after => {
                let back = self.transition(earlier.to_utc(), later.to_utc());
                (back.naive_utc() + earlier.offset().fix(), true)
            }
            _ => (local, false),
        };
        // With the overlap handled above, the first match already maps past `after`; the loop
        // only guards against transitions stranger than chrono-tz's zones have.
        loop {
            let found = self.cron.find_next_occurrence(&from, inclusive).ok()?;
            let fire = self.instant(found);
            if fire > after {
                return Some(fire);
            }
            (from, inclusive) = (found, false);
        }
    }

    pub fn upcoming(&self, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        self.fires_from(after).take(n).collect()
    }

    /// Fire times in (from, to], oldest first, at most `limit` (catch-up after downtime).
    pub fn fires_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Vec<DateTime<Utc>> {
        self.fires_from(from)
            .take_while(|&t| t <= to)
            .take(limit)
            .collect()
    }

    fn fires_from(&self, after: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        std::iter::successors(self.next_after(after), |&t| self.next_after(t))
    }

    /// The instant a matched wall-clock time stands for, by the DST rule.
    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.to_utc(),
            LocalResult::None => {
                // Read with the offsets on either side of the gap, `local` gives one instant
                // before the transition and one after; the first guess reads `local` as UTC,
                // which lies within a day of the gap.
                let a = local - self.offset_at(local);
                let b = local - self.offset_at(a);
                self.transition(a.min(b).and_utc(), a.max(b).and_utc())
            }
        }
    }

    fn offset_at(&self, utc: NaiveDateTime) -> chrono::FixedOffset {
        self.tz.offset_from_utc_datetime(&utc).fix()
    }

    /// The first instant in (lo, hi] with `hi`'s UTC offset: the zone's transition between them.
    /// Binary search, as chrono-tz does not expose its transition table.
    fn transition(&self, mut lo: DateTime<Utc>, mut hi: DateTime<Utc>) -> DateTime<Utc> {
        let target = self.offset_at(hi.naive_utc());
        while hi - lo > TimeDelta::seconds(1) {
            let mid = lo + TimeDelta::seconds((hi - lo).num_seconds() / 2);
            if self.offset_at(mid.naive_utc()) == target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }
}

fn parser() -> CronParser {
    CronParser::builder()
        .seconds(Seconds::Optional)
        .year(Year::Disallowed)
        .build()
}

/// croner's field errors ("Number out of bounds.") do not say which field; find it by parsing
/// each field alone, and name it with its valid values.
fn explain(fields: &[&str], err: CronError) -> String {
    let detail = match &err {
        CronError::ComponentError(msg) | CronError::IllegalCharacters(msg) => msg.clone(),
        other => return other.to_string(),
    };
    let skip = FIELDS.len() - fields.len();
    for (i, field) in fields.iter().enumerate() {
        let mut probe = ["*"; 6];
        probe[i + skip] = field;
        if parser().parse(&probe.join(" ")).is_ok() {
            continue;
        }
        let (name, valid) = FIELDS[i + skip];
        return if detail.contains("out of bounds") {
            format!("{name} `{field}` is out of range {valid}")
        } else {
            format!("{name} `{field}` is not valid ({detail}); {name} takes {valid}")
        };
    }
    detail
}

/// An IANA zone name, matched exactly or ignoring case; otherwise the error suggests the nearest.
pub fn parse_timezone(name: &str) -> Result<Tz, ScheduleError> {
    let name = name.trim();
    if let Ok(tz) = name.parse::<Tz>() {
        return Ok(tz);
    }
    if let Some(tz) = TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(name))
    {
        return Ok(*tz);
    }
    Err(ScheduleError::UnknownTimeZone {
        name: name.to_string(),
        suggestion: closest_zone(name),
    })
}

/// The zone name close enough to `name` to be what was meant. A bare city ("new york") is
/// compared with the last part of each name.
fn closest_zone(name: &str) -> Option<String> {
    let wanted = name.to_lowercase().replace(' ', "_");
    let score = |tz: &Tz| {
        let full = tz.name().to_lowercase();
        let key = if wanted.contains('/') {
            full.as_str()
        } else {
            full.rsplit('/').next().unwrap_or_default()
        };
        // The distance is at least the difference in length: a far longer or shorter name
        // cannot score 0.6, so skip the quadratic comparison (a pasted paragraph costs nothing).
        let (a, b) = (wanted.chars().count(), key.chars().count());
        if a.abs_diff(b) * 10 > a.max(b) * 4 {
            return 0.0;
        }
        strsim::normalized_damerau_levenshtein(&wanted, key)
    };
    TZ_VARIANTS
        .iter()
        .map(|tz| (score(tz), tz.name()))
        .filter(|(s, _)| *s >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NEW_YORK: &str = "America/New_York";
    const LORD_HOWE: &str = "Australia/Lord_Howe";

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn sched(expr: &str, zone: &str) -> Schedule {
        Schedule::parse(expr, zone.parse().unwrap()).unwrap()
    }

    #[test]
    fn spring_forward_gap_fires_once_when_the_gap_ends() {
        let s = sched("30 2 * * *", NEW_YORK);
        let fire = at("2025-03-09T07:00:00Z"); // 03:00 EDT
        assert_eq!(s.next_after(at("2025-03-08T12:00:00Z")), Some(fire));
        let day = s.fires_between(at("2025-03-09T04:00:00Z"), at("2025-03-10T04:00:00Z"), 10);
        assert_eq!(day, [fire]);
    }

    #[test]
    fn fall_back_overlap_fires_once_at_the_earlier_instant() {
        let s = sched("30 1 * * *", NEW_YORK);
        let night = s.fires_between(at("2025-11-02T04:00:00Z"), at("2025-11-03T04:00:00Z"), 10);
        // 01:30 EDT, not 01:30 EST.
        assert_eq!(night, [at("2025-11-02T05:30:00Z")]);
        // Asked from inside the repeated hour, the next fire is the next day's.
        let next = s.next_after(at("2025-11-02T06:00:00Z"));
        assert_eq!(next, Some(at("2025-11-03T06:30:00Z")));
    }

    #[test]
    fn nights_with_a_clock_change() {
        // Expected fires are UTC times of day on the date `to` names.
        #[rustfmt::skip]
        let cases = [
            // 02:00 EDT does not exist and merges with 03:00.
            ("0 * * * *", NEW_YORK, "2025-03-09T04:00:00Z", "2025-03-09T09:00:00Z",
             &["05:00", "06:00", "07:00", "08:00", "09:00"][..]),
            // 01:00 EST (06:00Z) repeats 01:00 EDT.
            ("0 * * * *", NEW_YORK, "2025-11-02T03:00:00Z", "2025-11-02T09:00:00Z",
             &["04:00", "05:00", "07:00", "08:00", "09:00"]),
            // 02:00, 02:30 and 03:00 EDT are one instant.
            ("*/30 * * * *", NEW_YORK, "2025-03-09T06:00:00Z", "2025-03-09T08:00:00Z",
             &["06:30", "07:00", "07:30", "08:00"]),
            // Lord Howe moves 30 minutes: 02:00-02:30 is skipped on 5 October...
            ("15 2 * * *", LORD_HOWE, "2025-10-04T00:00:00Z", "2025-10-04T23:00:00Z", &["15:30"]),
            // ...and 01:30-02:00 repeats on 6 April.
            ("45 1 * * *", LORD_HOWE, "2025-04-05T00:00:00Z", "2025-04-05T23:00:00Z", &["14:45"]),
            ("*/15 * * * *", LORD_HOWE, "2025-04-05T14:30:00Z", "2025-04-05T16:00:00Z",
             &["14:45", "15:30", "15:45", "16:00"]),
            // Samoa skipped 30 December 2011 altogether.
            ("0 8 * * *", "Pacific/Apia", "2011-12-29T19:00:00Z", "2011-12-30T23:00:00Z",
             &["10:00", "18:00"]),
        ];
        for (expr, zone, from, to, want) in cases {
            let day = &to[..11];
            let want: Vec<_> = want.iter().map(|t| at(&format!("{day}{t}:00Z"))).collect();
            let got = sched(expr, zone).fires_between(at(from), at(to), 20);
            assert_eq!(got, want, "{expr} in {zone}");
        }
    }

    #[test]
    fn next_fire_times() {
        #[rustfmt::skip]
        let cases = [
            ("0 0 * * *", "Asia/Kolkata", "2025-06-01T00:00:00Z", "2025-06-01T18:30:00Z"),
            ("59 23 * * *", "Asia/Kolkata", "2025-06-01T00:00:00Z", "2025-06-01T18:29:00Z"),
            ("0 0 * * *", "Pacific/Chatham", "2025-06-01T00:00:00Z", "2025-06-01T11:15:00Z"),
            ("59 23 * * *", "Pacific/Chatham", "2025-06-01T00:00:00Z", "2025-06-01T11:14:00Z"),
            ("0 0 * * *", "Pacific/Chatham", "2025-01-15T00:00:00Z", "2025-01-15T10:15:00Z"),
            ("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z"),
            // Friday 6 June to Monday 9 June.
            ("0 8 * * MON-FRI", "Africa/Bamako", "2025-06-06T09:00:00Z", "2025-06-09T08:00:00Z"),
            ("*/5 * * * * *", "UTC", "2025-06-04T10:00:02Z", "2025-06-04T10:00:05Z"),
            // From Wednesday 4 June 2025.
            ("@hourly", "UTC", "2025-06-04T10:20:00Z", "2025-06-04T11:00:00Z"),
            ("@daily", "UTC", "2025-06-04T10:20:00Z", "2025-06-05T00:00:00Z"),
            ("@weekly", "UTC", "2025-06-04T10:20:00Z", "2025-06-08T00:00:00Z"),
            ("@MONTHLY", "UTC", "2025-06-04T10:20:00Z", "2025-07-01T00:00:00Z"),
            ("@yearly", "UTC", "2025-06-04T10:20:00Z", "2026-01-01T00:00:00Z"),
            // Day of month and day of week both given: either matches, as in standard cron...
            ("0 0 13 * FRI", "UTC", "2025-06-01T00:00:00Z", "2025-06-06T00:00:00Z"),
            // ...unless `+` asks for both.
            ("0 0 13 * +FRI", "UTC", "2025-06-14T00:00:00Z", "2026-02-13T00:00:00Z"),
        ];
        for (expr, zone, after, want) in cases {
            let got = sched(expr, zone).next_after(at(after));
            assert_eq!(got, Some(at(want)), "{expr} in {zone} after {after}");
        }
    }

    #[test]
    fn month_ends_skip_short_months() {
        let got = sched("0 12 31 * *", "UTC").upcoming(at("2025-04-01T00:00:00Z"), 4);
        let want = ["2025-05-31", "2025-07-31", "2025-08-31", "2025-10-31"];
        assert_eq!(got, want.map(|d| at(&format!("{d}T12:00:00Z"))));
    }

    #[test]
    fn weekday_numbers_and_names_agree() {
        let after = at("2025-06-04T10:00:00Z");
        let same = [
            ("0 8 * * 1-5", "0 8 * * MON-FRI"),
            ("0 8 * * 0", "0 8 * * 7"),
            ("0 8 * * 7", "0 8 * * sun"),
            ("@weekly", "0 0 * * 0"),
            ("0 0 1 JAN-MAR *", "0 0 1 1-3 *"),
        ];
        for (a, b) in same {
            let (a_fires, b_fires) = (sched(a, "UTC"), sched(b, "UTC"));
            assert_eq!(
                a_fires.upcoming(after, 30),
                b_fires.upcoming(after, 30),
                "{a} vs {b}"
            );
        }
    }

    #[test]
    fn next_after_is_strictly_after() {
        for expr in ["0 * * * *", "*/5 * * * * *", "30 2 * * *", "@weekly"] {
            let s = sched(expr, NEW_YORK);
            let fire = s.next_after(at("2025-03-08T12:00:00Z")).unwrap();
            let following = s.next_after(fire).unwrap();
            assert!(following > fire, "{expr}");
            assert_eq!(
                s.next_after(fire - TimeDelta::nanoseconds(1)),
                Some(fire),
                "{expr}"
            );
        }
    }

    #[test]
    fn fires_between_is_half_open_ordered_and_limited() {
        let s = sched("0 * * * *", "UTC");
        let (ten, one) = (at("2025-06-04T10:00:00Z"), at("2025-06-04T13:00:00Z"));
        let hours = |hs: &[u32]| -> Vec<_> {
            hs.iter()
                .map(|h| at(&format!("2025-06-04T{h}:00:00Z")))
                .collect()
        };
        assert_eq!(s.fires_between(ten, one, 10), hours(&[11, 12, 13]));
        assert_eq!(s.fires_between(ten, one, 2), hours(&[11, 12]));
        let just_before = ten - TimeDelta::milliseconds(1);
        assert_eq!(s.fires_between(just_before, ten, 10), hours(&[10]));
        assert!(s.fires_between(ten, ten, 10).is_empty());
        assert!(s.fires_between(one, ten, 10).is_empty());
    }

    #[test]
    fn a_pattern_that_never_matches_has_no_fires() {
        let s = sched("0 0 30 2 *", "UTC");
        assert_eq!(s.next_after(at("2025-01-01T00:00:00Z")), None);
        assert!(s.upcoming(at("2025-01-01T00:00:00Z"), 3).is_empty());
    }

    #[test]
    fn keeps_what_it_was_given() {
        let s = sched("0 8 * * MON-FRI", NEW_YORK);
        assert_eq!(
            (s.expr(), s.timezone()),
            ("0 8 * * MON-FRI", chrono_tz::America::New_York)
        );
    }

    #[test]
    fn bad_expressions_say_what_is_wrong() {
        let cases = [
            ("", "found 0"),
            ("* * *", "found 3"),
            ("0 0 0 * * * 2025", "found 7"),
            ("* * * * * * * *", "found 8"),
            ("0 25 * * *", "hour `25` is out of range 0-23"),
            ("61 * * * *", "minute `61` is out of range 0-59"),
            ("0 0 * 13 *", "month `13` is out of range 1-12 or JAN-DEC"),
            ("0 0 * * FOO", "day of week `FOO` is not valid"),
            ("*/0 * * * *", "Step cannot be zero"),
            ("@fortnightly", "unknown shorthand; expected 5 fields"),
        ];
        for (expr, want) in cases {
            let err = Schedule::parse(expr, Tz::UTC).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("invalid cron expression `{expr}`: ")),
                "{err}"
            );
            assert!(err.contains(want), "{expr}: {err}");
        }
    }

    #[test]
    fn time_zones_by_name() {
        let ny = chrono_tz::America::New_York;
        for (name, want) in [
            (NEW_YORK, ny),
            ("america/new_york", ny),
            ("UTC", Tz::UTC),
            ("utc", Tz::UTC),
        ] {
            assert_eq!(parse_timezone(name), Ok(want), "{name}");
        }
        #[rustfmt::skip]
        let cases = [
            ("America/New_Yrok", "unknown time zone `America/New_Yrok` (did you mean `America/New_York`?)"),
            ("new york", "unknown time zone `new york` (did you mean `America/New_York`?)"),
            ("Mars/Olympus", "unknown time zone `Mars/Olympus`; use an IANA name such as `Europe/Paris`, or `UTC`"),
        ];
        for (name, want) in cases {
            assert_eq!(parse_timezone(name).unwrap_err().to_string(), want);
        }
    }

    #[rustfmt::skip]
    const EXPRS: [&str; 9] = [
        "30 2 * * *", "30 1 * * *", "0 * * * *", "*/20 1-3 * * *", "15,45 1,2 * * SUN",
        "0 0 L * *", "*/10 * * * * *", "@weekly", "0 8 * * MON-FRI",
    ];
    #[rustfmt::skip]
    const ZONES: [&str; 7] = [
        NEW_YORK, LORD_HOWE, "Europe/London", "Asia/Kolkata", "Pacific/Chatham", "Pacific/Apia",
        "UTC",
    ];
    /// Clock changes in the zones above, so that some cases start near one.
    #[rustfmt::skip]
    const CHANGES: [&str; 6] = [
        "2025-03-09T07:00:00Z", "2025-11-02T06:00:00Z", "2025-10-04T15:30:00Z",
        "2025-04-05T15:00:00Z", "2025-03-30T01:00:00Z", "2011-12-30T10:00:00Z",
    ];

    fn instants() -> impl Strategy<Value = DateTime<Utc>> {
        let any =
            (946_684_800i64..2_208_988_800).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap());
        let near_change = (0..CHANGES.len(), -4 * 3600i64..4 * 3600)
            .prop_map(|(i, s)| at(CHANGES[i]) + TimeDelta::seconds(s));
        prop_oneof![any, near_change]
    }

    proptest! {
        #[test]
        fn next_fire_follows_the_dst_rule(
            t in instants(), e in 0..EXPRS.len(), z in 0..ZONES.len(), frac in 0.0..1.0f64,
        ) {
            let s = sched(EXPRS[e], ZONES[z]);
            let next = s.next_after(t).unwrap();
            prop_assert!(next > t);
            prop_assert_eq!(next.timestamp_subsec_nanos(), 0);
            let local = next.with_timezone(&s.tz).naive_local();
            if s.cron.is_time_matching(&local).unwrap() {
                // A repeated wall-clock time fires at its first instant only.
                if let LocalResult::Ambiguous(earlier, _) = s.tz.from_local_datetime(&local) {
                    prop_assert_eq!(earlier.to_utc(), next);
                }
            } else {
                // Otherwise the fire stands in for a skipped time: the clock changed right then.
                let before = next - TimeDelta::seconds(1);
                prop_assert_ne!(s.offset_at(before.naive_utc()), s.offset_at(next.naive_utc()));
            }
            // Nothing fires in between: asking from any later point finds the same fire.
            let between = t + TimeDelta::milliseconds(((next - t).num_milliseconds() as f64 * frac) as i64);
            prop_assert_eq!(s.next_after(between), Some(next));
        }
    }
}
