//! `/policies`: who holds which role, globally or in one workspace.

use axum::{extract::State, http::StatusCode, Json, Router};
use serde::Deserialize;

use app::server::Written;

use super::{
    answers::{Done, Page},
    params::{ListParams, DEFAULT_LIMIT},
    ApiId, ApiJson, ApiQuery, SignedIn,
};
use app::{domain::PolicyView, server::http::ErrorBody};
use app::{
    domain::{PolicyId, RoleKey, Subject, WorkspaceKey},
    server::{services::policies, AppState},
    AppError,
};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::routing::{delete, get};
    Router::new()
        .route("/policies", get(list_policies).post(create_policy))
        .route("/policies/{id}", delete(delete_policy))
}

/// The filters (sort among them) and the page's place: the list takes no
/// search text, so `ListParams` is not flattened in beside `sort`.
#[derive(Debug, Deserialize)]
pub struct PolicyQuery {
    #[serde(flatten)]
    filters: policies::PolicyQuery,
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /policies?workspace=&user_id=&team=&role=&subject=`.
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(("workspace" = Option<String>, Query, pattern = "^([a-z0-9][a-z0-9_-]{0,62})?$"), ("user_id" = Option<String>, Query, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"), ("team" = Option<String>, Query, pattern = "^([a-z0-9][a-z0-9_-]{0,62})?$"), ("role" = Option<String>, Query, pattern = "^([a-z0-9][a-z0-9_-]{0,62})?$"), ("subject" = Option<String>, Query, pattern = r"^(team:[a-z0-9][a-z0-9_-]{0,62}|(user:)?[^\s<>,;@\x00-\x1f\x7f-\x9f]{1,64}@[^\s<>,;@.\x00-\x1f\x7f-\x9f]{1,60}(\.[^\s<>,;@.\x00-\x1f\x7f-\x9f]{1,60}){0,2})?$", description = "The subject as a person types it: a user's email, or team:key"), ("sort" = Option<String>, Query, pattern = "^(oldest|newest)?$", description = "oldest (the default) or newest"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<i64>, Query, description = "The next_cursor of the page before")), responses((status = 200, description = "A page of policies", body = Page<PolicyView>), (status = 409, description = "`unknown_reference`: no user or team is that subject", body = ErrorBody)))]
pub async fn list_policies(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(query): ApiQuery<PolicyQuery>,
) -> Result<Json<Page<app::domain::PolicyView>>, AppError> {
    let list = ListParams { limit: query.limit, cursor: query.cursor, ..ListParams::default() };
    Ok(Json(policies::page(&state, &actor, &query.filters, &list, DEFAULT_LIMIT).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PolicyBody {
    subject: Subject,
    role: RoleKey,
    #[serde(default)]
    workspace: Option<WorkspaceKey>,
}

/// `POST /policies` → 201 with the policy and its `id`.
#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", request_body = PolicyBody, responses((status = 201, body = app::server::written::Revised<PolicyView>), (status = 409, description = "The same binding exists", body = ErrorBody)))]
pub async fn create_policy(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<(StatusCode, Written<app::domain::PolicyView>), AppError> {
    let new = policies::NewPolicy { subject: body.subject.into(), role: body.role, workspace: body.workspace };
    Ok((StatusCode::CREATED, policies::create(&state, &actor, new).await?))
}

/// `DELETE /policies/{id}`.
#[utoipa::path(delete, path = "/api/v1/policies/{id}", tag = "policies", params(("id" = i64, Path)), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 409, description = "It would leave no active administrator", body = ErrorBody)))]
pub async fn delete_policy(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<PolicyId>,
) -> Result<Written<()>, AppError> {
    policies::delete(&state, &actor, id).await
}
