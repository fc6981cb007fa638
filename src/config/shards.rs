//! `discord.shards`: which gateway shards this process runs. One process may run every shard
//! (`"auto"` or a count), or only a range of them, so several replicas share one bot:
//! `"0-3/8"` is shards 0, 1, 2 and 3 of 8, and `"5/8"` shard 5 alone.

use std::fmt;

/// The most shards a bot may ask for here; far beyond any bot Discord would recommend.
pub const MAX_SHARDS: u32 = u16::MAX as u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    /// As many as Discord recommends, all in this process.
    Auto,
    /// Shards `0..n` of `n`, all in this process.
    Count(u32),
    /// Shards `first..=last` of `total`; the others run elsewhere.
    Range { first: u32, last: u32, total: u32 },
}

impl Shards {
    /// Reads the string form: `"auto"`, `"first-last/total"` or `"id/total"`. The error says
    /// what is wrong, to be placed at the value's `file:line:col`.
    pub fn parse(text: &str) -> Result<Shards, String> {
        if text == "auto" {
            return Ok(Shards::Auto);
        }
        let garbage = || {
            format!(
                "`shards` must be \"auto\", a number of shards or a range of a total such as \
                 \"0-3/8\" (shards 0 to 3 of 8), found `{text}`"
            )
        };
        let number = |s: &str| s.trim().parse::<u32>().map_err(|_| garbage());
        let (ids, total) = text.split_once('/').ok_or_else(garbage)?;
        let (first, last) = match ids.split_once('-') {
            Some((first, last)) => (number(first)?, number(last)?),
            None => (number(ids)?, number(ids)?),
        };
        let total = number(total)?;
        if total == 0 || total > MAX_SHARDS {
            return Err(format!(
                "`shards` total must be between 1 and {MAX_SHARDS}, found {total} in `{text}`"
            ));
        }
        if first > last {
            return Err(format!(
                "`shards` range `{text}` starts after it ends: write the lower shard id first"
            ));
        }
        if last >= total {
            return Err(format!(
                "`shards` range `{text}` goes past the last shard: the ids of {total} shards run \
                 from 0 to {}",
                total - 1
            ));
        }
        Ok(Shards::Range { first, last, total })
    }

    /// The shard ids this process runs, when they are known before connecting.
    pub fn ids(self) -> Option<std::ops::RangeInclusive<u32>> {
        match self {
            Shards::Auto => None,
            Shards::Count(n) => Some(0..=n - 1),
            Shards::Range { first, last, .. } => Some(first..=last),
        }
    }

    /// How many processes the shard layout implies: a range of `total` suggests others run
    /// the rest, at least `ceil(total / range length)` of them. Before replicas have seen each
    /// other (they start together) this is the best guess of how many share the bot's rate.
    pub fn processes(self) -> u32 {
        match self {
            Shards::Auto | Shards::Count(_) => 1,
            Shards::Range { first, last, total } => total.div_ceil(last - first + 1),
        }
    }
}

impl fmt::Display for Shards {
    /// As written in the config.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shards::Auto => f.write_str("auto"),
            Shards::Count(n) => write!(f, "{n}"),
            Shards::Range { first, last, total } if first == last => write!(f, "{first}/{total}"),
            Shards::Range { first, last, total } => write!(f, "{first}-{last}/{total}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Shards;

    #[test]
    fn ranges_and_single_shards_of_a_total() {
        let range = |first, last, total| Ok(Shards::Range { first, last, total });
        assert_eq!(Shards::parse("auto"), Ok(Shards::Auto));
        assert_eq!(Shards::parse("0-3/8"), range(0, 3, 8));
        assert_eq!(Shards::parse("5/8"), range(5, 5, 8));
        assert_eq!(Shards::parse(" 2 - 3 / 4"), range(2, 3, 4));
        assert_eq!(Shards::parse("0-0/1"), range(0, 0, 1));
        assert_eq!(
            Shards::parse("7-7/8").map(|s| s.to_string()),
            Ok("7/8".into())
        );
        assert_eq!(Shards::parse("0-3/8").map(|s| s.ids()), Ok(Some(0..=3)));
        assert_eq!(Shards::Count(2).ids(), Some(0..=1));
    }

    #[test]
    fn a_range_implies_how_many_processes_share_the_bot() {
        let processes = |text: &str| Shards::parse(text).unwrap().processes();
        assert_eq!(processes("auto"), 1);
        assert_eq!(processes("0-0/3"), 3);
        assert_eq!(processes("0-3/8"), 2);
        assert_eq!(processes("6-7/8"), 4);
        assert_eq!(processes("0-2/8"), 3);
        assert_eq!(processes("0-7/8"), 1);
        assert_eq!(Shards::Count(4).processes(), 1);
    }

    #[test]
    fn each_mistake_is_named() {
        let err = |text: &str| Shards::parse(text).unwrap_err();
        assert!(
            err("3-1/8").contains("starts after it ends"),
            "{}",
            err("3-1/8")
        );
        assert!(err("0-8/8").contains("run from 0 to 7"), "{}", err("0-8/8"));
        assert!(err("8/8").contains("goes past the last shard"));
        assert!(err("0-0/0").contains("total must be between 1 and"));
        for garbage in [
            "", "Auto", "0-3", "a-b/8", "0-3/8/9", "-1/4", "0..3/8", "1-2-3/8",
        ] {
            assert!(
                err(garbage).contains("such as \"0-3/8\""),
                "{garbage}: {}",
                err(garbage)
            );
        }
    }
}
