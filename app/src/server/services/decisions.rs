//! Answering authorization questions for the platform's other services.

use crate::server::caller::Actor;
use serde::{Deserialize, Serialize};

use crate::{
    authz::{AccessIndex, Grant},
    domain::{
        AccessExplanation, EffectivePermission, GrantView, PeopleWithAccess, Permission, PermissionHolders,
        PersonAccess, PolicyId, UserId, WorkspaceKey,
    },
    error::AppError,
    server::{services::guard::require, AppState},
};

/// One question: may `user_id` use `permission` (in `workspace`)?
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct CheckRequest {
    pub user_id: UserId,
    #[schema(schema_with = crate::server::http::schema::permission)]
    pub permission: String,
    #[serde(default)]
    pub workspace: Option<String>,
}

/// One question about a principal: a user (`user_id`) or the holder of an
/// API token (`token`, as a platform service receives it).
#[derive(Clone, Debug, Deserialize)]
pub struct PrincipalCheck {
    #[serde(default)]
    pub user_id: Option<UserId>,
    #[serde(default)]
    pub token: Option<String>,
    pub permission: String,
    #[serde(default)]
    pub workspace: Option<String>,
    /// A revision returned by a write (on any process): answer only once
    /// this process's index includes it.
    #[serde(default, deserialize_with = "crate::server::http::whole_number")]
    pub at_least_revision: Option<i64>,
}

// Written out: exactly one of `user_id` and `token` is given.
impl utoipa::PartialSchema for PrincipalCheck {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType, Type};
        let variant = |principal: &str, schema: ObjectBuilder, other: &str| {
            ObjectBuilder::new()
                .property(principal, schema)
                .required(principal)
                .property(other, ObjectBuilder::new().schema_type(Type::Null))
                .property("permission", crate::server::http::schema::permission())
                .required("permission")
                .property(
                    "workspace",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                        .description(Some("A workspace key; absent or null for a global question")),
                )
                .property(
                    "at_least_revision",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
                        .minimum(Some(0))
                        .description(Some(
                            "A revision returned by a write (on any process): answer only once this process's \
                             index includes it",
                        )),
                )
        };
        let user = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid)));
        let token = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .description(Some("An API token as a platform service received it"));
        OneOfBuilder::new().item(variant("user_id", user, "token")).item(variant("token", token, "user_id")).into()
    }
}

impl utoipa::ToSchema for PrincipalCheck {}

/// The answer, with the policies behind an allow.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CheckResponse {
    pub allowed: bool,
    pub granted_by: Vec<PolicyId>,
    /// Why a token was not even considered (revoked, expired, unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn parse_permission(key: &str, field: &str) -> Result<Permission, AppError> {
    Permission::parse(key)
        .ok_or_else(|| AppError::invalid(field, format!("unknown permission {key:?} (see GET /api/v1/permissions)")))
}

/// Asking about others needs `policy:read` globally; anyone may ask about themselves.
fn may_ask_about<'a>(
    state: &AppState,
    actor: &Actor,
    mut users: impl Iterator<Item = &'a UserId>,
) -> Result<(), AppError> {
    if users.all(|u| *u == actor.id) {
        Ok(())
    } else {
        require(state, actor, Permission::PolicyRead, None)
    }
}

