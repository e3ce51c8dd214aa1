//! `/teams`: teams and their members.

use axum::{extract::State, http::StatusCode, Json, Router};
use serde::Deserialize;

use super::{
    answers::{everything, listing, Done, Listing},
    named::{NamedBody, NewNamedBody},
    params::{parse_user_id, Page},
    ApiJson, ApiPath, ApiQuery, IfMatch, SignedIn, Tagged,
};
use app::server::services::fields::NamedInput;
use app::{
    domain::{MemberView, TeamView},
    server::http::ErrorBody,
};
use app::{
    server::{services::teams, AppState},
    AppError,
};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::routing::{get, put};
    Router::new()
        .route("/teams", get(list_teams).post(create_team))
        .route("/teams/{key}", get(get_team).patch(update_team).delete(delete_team))
        .route("/teams/{key}/members", get(list_members))
        .route("/teams/{key}/members/{user_id}", put(put_member).delete(remove_member))
}

/// `GET /teams`.
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(("q" = Option<String>, Query, description = "Only those whose key or name contains this"), ("sort" = Option<String>, Query, pattern = "^(key|name)?$", description = "key (the default) or name"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<String>, Query)), responses((status = 200, description = "A page of teams", body = Listing<TeamView>)))]
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
#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", request_body = NewNamedBody, responses((status = 201, body = TeamView), (status = 409, body = ErrorBody)))]
pub async fn create_team(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<NewNamedBody>,
) -> Result<(StatusCode, Json<app::domain::TeamView>), AppError> {
    Ok((StatusCode::CREATED, Json(teams::create(&state, &actor, body.into()).await?)))
}

/// `GET /teams/{key}`.
#[utoipa::path(get, path = "/api/v1/teams/{key}", tag = "teams", params(("key" = String, Path)), responses((status = 200, body = TeamView, headers(("ETag" = String, description = "The version, for If-Match")))))]
pub async fn get_team(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
) -> Result<Tagged<TeamView>, AppError> {
    let team = teams::get(&state, &actor, &key).await?;
    Ok(Tagged(team.version, team))
}

/// `PATCH /teams/{key}`.
#[utoipa::path(patch, path = "/api/v1/teams/{key}", tag = "teams", params(("key" = String, Path)), request_body = NamedBody, responses((status = 200, body = TeamView, headers(("ETag" = String, description = "The version, for If-Match")))))]
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
#[utoipa::path(delete, path = "/api/v1/teams/{key}", tag = "teams", params(("key" = String, Path)), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 409, body = ErrorBody)))]
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
#[utoipa::path(get, path = "/api/v1/teams/{key}/members", tag = "teams", params(("key" = String, Path)), responses((status = 200, description = "The members with their team roles", body = Listing<MemberView>)))]
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
#[utoipa::path(put, path = "/api/v1/teams/{key}/members/{user_id}", tag = "teams", params(("key" = String, Path), ("user_id" = String, Path)), request_body = MemberBody, responses((status = 200, body = MemberView)))]
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
#[utoipa::path(delete, path = "/api/v1/teams/{key}/members/{user_id}", tag = "teams", params(("key" = String, Path), ("user_id" = String, Path)), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath((key, user)): ApiPath<(String, String)>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, AppError> {
    teams::remove_member(&state, &actor, &key, parse_user_id(&user)?, &expected).await?;
    Ok(StatusCode::NO_CONTENT)
}
