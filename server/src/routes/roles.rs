//! `/roles`: custom roles are created, edited and deleted; built-in ones are read.

use axum::{extract::State, http::StatusCode, Json, Router};
use serde::Deserialize;

use app::server::Written;

use super::{
    answers::{Done, Page},
    ApiJson, ApiPath, IfMatch, SignedIn, Tagged,
};
use app::{domain::RoleView, server::http::ErrorBody};
use app::{
    server::{services::roles, AppState},
    AppError,
};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::routing::get;
    Router::new()
        .route("/roles", get(list_roles).post(create_role))
        .route("/roles/{key}", get(get_role).patch(update_role).delete(delete_role))
}

/// An edit of a custom role: fields left out keep their value (the key stays).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RoleBody {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: Option<String>,
    description: Option<String>,
    /// Left out (or null) on an edit: unchanged.
    #[schema(schema_with = app::server::http::schema::permissions_or_null)]
    permissions: Option<Vec<String>>,
}

/// A new custom role.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewRoleBody {
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,62}$")]
    key: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    #[schema(schema_with = app::server::http::schema::permissions_or_null)]
    permissions: Option<Vec<String>>,
}

impl From<NewRoleBody> for roles::RoleInput {
    fn from(body: NewRoleBody) -> Self {
        Self {
            key: Some(body.key),
            name: Some(body.name),
            description: body.description,
            permissions: body.permissions,
            expected: Default::default(),
        }
    }
}

impl From<RoleBody> for roles::RoleInput {
    fn from(body: RoleBody) -> Self {
        Self {
            key: None,
            name: body.name,
            description: body.description,
            permissions: body.permissions,
            expected: Default::default(),
        }
    }
}

/// `GET /roles`.
#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", responses((status = 200, description = "Every role", body = Page<RoleView>)))]
pub async fn list_roles(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<Json<Page<RoleView>>, AppError> {
    Ok(Json(Page::whole(roles::list(&state, &actor).await?)))
}

/// `POST /roles`.
#[utoipa::path(post, path = "/api/v1/roles", tag = "roles", request_body = NewRoleBody, responses((status = 201, body = app::server::written::Revised<RoleView>), (status = 409, description = "The key is taken", body = ErrorBody)))]
pub async fn create_role(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<NewRoleBody>,
) -> Result<(StatusCode, Written<RoleView>), AppError> {
    Ok((StatusCode::CREATED, roles::create(&state, &actor, body.into()).await?))
}

/// `GET /roles/{key}`.
#[utoipa::path(get, path = "/api/v1/roles/{key}", tag = "roles", params(("key" = String, Path)), responses((status = 200, body = RoleView, headers(("ETag" = String, description = "The version, for If-Match")))))]
pub async fn get_role(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
) -> Result<Tagged<Json<RoleView>>, AppError> {
    let role = roles::get(&state, &actor, &key).await?;
    Ok(Tagged(role.version, Json(role)))
}

/// `PATCH /roles/{key}`.
#[utoipa::path(patch, path = "/api/v1/roles/{key}", tag = "roles", params(("key" = String, Path)), request_body = RoleBody, responses((status = 200, body = app::server::written::Revised<RoleView>, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 409, description = "Built-in roles cannot change", body = ErrorBody)))]
pub async fn update_role(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<Tagged<Written<RoleView>>, AppError> {
    let role = roles::update(&state, &actor, &key, roles::RoleInput { expected, ..body.into() }).await?;
    Ok(Tagged(role.value.version, role))
}

/// `DELETE /roles/{key}`.
#[utoipa::path(delete, path = "/api/v1/roles/{key}", tag = "roles", params(("key" = String, Path)), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 409, description = "Built-in, or still used by policies", body = ErrorBody)))]
pub async fn delete_role(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<Written<()>, AppError> {
    roles::delete(&state, &actor, &key, &expected).await
}
