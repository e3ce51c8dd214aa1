//! `/workspaces`: the tenants that own the platform's resources.

use axum::{extract::State, http::StatusCode, Json, Router};

use super::{
    answers::{listing, Done, Listing},
    named::{NamedBody, NewNamedBody},
    params::Page,
    ApiJson, ApiPath, ApiQuery, IfMatch, SignedIn, Tagged,
};
use app::server::services::fields::NamedInput;
use app::{domain::WorkspaceView, server::http::ErrorBody};
use app::{
    server::{services::workspaces, AppState},
    AppError,
};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::routing::get;
    Router::new()
        .route("/workspaces", get(list_workspaces).post(create_workspace))
        .route("/workspaces/{key}", get(get_workspace).patch(update_workspace).delete(delete_workspace))
}

/// `GET /workspaces`: those the caller can read.
#[utoipa::path(get, path = "/api/v1/workspaces", tag = "workspaces", params(("q" = Option<String>, Query, description = "Only those whose key or name contains this"), ("sort" = Option<String>, Query, pattern = "^(key|name)?$", description = "key (the default) or name"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<String>, Query)), responses((status = 200, description = "The workspaces the caller can read", body = Listing<WorkspaceView>)))]
pub async fn list_workspaces(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<Listing<app::domain::WorkspaceView>>, AppError> {
    let limit = page.limit()?;
    let items = workspaces::list(
        &state,
        &actor,
        page.q.as_deref().unwrap_or(""),
        page.sort.as_deref(),
        page.cursor.as_deref(),
        limit,
    )
    .await?;
    Ok(listing(items, limit, |w| w.key.to_string()))
}

/// `POST /workspaces`.
#[utoipa::path(post, path = "/api/v1/workspaces", tag = "workspaces", request_body = NewNamedBody, responses((status = 201, body = WorkspaceView), (status = 409, body = ErrorBody)))]
pub async fn create_workspace(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<NewNamedBody>,
) -> Result<(StatusCode, Json<app::domain::WorkspaceView>), AppError> {
    Ok((StatusCode::CREATED, Json(workspaces::create(&state, &actor, body.into()).await?)))
}

/// `GET /workspaces/{key}`.
#[utoipa::path(get, path = "/api/v1/workspaces/{key}", tag = "workspaces", params(("key" = String, Path)), responses((status = 200, body = WorkspaceView, headers(("ETag" = String, description = "The version, for If-Match")))))]
pub async fn get_workspace(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
) -> Result<Tagged<WorkspaceView>, AppError> {
    let workspace = workspaces::get(&state, &actor, &key).await?;
    Ok(Tagged(workspace.version, workspace))
}

/// `PATCH /workspaces/{key}`.
#[utoipa::path(patch, path = "/api/v1/workspaces/{key}", tag = "workspaces", params(("key" = String, Path)), request_body = NamedBody, responses((status = 200, body = WorkspaceView, headers(("ETag" = String, description = "The version, for If-Match")))))]
pub async fn update_workspace(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<NamedBody>,
) -> Result<Tagged<WorkspaceView>, AppError> {
    let workspace = workspaces::update(&state, &actor, &key, NamedInput { expected, ..body.into() }).await?;
    Ok(Tagged(workspace.version, workspace))
}

/// `DELETE /workspaces/{key}`: with its policies.
#[utoipa::path(delete, path = "/api/v1/workspaces/{key}", tag = "workspaces", params(("key" = String, Path)), responses((status = 200, description = "Deleted with its policies: `{\"revision\": N}`", body = Done)))]
pub async fn delete_workspace(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, AppError> {
    workspaces::delete(&state, &actor, &key, &expected).await?;
    Ok(StatusCode::NO_CONTENT)
}
