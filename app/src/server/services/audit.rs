//! Reading the audit log.

use crate::{
    domain::Permission,
    error::AppError,
    server::{
        services::guard::require,
        store::{
            audit::{self, AuditFilter, AuditRow},
            users::UserRow,
        },
        AppState,
    },
};

/// Entries newest first, filtered, in pages.
pub async fn list(
    state: &AppState,
    actor: &UserRow,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, AppError> {
    require(state, actor, Permission::AuditRead, None)?;
    let mut conn = state.db.acquire().await?;
    Ok(audit::list(&mut conn, filter, before, limit).await?)
}
