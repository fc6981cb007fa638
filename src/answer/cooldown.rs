//! A per-user cooldown shared by the query commands, so one member cannot flood a channel with
//! briefings. Memory stays bounded: entries older than the period are forgotten.

use crate::locales::Words;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Cooldowns {
    /// Milliseconds; changes with the config on reload.
    period_ms: AtomicU64,
    last: Mutex<HashMap<u64, Instant>>,
}

impl Cooldowns {
    /// A zero period disables the cooldown.
    pub fn new(period: Duration) -> Self {
        Cooldowns {
            period_ms: AtomicU64::new(period.as_millis() as u64),
            last: Mutex::new(HashMap::new()),
        }
    }

    pub fn set_period(&self, period: Duration) {
        self.period_ms
            .store(period.as_millis() as u64, Ordering::Relaxed);
    }

    /// Records a use by `user` at `now`, or says how long they must still wait.
    pub fn try_use(&self, user: u64, now: Instant) -> Result<(), Duration> {
        let period = Duration::from_millis(self.period_ms.load(Ordering::Relaxed));
        if period.is_zero() {
            return Ok(());
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&at) = last.get(&user) {
            let ready = at + period;
            if now < ready {
                return Err(ready - now);
            }
        }
        // Forget expired entries now and then, so a busy bot's map holds only recent users.
        if last.len() >= 4096 && last.len().is_power_of_two() {
            last.retain(|_, at| now.duration_since(*at) < period);
        }
        last.insert(user, now);
        Ok(())
    }
}

/// "try again in 3 s": whole seconds, rounded up, never 0.
pub fn wait_text(words: &Words, wait: Duration) -> String {
    let secs = wait.as_millis().div_ceil(1000).max(1) as usize;
    words.t("cooldown", &[("seconds", secs.into())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_waits_out_the_period_others_do_not() {
        let c = Cooldowns::new(Duration::from_secs(3));
        let t0 = Instant::now();
        assert!(c.try_use(1, t0).is_ok());
        assert!(c.try_use(2, t0).is_ok());
        let wait = c.try_use(1, t0 + Duration::from_millis(500)).unwrap_err();
        assert_eq!(wait, Duration::from_millis(2500));
        assert_eq!(
            wait_text(&Words::english(), wait),
            "You're going a bit fast. Try again in 3 s."
        );
        assert!(c.try_use(1, t0 + Duration::from_secs(3)).is_ok());
    }

    #[test]
    fn zero_disables_and_memory_stays_bounded() {
        let off = Cooldowns::new(Duration::ZERO);
        let t0 = Instant::now();
        assert!(off.try_use(1, t0).is_ok() && off.try_use(1, t0).is_ok());
        let c = Cooldowns::new(Duration::from_secs(1));
        for user in 0..10_000 {
            c.try_use(user, t0 + Duration::from_millis(user * 10))
                .unwrap();
        }
        assert!(c.last.lock().unwrap().len() < 5_000);
    }
}
