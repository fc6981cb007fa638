//! The optional `[ops]` endpoint: `/healthz` for a supervisor and `/metrics` for Prometheus.

use std::net::SocketAddr;

/// Serves until `shutdown` resolves. Binding fails loudly: a configured endpoint that silently
/// does not exist would hide an outage.
pub async fn serve(
    listen: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use axum::routing::get;
    let app = axum::Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/metrics",
            get(|| async {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    crate::metrics::encode(),
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen} for [ops]: {e}"))?;
    tracing::info!(%listen, "ops endpoint serving /healthz and /metrics");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
