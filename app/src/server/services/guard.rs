//! Deciding whether the actor may act, and recording refusals.

use crate::server::caller::Actor;
use crate::{
    authz::AccessIndex,
    domain::{Permission, WorkspaceKey},
    error::AppError,
    server::{
        now_ms,
        store::{audit, audit::NewAuditEntry, users::UserRow},
        AppState,
    },
};

/// Whether `actor` may use `permission` (in `workspace`, or globally): the
/// user's own permissions, narrowed by their API token's when they came
/// with one.
pub fn allows(index: &AccessIndex, actor: &Actor, permission: Permission, workspace: Option<&str>) -> bool {
    index.check(&actor.id, permission, workspace)
        && actor.token.as_ref().is_none_or(|token| token.allows(permission, workspace))
}

/// The workspaces where `actor` may use `permission`; `None` when they may
/// everywhere (globally, with no token narrowing that).
pub fn readable_workspaces(state: &AppState, actor: &Actor, permission: Permission) -> Option<Vec<WorkspaceKey>> {
    let index = state.access.read();
    let owner = index.workspaces_with(&actor.id, permission);
    match &actor.token {
        None => owner,
        Some(token) if !token.permissions.contains(permission) => Some(Vec::new()),
        Some(token) => match &token.workspace {
            None => owner,
            Some(only) if allows(&index, actor, permission, Some(only.as_str())) => Some(vec![only.clone()]),
            Some(_) => Some(Vec::new()),
        },
    }
}

/// A 403 unless `actor` holds `permission` (in `workspace`, or globally).
pub fn require(
    state: &AppState,
    actor: &Actor,
    permission: Permission,
    workspace: Option<&WorkspaceKey>,
) -> Result<(), AppError> {
    let workspace_key = workspace.map(WorkspaceKey::as_str);
    if allows(&state.access.read(), actor, permission, workspace_key) {
        return Ok(());
    }
    if state.access.check(&actor.id, permission, workspace_key) {
        return Err(AppError::forbidden(
            "token_scope",
            format!("this API token does not allow {permission} {}", place(workspace)),
        ));
    }
    Err(AppError::forbidden("forbidden", format!("you need the permission {permission} {}", place(workspace))))
}

/// A 403 `token_scope` when `actor` came with an API token: managing one's
/// own account (profile, sign-in methods, sessions, tokens, invitations,
/// teams) is no token scope's business, so a leaked `endpoint` token cannot
/// revoke its owner's other tokens or accept access for them.
pub fn require_session(actor: &Actor, what: &str) -> Result<(), AppError> {
    if actor.token.is_some() {
        return Err(AppError::forbidden("token_scope", format!("API tokens cannot {what}: sign in to the console")));
    }
    Ok(())
}

fn place(workspace: Option<&WorkspaceKey>) -> String {
    match workspace {
        Some(ws) => format!("in workspace {ws}"),
        None => "globally".to_owned(),
    }
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

/// Writes the entry of a refused attempt (403, 409 or 412) and passes the result on.
pub async fn audited<T>(
    state: &AppState,
    mut entry: NewAuditEntry,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    if let Err(error @ (AppError::Forbidden { .. } | AppError::Conflict { .. } | AppError::Stale { .. })) = &result {
        // Past the budget, refusals of what the actor may not do are
        // answered 429 and not written again. Conflicts are not counted: the
        // actor may do this, and a script retrying creates that race (or
        // find the thing made) must not be locked out.
        let key = format!("actor:{}", entry.actor_id.as_deref().unwrap_or("unknown"));
        if matches!(error, AppError::Forbidden { .. }) && !state.refusals.allow(&key) {
            return Err(AppError::TooManyRequests {
                retry_after_secs: 60 / u64::from(crate::server::refusals::PER_MINUTE) + 1,
                message: format!("too many refused requests: slow down ({error})"),
            });
        }
        entry.denied = true;
        entry.reason = Some(format!("{}: {error}", error.code()));
        entry.before = None;
        entry.after = None;
        let mut tx = state.db.write().await?;
        audit::insert(&mut tx, &entry, now_ms()).await?;
        tx.commit().await.map_err(crate::server::store::StoreError::from)?;
    }
    result
}
