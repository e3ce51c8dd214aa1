//! Managing users: `user:read` to see them, `user:manage` to change them.

use crate::server::caller::Actor;
use secrecy::{ExposeSecret, SecretString};

use crate::server::Written;
use crate::{
    authz::Change,
    domain::{
        DisplayName, Email, Expected, ListQuery, Page, Permission, RoleKey, Scope, Subject, UserId, UserStatus,
        UserView, WorkspaceKey,
    },
    error::{AppError, FieldError},
    server::{
        now_ms,
        password::check_strength,
        services::{
            escalation::{forbid_escalation, forbid_removal},
            guard::{attempt, audited, require},
            policies::{self, keep_an_admin},
            versions,
        },
        store::{
            self, audit,
            users::{NewUser, PasswordOrigin, UserRow},
            versions::Versioned,
        },
        AppState,
    },
};

/// A new user as a caller sends it; without a password the user cannot sign
/// in with one until it is set.
#[derive(Clone, Debug, Default)]
pub struct UserInput {
    pub email: Option<String>,
    pub name: Option<String>,
    pub password: Option<SecretString>,
    /// Policies made with the user, in the same transaction.
    pub grants: Vec<GrantInput>,
}

/// A role the new user gets, globally or in one workspace.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct GrantInput {
    pub role: String,
    #[serde(default)]
    pub workspace: Option<String>,
}

/// The grants of a new user, checked: each names a role key and at most
/// one workspace key; repeats are dropped. Errors name `grants[i].role` etc.
fn read_grants(grants: &[GrantInput], fields: &mut Vec<FieldError>) -> Vec<(RoleKey, Scope)> {
    let mut read: Vec<(RoleKey, Scope)> = Vec::new();
    for (i, grant) in grants.iter().enumerate() {
        let role = RoleKey::parse(grant.role.trim())
            .map_err(|e| fields.push(FieldError { field: format!("grants[{i}].role"), message: e.to_string() }))
            .ok();
        let scope = match grant.workspace.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            None => Some(Scope::Global),
            Some(key) => WorkspaceKey::parse(key)
                .map(Scope::Workspace)
                .map_err(|e| {
                    fields.push(FieldError { field: format!("grants[{i}].workspace"), message: e.to_string() })
                })
                .ok(),
        };
        // A grant given twice is one policy, as asking twice for it would be.
        if let (Some(role), Some(scope)) = (role, scope) {
            if !read.iter().any(|(r, s)| *r == role && *s == scope) {
                read.push((role, scope));
            }
        }
    }
    read
}

impl UserInput {
    /// As the console's form sends it: an empty password means none.
    pub fn of_form(email: String, name: String, password: Option<String>) -> Self {
        Self {
            email: Some(email),
            name: Some(name),
            password: password.filter(|p| !p.is_empty()).map(SecretString::from),
            grants: Vec::new(),
        }
    }
}

/// What a PATCH may change.
#[derive(Clone, Debug, Default)]
pub struct UserPatch {
    pub name: Option<String>,
    pub status: Option<String>,
    /// The version the change was made from.
    pub expected: Expected,
}

impl UserPatch {
    /// A new name, from the `version` the form was made from (when given).
    pub fn rename(name: String, version: Option<i64>) -> Self {
        Self { name: Some(name), status: None, expected: crate::domain::Expected::version(version) }
    }

    /// A new status (`active`, `disabled`), from `version` when given.
    pub fn set_status(status: String, version: Option<i64>) -> Self {
        Self { name: None, status: Some(status), expected: crate::domain::Expected::version(version) }
    }
}

fn not_found(id: UserId) -> AppError {
    AppError::not_found(format!("user {id}"))
}

/// The user taken for this write, as they were: 404 when gone, 412 when
/// the caller expected another version.
pub(crate) async fn take(conn: &mut store::Conn, id: UserId, expected: &Expected) -> Result<UserRow, AppError> {
    let what = format!("user {id}");
    let version = versions::take(conn, Versioned::User, &id.to_string(), &what).await?;
    let before = store::users::find_by_id(conn, id).await?.ok_or_else(|| not_found(id))?;
    let before = UserRow { version, ..before };
    versions::expect(expected, version, &what, &before.view())?;
    Ok(before)
}