/// Waits (at most the configured `revision_wait`) until this process's
/// index includes `revision`: a 503 `revision_unavailable` past that, never
/// an answer from before the write the caller knows of.
pub async fn reach_revision(state: &AppState, revision: Option<i64>) -> Result<(), AppError> {
    let Some(revision) = revision else { return Ok(()) };
    if revision < 0 {
        return Err(AppError::invalid("at_least_revision", "a revision is 0 or more, as returned by a write"));
    }
    if revision > state.access.revision() {
        // A revision no write has made yet will not come by waiting: say so
        // at once rather than answer 503 after the wait.
        let mut conn = state.db.read().await?;
        let newest = crate::server::store::access_log::latest(&mut conn).await?;
        if revision > newest {
            state.metrics.refused("revision_unknown");
            return Err(AppError::conflict(
                "revision_unknown",
                format!(
                    "no write has made revision {revision} yet (the newest is {newest}): pass a revision a write \
                     returned"
                ),
            ));
        }
    }
    let wait = state.config.cluster.revision_wait;
    if state.access.wait_for(revision, wait).await {
        return Ok(());
    }
    state.metrics.refused("revision_unavailable");
    Err(AppError::unavailable(
        "revision_unavailable",
        format!(
            "this process has reached revision {} and did not reach {revision} within {} ms: retry, or ask \
             another process",
            state.access.revision(),
            wait.as_millis()
        ),
    ))
}

