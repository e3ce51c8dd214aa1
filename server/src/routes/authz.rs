//! `/authz`: the decisions the platform asks for on its hot path.

use axum::{extract::State, Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, SignedIn};
use app::server::http::ErrorBody;
use app::{
    server::{
        metrics::CheckEndpoint,
        services::decisions::{self, CheckRequest, CheckResponse, PrincipalCheck},
        AppState,
    },
    AppError,
};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;
    Router::new()
        .route("/authz/check", post(check))
        // Up to 1000 questions.
        .route("/authz/check-batch", post(check_batch).layer(DefaultBodyLimit::max(super::BULK_BODY_LIMIT)))
}

/// `POST /authz/check`.
#[utoipa::path(post, path = "/api/v1/authz/check", tag = "authz", request_body = PrincipalCheck, responses((status = 200, body = CheckResponse), (status = 503, description = "No answer from this process now: `index_loading`, `index_stale` (it lost the database for longer than allowed; fails closed) or `revision_unavailable` (`at_least_revision` not reached in time). Retry, or ask another process", body = ErrorBody), (status = 409, description = "`revision_unknown`: no write has made `at_least_revision` yet", body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<PrincipalCheck>,
) -> Result<Json<CheckResponse>, AppError> {
    let started = std::time::Instant::now();
    decisions::reach_revision(&state, body.at_least_revision).await?;
    let answer = decisions::check_principal(&state, &actor, &body).await?;
    state.metrics.answered(u64::from(answer.allowed), u64::from(!answer.allowed));
    state.metrics.check_took(CheckEndpoint::Check, started.elapsed().as_secs_f64());
    Ok(Json(answer))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BatchBody {
    #[schema(max_items = 1000)]
    checks: Vec<CheckRequest>,
    /// As for `/authz/check`: answer only once this revision is applied.
    #[serde(default, deserialize_with = "app::server::http::whole_number")]
    #[schema(minimum = 0)]
    at_least_revision: Option<i64>,
}

/// The answers of a batch, in the order asked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchAnswers {
    results: Vec<CheckResponse>,
}

/// `POST /authz/check-batch`: answers in the order asked.
#[utoipa::path(post, path = "/api/v1/authz/check-batch", tag = "authz", request_body = BatchBody, responses((status = 200, description = "`{\"results\":[…]}`, one CheckResponse per question, in order", body = BatchAnswers), (status = 503, description = "No answer from this process now: `index_loading`, `index_stale` (it lost the database for longer than allowed; fails closed) or `revision_unavailable` (`at_least_revision` not reached in time). Retry, or ask another process", body = ErrorBody), (status = 409, description = "`revision_unknown`: no write has made `at_least_revision` yet", body = ErrorBody)))]
pub async fn check_batch(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<BatchBody>,
) -> Result<Json<BatchAnswers>, AppError> {
    if body.checks.len() > 1000 {
        return Err(AppError::invalid("checks", "at most 1000 checks per batch"));
    }
    let started = std::time::Instant::now();
    decisions::reach_revision(&state, body.at_least_revision).await?;
    let results = decisions::check_batch(&state, &actor, &body.checks)?;
    let allowed = results.iter().filter(|r| r.allowed).count() as u64;
    state.metrics.answered(allowed, results.len() as u64 - allowed);
    state.metrics.check_took(CheckEndpoint::Batch, started.elapsed().as_secs_f64());
    Ok(Json(BatchAnswers { results }))
}
