//! Watches the briefings folder and calls back, debounced, when something in it changed.
//! Editors save in several steps (temp file, rename, chmod); waiting for a quiet moment turns
//! that burst into one reload.

use notify::{RecursiveMode, Watcher};
use std::path::Path;
use std::time::Duration;

/// How long the folder must stay quiet before a reload.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Starts watching `dir`; `on_change` runs on the tokio runtime after each burst of changes.
/// The returned watcher must be kept alive for as long as watching should go on.
pub fn watch_folder<F, Fut>(dir: &Path, on_change: F) -> notify::Result<notify::RecommendedWatcher>
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
