//! The feed reader wired to the running bot: a poll that changed files reloads the briefings
//! (coalesced, so a hundred feeds changing at start-up cost a few reloads, not a hundred), and
//! a feed's failure or recovery is posted to every configured guild's alert channel, in the
//! briefings' default language (a feed serves every guild alike).

use super::{reload, App, Reload};
use crate::digests::scheduler::{PostError, Poster};
use crate::feeds::{FeedAlert, FeedEvents, FeedReader};
use crate::render::MessagePayload;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;

/// Files written close together are taken in by one reload.
const SETTLE: Duration = Duration::from_millis(250);
const ALERT_ATTEMPTS: u32 = 3;

struct Events {
    app: Weak<App>,
    changed: Arc<Notify>,
    poster: Arc<dyn Poster>,
}

/// Starts the reader on `app`'s config.
pub(super) fn start(app: &Arc<App>, poster: Arc<dyn Poster>) -> FeedReader {
    let changed = Arc::new(Notify::new());
    let weak = Arc::downgrade(app);
    let wake = Arc::clone(&changed);
    tokio::spawn(async move {
        loop {
            wake.notified().await;
            tokio::time::sleep(SETTLE).await;
            let Some(app) = weak.upgrade() else { return };
            let _ = reload(&app, Reload::Briefings, "feed items changed").await;
        }
    });
    let reader = FeedReader::new(Arc::new(Events {
        app: Arc::downgrade(app),
        changed,
        poster,
    }));
    reader.apply(&app.config());
    reader
}

#[async_trait::async_trait]
impl FeedEvents for Events {
    fn changed(&self) {
        self.changed.notify_one();
    }

    async fn alert(&self, alert: FeedAlert) -> bool {
        let Some(app) = self.app.upgrade() else {
            return false;
        };
        let config = app.config();
        let words = config
            .locales
            .words(&[Some(config.briefings.default_lang.as_str())]);
        let text = match &alert {
            FeedAlert::Failing { feed, since, error } => words.t(
                "alert-feed-failing",
                &[
                    ("name", feed.clone().into()),
                    ("since", since.timestamp().to_string().into()),
                    ("error", error.clone().into()),
                ],
            ),
            FeedAlert::Recovered { feed } => {
                words.t("alert-feed-recovered", &[("name", feed.clone().into())])
            }
        };
        let text = crate::render::truncate(&text, crate::render::limits::CONTENT).into_owned();
        let channels: Vec<u64> = config
            .guilds
            .iter()
            .filter_map(|g| g.alert_channel_id)
            .collect();
        if channels.is_empty() {
            tracing::warn!(?alert, "no alert channel configured for a feed alert");
            return true;
        }
        let mut delivered = false;
        for channel in channels {
            delivered |= self.post(channel, &text).await;
        }
        delivered
    }
}

impl Events {
    async fn post(&self, channel: u64, text: &str) -> bool {
        let payload = MessagePayload::with_content(text.to_string());
        for attempt in 1..=ALERT_ATTEMPTS {
            match self.poster.post(channel, &payload).await {
                Ok(_) => {
                    tracing::info!(alert_channel = channel, "feed alert posted");
                    return true;
                }
                Err(PostError::RateLimited { retry_after, .. }) => {
                    tokio::time::sleep(retry_after).await
                }
                Err(e @ (PostError::Server { .. } | PostError::Other(_))) => {
                    tracing::warn!(error = %e, attempt, "feed alert not posted; retrying");
                    tokio::time::sleep(Duration::from_secs(u64::from(attempt))).await
                }
                Err(e) => {
                    tracing::error!(alert_channel = channel, error = %e, "feed alert refused");
                    return false;
                }
            }
        }
        false
    }
}
