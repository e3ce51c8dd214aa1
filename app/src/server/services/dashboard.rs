//! The dashboard: counts, and what needs looking at, of what the viewer may
//! read and nothing else.

use crate::server::caller::Actor;
use crate::{
    domain::{Attention, DashboardStats, Listed, Permission},
    error::AppError,
    server::{
        now_ms,
        services::{
            guard::{allows, readable_workspaces},
            tokens,
        },
        store::{self, attention},
        AppState,
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

/// How many of each kind the dashboard lists.
const A_FEW: i64 = 5;
const DAY_MS: i64 = 86_400_000;

/// What needs looking at, of what the viewer may read.
pub async fn attention(state: &AppState, actor: &Actor) -> Result<Attention, AppError> {
    let may = |permission| allows(&state.access.read(), actor, permission, None);
    let now = now_ms();
    let mut conn = state.db.read().await?;
    let people = may(Permission::UserRead) && may(Permission::PolicyRead);
    let listed = |sample: attention::Sample<store::users::UserRow>| Listed {
        items: sample.items.iter().map(store::users::UserRow::view).collect(),
        total: sample.total,
    };
    let (users_without_access, disabled_with_access) = if people {
        (
            Some(listed(attention::users_without_access(&mut conn, A_FEW).await?)),
            Some(listed(attention::disabled_with_access(&mut conn, A_FEW).await?)),
        )
    } else {
        (None, None)
    };
    let invitations = match may(Permission::InviteManage) {
        true => Some(attention::pending_invitations(&mut conn, now, now + 3 * DAY_MS).await?),
        false => None,
    };
    let (refusals, recent) = if may(Permission::AuditRead) {
        let recent = store::audit::list(&mut conn, &Default::default(), None, A_FEW).await?;
        (Some(attention::refusals_since(&mut conn, now - DAY_MS).await?), Some(recent))
    } else {
        (None, None)
    };
    drop(conn);
    let expiring_tokens = tokens::list(state, actor, actor.id)
        .await?
        .into_iter()
        .filter(|t| t.status == "active" && t.expires_at < now + 7 * DAY_MS)
        .collect();
    Ok(Attention { invitations, users_without_access, disabled_with_access, expiring_tokens, refusals, recent })
}