/// Users matching `query` (and `status`, when given), in the order `sort`
/// names (`email`, `name` or `newest`; email when empty), in pages.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    status: Option<&str>,
    query: &ListQuery<store::users::UserOrder>,
) -> Result<Page<UserView>, AppError> {
    require(state, actor, Permission::UserRead, None)?;
    let status = match crate::domain::non_blank(status) {
        Some(text) => Some(text.parse::<UserStatus>().map_err(|m| AppError::invalid("status", m))?),
        None => None,
    };
    let mut conn = state.db.read().await?;
    let after = crate::domain::non_blank(query.after.as_deref());
    let rows = store::users::list(&mut conn, query.q.trim(), status, query.order, after, query.limit).await?;
    Ok(Page::of(rows.iter().map(UserRow::view).collect(), query.limit, |u| u.email.to_string()))
}

/// One user.
pub async fn get(state: &AppState, actor: &Actor, id: UserId) -> Result<UserView, AppError> {
    if id != actor.id {
        require(state, actor, Permission::UserRead, None)?;
    }
    let mut conn = state.db.read().await?;
    Ok(store::users::find_by_id(&mut conn, id).await?.ok_or_else(|| not_found(id))?.view())
}

/// A user with their teams, their own policies (`None` when the actor may
/// not read policies) and what they may do in `workspace` (or globally).
pub async fn detail(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    workspace: Option<crate::domain::WorkspaceKey>,
) -> Result<crate::domain::UserDetail, AppError> {
    use crate::domain::{MembershipView, UserDetail};
    use crate::server::services::{decisions, policies};
    let user = get(state, actor, id).await?;
    let teams = {
        let mut conn = state.db.read().await?;
        store::teams::of_user(&mut conn, id).await?
    };
    let filter = store::policies::PolicyFilter { user: Some(id), ..Default::default() };
    let policies = match policies::list_labelled(state, actor, filter, 200).await {
        Ok(items) => Some(items),
        Err(AppError::Forbidden { .. }) => None,
        Err(other) => return Err(other),
    };
    let effective = decisions::effective_permissions(state, actor, id, workspace.as_ref().map(|w| w.as_str()))?;
    Ok(UserDetail {
        user,
        teams: teams.into_iter().map(|(team, team_role)| MembershipView { team, team_role }).collect(),
        policies,
        workspace,
        effective,
    })
}

/// Creates a user.
pub async fn create(state: &AppState, actor: &Actor, input: UserInput) -> Result<Written<UserView>, AppError> {
    let entry = attempt(actor, "user.create", "user", "");
    let result = async {
        require(state, actor, Permission::UserManage, None)?;
        let mut fields = Vec::new();
        let email = Email::parse(input.email.as_deref().unwrap_or_default())
            .map_err(|e| fields.push(FieldError { field: "email".into(), message: e.to_string() }))
            .ok();
        let name = DisplayName::parse(input.name.as_deref().unwrap_or_default())
            .map_err(|e| fields.push(FieldError { field: "name".into(), message: e.to_string() }))
            .ok();
        if let Some(password) = &input.password {
            if let Err(message) = check_strength(password.expose_secret()) {
                fields.push(FieldError { field: "password".into(), message });
            }
        }
        let grants = read_grants(&input.grants, &mut fields);
        let (Some(email), Some(name), true) = (email, name, fields.is_empty()) else {
            return Err(AppError::Validation { fields });
        };
        let password = match input.password {
            Some(password) => Some((state.hasher.hash(password).await?, PasswordOrigin::Admin)),
            None => None,
        };
        let mut tx = state.access.begin_write(&state.db).await?;
        // The creator would choose the password of the invitee's account and
        // could accept the invitation as them.
        if let Some(pending) = pending_invitation(&mut tx, &email).await? {
            return Err(pending);
        }
        let email_text = email.to_string();
        let new = NewUser { email, name, password, email_verified: false };
        let user = store::users::insert(&mut tx, new, now_ms()).await.map_err(|e| {
            e.conflict_on("users", "email", "email_taken", || format!("a user with email {email_text} already exists"))
        })?;
        let view = user.view();
        let mut success = entry.clone();
        success.target_id = Some(user.id.to_string());
        success.after = serde_json::to_value(&view).ok();
        if let Some(after) = success.after.as_mut() {
            after["grants"] = serde_json::json!(grants
                .iter()
                .map(|(role, scope)| serde_json::json!({ "role": role, "workspace": scope.workspace() }))
                .collect::<Vec<_>>());
        }
        audit::insert(&mut tx, &success, now_ms()).await?;
        let mut changes = vec![Change::UserSet { user: user.id, active: true }];
        changes.extend(grant_new_user(state, actor, &mut tx, user.id, &grants).await?);
        let revision = tx.commit(changes).await?;
        Ok(Written::new(view, revision))
    }
    .await;
    audited(state, entry, result).await
}

