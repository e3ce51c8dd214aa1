//! Server functions of the Teams pages.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use super::context;
use crate::{
    domain::{MemberView, TeamDetail, TeamPage, TeamView},
    error::AppError,
};

/// Teams per page in the console.
#[cfg(feature = "ssr")]
const TEAMS_PER_PAGE: i64 = 25;

/// A page of teams whose key or name contains `q`, by `key` or `name` (`sort`).
#[server(prefix = "/sfn", endpoint = "teams/list", input = GetUrl)]
pub async fn list_teams(q: Option<String>, sort: Option<String>, cursor: Option<String>) -> Result<TeamPage, AppError> {
    let result = async {
        let (state, actor) = context::actor().await?;
        let after = cursor.as_deref().filter(|c| !c.is_empty());
        let query = q.as_deref().unwrap_or("");
        let items =
            crate::server::services::teams::list(&state, &actor, query, sort.as_deref(), after, TEAMS_PER_PAGE).await?;
        let next_cursor =
            if items.len() as i64 == TEAMS_PER_PAGE { items.last().map(|t| t.key.to_string()) } else { None };
        Ok(TeamPage { items, next_cursor })
    }
    .await;
    context::respond(result)
}

/// Creates a team (`mode` = `create`) or renames and re-describes one
/// (`update`; the key cannot change).
#[server(prefix = "/sfn", endpoint = "teams/save")]
pub async fn save_team(
    mode: String,
    key: String,
    name: String,
    description: Option<String>,
    version: Option<i64>,
) -> Result<TeamView, AppError> {
    use crate::server::services::{fields::NamedInput, teams};
    let result = async {
        let (state, actor) = context::actor().await?;
        let input = NamedInput {
            key: Some(key.clone()),
            name: Some(name),
            description,
            expected: crate::domain::Expected::version(version),
        };
        match mode.as_str() {
            "create" => teams::create(&state, &actor, input).await,
            "update" => teams::update(&state, &actor, key.trim(), input).await,
            _ => Err(AppError::invalid("mode", "use create or update")),
        }
    }
    .await;
    context::respond(result)
}

/// Deletes a team with its memberships and policies.
#[server(prefix = "/sfn", endpoint = "teams/delete")]
pub async fn delete_team(key: String, version: Option<i64>) -> Result<(), AppError> {
    let result = async {
        let (state, actor) = context::actor().await?;
        crate::server::services::teams::delete(&state, &actor, key.trim(), &crate::domain::Expected::version(version))
            .await
    }
    .await;
    context::respond(result)
}

/// A team with its members and policies.
#[server(prefix = "/sfn", endpoint = "teams/detail", input = GetUrl)]
pub async fn load_team_detail(key: String) -> Result<TeamDetail, AppError> {
    let result = async {
        let (state, actor) = context::actor().await?;
        crate::server::services::teams::detail(&state, &actor, key.trim()).await
    }
    .await;
    context::respond(result)
}

/// Adds the user with `email` to a team (or changes their team role).
#[server(prefix = "/sfn", endpoint = "teams/members/put")]
pub async fn put_team_member(
    key: String,
    email: String,
    team_role: String,
    version: Option<i64>,
) -> Result<MemberView, AppError> {
    let result = async {
        let (state, actor) = context::actor().await?;
        let expected = crate::domain::Expected::version(version);
        crate::server::services::teams::put_member_by_email(
            &state,
            &actor,
            key.trim(),
            &email,
            team_role.trim(),
            &expected,
        )
        .await
    }
    .await;
    context::respond(result)
}

/// Removes a member from a team.
#[server(prefix = "/sfn", endpoint = "teams/members/remove")]
pub async fn remove_team_member(key: String, user_id: String, version: Option<i64>) -> Result<(), AppError> {
    let result = async {
        let (state, actor) = context::actor().await?;
        let user = user_id.parse().map_err(|_| AppError::not_found(format!("user {user_id}")))?;
        crate::server::services::teams::remove_member(
            &state,
            &actor,
            key.trim(),
            user,
            &crate::domain::Expected::version(version),
        )
        .await
    }
    .await;
    context::respond(result)
}
