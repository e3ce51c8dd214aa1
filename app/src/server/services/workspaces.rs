//! Workspaces: the tenants that own endpoints, models and datasets.

use crate::{
    authz::Change,
    domain::{Expected, Permission, WorkspaceKey, WorkspaceView},
    error::AppError,
    server::{
        now_ms,
        services::{
            escalation,
            fields::{apply_edit, parse_new, NamedInput},
            guard::{allows, attempt, audited, readable_workspaces, require},
            versions,
        },
        store::{self, access::WorkspaceRow, audit, users::UserRow, versions::Versioned, StoreError},
        AppState,
    },
};

/// The fields of a workspace as a caller sends them.
pub type WorkspaceInput = NamedInput;

fn view(row: &WorkspaceRow) -> WorkspaceView {
    WorkspaceView {
        key: row.key.clone(),
        name: row.name.clone(),
        description: row.description.clone(),
        created_at: row.created_at,
        version: row.version,
    }
}

fn parse_key(key: &str) -> Result<WorkspaceKey, AppError> {
    WorkspaceKey::parse(key).map_err(|_| AppError::not_found(format!("workspace {key}")))
}

async fn load(conn: &mut store::Conn, key: &WorkspaceKey) -> Result<WorkspaceRow, AppError> {
    store::access::find_workspace(conn, key).await?.ok_or_else(|| AppError::not_found(format!("workspace {key}")))
}

/// The workspace taken for this write, as it was: 404 when it is gone, 412
/// when the caller expected another version.
async fn take(conn: &mut store::Conn, key: &WorkspaceKey, expected: &Expected) -> Result<WorkspaceRow, AppError> {
    let what = format!("workspace {key}");
    let version = versions::take(conn, Versioned::Workspace, key.as_str(), &what).await?;
    let before = WorkspaceRow { version, ..load(conn, key).await? };
    versions::expect(expected, version, &what, &view(&before))?;
    Ok(before)
}

/// The workspaces the actor can read whose key or name contains `query`,
/// by key or by name (`sort`), in pages.
pub async fn list(
    state: &AppState,
    actor: &UserRow,
    query: &str,
    sort: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<WorkspaceView>, AppError> {
    let order = crate::server::services::fields::parse_order(sort)?;
    // The readable ones are known from the index: one query, none when there are none.
    let within = readable_workspaces(state, actor, Permission::WorkspaceRead);
    if within.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let mut conn = state.db.read().await?;
    let rows = store::access::list_workspaces(&mut conn, query, order, after, limit, within.as_deref()).await?;
    Ok(rows.iter().map(view).collect())
}

/// One workspace.
pub async fn get(state: &AppState, actor: &UserRow, key: &str) -> Result<WorkspaceView, AppError> {
    let key = parse_key(key)?;
    require(state, actor, Permission::WorkspaceRead, Some(&key))?;
    let mut conn = state.db.read().await?;
    Ok(view(&load(&mut conn, &key).await?))
}

/// Creates a workspace.
pub async fn create(state: &AppState, actor: &UserRow, input: WorkspaceInput) -> Result<WorkspaceView, AppError> {
    let mut entry = attempt(actor, "workspace.create", "workspace", input.key.clone().unwrap_or_default());
    entry.workspace = input.key.clone();
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        require(state, actor, Permission::WorkspaceCreate, None)?;
        let mut fields = Vec::new();
        let Some((key, name, description)) = parse_new(&input, WorkspaceKey::parse, &mut fields) else {
            return Err(AppError::Validation { fields });
        };
        let row = WorkspaceRow { key, name, description, created_at: now_ms(), version: 1 };
        store::access::insert_workspace(&mut tx, &row).await.map_err(|e| {
            e.conflict_on("workspaces", "key", "workspace_exists", || {
                format!("a workspace with key {} already exists", row.key)
            })
        })?;
        let created = view(&row);
        let mut success = entry.clone();
        success.after = serde_json::to_value(&created).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        tx.commit([]).await?;
        Ok(created)
    }
    .await;
    audited(state, entry, result).await
}