/// The policies of a user being created, under the rules of
/// `policies::create` (`policy:manage` where each applies, the role and
/// workspace exist) and the escalation check over all of them; one
/// `policy.create` audit entry each.
async fn grant_new_user(
    state: &AppState,
    actor: &Actor,
    tx: &mut crate::server::index::AccessWrite<'_>,
    user: UserId,
    grants: &[(RoleKey, Scope)],
) -> Result<Vec<Change>, AppError> {
    let mut wanted = Vec::new();
    for (i, (role, scope)) in grants.iter().enumerate() {
        wanted.push(policies::grantable(state, actor, tx, role, scope, &format!("grants[{i}].")).await?);
    }
    forbid_escalation(state, actor.holder(), &wanted)?;
    let mut changes = Vec::new();
    for (role, scope) in grants {
        let row = store::policies::insert(tx, &Subject::User(user), role, scope, now_ms()).await?;
        let mut entry = attempt(actor, "policy.create", "policy", row.id);
        entry.workspace = scope.workspace().map(ToString::to_string);
        entry.after = serde_json::to_value(crate::server::services::policies::view(&row)).ok();
        entry.reason = Some("granted with the new user".into());
        audit::insert(tx, &entry, now_ms()).await?;
        changes.push(Change::PolicyAdded(row.fact()));
    }
    Ok(changes)
}

/// A 409 `invitation_pending` when `email` has a pending invitation.
async fn pending_invitation(conn: &mut store::Conn, email: &Email) -> Result<Option<AppError>, AppError> {
    let live = store::invitations::find_pending_for(conn, email).await?.filter(|i| i.expires_at >= now_ms());
    Ok(live.map(|invitation| {
        AppError::taken(
            "email",
            "invitation_pending",
            format!(
                "{email} has a pending invitation ({}, from {}): they join through its link; revoke it first to create the account yourself",
                invitation.id, invitation.invited_by_email
            ),
        )
    }))
}

