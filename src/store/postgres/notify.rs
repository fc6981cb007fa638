//! Change notifications between replicas: `pg_notify` on one channel, and one dedicated
//! connection per process that LISTENs and forwards every payload (a digest key) to a
//! broadcast channel. The listener reconnects with backoff after a loss; notifications sent
//! while it was away are lost: after a reconnect subscribers hear an empty key, meaning "reload
//! everything", and should also reload periodically.

use std::time::Duration;
use tokio::sync::{broadcast, oneshot};
use tokio_postgres::AsyncMessage;
use tokio_util::sync::CancellationToken;

pub(super) const CHANNEL: &str = "briefbot_digest_changed";
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Listens until `stop` is cancelled, reconnecting whenever the connection ends; `ready`
/// hears when the first LISTEN is in place.
pub(super) async fn listen(
    config: tokio_postgres::Config,
    changes: broadcast::Sender<String>,
    stop: CancellationToken,
    ready: oneshot::Sender<()>,
) {
    let mut wait = Duration::from_millis(100);
    let mut ready = Some(ready);
    loop {
        let session = tokio::select! {
            _ = stop.cancelled() => return,
            ended = session(&config, &changes, &mut wait, &mut ready) => ended,
        };
        if let Err(e) = session {
            tracing::warn!(error = %e, ?wait, "change notifications: connection lost; reconnecting");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        wait = (wait * 2).min(MAX_BACKOFF);
    }
}

/// One connection's life: LISTEN, then forward until it ends.
async fn session(
    config: &tokio_postgres::Config,
    changes: &broadcast::Sender<String>,
    wait: &mut Duration,
    ready: &mut Option<oneshot::Sender<()>>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(super::tls()).await?;
    let (messages, mut incoming) = tokio::sync::mpsc::unbounded_channel();
    // The connection only makes progress while polled; this task drives it and hands over
    // what the server pushes.
    let driver = tokio::spawn(async move {
        let mut stream = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        use futures::StreamExt;
        while let Some(message) = stream.next().await {
            match message {
                Ok(m) => {
                    if messages.send(m).is_err() {
                        return Ok(());
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    *wait = Duration::from_millis(100);
    match ready.take() {
        Some(ready) => {
            let _ = ready.send(());
        }
        // A reconnect: what was announced meanwhile is lost, and subscribers hear so.
        None => {
            let _ = changes.send(String::new());
        }
    }
    while let Some(message) = incoming.recv().await {
        if let AsyncMessage::Notification(n) = message {
            let _ = changes.send(n.payload().to_owned());
        }
    }
    drop(client);
    match driver.await {
        Ok(ended) => ended,
        Err(_) => Ok(()),
    }
}
