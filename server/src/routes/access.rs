//! REST handlers for the access model: permissions, roles, users, workspaces,
//! policies, authorization checks and the audit log.

use axum::{extract::State, http::StatusCode, Json};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiPath, ApiQuery, IfMatch, SignedIn, Tagged};
use app::server::services::fields::NamedInput;
#[allow(unused_imports)] // named in the OpenAPI attributes
use app::{
    domain::{MemberView, PolicyView, RoleView, TeamView, UserView, WorkspaceView},
    server::http::ErrorBody,
};
use app::{
    domain::{Permission, PolicyId, RoleKey, Subject, TeamKey, UserId, WorkspaceKey},
    server::{
        metrics::CheckEndpoint,
        services::{
            audit as audit_service,
            authz::{self, CheckRequest, CheckResponse, PrincipalCheck},
            people, policies, roles, teams, workspaces,
        },
        store::{access::PolicyFilter, audit::AuditFilter},
        AppState,
    },
    AppError,
};

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

/// `limit` and `cursor` of every list.
#[derive(Debug, Deserialize)]
pub struct Page {
    // Text, not a number: query strings flattened into another struct arrive
    // as strings (serde_urlencoded with `flatten`).
    limit: Option<String>,
    pub cursor: Option<String>,
    /// Search text, for the lists that take one.
    pub q: Option<String>,
    /// The order, for the lists that offer several.
    pub sort: Option<String>,
}

impl Page {
    pub fn limit(&self) -> Result<i64, AppError> {
        match self.limit.as_deref().map(str::parse::<i64>) {
            None => Ok(DEFAULT_LIMIT),
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(AppError::invalid("limit", format!("use a number from 1 to {MAX_LIMIT}"))),
        }
    }
}

/// `{"items":[…],"next_cursor":…}`: the cursor is set when the page is full.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// Pass it as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

/// The whole list at once (`next_cursor` is always null).
pub fn everything<T>(items: Vec<T>) -> Json<Listing<T>> {
    Json(Listing { items, next_cursor: None })
}

/// What a delete (and other writes without a body) answers: the access
/// revision that includes it, for `at_least_revision`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Done {
    pub revision: i64,
}

/// One permission of the catalog.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CatalogEntry {
    #[schema(example = "endpoint:invoke")]
    key: &'static str,
    description: &'static str,
    scope: app::domain::ScopeKind,
}

/// The answers of a batch, in the order asked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchAnswers {
    results: Vec<CheckResponse>,
}

pub fn listing<T>(items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Json<Listing<T>> {
    let next_cursor = if items.len() as i64 == limit { items.last().map(cursor_of) } else { None };
    Json(Listing { items, next_cursor })
}

fn parse_user_id(text: &str) -> Result<UserId, AppError> {
    text.parse().map_err(|_| AppError::not_found(format!("user {text}")))
}

/// `GET /permissions`: the catalog.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "access", responses((status = 200, description = "The permission catalog: key, description, scope (global or workspace)", body = Listing<CatalogEntry>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn permissions() -> Json<Listing<CatalogEntry>> {
    everything(
        Permission::ALL
            .iter()
            .map(|p| CatalogEntry { key: p.key(), description: p.description(), scope: p.scope() })
            .collect(),
    )
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
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,62}$")]
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
#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", responses((status = 200, description = "Every role", body = Listing<RoleView>), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn list_roles(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<Json<Listing<RoleView>>, AppError> {
    Ok(everything(roles::list(&state, &actor).await?))
}

/// `POST /roles`.
#[utoipa::path(post, path = "/api/v1/roles", tag = "roles", params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Send it again with a retry: the first answer is replayed (for 24 hours) instead of creating twice")), request_body = NewRoleBody, responses((status = 201, body = RoleView), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 409, description = "The key is taken", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 422, description = "This Idempotency-Key came with another request", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn create_role(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<NewRoleBody>,
) -> Result<(StatusCode, Json<app::domain::RoleView>), AppError> {
    Ok((StatusCode::CREATED, Json(roles::create(&state, &actor, body.into()).await?)))
}

