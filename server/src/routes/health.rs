//! Liveness, readiness and metrics, for load balancers, orchestrators and
//! Prometheus. None needs a session.

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::IntoResponse,
    Json,
};
use serde_json::{json, Value};

use app::server::AppState;

/// `GET /healthz`: the process answers.
pub async fn alive() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when this process answers checks (its index is loaded
/// and in step with the database within the allowed staleness), else 503
/// with the reason. Reads no database: probes must be cheap.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let access = &state.access;
    let mut body = json!({
        "ready": true,
        "revision": access.revision(),
        "database_revision": access.database_revision(),
        "staleness_seconds": access.staleness().as_secs_f64(),
    });
    match access.usable() {
        Ok(()) => (StatusCode::OK, Json(body)),
        Err(unusable) => {
            body["ready"] = json!(false);
            body["reason"] = json!(unusable.code());
            (StatusCode::SERVICE_UNAVAILABLE, Json(body))
        }
    }
}

/// `GET /metrics`: Prometheus (OpenMetrics) text.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        state.metrics.render(&state.access),
    )
}
