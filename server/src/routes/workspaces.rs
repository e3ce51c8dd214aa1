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
#[utoipa::path(get, path = "/api/v1/workspaces", tag = "workspaces", params(("q" = Option<String>, Query, description = "Only those whose key or name contains this"), ("sort" = Option<String>, Query, pattern = "^(key|name)?$", description = "key (the default) or name"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<String>, Query)), responses((status = 200, description = "The workspaces the caller can read", body = Listing<WorkspaceView>), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
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
#[utoipa::path(post, path = "/api/v1/workspaces", tag = "workspaces", params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Send it again with a retry: the first answer is replayed (for 24 hours) instead of creating twice")), request_body = NewNamedBody, responses((status = 201, body = WorkspaceView), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 422, description = "This Idempotency-Key came with another request", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn create_workspace(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<NewNamedBody>,
) -> Result<(StatusCode, Json<app::domain::WorkspaceView>), AppError> {
    Ok((StatusCode::CREATED, Json(workspaces::create(&state, &actor, body.into()).await?)))
}

/// `GET /workspaces/{key}`.
#[utoipa::path(get, path = "/api/v1/workspaces/{key}", tag = "workspaces", params(("key" = String, Path)), responses((status = 200, body = WorkspaceView, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn get_workspace(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
) -> Result<Tagged<WorkspaceView>, AppError> {
    let workspace = workspaces::get(&state, &actor, &key).await?;
    Ok(Tagged(workspace.version, workspace))
}

/// `PATCH /workspaces/{key}`.
#[utoipa::path(patch, path = "/api/v1/workspaces/{key}", tag = "workspaces", params(("key" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), request_body = NamedBody, responses((status = 200, body = WorkspaceView, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
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
#[utoipa::path(delete, path = "/api/v1/workspaces/{key}", tag = "workspaces", params(("key" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), responses((status = 200, description = "Deleted with its policies: `{\"revision\": N}`", body = Done), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn delete_workspace(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, AppError> {
    workspaces::delete(&state, &actor, &key, &expected).await?;
    Ok(StatusCode::NO_CONTENT)
}