/// Answers a batch of questions, in order, from one view of the index.
pub fn check_batch(state: &AppState, actor: &Actor, checks: &[CheckRequest]) -> Result<Vec<CheckResponse>, AppError> {
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

/// Answers one question about a user or a presented API token. A token is
/// allowed what its owner may do now, within its scope and workspace; a
/// revoked or expired token, or a disabled owner, is allowed nothing.
pub async fn check_principal(
    state: &AppState,
    actor: &Actor,
    request: &PrincipalCheck,
) -> Result<CheckResponse, AppError> {
    let permission = parse_permission(&request.permission, "permission")?;
    let workspace = request.workspace.as_deref();
    match (&request.user_id, &request.token) {
        (Some(user), None) => {
            may_ask_about(state, actor, std::iter::once(user))?;
            Ok(answer(&state.access.read(), user, permission, workspace))
        }
        (None, Some(token)) if token.trim().is_empty() => {
            Err(AppError::invalid("token", "give the token as the platform service received it"))
        }
        (None, Some(token)) => match crate::server::services::tokens::resolve(state, token.trim()).await {
            Ok((row, owner)) => {
                may_ask_about(state, actor, std::iter::once(&owner.id))?;
                let grant = crate::server::services::tokens::grant_of(&row);
                if !grant.allows(permission, workspace) {
                    return Ok(CheckResponse { allowed: false, granted_by: Vec::new(), reason: None });
                }
                Ok(answer(&state.access.read(), &owner.id, permission, workspace))
            }
            Err(AppError::Unauthenticated { message }) => {
                require(state, actor, Permission::PolicyRead, None)?;
                Ok(CheckResponse { allowed: false, granted_by: Vec::new(), reason: Some(message) })
            }
            Err(other) => Err(other),
        },
        _ => Err(AppError::invalid("user_id", "give either user_id or token")),
    }
}

/// The gateway's question (forward-auth): may the caller itself, within
/// its token's limits, use `permission` in `workspace`? No one else is asked
/// about, so no `policy:read` is needed; the index and the token cache answer.
pub fn check_self(
    state: &AppState,
    actor: &Actor,
    permission: &str,
    workspace: Option<&str>,
) -> Result<bool, AppError> {
    let permission = parse_permission(permission, "permission")?;
    Ok(crate::server::services::guard::allows(&state.access.read(), actor, permission, workspace))
}

/// Answers one question.
pub fn check(state: &AppState, actor: &Actor, request: &CheckRequest) -> Result<CheckResponse, AppError> {
    may_ask_about(state, actor, std::iter::once(&request.user_id))?;
    let permission = parse_permission(&request.permission, "permission")?;
    Ok(answer(&state.access.read(), &request.user_id, permission, request.workspace.as_deref()))
}

/// The decision, then (only when allowed) the policies behind it: a denial
/// costs one index lookup, not a walk of the user's grants.
fn answer(index: &AccessIndex, user: &UserId, permission: Permission, workspace: Option<&str>) -> CheckResponse {
    if !index.check(user, permission, workspace) {
        return CheckResponse { allowed: false, granted_by: Vec::new(), reason: None };
    }
    CheckResponse { allowed: true, granted_by: index.granted_by(user, permission, workspace), reason: None }
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
    actor: &Actor,
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

/// At most this many people are listed by the access explorer and the
/// workspace page; the total is always given.
pub const PEOPLE_SHOWN: usize = 200;

/// Names the first [`PEOPLE_SHOWN`] of `users` (sorted by email), each with
/// the grants `grants_of` finds for them.
async fn people_with_access(
    state: &AppState,
    users: Vec<UserId>,
    grants_of: impl Fn(&AccessIndex, &UserId) -> Vec<Grant>,
) -> Result<PeopleWithAccess, AppError> {
    let total = users.len();
    let shown = &users[..total.min(PEOPLE_SHOWN)];
    let rows = {
        let mut conn = state.db.read().await?;
        crate::server::store::users::find_many(&mut conn, shown).await?
    };
    let mut people: Vec<PersonAccess> = {
        let index = state.access.read();
        rows.into_iter()
            .map(|row| PersonAccess {
                grants: grants_of(&index, &row.id).into_iter().map(grant_view).collect(),
                user_id: row.id,
                email: row.email.to_string(),
                name: row.name.to_string(),
            })
            .collect()
    };
    people.sort_by(|a, b| a.email.cmp(&b.email));
    Ok(PeopleWithAccess { people, total })
}

/// Who holds `permission` in `workspace` (or globally), and through which
/// policies. Needs `policy:read` there.
pub async fn holders(
    state: &AppState,
    actor: &Actor,
    permission: &str,
    workspace: Option<WorkspaceKey>,
) -> Result<PermissionHolders, AppError> {
    let permission = parse_permission(permission.trim(), "permission")?;
    require(state, actor, Permission::PolicyRead, workspace.as_ref())?;
    super::workspaces::must_exist(&mut *state.db.read().await?, workspace.as_ref()).await?;
    let ws = workspace.as_ref().map(WorkspaceKey::as_str);
    let users = state.access.read().holders(permission, ws);
    let holders = people_with_access(state, users, |index, user| index.grants_for(user, permission, ws)).await?;
    Ok(PermissionHolders { permission, workspace, holders })
}

/// Everyone holding some workspace permission in `workspace`, directly or
/// through a team, with the policies that reach them. Needs `policy:read` there.
pub async fn people_in_workspace(
    state: &AppState,
    actor: &Actor,
    workspace: &WorkspaceKey,
) -> Result<PeopleWithAccess, AppError> {
    require(state, actor, Permission::PolicyRead, Some(workspace))?;
    let users = state.access.read().with_access(workspace.as_str());
    people_with_access(state, users, |index, user| index.grants_in(user, workspace.as_str())).await
}

/// What the user with `email` may do in `workspace` (or globally), and why.
pub async fn explain_user(
    state: &AppState,
    actor: &Actor,
    email: &str,
    workspace: Option<WorkspaceKey>,
) -> Result<AccessExplanation, AppError> {
    let email =
        crate::domain::Email::parse(email.trim()).map_err(|_| AppError::invalid("user", "type the email of a user"))?;
    let user = {
        let mut conn = state.db.read().await?;
        crate::server::store::users::find_by_email(&mut conn, &email).await?
    };
    // A stranger's email is only named as unknown to those who may read users.
    let user = match user {
        Some(user) => user,
        None => {
            require(state, actor, Permission::UserRead, None)?;
            return Err(AppError::unknown("user", format!("there is no user {email}")));
        }
    };
    let effective = effective_permissions(state, actor, user.id, workspace.as_ref().map(WorkspaceKey::as_str))?;
    // Only now, to one who may read policies there: "no permission here"
    // about a workspace that does not exist would read as an answer.
    super::workspaces::must_exist(&mut *state.db.read().await?, workspace.as_ref()).await?;
    Ok(AccessExplanation { user: user.view(), workspace, effective })
}
