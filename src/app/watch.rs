//! Watches the briefings folder, the config file and the locales folder and reloads, debounced,
//! when something changed. Editors save in several steps (temp file, rename, chmod); waiting for a quiet
//! moment turns that burst into one reload.

use super::{reload, App, Reload};
use anyhow::Context as _;
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How long the folder must stay quiet before a reload.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Starts watching `dir`; `on_change` runs on the tokio runtime after each burst of changes.
/// The returned watcher must be kept alive for as long as watching should go on.
fn watch_folder<F, Fut>(dir: &Path, on_change: F) -> notify::Result<notify::RecommendedWatcher>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
            Ok(e) if e.kind.is_access() => {}
            Ok(_) => {
                let _ = tx.send(());
            }
            Err(error) => tracing::warn!(%error, "briefings folder watch error"),
        })?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Swallow the rest of the burst.
            loop {
                match tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            on_change().await;
        }
    });
    Ok(watcher)
}

/// Reloads the briefings when something in their folder changed.
pub(super) fn briefings(app: &Arc<App>) -> anyhow::Result<notify::RecommendedWatcher> {
    let dir = app.config().briefings.dir.clone();
    let app = Arc::clone(app);
    watch_folder(&dir, move || {
        let app = Arc::clone(&app);
        async move {
            let _ = reload(&app, Reload::Briefings, "briefings folder changed").await;
        }
    })
    .with_context(|| format!("cannot watch the briefings folder `{}`", dir.display()))
}

/// Watches the `[locales] dir` folder, if the config names one: an edit reloads the config
/// with it (a broken file keeps the running words and logs why).
pub(super) fn locales(app: &Arc<App>) -> anyhow::Result<Option<notify::RecommendedWatcher>> {
    let Some(dir) = app.config().locales.dir().map(Path::to_path_buf) else {
        return Ok(None);
    };
    let app = Arc::clone(app);
    let watcher = watch_folder(&dir, move || {
        let app = Arc::clone(&app);
        async move {
            let _ = reload(&app, Reload::Everything, "locales folder changed").await;
        }
    });
    let watcher =
        watcher.with_context(|| format!("cannot watch the locales folder `{}`", dir.display()))?;
    Ok(Some(watcher))
}

/// Watches the config file's folder: an edit reloads the config (digests included) and the
/// briefings; an invalid edit keeps the running config and logs why.
pub(super) fn config(app: &Arc<App>) -> anyhow::Result<notify::RecommendedWatcher> {
    let path = app.config_path.clone();
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let app = Arc::clone(app);
    let last = std::sync::Mutex::new(std::fs::read(&path).ok());
    watch_folder(&folder, move || {
        // The folder may hold the briefings or the database too: act only on a real edit.
        let current = std::fs::read(&app.config_path).ok();
        let changed = {
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            let changed = *last != current;
            *last = current;
            changed
        };
        let app = Arc::clone(&app);
        async move {
            if changed {
                let _ = reload(&app, Reload::Everything, "config file changed").await;
            }
        }
    })
    .with_context(|| format!("cannot watch the config folder `{}`", folder.display()))
}
