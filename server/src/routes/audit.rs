//! `/audit`: the audit log, as pages and as a CSV export.

use axum::{extract::State, Json, Router};
use serde::Deserialize;

use super::{
    answers::Page,
    params::{ListParams, DEFAULT_LIMIT},
    ApiQuery, SignedIn,
};
use app::{
    domain::AuditEntryView,
    server::{
        services::audit::{self as audit_service, AuditQuery as Filters},
        AppState,
    },
    AppError,
};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::routing::get;
    Router::new().route("/audit", get(list_audit)).route("/audit/export.csv", get(export_audit))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(flatten)]
    filters: Filters,
    #[serde(flatten)]
    page: ListParams,
}

/// `GET /audit?actor=&action=&workspace=&since=&until=` (times in ms).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(("actor" = Option<String>, Query), ("action" = Option<String>, Query), ("workspace" = Option<String>, Query), ("since" = Option<i64>, Query, description = "ms since the epoch (a day, YYYY-MM-DD, is also taken)"), ("until" = Option<i64>, Query, description = "ms since the epoch (a day, YYYY-MM-DD, is also taken: all of it)"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<i64>, Query, description = "The next_cursor of the page before")), responses((status = 200, description = "Newest first", body = Page<AuditEntryView>)))]
pub async fn list_audit(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEntryView>>, AppError> {
    Ok(Json(audit_service::page(&state, &actor, &query.filters, &query.page, DEFAULT_LIMIT).await?))
}

/// `GET /audit/export.csv?…`: the filtered view as CSV, newest first.
#[utoipa::path(get, path = "/api/v1/audit/export.csv", tag = "audit", params(("actor" = Option<String>, Query), ("action" = Option<String>, Query), ("workspace" = Option<String>, Query), ("since" = Option<i64>, Query, description = "As for /audit"), ("until" = Option<i64>, Query, description = "As for /audit")), responses((status = 200, description = "The entries as CSV, newest first", content_type = "text/csv", body = String)))]
pub async fn export_audit(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let filter = query.filters.filter()?;
    let rows = audit_service::export_csv(&state, &actor, filter).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"portcullis-audit.csv\""),
        ],
        axum::body::Body::from_stream(rows),
    )
        .into_response())
}
