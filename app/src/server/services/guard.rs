//! Deciding whether the actor may act, and recording refusals.

use crate::{
    domain::{Permission, WorkspaceKey},
    error::AppError,
    server::{
        now_ms,
        store::{audit, audit::NewAuditEntry, users::UserRow},
        AppState,
    },
};

/// A 403 unless `actor` holds `permission` (in `workspace`, or globally).
pub fn require(
    state: &AppState,
    actor: &UserRow,
    permission: Permission,
    workspace: Option<&WorkspaceKey>,
) -> Result<(), AppError> {
    if state.access.check(&actor.id, permission, workspace.map(WorkspaceKey::as_str)) {
        return Ok(());
    }
    let place = match workspace {
        Some(ws) => format!("in workspace {ws}"),
        None => "globally".to_owned(),
    };
    Err(AppError::forbidden("forbidden", format!("you need the permission {permission} {place}")))
}

/// The audit entry of an attempt by `actor`.
pub fn attempt(actor: &UserRow, action: &str, target_type: &str, target_id: impl ToString) -> NewAuditEntry {
    NewAuditEntry {
        actor_id: Some(actor.id.to_string()),
        actor_email: Some(actor.email.to_string()),
        action: action.to_owned(),
        target_type: Some(target_type.to_owned()),
        target_id: Some(target_id.to_string()).filter(|t| !t.is_empty()),
        ..NewAuditEntry::default()
    }
}

/// Writes the entry of a refused attempt (403 or 409) and passes the result on.
pub async fn audited<T>(
    state: &AppState,
    mut entry: NewAuditEntry,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    if let Err(error @ (AppError::Forbidden { .. } | AppError::Conflict { .. })) = &result {
        entry.denied = true;
        entry.reason = Some(format!("{}: {error}", error.code()));
        entry.before = None;
        entry.after = None;
        let mut conn = state.db.acquire().await?;
        audit::insert(&mut conn, &entry, now_ms()).await?;
    }
    result
}