/// `GET /roles/{key}`.
#[utoipa::path(get, path = "/api/v1/roles/{key}", tag = "roles", params(("key" = String, Path)), responses((status = 200, body = RoleView, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn get_role(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
) -> Result<Tagged<RoleView>, AppError> {
    let role = roles::get(&state, &actor, &key).await?;
    Ok(Tagged(role.version, role))
}

/// `PATCH /roles/{key}`.
#[utoipa::path(patch, path = "/api/v1/roles/{key}", tag = "roles", params(("key" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), request_body = RoleBody, responses((status = 200, body = RoleView, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Built-in roles cannot change", body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn update_role(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<Tagged<RoleView>, AppError> {
    let role = roles::update(&state, &actor, &key, roles::RoleInput { expected, ..body.into() }).await?;
    Ok(Tagged(role.version, role))
}

/// `DELETE /roles/{key}`.
#[utoipa::path(delete, path = "/api/v1/roles/{key}", tag = "roles", params(("key" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Built-in, or still used by policies", body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn delete_role(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, AppError> {
    roles::delete(&state, &actor, &key, &expected).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct UserQuery {
    status: Option<String>,
    #[serde(flatten)]
    page: Page,
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
}

/// `GET /users?q=`.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(("q" = Option<String>, Query, description = "Part of an email or name"), ("status" = Option<String>, Query, pattern = "^(active|disabled)?$", description = "active or disabled"), ("sort" = Option<String>, Query, pattern = "^(email|name|newest)?$", description = "email (the default), name or newest"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<String>, Query)), responses((status = 200, description = "A page of users", body = Listing<UserView>), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<Listing<app::domain::UserView>>, AppError> {
    let limit = query.page.limit()?;
    let items = people::list(
        &state,
        &actor,
        query.page.q.as_deref().unwrap_or(""),
        query.status.as_deref(),
        query.page.sort.as_deref(),
        query.page.cursor.as_deref(),
        limit,
    )
    .await?;
    Ok(listing(items, limit, |u| u.email.to_string()))
}

/// `POST /users`.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Send it again with a retry: the first answer is replayed (for 24 hours) instead of creating twice")), request_body = NewUserBody, responses((status = 201, body = UserView), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 409, description = "The email is taken", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 422, description = "This Idempotency-Key came with another request", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<(StatusCode, Json<app::domain::UserView>), AppError> {
    let input = people::UserInput {
        email: Some(body.email),
        name: Some(body.name),
        password: body.password.map(SecretString::from),
    };
    Ok((StatusCode::CREATED, Json(people::create(&state, &actor, input).await?)))
}

/// `GET /users/{id}`.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), responses((status = 200, body = UserView, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<Tagged<UserView>, AppError> {
    let user = people::get(&state, &actor, parse_user_id(&id)?).await?;
    Ok(Tagged(user.version, user))
}

/// `PATCH /users/{id}`: `name`, `status`.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), request_body = UserBody, responses((status = 200, body = UserView, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "It would leave no active administrator", body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<UserBody>,
) -> Result<Tagged<UserView>, AppError> {
    if body.email.is_some() || body.password.is_some() {
        return Err(AppError::invalid("body", "only name and status can be changed here"));
    }
    let patch = people::UserPatch { name: body.name, status: body.status, expected };
    let user = people::update(&state, &actor, parse_user_id(&id)?, patch).await?;
    Ok(Tagged(user.version, user))
}

/// `DELETE /users/{id}`.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "It would leave no active administrator", body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, AppError> {
    people::delete(&state, &actor, parse_user_id(&id)?, &expected).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct WorkspaceQuery {
    workspace: Option<String>,
}

/// `GET /users/{id}/effective-permissions?workspace=`.
#[utoipa::path(get, path = "/api/v1/users/{id}/effective-permissions", tag = "authz", params(("id" = String, Path), ("workspace" = Option<String>, Query)), responses((status = 200, description = "Each permission held, with the policies that grant it", body = Listing<app::domain::EffectivePermission>), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, description = "No such thing, or none you may see", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn effective_permissions(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<WorkspaceQuery>,
) -> Result<Json<Listing<app::domain::EffectivePermission>>, AppError> {
    Ok(everything(authz::effective_permissions(&state, &actor, parse_user_id(&id)?, query.workspace.as_deref())?))
}

/// An edit of a workspace or a team: its name and description (the key stays).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NamedBody {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: Option<String>,
    description: Option<String>,
}

