//! Roles: the built-in ones are fixed; custom ones are created, edited and
//! deleted by holders of `role:manage` who hold every permission they grant.

use crate::server::caller::Actor;
use crate::server::Written;
use crate::{
    authz::{Binding, Change},
    domain::{Expected, Permission, PermissionSet, RoleKey, RoleView, Scope},
    error::{AppError, FieldError},
    server::{
        now_ms,
        services::{
            escalation::{forbid_escalation, forbid_removal},
            fields::check_name,
            guard::{attempt, audited, require},
            versions,
        },
        store::{self, audit, roles::RoleRow, versions::Versioned},
        AppState,
    },
};

/// The fields of a role as a caller sends them.
#[derive(Clone, Debug, Default)]
pub struct RoleInput {
    pub key: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Vec<String>>,
    /// On an edit: the version it was made from.
    pub expected: Expected,
}

impl RoleInput {
    /// As the role form sends it: its ticked permissions, none ticked
    /// sending nothing (an empty role), edited from `version` when given.
    pub fn of_form(
        key: String,
        name: String,
        description: Option<String>,
        permissions: Option<Vec<String>>,
        version: Option<i64>,
    ) -> Self {
        Self {
            key: Some(key),
            name: Some(name),
            description: Some(description.unwrap_or_default()),
            permissions: Some(permissions.unwrap_or_default()),
            expected: Expected::version(version),
        }
    }
}

/// Creates the role of `input.key` (`SaveMode::Create`) or edits it.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    mode: crate::domain::SaveMode,
    input: RoleInput,
) -> Result<Written<RoleView>, AppError> {
    match mode {
        crate::domain::SaveMode::Create => create(state, actor, input).await,
        crate::domain::SaveMode::Update => update(state, actor, &input.key.clone().unwrap_or_default(), input).await,
    }
}

/// The role as callers see it (with `used_by` from the index).
pub fn view(state: &AppState, row: &RoleRow) -> RoleView {
    RoleView {
        used_by: state.access.read().policies_with_role(&row.key) as u64,
        key: row.key.clone(),
        name: row.name.clone(),
        description: row.description.clone(),
        permissions: row.permissions.iter().collect(),
        builtin: row.builtin,
        version: row.version,
    }
}

fn parse_name(name: Option<&str>, fields: &mut Vec<FieldError>) -> String {
    let name = name.unwrap_or_default().trim();
    check_name(name, fields);
    name.to_owned()
}

fn parse_permissions(keys: Option<&[String]>, fields: &mut Vec<FieldError>) -> PermissionSet {
    match PermissionSet::parse_keys(keys.unwrap_or_default()) {
        Ok(set) => set,
        Err(unknown) => {
            fields.push(FieldError {
                field: "permissions".into(),
                message: format!("unknown permissions: {} (see GET /api/v1/permissions)", unknown.join(", ")),
            });
            PermissionSet::EMPTY
        }
    }
}

/// A custom role taken for this write, as it was: 404 if missing, 409
/// `builtin_role` if built in, 412 if the caller expected another version.
async fn take_custom_role(
    state: &AppState,
    conn: &mut store::Conn,
    key: &str,
    verb: &str,
    expected: &Expected,
) -> Result<RoleRow, AppError> {
    let what = format!("role {key}");
    let key = RoleKey::parse(key).map_err(|_| AppError::not_found(what.clone()))?;
    let version = versions::take(conn, Versioned::Role, key.as_str(), &what).await?;
    let role = store::roles::find(conn, &key).await?.ok_or_else(|| AppError::not_found(what.clone()))?;
    if role.builtin {
        return Err(AppError::conflict("builtin_role", format!("the built-in role {key} cannot be {verb}")));
    }
    let role = RoleRow { version, ..role };
    versions::expect(expected, version, &what, &view(state, &role))?;
    Ok(role)
}

/// Every role.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<RoleView>, AppError> {
    require(state, actor, Permission::RoleRead, None)?;
    let mut conn = state.db.read().await?;
    Ok(store::roles::list(&mut conn).await?.iter().map(|row| view(state, row)).collect())
}

/// One role.
pub async fn get(state: &AppState, actor: &Actor, key: &str) -> Result<RoleView, AppError> {
    require(state, actor, Permission::RoleRead, None)?;
    let key = RoleKey::parse(key).map_err(|_| AppError::not_found(format!("role {key}")))?;
    let mut conn = state.db.read().await?;
    let row = store::roles::find(&mut conn, &key).await?.ok_or_else(|| AppError::not_found(format!("role {key}")))?;
    Ok(view(state, &row))
}

