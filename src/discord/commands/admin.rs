//! `/briefbot status` and `/briefbot reload`, for admins only (Administrator permission or
//! `permissions.admin_user_ids`), checked here on every call and not only by Discord.

use crate::answer::UserError;
use crate::app::{self, Reload};
use crate::discord::language::words;
use crate::discord::reply::{answer, ephemeral, record, Target};
use crate::discord::state::{Ctx, Error};
use crate::locales::Words;

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
    let pick = words(ctx).t("pick-one-of", &[("subcommands", "status, reload".into())]);
    answer(ctx, Err(UserError::new(pick))).await
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

fn refuse(words: &Words) -> UserError {
    UserError::new(words.text("admin-only"))
}

/// Version, uptime, briefings and gateway latency
#[poise::command(slash_command, guild_only)]
pub async fn status(ctx: Ctx<'_>) -> Result<(), Error> {
    let words = words(ctx);
    if !is_admin(ctx) {
        return answer(ctx, Err(refuse(&words))).await;
    }
    let data = ctx.data();
    let content = data.content();
    let config = data.config();
    let (runners, total) = {
        let manager = ctx.framework().shard_manager();
        let runners = manager.runners.lock().await;
        let mut runners: Vec<(u32, Option<std::time::Duration>)> =
            runners.iter().map(|(id, r)| (id.0, r.latency)).collect();
        runners.sort_unstable();
        (runners, ctx.serenity_context().cache.shard_count())
    };
    if let Some(latency) = runners.iter().find_map(|(_, l)| *l) {
        crate::metrics::gateway_latency(latency.as_secs_f64());
    }
    let uptime = humantime::format_duration(std::time::Duration::from_secs(
        data.app.started.elapsed().as_secs(),
    ));
    let shards: Vec<String> = runners
        .iter()
        .map(|(id, latency)| {
            let latency = latency.map_or_else(
                || words.text("status-not-measured"),
                |l| {
                    words.t(
                        "status-latency",
                        &[("ms", l.as_millis().to_string().into())],
                    )
                },
            );
            let id = ("id", id.to_string().into());
            words.t("status-shard", &[id, ("latency", latency.into())])
        })
        .collect();
    let incident = |i: Option<crate::metrics::Incident>| {
        i.map_or_else(
            || words.text("status-none"),
            |i| {
                let at = ("at", i.at.timestamp().to_string().into());
                words.t("status-incident", &[at, ("what", i.what.into())])
            },
        )
    };
    let feeds: Vec<String> = (data.app.feed_health().iter())
        .map(|h| crate::feeds::status_line(&words, h))
        .collect();
    let feeds = match feeds.is_empty() {
        true => words.text("status-none"),
        false => format!("\n- {}", feeds.join("\n- ")),
    };
    let text = words.t(
        "status",
        &[
            ("version", env!("CARGO_PKG_VERSION").into()),
            ("uptime", uptime.to_string().into()),
            ("loaded", content.library.len().into()),
            ("skipped", content.report.skipped().into()),
            ("digests", data.scheduler().len().into()),
            ("config_digests", config.digests.len().into()),
            ("shards", shards.join(", ").into()),
            ("total", total.to_string().into()),
            (
                "gateway_fault",
                incident(crate::metrics::last_gateway_fault()).into(),
            ),
            (
                "failed_delivery",
                incident(crate::metrics::last_failed_delivery()).into(),
            ),
            ("feeds", feeds.into()),
        ],
    );
    let text = match replicas(data, &words).await {
        Some(replicas) => format!("{text}\n{replicas}"),
        None => text,
    };
    answer(
        ctx,
        Ok(vec![ephemeral(
            crate::render::truncate(&text, 2000).into_owned(),
        )]),
    )
    .await
}

/// The live replicas, this one marked; `None` on SQLite (one process, nothing to list).
async fn replicas(data: &crate::discord::state::Data, words: &Words) -> Option<String> {
    data.config().storage.postgres.as_ref()?;
    let scheduler = data.scheduler();
    let live = match scheduler.live_replicas().await {
        Ok(live) => live,
        Err(e) => {
            return Some(words.t(
                "status-replicas-unknown",
                &[("error", e.to_string().into())],
            ))
        }
    };
    let now = chrono::Utc::now();
    let mut lines = vec![words.t(
        "status-replicas",
        &[("count", live.len().to_string().into())],
    )];
    for r in live {
        let this = if r.id == scheduler.replica_id() {
            words.text("status-replica-this")
        } else {
            String::new()
        };
        let age = (now - r.heartbeat_at).num_seconds().max(0);
        lines.push(words.t(
            "status-replica",
            &[
                ("id", r.id.into()),
                ("host", r.host.into()),
                ("shards", r.shards.into()),
                ("buckets", r.buckets.len().to_string().into()),
                ("age", age.to_string().into()),
                ("this", this.into()),
            ],
        ));
    }
    Some(lines.join("\n"))
}

/// Reload the config and the briefings now
#[poise::command(slash_command, guild_only)]
pub async fn reload(ctx: Ctx<'_>) -> Result<(), Error> {
    let words = words(ctx);
    if !is_admin(ctx) {
        return answer(ctx, Err(refuse(&words))).await;
    }
    let target = Target::of(ctx)?;
    // Reading a large folder can take longer than Discord's 3 seconds.
    target.defer(ctx.data(), true).await?;
    let report = app::reload(&ctx.data().app, Reload::Everything, "/briefbot reload").await;
    let text = match report {
        Ok(summary) => words.t("reloaded", &[("summary", summary.into())]),
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
