//! The HTTP side, after the axum examples: one router with the WebSocket at `/ws` (handed to
//! [`crate::connection`]), liveness at `/healthz`, readiness at `/readyz`, the Prometheus metrics at `/metrics`,
//! and the built app for every other path ([`static_files`]).

mod static_files;

use crate::connection;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::{HeaderName, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::routing::{any, get};
use axum::Router;
use std::sync::Arc;

/// The whole HTTP service.
pub fn router(state: Arc<AppState>) -> Router {
    let files = static_files::router(state.dist());
    Router::new()
        .route("/ws", any(connection::upgrade))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
        .merge(files)
}

/// `GET /readyz`: 200 while joins can be served, 503 while the configured Redis cannot be reached (a load
/// balancer then sends new people elsewhere). `/healthz` stays liveness only.
async fn readyz(State(state): State<Arc<AppState>>) -> (StatusCode, &'static str) {
    if state.is_ready() {
        (StatusCode::OK, "ready\n")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: Redis cannot be reached\n",
        )
    }
}

/// `GET /metrics`, in the Prometheus text format.
async fn metrics(State(state): State<Arc<AppState>>) -> ([(HeaderName, &'static str); 1], String) {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.render_metrics(),
    )
}
