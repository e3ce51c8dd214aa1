//! The dashboard's counts: of what the viewer may read, nothing else.

use crate::server::caller::Actor;
use crate::{
    domain::{DashboardStats, Permission},
    error::AppError,
    server::{
        now_ms,
        services::guard::{allows, readable_workspaces},
        store, AppState,
    },
};

/// Counts read from the database for a signed-in user.
pub async fn stats(state: &AppState, actor: &Actor) -> Result<DashboardStats, AppError> {
    let may = |permission| allows(&state.access.read(), actor, permission, None);
    let mut conn = state.db.read().await?;
    let (users_active, users_disabled) = store::users::count_by_status(&mut conn).await?;
    let sessions_active = store::sessions::count_signed_in(&mut conn, now_ms()).await?;
    let (roles, teams, workspaces, policies) = store::facts::count_rows(&mut conn).await?;
    let users = may(Permission::UserRead);
    let within = |permission, everywhere: i64| match readable_workspaces(state, actor, permission) {
        None => Some(everywhere),
        Some(keys) if keys.is_empty() => None,
        Some(keys) => Some(keys.len() as i64),
    };
    let workspaces = within(Permission::WorkspaceRead, workspaces);
    // Without a global grant, the policies of the readable workspaces.
    let policies = match readable_workspaces(state, actor, Permission::PolicyRead) {
        None => Some(policies),
        Some(keys) if keys.is_empty() => None,
        Some(keys) => Some(store::policies::count_in(&mut conn, &keys).await?),
    };
    Ok(DashboardStats {
        users_total: users.then_some(users_active + users_disabled),
        users_active: users.then_some(users_active),
        users_disabled: users.then_some(users_disabled),
        sessions_active: users.then_some(sessions_active),
        roles: may(Permission::RoleRead).then_some(roles),
        teams: may(Permission::TeamRead).then_some(teams),
        workspaces,
        policies,
    })
}
