//! Snowflakes and timestamps shaped like Discord's, so code that reads an id's creation time or
//! parses a message timestamp sees real values rather than counters.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds from the Unix epoch to the first second of 2015, Discord's epoch.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

static INCREMENT: AtomicU64 = AtomicU64::new(0);

/// A fresh snowflake for now: its timestamp bits are real, the low bits a process-wide counter,
/// so ids are unique and sort by creation like Discord's.
pub fn snowflake() -> u64 {
    let ms = unix_ms(SystemTime::now()).saturating_sub(DISCORD_EPOCH_MS);
    (ms << 22) | (INCREMENT.fetch_add(1, Ordering::Relaxed) & 0x3F_FFFF)
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// RFC 3339 in the form Discord sends (`2024-05-01T12:00:00.000000+00:00`).
pub fn timestamp(t: SystemTime) -> String {
    let micros = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0);
    let secs = micros / 1_000_000;
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        micros % 1_000_000
    )
}

pub fn now_timestamp() -> String {
    timestamp(SystemTime::now())
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm), to avoid a
/// date crate for one conversion.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