/// A new workspace or team.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewNamedBody {
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,62}$")]
    key: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: String,
    #[serde(default)]
    description: Option<String>,
}

impl From<NewNamedBody> for NamedInput {
    fn from(body: NewNamedBody) -> Self {
        Self { key: Some(body.key), name: Some(body.name), description: body.description, expected: Default::default() }
    }
}

// Workspaces and teams take the same input.
impl From<NamedBody> for app::server::services::fields::NamedInput {
    fn from(body: NamedBody) -> Self {
        Self { key: None, name: body.name, description: body.description, expected: Default::default() }
    }
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

#[derive(Debug, Deserialize)]
pub struct PolicyQuery {
    workspace: Option<String>,
    user_id: Option<String>,
    team: Option<String>,
    role: Option<String>,
    #[serde(flatten)]
    page: Page,
}

fn optional<T>(field: &str, value: Option<&str>, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => {
            parse(text).map(Some).ok_or_else(|| AppError::invalid(field, format!("{text:?} is not valid here")))
        }
    }
}

/// A whole-number query parameter: absent is `None`; anything else,
/// including empty, must be a number (the document types it so).
fn number<T: std::str::FromStr>(field: &str, value: Option<&str>) -> Result<Option<T>, AppError> {
    match value {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| {
            AppError::invalid(field, format!("{text:?} is not a whole number: leave {field} out, or give one"))
        }),
    }
}

