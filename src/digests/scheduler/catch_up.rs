//! What to do with fire times that passed unseen, as a pure decision.
//! At start these are the fires missed while the bot was down; while running, the fires that
//! came due during one sleep (normally one, several after a suspend or a clock jump).

use crate::config::CatchUp;
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// The lateness always tolerated for a fire that comes due while running, even with a
/// shorter `grace`: a busy moment must not turn a due fire into a missed one.
pub const MIN_RUNNING_GRACE: Duration = Duration::from_secs(60);

/// Fire times to deliver (oldest first) and fire times to record as missed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatchUpPlan {
    pub deliver: Vec<DateTime<Utc>>,
    pub missed: Vec<DateTime<Utc>>,
}

/// Splits `missed` fire times (in any order) by policy: `once` delivers only the latest and
/// only if it is younger than `grace`; `skip` delivers none; `all` delivers each one younger
/// than `grace`, oldest first. Everything not delivered is returned as missed.
pub fn catch_up_plan(
    policy: CatchUp,
    grace: Duration,
    missed: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> CatchUpPlan {
    let grace = TimeDelta::from_std(grace).unwrap_or(TimeDelta::MAX);
    let fresh = |fire: &DateTime<Utc>| now.signed_duration_since(*fire) < grace;
    let mut fires = missed.to_vec();
    fires.sort();
    fires.dedup();
    let mut plan = CatchUpPlan::default();
    let latest = fires.last().copied();
    for fire in fires {
        let deliver = match policy {
            CatchUp::Skip => false,
            CatchUp::Once => Some(fire) == latest && fresh(&fire),
            CatchUp::All => fresh(&fire),
        };
        if deliver {
            plan.deliver.push(fire);
        } else {
            plan.missed.push(fire);
        }
    }
    plan
}

/// The plan for fires that came due while running: the latest is the one due now and is sent
/// (if not later than `grace`, at least [`MIN_RUNNING_GRACE`]); earlier ones were skipped over
/// by a suspend or clock jump and follow the policy, `skip` acting as `once`.
pub fn due_plan(
    policy: CatchUp,
    grace: Duration,
    due: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> CatchUpPlan {
    let policy = match policy {
        CatchUp::All => CatchUp::All,
        CatchUp::Once | CatchUp::Skip => CatchUp::Once,
    };
    catch_up_plan(policy, grace.max(MIN_RUNNING_GRACE), due, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hhmm: &str) -> DateTime<Utc> {
        format!("2025-06-04T{hhmm}:00Z").parse().unwrap()
    }

    fn times(list: &[&str]) -> Vec<DateTime<Utc>> {
        list.iter().map(|t| at(t)).collect()
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn catch_up_policies() {
        use CatchUp::*;
        type Case<'a> = (
            CatchUp,
            Duration,
            &'a [&'a str],
            &'a str,
            &'a [&'a str],
            &'a [&'a str],
        );
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // policy, grace, missed, now, deliver, missed
            (Once, HOUR, &["08:00", "09:00", "10:00"], "10:30", &["10:00"], &["08:00", "09:00"]),
            (Once, HOUR, &["08:00", "09:00"], "10:30", &[], &["08:00", "09:00"]),
            // Exactly `grace` old is too old: younger than grace is the rule.
            (Once, HOUR, &["09:30"], "10:30", &[], &["09:30"]),
            (Once, HOUR, &["09:31"], "10:30", &["09:31"], &[]),
            (Once, HOUR, &[], "10:30", &[], &[]),
            (Skip, HOUR, &["10:00", "10:20"], "10:30", &[], &["10:00", "10:20"]),
            (All, HOUR, &["08:00", "09:40", "10:00", "10:20"], "10:30",
             &["09:40", "10:00", "10:20"], &["08:00"]),
            (All, Duration::ZERO, &["10:20"], "10:30", &[], &["10:20"]),
            // Order and duplicates of the input do not matter.
            (All, HOUR, &["10:20", "10:00", "10:20"], "10:30", &["10:00", "10:20"], &[]),
            (Once, HOUR, &["10:20", "10:00"], "10:30", &["10:20"], &["10:00"]),
        ];
        for (i, (policy, grace, missed, now, deliver, skipped)) in cases.iter().enumerate() {
            let plan = catch_up_plan(*policy, *grace, &times(missed), at(now));
            assert_eq!(plan.deliver, times(deliver), "case {i}: deliver");
            assert_eq!(plan.missed, times(skipped), "case {i}: missed");
        }
    }

    #[test]
    fn a_fire_due_while_running_is_sent_whatever_the_policy() {
        for policy in CatchUp::ALL {
            let plan = due_plan(policy, Duration::ZERO, &times(&["10:00"]), at("10:00"));
            assert_eq!(plan.deliver, times(&["10:00"]), "{policy:?}");
        }
        // After a suspend across three fires, `all` sends those within grace, others the latest.
        let due = times(&["08:00", "09:30", "10:00"]);
        let plan = due_plan(CatchUp::All, HOUR, &due, at("10:01"));
        assert_eq!(plan.deliver, times(&["09:30", "10:00"]));
        assert_eq!(plan.missed, times(&["08:00"]));
        let plan = due_plan(CatchUp::Skip, HOUR, &due, at("10:01"));
        assert_eq!(plan.deliver, times(&["10:00"]));
        assert_eq!(plan.missed, times(&["08:00", "09:30"]));
        // Too late even for the running tolerance: missed.
        let plan = due_plan(
            CatchUp::Once,
            Duration::ZERO,
            &times(&["10:00"]),
            at("10:02"),
        );
        assert_eq!(plan.missed, times(&["10:00"]));
    }
}