/// Renames or re-describes a workspace.
pub async fn update(
    state: &AppState,
    actor: &UserRow,
    key: &str,
    input: WorkspaceInput,
) -> Result<WorkspaceView, AppError> {
    let mut entry = attempt(actor, "workspace.update", "workspace", key);
    entry.workspace = Some(key.to_owned());
    let result = async {
        let key = parse_key(key)?;
        require(state, actor, Permission::WorkspaceUpdate, Some(&key))?;
        let mut tx = state.db.write().await?;
        let before = take(&mut tx, &key, &input.expected).await?;
        let mut after = WorkspaceRow { version: before.version + 1, ..before.clone() };
        let mut fields = Vec::new();
        apply_edit(&mut after.name, &mut after.description, &input, &mut fields);
        if !fields.is_empty() {
            return Err(AppError::Validation { fields });
        }
        store::access::update_workspace(&mut tx, &after).await?;
        let updated = view(&after);
        let mut success = entry.clone();
        success.before = serde_json::to_value(view(&before)).ok();
        success.after = serde_json::to_value(&updated).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(updated)
    }
    .await;
    audited(state, entry, result).await
}

/// Deletes a workspace and, in the same transaction, its policies.
pub async fn delete(state: &AppState, actor: &UserRow, key: &str, expected: &Expected) -> Result<(), AppError> {
    let mut entry = attempt(actor, "workspace.delete", "workspace", key);
    entry.workspace = Some(key.to_owned());
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        let key = parse_key(key)?;
        require(state, actor, Permission::WorkspaceDelete, Some(&key))?;
        let before = take(&mut tx, &key, expected).await?;
        // Deleting the workspace takes its policies from everyone in it.
        let taken = state.access.read().bindings_in_workspace(&key);
        escalation::forbid_removal(state, escalation::actor(actor), &taken)?;
        let removed = store::access::delete_workspace_policies(&mut tx, &key).await?;
        store::access::delete_workspace(&mut tx, &key).await?;
        let mut success = entry.clone();
        success.before = Some(serde_json::json!({ "workspace": view(&before), "policies_deleted": removed.len() }));
        audit::insert(&mut tx, &success, now_ms()).await?;
        tx.commit(removed.iter().map(|p| Change::PolicyRemoved(p.fact()))).await?;
        Ok(())
    }
    .await;
    audited(state, entry, result).await
}

/// A workspace with its policies and the people who have access (each
/// `None` when the actor may not read them), and what the actor may change.
pub async fn detail(state: &AppState, actor: &UserRow, key: &str) -> Result<crate::domain::WorkspaceDetail, AppError> {
    use crate::server::services::{authz, policies};
    let key = parse_key(key)?;
    require(state, actor, Permission::WorkspaceRead, Some(&key))?;
    let workspace = {
        let mut conn = state.db.read().await?;
        load(&mut conn, &key).await?
    };
    let filter = store::access::PolicyFilter { workspace: Some(key.clone()), ..Default::default() };
    let policies = match policies::list_labelled(state, actor, filter, None, 200).await {
        Ok(items) => Some(items),
        Err(AppError::Forbidden { .. }) => None,
        Err(other) => return Err(other),
    };
    let people = match authz::people_in_workspace(state, actor, &key).await {
        Ok(people) => Some(people),
        Err(AppError::Forbidden { .. }) => None,
        Err(other) => return Err(other),
    };
    let index = state.access.read();
    Ok(crate::domain::WorkspaceDetail {
        workspace: view(&workspace),
        policies,
        people,
        may_update: allows(&index, actor, Permission::WorkspaceUpdate, Some(key.as_str())),
        may_delete: allows(&index, actor, Permission::WorkspaceDelete, Some(key.as_str())),
    })
}