/// `GET /policies?workspace=&user_id=&team=&role=`.
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(("workspace" = Option<String>, Query, pattern = "^([a-z0-9][a-z0-9-]{0,62})?$"), ("user_id" = Option<String>, Query, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"), ("team" = Option<String>, Query, pattern = "^([a-z0-9][a-z0-9-]{0,62})?$"), ("role" = Option<String>, Query, pattern = "^([a-z0-9][a-z0-9-]{0,62})?$"), ("sort" = Option<String>, Query, pattern = "^(oldest|newest)?$", description = "oldest (the default) or newest"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<i64>, Query, description = "The next_cursor of the page before")), responses((status = 200, description = "A page of policies", body = Listing<PolicyView>), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn list_policies(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(query): ApiQuery<PolicyQuery>,
) -> Result<Json<Listing<app::domain::PolicyView>>, AppError> {
    let limit = query.page.limit()?;
    let filter = PolicyFilter {
        workspace: optional("workspace", query.workspace.as_deref(), |t| WorkspaceKey::parse(t).ok())?,
        user: optional("user_id", query.user_id.as_deref(), |t| t.parse().ok())?,
        team: optional("team", query.team.as_deref(), |t| TeamKey::parse(t).ok())?,
        role: optional("role", query.role.as_deref(), |t| RoleKey::parse(t).ok())?,
        within: None,
        newest_first: app::server::services::fields::parse_order::<app::server::store::access::PolicyOrder>(
            query.page.sort.as_deref(),
        )? == app::server::store::access::PolicyOrder::Newest,
    };
    let after = number("cursor", query.page.cursor.as_deref())?.map(PolicyId);
    let items = policies::list(&state, &actor, filter, after, limit).await?;
    Ok(listing(items, limit, |p| p.id.to_string()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PolicyBody {
    subject: Subject,
    role: RoleKey,
    #[serde(default)]
    workspace: Option<WorkspaceKey>,
}

/// `POST /policies` → 201 with the policy and its `id`.
#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Send it again with a retry: the first answer is replayed (for 24 hours) instead of creating twice")), request_body = PolicyBody, responses((status = 201, body = PolicyView), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 409, description = "The same binding exists", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 422, description = "This Idempotency-Key came with another request", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn create_policy(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<(StatusCode, Json<app::domain::PolicyView>), AppError> {
    let new = policies::NewPolicy { subject: body.subject, role: body.role, workspace: body.workspace };
    Ok((StatusCode::CREATED, Json(policies::create(&state, &actor, new).await?)))
}

/// `DELETE /policies/{id}`.
#[utoipa::path(delete, path = "/api/v1/policies/{id}", tag = "policies", params(("id" = i64, Path)), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "It would leave no active administrator", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn delete_policy(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    let id = id.parse().map(PolicyId).map_err(|_| AppError::not_found(format!("policy {id}")))?;
    policies::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /authz/check`.
#[utoipa::path(post, path = "/api/v1/authz/check", tag = "authz", request_body = PrincipalCheck, responses((status = 200, body = CheckResponse), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 503, description = "No answer from this process now: `index_loading`, `index_stale` (it lost the database for longer than allowed; fails closed) or `revision_unavailable` (`at_least_revision` not reached in time). Retry, or ask another process", body = ErrorBody), (status = 409, description = "`revision_unknown`: no write has made `at_least_revision` yet", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<PrincipalCheck>,
) -> Result<Json<CheckResponse>, AppError> {
    let started = std::time::Instant::now();
    authz::reach_revision(&state, body.at_least_revision).await?;
    let answer = authz::check_principal(&state, &actor, &body).await?;
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

/// `POST /authz/check-batch`: answers in the order asked.
#[utoipa::path(post, path = "/api/v1/authz/check-batch", tag = "authz", request_body = BatchBody, responses((status = 200, description = "`{\"results\":[…]}`, one CheckResponse per question, in order", body = BatchAnswers), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 503, description = "No answer from this process now: `index_loading`, `index_stale` (it lost the database for longer than allowed; fails closed) or `revision_unavailable` (`at_least_revision` not reached in time). Retry, or ask another process", body = ErrorBody), (status = 409, description = "`revision_unknown`: no write has made `at_least_revision` yet", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn check_batch(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<BatchBody>,
) -> Result<Json<BatchAnswers>, AppError> {
    if body.checks.len() > 1000 {
        return Err(AppError::invalid("checks", "at most 1000 checks per batch"));
    }
    let started = std::time::Instant::now();
    authz::reach_revision(&state, body.at_least_revision).await?;
    let results = authz::check_batch(&state, &actor, &body.checks)?;
    let allowed = results.iter().filter(|r| r.allowed).count() as u64;
    state.metrics.answered(allowed, results.len() as u64 - allowed);
    state.metrics.check_took(CheckEndpoint::Batch, started.elapsed().as_secs_f64());
    Ok(Json(BatchAnswers { results }))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    workspace: Option<String>,
    since: Option<String>,
    until: Option<String>,
    #[serde(flatten)]
    page: Page,
}

/// `GET /audit?actor=&action=&workspace=&since=&until=` (times in ms).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(("actor" = Option<String>, Query), ("action" = Option<String>, Query), ("workspace" = Option<String>, Query), ("since" = Option<i64>, Query, description = "ms since the epoch"), ("until" = Option<i64>, Query), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<i64>, Query, description = "The next_cursor of the page before")), responses((status = 200, description = "Newest first", body = Listing<app::server::store::audit::AuditRow>), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Listing<app::server::store::audit::AuditRow>>, AppError> {
    let limit = query.page.limit()?;
    let before = number("cursor", query.page.cursor.as_deref())?;
    let filter = AuditFilter {
        actor: query.actor.filter(|a| !a.is_empty()),
        action: query.action.filter(|a| !a.is_empty()),
        workspace: query.workspace.filter(|w| !w.is_empty()),
        since: number("since", query.since.as_deref())?,
        until: number("until", query.until.as_deref())?,
    };
    let items = audit_service::list(&state, &actor, &filter, before, limit).await?;
    Ok(listing(items, limit, |e| e.id.to_string()))
}

/// `GET /teams`.
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(("q" = Option<String>, Query, description = "Only those whose key or name contains this"), ("sort" = Option<String>, Query, pattern = "^(key|name)?$", description = "key (the default) or name"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<String>, Query)), responses((status = 200, description = "A page of teams", body = Listing<TeamView>), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn list_teams(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<Listing<app::domain::TeamView>>, AppError> {
    let limit = page.limit()?;
    let items = teams::list(
        &state,
        &actor,
        page.q.as_deref().unwrap_or(""),
        page.sort.as_deref(),
        page.cursor.as_deref(),
        limit,
    )
    .await?;
    Ok(listing(items, limit, |t| t.key.to_string()))
}

/// `POST /teams`.
#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Send it again with a retry: the first answer is replayed (for 24 hours) instead of creating twice")), request_body = NewNamedBody, responses((status = 201, body = TeamView), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 422, description = "This Idempotency-Key came with another request", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn create_team(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<NewNamedBody>,
) -> Result<(StatusCode, Json<app::domain::TeamView>), AppError> {
    Ok((StatusCode::CREATED, Json(teams::create(&state, &actor, body.into()).await?)))
}

/// `GET /teams/{key}`.
#[utoipa::path(get, path = "/api/v1/teams/{key}", tag = "teams", params(("key" = String, Path)), responses((status = 200, body = TeamView, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn get_team(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
) -> Result<Tagged<TeamView>, AppError> {
    let team = teams::get(&state, &actor, &key).await?;
    Ok(Tagged(team.version, team))
}

/// `PATCH /teams/{key}`.
#[utoipa::path(patch, path = "/api/v1/teams/{key}", tag = "teams", params(("key" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), request_body = NamedBody, responses((status = 200, body = TeamView, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn update_team(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<NamedBody>,
) -> Result<Tagged<TeamView>, AppError> {
    let team = teams::update(&state, &actor, &key, NamedInput { expected, ..body.into() }).await?;
    Ok(Tagged(team.version, team))
}

/// `DELETE /teams/{key}`: with its memberships and policies.
#[utoipa::path(delete, path = "/api/v1/teams/{key}", tag = "teams", params(("key" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn delete_team(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, AppError> {
    teams::delete(&state, &actor, &key, &expected).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /teams/{key}/members`.
#[utoipa::path(get, path = "/api/v1/teams/{key}/members", tag = "teams", params(("key" = String, Path)), responses((status = 200, description = "The members with their team roles", body = Listing<MemberView>), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, description = "No such thing, or none you may see", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<Listing<MemberView>>, AppError> {
    Ok(everything(teams::members(&state, &actor, &key).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MemberBody {
    /// `member` (the default) or `maintainer`.
    #[schema(value_type = Option<TeamRoleText>)]
    team_role: Option<String>,
}

/// A member's role in a team.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // a schema only: the team role arrives as text
enum TeamRoleText {
    Member,
    Maintainer,
}

/// `PUT /teams/{key}/members/{user_id}` `{"team_role"}`.
#[utoipa::path(put, path = "/api/v1/teams/{key}/members/{user_id}", tag = "teams", params(("key" = String, Path), ("user_id" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), request_body = MemberBody, responses((status = 200, body = MemberView), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 413, description = "The body is over the limit: 16 KiB, 256 KiB for invitations", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn put_member(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath((key, user)): ApiPath<(String, String)>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<MemberBody>,
) -> Result<Json<app::domain::MemberView>, AppError> {
    let user = parse_user_id(&user)?;
    let role = body.team_role.unwrap_or_else(|| "member".to_owned());
    Ok(Json(teams::put_member(&state, &actor, &key, user, &role, &expected).await?))
}

/// `DELETE /teams/{key}/members/{user_id}`.
#[utoipa::path(delete, path = "/api/v1/teams/{key}/members/{user_id}", tag = "teams", params(("key" = String, Path), ("user_id" = String, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"#, description = "The ETag of the GET this change was made from: the change applies only to that version, else 412")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, description = "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath((key, user)): ApiPath<(String, String)>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, AppError> {
    teams::remove_member(&state, &actor, &key, parse_user_id(&user)?, &expected).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /audit/export.csv?…`: the filtered view as CSV, newest first.
#[utoipa::path(get, path = "/api/v1/audit/export.csv", tag = "audit", params(("actor" = Option<String>, Query), ("action" = Option<String>, Query), ("workspace" = Option<String>, Query), ("since" = Option<i64>, Query), ("until" = Option<i64>, Query)), responses((status = 200, description = "The entries as CSV, newest first", content_type = "text/csv", body = String), (status = 400, description = "Invalid input; the fields are named", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed", body = ErrorBody), (status = 429, description = "Too many refused requests (or failed sign-ins): wait Retry-After seconds", body = ErrorBody)))]
pub async fn export_audit(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let filter = AuditFilter {
        actor: query.actor.filter(|a| !a.is_empty()),
        action: query.action.filter(|a| !a.is_empty()),
        workspace: query.workspace.filter(|w| !w.is_empty()),
        since: number("since", query.since.as_deref())?,
        until: number("until", query.until.as_deref())?,
    };
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
