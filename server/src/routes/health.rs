//! Liveness and readiness for load balancers and orchestrators.

use axum::{extract::State, http::StatusCode};

use app::server::AppState;

/// `GET /healthz`: the process answers.
pub async fn alive() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers too.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "not ready: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
