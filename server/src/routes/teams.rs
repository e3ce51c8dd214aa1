//! `/teams`: teams and their members.

use axum::{extract::State, http::StatusCode, Json, Router};
use serde::Deserialize;

use app::server::Written;

use super::{
    answers::{Done, Page},
    named::{NamedBody, NewNamedBody},
    params::{ListParams, DEFAULT_LIMIT},
    ApiJson, ApiPath, ApiQuery, IfMatch, SignedIn, Tagged,
};
use app::{
    domain::{Identifier, MemberView, TeamView, UserId},
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

super::named::named_resource! {
    service: teams, view: TeamView, tag: "teams",
    list: (list_teams, "/api/v1/teams", " `GET /teams`.", "A page of teams"),
    create: (create_team, " `POST /teams`."),
    get: (get_team, "/api/v1/teams/{key}", " `GET /teams/{key}`."),
    update: (update_team, " `PATCH /teams/{key}`."),
    delete: (delete_team, " `DELETE /teams/{key}`: with its memberships and policies.",
        (status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done),
        (status = 409, body = ErrorBody))
}

/// `GET /teams/{key}/members`.
#[utoipa::path(get, path = "/api/v1/teams/{key}/members", tag = "teams", params(("key" = String, Path)), responses((status = 200, description = "The members with their team roles", body = Page<MemberView>)))]
pub async fn list_members(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<Page<MemberView>>, AppError> {
    Ok(Json(Page::whole(teams::members(&state, &actor, &key).await?)))
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
#[utoipa::path(put, path = "/api/v1/teams/{key}/members/{user_id}", tag = "teams", params(("key" = String, Path), ("user_id" = String, Path)), request_body = MemberBody, responses((status = 200, body = app::server::written::Revised<MemberView>)))]
pub async fn put_member(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath((key, user)): ApiPath<(String, String)>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<MemberBody>,
) -> Result<Written<MemberView>, AppError> {
    let user = UserId::parse_id(&user)?;
    let role = body.team_role.unwrap_or_else(|| "member".to_owned());
    teams::put_member(&state, &actor, &key, user, &role, &expected).await
}

/// `DELETE /teams/{key}/members/{user_id}`.
#[utoipa::path(delete, path = "/api/v1/teams/{key}/members/{user_id}", tag = "teams", params(("key" = String, Path), ("user_id" = String, Path)), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = Done), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath((key, user)): ApiPath<(String, String)>,
    IfMatch(expected): IfMatch,
) -> Result<Written<()>, AppError> {
    teams::remove_member(&state, &actor, &key, UserId::parse_id(&user)?, &expected).await
}
