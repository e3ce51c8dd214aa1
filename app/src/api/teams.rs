//! Server functions of the Teams pages.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use crate::domain::Identifier;

#[cfg(feature = "ssr")]
use super::context;
use crate::{
    domain::{MemberView, Page, TeamDetail, TeamView},
    error::AppError,
};

/// A page of teams whose key or name contains `q`, by `key` or `name` (`sort`).
#[server(prefix = "/sfn", endpoint = "teams/list", input = GetUrl)]
pub async fn list_teams(
    q: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
) -> Result<Page<TeamView>, AppError> {
    context::as_actor(|state, actor| async move {
        let query = crate::domain::ListParams { q, sort, cursor, limit: None }.read(super::PAGE)?;
        crate::server::services::teams::list(&state, &actor, &query).await
    })
    .await
}

/// Creates a team (`mode` = `create`) or renames and re-describes one
/// (`update`; the key cannot change).
#[server(prefix = "/sfn", endpoint = "teams/save")]
pub async fn save_team(
    mode: super::SaveMode,
    key: String,
    name: String,
    description: Option<String>,
    version: Option<i64>,
) -> Result<TeamView, AppError> {
    use crate::server::services::{fields::NamedInput, teams};
    let input = NamedInput::of_form(Some(key), name, description, version);
    context::as_actor(|state, actor| async move { teams::save(&state, &actor, mode, input).await })
        .await
        .map(crate::server::Written::into_value)
}

/// Deletes a team with its memberships and policies.
#[server(prefix = "/sfn", endpoint = "teams/delete")]
pub async fn delete_team(key: String, version: Option<i64>) -> Result<(), AppError> {
    context::as_actor(|state, actor| async move {
        crate::server::services::teams::delete(&state, &actor, key.trim(), &crate::domain::Expected::version(version))
            .await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// A team with its members and policies.
#[server(prefix = "/sfn", endpoint = "teams/detail", input = GetUrl)]
pub async fn load_team_detail(key: String) -> Result<TeamDetail, AppError> {
    context::as_actor(
        |state, actor| async move { crate::server::services::teams::detail(&state, &actor, key.trim()).await },
    )
    .await
}

/// Adds the user with `email` to a team (or changes their team role).
#[server(prefix = "/sfn", endpoint = "teams/members/put")]
pub async fn put_team_member(
    key: String,
    email: String,
    team_role: String,
    version: Option<i64>,
) -> Result<MemberView, AppError> {
    use crate::{domain::Expected, server::services::teams};
    let expected = Expected::version(version);
    context::as_actor(|state, actor| async move {
        teams::put_member_by_email(&state, &actor, key.trim(), &email, team_role.trim(), &expected).await
    })
    .await
}

/// Removes a member from a team.
#[server(prefix = "/sfn", endpoint = "teams/members/remove")]
pub async fn remove_team_member(key: String, user_id: String, version: Option<i64>) -> Result<(), AppError> {
    use crate::{domain::Expected, server::services::teams};
    let expected = Expected::version(version);
    context::as_actor(|state, actor| async move {
        teams::remove_member(&state, &actor, key.trim(), crate::domain::UserId::parse_id(&user_id)?, &expected).await
    })
    .await
    .map(crate::server::Written::into_value)
}
