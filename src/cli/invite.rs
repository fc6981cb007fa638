//! `briefbot invite`: the OAuth2 URL that adds the bot to a server with exactly the permissions
//! the configured features need, and why each is asked for. The application id comes from
//! `--application-id`, else `discord.application_id`, else Discord (with the token): no network
//! when the id is given.

use super::{load_config, ConfigArg, Outcome};
use crate::config::Config;
use crate::digests::TargetKind;
use crate::discord::{Rest, RetryPolicy};
use crate::invite::Invite;
use crate::permissions::Permissions;
use anyhow::Context;
use std::io::Write;

/// `briefbot invite [--application-id ID]`.
#[derive(Debug, clap::Args)]
pub struct InviteArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// The application's id (Developer Portal, General Information) [default:
    /// discord.application_id, else asked of Discord with the bot token]
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(u64).range(1..))]
    pub application_id: Option<u64>,
}

pub fn run(args: &InviteArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let config = load_config(&args.config)?;
    let application_id = match args.application_id.or(config.discord.application_id) {
        Some(id) => id,
        None => ask_discord(&config)?,
    };
    let invite = Invite::for_config(&config);
    writeln!(out, "{}", invite.url(application_id))?;
    writeln!(out)?;
    writeln!(
        out,
        "Open it, choose the server and authorize: the bot joins with these permissions."
    )?;
    for need in &invite.needs {
        writeln!(
            out,
            "  {} — {}. Needed by: {}.",
            need.permission,
            need.why,
            need.used_by.join(", ")
        )?;
    }
    writeln!(out, "{}", runtime_note(&config.schedule.targets))?;
    writeln!(
        out,
        "Member answers (slash commands) need no channel permission."
    )?;
    let mentions = Permissions::MENTION_EVERYONE;
    let by = if invite.mentioning.is_empty() {
        String::new()
    } else {
        format!(" ({})", invite.mentioning.join(", "))
    };
    writeln!(
        out,
        "Not asked: {mentions}. A digest's mention_role{by} pings only a role that allows \
         anyone to mention it (Server Settings, Roles), unless the server grants the bot this \
         permission in the digest's channel."
    )?;
    Ok(Outcome::Ok)
}

/// What `/digest add` may choose, so the admin knows why its targets' permissions are asked.
fn runtime_note(offered: &[TargetKind]) -> String {
    if offered.len() == TargetKind::ALL.len() {
        return "Digests made with /digest add may use any target (`[schedule] targets` does not \
                restrict them), so every target's permissions are asked for."
            .to_string();
    }
    let names: Vec<&str> = offered.iter().map(|k| k.as_str()).collect();
    format!(
        "Digests made with /digest add may use only {} (`[schedule] targets`), so only what \
         those need is asked for; other targets are refused.",
        names.join(", ")
    )
}

/// The application id, asked of Discord with the bot token.
fn ask_discord(config: &Config) -> anyhow::Result<u64> {
    let var = &config.discord.token_env;
    let token = std::env::var(var)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .with_context(|| {
            format!(
                "no application id: pass --application-id, set `discord.application_id` in {}, \
                 or set {var} to the bot token so it can be asked of Discord",
                config.source.display()
            )
        })?;
    let rest = Rest::new(&config.discord.api_base, token.trim())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(crate::discord::application_id(
        &rest,
        &config.discord,
        RetryPolicy::INTERACTION,
    ))
}
