//! The dashboard's counts.

use crate::{
    domain::DashboardStats,
    error::AppError,
    server::{now_ms, store, store::users::UserRow, AppState},
};

/// Counts read from the database for a signed-in user.
pub async fn stats(state: &AppState, _actor: &UserRow) -> Result<DashboardStats, AppError> {
    let mut conn = state.db.acquire().await?;
    let (users_active, users_disabled) = store::users::count_by_status(&mut conn).await?;
    let sessions_active = store::sessions::count_signed_in(&mut conn, now_ms()).await?;
    let (roles, teams, workspaces, policies) = store::access::count_rows(&mut conn).await?;
    Ok(DashboardStats {
        users_total: users_active + users_disabled,
        users_active,
        users_disabled,
        sessions_active,
        roles,
        teams,
        workspaces,
        policies,
    })
}