/// Creates a custom role.
pub async fn create(state: &AppState, actor: &Actor, input: RoleInput) -> Result<Written<RoleView>, AppError> {
    let entry = attempt(actor, "role.create", "role", input.key.clone().unwrap_or_default());
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        require(state, actor, Permission::RoleManage, None)?;
        let mut fields = Vec::new();
        let key = match RoleKey::parse(input.key.as_deref().unwrap_or_default()) {
            Ok(key) => Some(key),
            Err(e) => {
                fields.push(FieldError { field: "key".into(), message: e.to_string() });
                None
            }
        };
        let name = parse_name(input.name.as_deref(), &mut fields);
        let permissions = parse_permissions(input.permissions.as_deref(), &mut fields);
        let (Some(key), true) = (key, fields.is_empty()) else { return Err(AppError::Validation { fields }) };
        forbid_escalation(state, actor.holder(), &[Binding { permissions, scope: Scope::Global }])?;
        let row = RoleRow {
            key,
            name,
            description: input.description.unwrap_or_default().trim().to_owned(),
            permissions,
            builtin: false,
            created_at: now_ms(),
            version: 1,
        };
        store::roles::insert(&mut tx, &row).await.map_err(|e| {
            e.conflict_on("roles", "key", "role_exists", || format!("a role with key {} already exists", row.key))
        })?;
        // After the insert: a taken key is the first thing to say.
        name_is_free(&mut tx, &row.name, &row.key).await?;
        let created = view(state, &row);
        let mut success = entry.clone();
        success.after = serde_json::to_value(&created).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit([Change::RoleSet { role: row.key, permissions: row.permissions }]).await?;
        Ok(Written::new(created, revision))
    }
    .await;
    audited(state, entry, result).await
}

/// Edits a custom role; fields left out keep their value.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    key: &str,
    input: RoleInput,
) -> Result<Written<RoleView>, AppError> {
    let entry = attempt(actor, "role.update", "role", key);
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        require(state, actor, Permission::RoleManage, None)?;
        let before = take_custom_role(state, &mut tx, key, "changed", &input.expected).await?;
        let mut fields = Vec::new();
        let mut after = RoleRow { version: before.version + 1, ..before.clone() };
        if input.name.is_some() {
            after.name = parse_name(input.name.as_deref(), &mut fields);
        }
        if let Some(description) = input.description {
            after.description = description.trim().to_owned();
        }
        if input.permissions.is_some() {
            after.permissions = parse_permissions(input.permissions.as_deref(), &mut fields);
        }
        if !fields.is_empty() {
            return Err(AppError::Validation { fields });
        }
        name_is_free(&mut tx, &after.name, &after.key).await?;
        // Whoever edits a role could hand out all of it through its policies.
        forbid_escalation(state, actor.holder(), &[Binding { permissions: after.permissions, scope: Scope::Global }])?;
        // Narrowing a role in use takes access away from its holders: bounded
        // as if the removed permissions were held everywhere (globally).
        let removed = before.permissions.difference(after.permissions);
        if state.access.read().policies_with_role(&before.key) > 0 {
            forbid_removal(state, actor.holder(), &[Binding { permissions: removed, scope: Scope::Global }])?;
        }
        store::roles::update(&mut tx, &after).await?;
        let updated = view(state, &after);
        let mut success = entry.clone();
        success.before = serde_json::to_value(view(state, &before)).ok();
        success.after = serde_json::to_value(&updated).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit([Change::RoleSet { role: after.key, permissions: after.permissions }]).await?;
        Ok(Written::new(updated, revision))
    }
    .await;
    audited(state, entry, result).await
}

/// A 409 on `name` when another role is called that: the policy form and
/// the invitation form pick roles by name, so two alike are one too many.
async fn name_is_free(conn: &mut store::Conn, name: &str, key: &RoleKey) -> Result<(), AppError> {
    match store::roles::named(conn, name, key).await? {
        Some(other) => Err(AppError::taken(
            "name",
            "role_name_taken",
            format!("the role {other} is already called {name}: choose another name"),
        )),
        None => Ok(()),
    }
}

/// Deletes a custom role that no policy uses.
pub async fn delete(state: &AppState, actor: &Actor, key: &str, expected: &Expected) -> Result<Written<()>, AppError> {
    let entry = attempt(actor, "role.delete", "role", key);
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        require(state, actor, Permission::RoleManage, None)?;
        let before = take_custom_role(state, &mut tx, key, "deleted", expected).await?;
        let key = before.key.clone();
        let used_by = store::policies::count_with_role(&mut tx, &key).await?;
        if used_by > 0 {
            return Err(AppError::conflict(
                "role_in_use",
                format!(
                    "role {key} is used by {used_by} {}: delete them first",
                    if used_by == 1 { "policy" } else { "policies" }
                ),
            ));
        }
        // Finished and expired invitations only name it; one that can still
        // be accepted would then grant nothing, or fail.
        let (invited, total) = store::invitations::pending_with_role(&mut tx, &key, now_ms(), 3).await?;
        if total > 0 {
            return Err(AppError::conflict(
                "role_invited",
                format!(
                    "role {key} is offered by {total} pending {} ({}{}): revoke {} first",
                    if total == 1 { "invitation" } else { "invitations" },
                    invited.join(", "),
                    if total > 3 { ", …" } else { "" },
                    if total == 1 { "it" } else { "them" },
                ),
            ));
        }
        store::roles::delete(&mut tx, &key).await?;
        let mut success = entry.clone();
        success.before = serde_json::to_value(view(state, &before)).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit([Change::RoleRemoved(key)]).await?;
        Ok(Written::new((), revision))
    }
    .await;
    audited(state, entry, result).await
}
