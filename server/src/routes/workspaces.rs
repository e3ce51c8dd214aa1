//! `/workspaces`: the tenants that own the platform's resources.

use axum::{extract::State, http::StatusCode, Json, Router};

use super::{
    answers::{Done, Page},
    named::{NamedBody, NewNamedBody},
    params::{ListParams, DEFAULT_LIMIT},
    ApiJson, ApiPath, ApiQuery, IfMatch, SignedIn, Tagged,
};
use app::{domain::WorkspaceView, server::http::ErrorBody};
use app::{
    server::{services::workspaces, AppState, Written},
    AppError,
};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::routing::get;
    Router::new()
        .route("/workspaces", get(list_workspaces).post(create_workspace))
        .route("/workspaces/{key}", get(get_workspace).patch(update_workspace).delete(delete_workspace))
}

super::named::named_resource! {
    service: workspaces, view: WorkspaceView, tag: "workspaces",
    list: (list_workspaces, "/api/v1/workspaces", " `GET /workspaces`: those the caller can read.",
        "The workspaces the caller can read"),
    create: (create_workspace, " `POST /workspaces`."),
    get: (get_workspace, "/api/v1/workspaces/{key}", " `GET /workspaces/{key}`."),
    update: (update_workspace, " `PATCH /workspaces/{key}`."),
    delete: (delete_workspace, " `DELETE /workspaces/{key}`: with its policies.",
        (status = 200, description = "Deleted with its policies: `{\"revision\": N}`", body = Done))
}
