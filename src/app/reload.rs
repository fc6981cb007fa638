//! The one way the running bot takes in edits: the briefings folder watcher, the config file
//! watcher and `/briefbot reload` all call [`reload`]. A broken edit is refused whole and the
//! running version kept; the answer says what changed, or why nothing did.

use super::App;
use crate::briefings::Content;
use std::sync::Arc;

/// What to read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reload {
    /// The briefings folder, with the running config.
    Briefings,
    /// The config file, then the briefings folder it names; the config's digests go to the
    /// scheduler.
    Everything,
}

/// Reloads, logs what changed with `trigger` (who asked), and returns the same account for an
/// admin; `Err` says why nothing was applied.
pub async fn reload(app: &App, what: Reload, trigger: &str) -> Result<String, String> {
    let result = match what {
        Reload::Briefings => reload_briefings(app).await,
        Reload::Everything => reload_everything(app).await,
    };
    match &result {
        Ok(summary) => tracing::info!(trigger, %summary, "reloaded"),
        Err(refusal) => tracing::warn!(trigger, %refusal, "reload not applied"),
    }
    result
}

async fn reload_briefings(app: &App) -> Result<String, String> {
    let old = app.content();
    let content = load_content(Arc::clone(&app.config()), Arc::clone(&old)).await?;
    let summary = content.changes_since(&old);
    app.set_content(content);
    app.request_corrections();
    Ok(summary)
}

async fn reload_everything(app: &App) -> Result<String, String> {
    let old_config = app.config();
    let path = app.config_path.clone();
    let loaded = tokio::task::spawn_blocking(move || crate::config::load(&path)).await;
    let config = match loaded {
        Ok(Ok(mut c)) => {
            crate::discord::resolve_digest_guilds(&app.rest, &mut c).await;
            Arc::new(c)
        }
        Ok(Err(e)) => {
            // These are admins: naming the config's lines is what they need, but not the
            // host's paths.
            let file = app
                .config_path
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            let problems = e
                .to_string()
                .replace(&app.config_path.display().to_string(), &file);
            return Err(format!(
                "Config not reloaded; still running the previous one.\n{problems}"
            ));
        }
        Err(e) => return Err(format!("Config not reloaded: {e}")),
    };
    super::log_locale_warnings(&config);
    let old = app.content();
    let content = load_content(Arc::clone(&config), Arc::clone(&old)).await?;
    let mut summary = content.changes_since(&old);
    if let Err(e) = app.scheduler().apply_config(&config).await {
        tracing::error!(error = %e, "digests from the new config not applied");
        summary
            .push_str("\nDigests not updated: the database could not be written (see the logs).");
    } else {
        summary.push_str(&format!("\n{} digest(s) scheduled.", app.scheduler().len()));
    }
    if config.discord != old_config.discord {
        summary.push_str("\nChanges to [discord] take effect after a restart.");
    }
    let warnings = config.locales.warnings().len();
    if warnings > 0 {
        summary.push_str(&format!(
            "\nLocales: {warnings} warning(s), such as missing keys said in English (see the logs \
             or `briefbot check`)."
        ));
    }
    app.set_config(Arc::clone(&config));
    app.set_content(content);
    app.request_corrections();
    // Every feed is polled at once: a reload is how an admin asks "read them now".
    if let Some(feeds) = app.feeds.get() {
        feeds.apply(&config);
    }
    Ok(summary)
}

/// Loads the briefings folder off the async threads; a file that broke keeps its last good
/// version.
async fn load_content(
    config: Arc<crate::config::Config>,
    previous: Arc<Content>,
) -> Result<Arc<Content>, String> {
    let loaded = tokio::task::spawn_blocking(move || Content::load(&config, Some(&previous))).await;
    match loaded {
        Ok(Ok(content)) => {
            content.log_problems();
            Ok(Arc::new(content))
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "briefings folder unreadable");
            Err(
                "Briefings not reloaded: the briefings folder cannot be read (see the logs)."
                    .into(),
            )
        }
        Err(e) => Err(format!("Briefings not reloaded: {e}")),
    }
}
