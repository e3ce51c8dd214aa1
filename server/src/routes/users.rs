//! `/users`: people and service accounts, and what each holds.

use axum::{extract::State, http::StatusCode, Json, Router};
use secrecy::SecretString;
use serde::Deserialize;

use app::server::Written;

use super::{
    answers::{Done, Page},
    params::{ListParams, DEFAULT_LIMIT},
    ApiId, ApiJson, ApiQuery, IfMatch, SignedIn, Tagged,
};
use app::{
    domain::{UserId, UserView},
    server::http::ErrorBody,
};
use app::{
    server::{
        services::{decisions, people},
        AppState,
    },
    AppError,
};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::routing::get;
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).patch(update_user).delete(delete_user))
        .route("/users/{id}/effective-permissions", get(effective_permissions))
}

#[derive(Debug, Deserialize)]
pub struct UserQuery {
    status: Option<String>,
    #[serde(flatten)]
    page: ListParams,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UserBody {
    /// Refused: only `name` and `status` change here.
    #[schema(ignore)]
    email: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: Option<String>,
    /// Refused: a password is changed by its owner.
    #[schema(ignore)]
    password: Option<String>,
    #[schema(value_type = Option<UserStatusText>)]
    status: Option<String>,
}

/// `active` or `disabled`.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // a schema only: the status arrives as text
enum UserStatusText {
    Active,
    Disabled,
}

/// A new user.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewUserBody {
    #[schema(value_type = app::domain::Email)]
    email: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: String,
    /// Without one the user signs in another way (a provider) until one is set.
    #[serde(default)]
    #[schema(min_length = 10, max_length = 512)]
    password: Option<String>,
    /// Policies made with the user in the same transaction (as
    /// `POST /policies` would: `policy:manage` where each applies, and
    /// nothing the caller does not hold).
    #[serde(default)]
    #[schema(max_items = 50)]
    grants: Vec<NewUserGrant>,
}

/// A role the new user gets: globally, or in one workspace.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewUserGrant {
    #[schema(example = "developer", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$")]
    role: String,
    /// A workspace key; without it (null or empty) the role applies globally.
    #[serde(default)]
    #[schema(example = "ml", pattern = "^([a-z0-9][a-z0-9_-]{0,62})?$")]
    workspace: Option<String>,
}

/// `GET /users?q=`.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(("q" = Option<String>, Query, description = "Part of an email or name"), ("status" = Option<String>, Query, pattern = "^(active|disabled)?$", description = "active or disabled"), ("sort" = Option<String>, Query, pattern = "^(email|name|newest)?$", description = "email (the default), name or newest"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<String>, Query)), responses((status = 200, description = "A page of users", body = Page<UserView>)))]
pub async fn list_users(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<Page<UserView>>, AppError> {
    Ok(Json(people::list(&state, &actor, query.status.as_deref(), &query.page.read(DEFAULT_LIMIT)?).await?))
}

/// `POST /users`.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody, responses((status = 201, body = app::server::written::Revised<UserView>), (status = 409, description = "The email is taken", body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<(StatusCode, Written<UserView>), AppError> {
    let input = people::UserInput {
        email: Some(body.email),
        name: Some(body.name),
        password: body.password.map(SecretString::from),
        grants: body.grants.into_iter().map(|g| people::GrantInput { role: g.role, workspace: g.workspace }).collect(),
    };
    Ok((StatusCode::CREATED, people::create(&state, &actor, input).await?))
}

/// `GET /users/{id}`.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), responses((status = 200, body = UserView, headers(("ETag" = String, description = "The version, for If-Match")))))]
pub async fn get_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<UserId>,
) -> Result<Tagged<Json<UserView>>, AppError> {
    let user = people::get(&state, &actor, id).await?;
    Ok(Tagged(user.version, Json(user)))
}

/// `PATCH /users/{id}`: `name`, `status`.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), request_body = UserBody, responses((status = 200, body = app::server::written::Revised<UserView>, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 409, description = "It would leave no active administrator", body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<UserId>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<UserBody>,
) -> Result<Tagged<Written<UserView>>, AppError> {
    if body.email.is_some() || body.password.is_some() {
        return Err(AppError::invalid("body", "only name and status can be changed here"));
    }
    let patch = people::UserPatch { name: body.name, status: body.status, expected };
    let user = people::update(&state, &actor, id, patch).await?;
    Ok(Tagged(user.value.version, user))
}

/// `DELETE /users/{id}`.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 409, description = "It would leave no active administrator", body = ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<UserId>,
    IfMatch(expected): IfMatch,
) -> Result<Written<()>, AppError> {
    people::delete(&state, &actor, id, &expected).await
}

#[derive(Debug, Deserialize)]
pub struct WorkspaceQuery {
    workspace: Option<String>,
}

/// `GET /users/{id}/effective-permissions?workspace=`.
#[utoipa::path(get, path = "/api/v1/users/{id}/effective-permissions", tag = "authz", params(("id" = String, Path), ("workspace" = Option<String>, Query)), responses((status = 200, description = "Each permission held, with the policies that grant it", body = Page<app::domain::EffectivePermission>)))]
pub async fn effective_permissions(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<UserId>,
    ApiQuery(query): ApiQuery<WorkspaceQuery>,
) -> Result<Json<Page<app::domain::EffectivePermission>>, AppError> {
    Ok(Json(Page::whole(decisions::effective_permissions(&state, &actor, id, query.workspace.as_deref())?)))
}