/// Renames, disables or enables a user. Disabling ends their sessions at once.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    patch: UserPatch,
) -> Result<Written<UserView>, AppError> {
    let action = match patch.status.as_deref() {
        Some("disabled") => "user.disable",
        Some("active") => "user.enable",
        _ => "user.update",
    };
    let entry = attempt(actor, action, "user", id);
    let result = async {
        require(state, actor, Permission::UserManage, None)?;
        let mut fields = Vec::new();
        let name = patch
            .name
            .as_deref()
            .map(DisplayName::parse)
            .transpose()
            .map_err(|e| fields.push(FieldError { field: "name".into(), message: e.to_string() }))
            .ok()
            .flatten();
        let status = patch
            .status
            .as_deref()
            .map(str::parse::<UserStatus>)
            .transpose()
            .map_err(|message| fields.push(FieldError { field: "status".into(), message }))
            .ok()
            .flatten();
        if !fields.is_empty() {
            return Err(AppError::Validation { fields });
        }
        let mut tx = state.access.begin_write(&state.db).await?;
        let before = take(&mut tx, id, &patch.expected).await?;
        match status {
            // Enabling confers everything the user's policies hold again;
            // disabling takes it away.
            Some(UserStatus::Active) if before.status != UserStatus::Active => {
                forbid_escalation(state, actor.holder(), &state.access.read().bindings_of_user(&id))?;
            }
            Some(UserStatus::Disabled) if before.status != UserStatus::Disabled => {
                forbid_removal(state, actor.holder(), &state.access.read().bindings_of_user(&id))?;
            }
            _ => {}
        }
        if let Some(name) = &name {
            store::users::update_name(&mut tx, id, name).await?;
        }
        if let Some(status) = status {
            store::users::set_status(&mut tx, id, status).await?;
            if status == UserStatus::Disabled {
                store::sessions::delete_for_user(&mut tx, id).await?;
                keep_an_admin(&mut tx).await?;
            }
        }
        let after = store::users::find_by_id(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        let mut success = entry.clone();
        success.before = serde_json::to_value(before.view()).ok();
        success.after = serde_json::to_value(after.view()).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit([Change::UserSet { user: id, active: after.status == UserStatus::Active }]).await?;
        Ok(Written::new(after.view(), revision))
    }
    .await;
    audited(state, entry, result).await
}

/// Gives user `id` a one-time password an administrator chose and passes
/// on: their next sign-in with it asks for a password of their own, and
/// their sessions end now. Whoever knows an account's password can act as
/// it, so only one who already holds all of its access may set it (an
/// escalation path like enabling a user).
pub async fn set_one_time_password(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    password: SecretString,
) -> Result<Written<UserView>, AppError> {
    let entry = attempt(actor, "user.password.set", "user", id);
    let result = async {
        require(state, actor, Permission::UserManage, None)?;
        if id == actor.id {
            return Err(AppError::conflict("own_password", "change your own password under My account"));
        }
        check_strength(password.expose_secret()).map_err(|message| AppError::invalid("password", message))?;
        let hash = state.hasher.hash(password).await?;
        let mut tx = state.access.begin_write(&state.db).await?;
        let user = store::users::find_by_id(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        if user.kind == "service" {
            return Err(AppError::conflict(
                "service_account",
                "a service account never signs in: make it an API token instead",
            ));
        }
        forbid_escalation(state, actor.holder(), &state.access.read().bindings_of_user(&id))?;
        store::users::set_one_time_password(&mut tx, id, &hash).await?;
        let ended = store::sessions::delete_for_user(&mut tx, id).await?;
        let mut success = entry.clone();
        success.after = Some(serde_json::json!({ "one_time_password": true, "sessions_ended": ended }));
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit(Vec::<Change>::new()).await?;
        Ok(Written::new(user.view(), revision))
    }
    .await;
    audited(state, entry, result).await
}

/// Deletes a user with their sessions, team memberships and policies.
pub async fn delete(state: &AppState, actor: &Actor, id: UserId, expected: &Expected) -> Result<Written<()>, AppError> {
    let entry = attempt(actor, "user.delete", "user", id);
    let result = async {
        require(state, actor, Permission::UserManage, None)?;
        let mut tx = state.access.begin_write(&state.db).await?;
        let before = take(&mut tx, id, expected).await?;
        forbid_removal(state, actor.holder(), &state.access.read().bindings_of_user(&id))?;
        let policies = store::policies::delete_of_user(&mut tx, id).await?;
        let teams = store::teams::remove_user(&mut tx, id).await?;
        store::sessions::delete_for_user(&mut tx, id).await?;
        store::users::delete(&mut tx, id).await?;
        keep_an_admin(&mut tx).await?;
        let mut success = entry.clone();
        success.before = Some(serde_json::json!({
            "user": before.view(),
            "policies_deleted": policies.len(),
            "teams_left": teams,
        }));
        audit::insert(&mut tx, &success, now_ms()).await?;
        let mut changes: Vec<Change> = policies.iter().map(|p| Change::PolicyRemoved(p.fact())).collect();
        changes.extend(teams.into_iter().map(|team| Change::MemberRemoved { team, user: id }));
        changes.push(Change::UserRemoved(id));
        let revision = tx.commit(changes).await?;
        Ok(Written::new((), revision))
    }
    .await;
    audited(state, entry, result).await
}
