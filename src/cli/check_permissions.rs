//! `briefbot check`'s look at Discord: whether the bot holds, in each config digest's channel and
//! each alert channel, what the digest's target (or an alert) needs. A lack is a warning, not a
//! problem: permissions change in Discord's settings, not in the config, and a deploy should
//! not wait on them. Asked only when the token is set; when Discord cannot be asked, one line
//! says so and why.

use crate::config::Config;
use crate::discord::permissions::{Missing, Probe};
use crate::discord::{Rest, RetryPolicy};
use crate::invite::ALERTS;
use crate::permissions::Permissions;
use anyhow::Context;
use std::io::Write;

/// A channel to look at: what uses it, and what that needs there.
struct Use {
    what: String,
    channel_id: u64,
    needs: Permissions,
}

/// Prints a warning per channel lacking something, then one summary line.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<()> {
    let digests = config.digests.iter().map(|d| Use {
        what: format!(
            "digest `{}` (target = \"{}\")",
            d.name,
            d.target.kind().as_str()
        ),
        channel_id: d.channel_id,
        needs: d.target.permissions(),
    });
    let alerts = config.guilds.iter().filter_map(|g| {
        Some(Use {
            what: format!("alert channel of guild {}", g.id),
            channel_id: g.alert_channel_id?,
            needs: ALERTS,
        })
    });
    let uses: Vec<Use> = digests.chain(alerts).collect();
    if uses.is_empty() {
        return Ok(());
    }
    let var = &config.discord.token_env;
    let Some(token) = std::env::var(var).ok().filter(|t| !t.trim().is_empty()) else {
        writeln!(out, "permissions: not checked ({var} is not set)")?;
        return Ok(());
    };
    let rest = Rest::new(&config.discord.api_base, token.trim())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut lines = Vec::new();
    let summary = runtime.block_on(async {
        let mut probe = Probe::new(&rest, RetryPolicy::INTERACTION);
        let mut warnings = 0;
        for (checked, u) in uses.iter().enumerate() {
            let channel = u.channel_id;
            match probe.check(channel, u.needs).await {
                Ok(()) => {}
                Err(Missing::Permissions { permissions, .. }) => {
                    warnings += 1;
                    lines.push(format!(
                        "warning: {}: the bot lacks {permissions} in channel {channel}",
                        u.what
                    ));
                }
                Err(Missing::Channel { .. }) => {
                    warnings += 1;
                    lines.push(format!(
                        "warning: {}: channel {channel} is not in a server the bot is in",
                        u.what
                    ));
                }
                Err(Missing::Unchecked(why)) if checked == 0 => {
                    return format!("permissions: not checked ({why})");
                }
                Err(Missing::Unchecked(why)) => {
                    return format!(
                        "permissions: {checked} channel(s) checked ({warnings} warning(s)), \
                         the rest not ({why})"
                    );
                }
            }
        }
        format!(
            "permissions: {} channel(s) checked ({warnings} warning(s))",
            uses.len()
        )
    });
    for line in lines {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{summary}")?;
    Ok(())
}
