//! `/briefbot status` and `/briefbot reload`, for admins only (Administrator permission or
//! `permissions.admin_user_ids`), checked here on every call and not only by Discord.

use crate::answer::UserError;
use crate::app::{self, Reload};
use crate::discord::reply::{answer, ephemeral, record, Target};
use crate::discord::state::{Ctx, Error};

/// Administration of briefbot
#[poise::command(
    slash_command,
    guild_only,
    subcommands("status", "reload"),
    subcommand_required,
    default_member_permissions = "ADMINISTRATOR"
)]
pub async fn briefbot(ctx: Ctx<'_>) -> Result<(), Error> {
    // Only a stale registration can call this without a subcommand; answer rather than time out.
    let pick = "Pick one of the subcommands: status, reload.";
    crate::discord::reply::answer(ctx, Err(crate::answer::UserError::new(pick))).await
}

fn is_admin(ctx: Ctx<'_>) -> bool {
    let poise::Context::Application(app) = ctx else {
        return false;
    };
    let admin_ids = &ctx.data().config().permissions.admin_user_ids;
    let has_permission = app
        .interaction
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.administrator());
    has_permission || admin_ids.contains(&app.interaction.user.id.get())
}

fn refuse() -> UserError {
    UserError("Only briefbot's admins can use this command.".into())
}

/// Version, uptime, briefings and gateway latency
#[poise::command(slash_command, guild_only)]
pub async fn status(ctx: Ctx<'_>) -> Result<(), Error> {
    if !is_admin(ctx) {
        return answer(ctx, Err(refuse())).await;
    }
    let data = ctx.data();
    let content = data.content();
    let config = data.config();
    let latency = {
        let manager = ctx.framework().shard_manager();
        let runners = manager.runners.lock().await;
        runners
            .get(&ctx.serenity_context().shard_id)
            .and_then(|r| r.latency)
    };
    if let Some(latency) = latency {
        crate::metrics::gateway_latency(latency.as_secs_f64());
    }
    let uptime = humantime::format_duration(std::time::Duration::from_secs(
        data.app.started.elapsed().as_secs(),
    ));
    let text = format!(
        "**briefbot {}**\nUptime: {uptime}\nBriefings: {} loaded, {} skipped\nDigests: {} ({} from the config file)\nGateway latency: {}",
        env!("CARGO_PKG_VERSION"),
        content.library.len(),
        content.report.skipped(),
        data.scheduler().len(),
        config.digests.len(),
        latency.map_or_else(|| "not measured yet".to_string(), |l| format!("{} ms", l.as_millis())),
    );
    let incident = |i: Option<crate::metrics::Incident>| {
        i.map_or_else(
            || "none".to_string(),
            |i| format!("<t:{}:R>: {}", i.at.timestamp(), i.what),
        )
    };
    let text = format!(
        "{text}\nLast gateway fault: {}\nLast failed delivery: {}",
        incident(crate::metrics::last_gateway_fault()),
        incident(crate::metrics::last_failed_delivery()),
    );
    answer(
        ctx,
        Ok(vec![ephemeral(
            crate::render::truncate(&text, 2000).into_owned(),
        )]),
    )
    .await
}

/// Reload the config and the briefings now
#[poise::command(slash_command, guild_only)]
pub async fn reload(ctx: Ctx<'_>) -> Result<(), Error> {
    if !is_admin(ctx) {
        return answer(ctx, Err(refuse())).await;
    }
    let target = Target::of(ctx)?;
    // Reading a large folder can take longer than Discord's 3 seconds.
    target.defer(ctx.data(), true).await?;
    let report = app::reload(&ctx.data().app, Reload::Everything, "/briefbot reload").await;
    let text = match report {
        Ok(summary) => format!("Reloaded. {summary}"),
        Err(refusal) => refusal,
    };
    target
        .edit_original(
            ctx.data(),
            vec![ephemeral(crate::render::truncate(&text, 2000).into_owned())],
        )
        .await?;
    record(ctx, "ok").await;
    Ok(())
}
