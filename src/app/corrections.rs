//! The corrections worker: after every reload (and at start, once the scheduler runs) it
//! edits the posted digests whose briefings changed, through the scheduler's `correct`. A pass
//! that could not reach Discord is tried again a little later; one a minute runs anyway, so a
//! missed wake-up costs a minute, not a correction.

use super::App;
use crate::digests::scheduler::Editor;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;

/// Edits written close together (a feed writing many files) are corrected in one pass.
const SETTLE: Duration = Duration::from_millis(300);
const SWEEP: Duration = Duration::from_secs(60);
const AFTER_FAILURE: Duration = Duration::from_secs(15);

pub(super) fn start(app: &Arc<App>, editor: Arc<dyn Editor>) -> Arc<Notify> {
    let wake = Arc::new(Notify::new());
    let app: Weak<App> = Arc::downgrade(app);
    let notified = Arc::clone(&wake);
    tokio::spawn(async move {
        let mut next = SWEEP;
        loop {
            tokio::select! {
                _ = notified.notified() => tokio::time::sleep(SETTLE).await,
                _ = tokio::time::sleep(next) => {}
            }
            let Some(app) = app.upgrade() else { return };
            let window = app.config().schedule.edit_window;
            next = match app.scheduler().correct(&*editor, window).await {
                Ok(done) if done.failed > 0 => AFTER_FAILURE,
                Ok(_) => SWEEP,
                Err(e) => {
                    tracing::warn!(error = %e, "corrections: the store could not be read");
                    AFTER_FAILURE
                }
            };
        }
    });
    wake
}
