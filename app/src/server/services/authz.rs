//! Answering authorization questions for the platform's other services.

use serde::{Deserialize, Serialize};

use crate::{
    authz::{AccessIndex, Grant},
    domain::{EffectivePermission, GrantView, Permission, PolicyId, UserId},
    error::AppError,
    server::{services::guard::require, store::users::UserRow, AppState},
};

/// One question: may `user_id` use `permission` (in `workspace`)?
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct CheckRequest {
    pub user_id: UserId,
    pub permission: String,
    #[serde(default)]
    pub workspace: Option<String>,
}

/// The answer, with the policies behind an allow.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CheckResponse {
    pub allowed: bool,
    pub granted_by: Vec<PolicyId>,
}

fn parse_permission(key: &str, field: &str) -> Result<Permission, AppError> {
    Permission::parse(key)
        .ok_or_else(|| AppError::invalid(field, format!("unknown permission {key:?} (see GET /api/v1/permissions)")))
}

/// Asking about others needs `policy:read` globally; anyone may ask about themselves.
fn may_ask_about<'a>(
    state: &AppState,
    actor: &UserRow,
    mut users: impl Iterator<Item = &'a UserId>,
) -> Result<(), AppError> {
    if users.all(|u| *u == actor.id) {
        Ok(())
    } else {
        require(state, actor, Permission::PolicyRead, None)
    }
}

/// Answers a batch of questions, in order, from one view of the index.
pub fn check_batch(state: &AppState, actor: &UserRow, checks: &[CheckRequest]) -> Result<Vec<CheckResponse>, AppError> {
    may_ask_about(state, actor, checks.iter().map(|c| &c.user_id))?;
    let permissions: Vec<Permission> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| parse_permission(&c.permission, &format!("checks[{i}].permission")))
        .collect::<Result<_, _>>()?;
    let index = state.access.read();
    Ok(checks
        .iter()
        .zip(permissions)
        .map(|(check, permission)| answer(&index, &check.user_id, permission, check.workspace.as_deref()))
        .collect())
}

/// Answers one question.
pub fn check(state: &AppState, actor: &UserRow, request: &CheckRequest) -> Result<CheckResponse, AppError> {
    may_ask_about(state, actor, std::iter::once(&request.user_id))?;
    let permission = parse_permission(&request.permission, "permission")?;
    Ok(answer(&state.access.read(), &request.user_id, permission, request.workspace.as_deref()))
}

/// The decision, then (only when allowed) the policies behind it: a denial
/// costs one index lookup, not a walk of the user's grants.
fn answer(index: &AccessIndex, user: &UserId, permission: Permission, workspace: Option<&str>) -> CheckResponse {
    if !index.check(user, permission, workspace) {
        return CheckResponse { allowed: false, granted_by: Vec::new() };
    }
    CheckResponse { allowed: true, granted_by: index.granted_by(user, permission, workspace) }
}

fn grant_view(grant: Grant) -> GrantView {
    GrantView {
        policy: grant.policy,
        role: grant.role,
        workspace: grant.scope.workspace().cloned(),
        team: grant.via_team,
    }
}

/// Every permission `user` holds (in `workspace`, or globally) and why.
pub fn effective_permissions(
    state: &AppState,
    actor: &UserRow,
    user: UserId,
    workspace: Option<&str>,
) -> Result<Vec<EffectivePermission>, AppError> {
    if user != actor.id {
        require(state, actor, Permission::UserRead, None)?;
    }
    let explained = state.access.read().explain(&user, workspace);
    Ok(explained
        .into_iter()
        .map(|(permission, grants)| EffectivePermission {
            permission,
            granted_by: grants.into_iter().map(grant_view).collect(),
        })
        .collect())
}
