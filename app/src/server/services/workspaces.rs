//! Workspaces: the tenants that own endpoints, models and datasets.

use crate::server::caller::Actor;
use crate::server::Written;
use crate::{
    authz::Change,
    domain::{Expected, ListQuery, NamedOrder, Page, Permission, WorkspaceKey, WorkspaceView},
    error::AppError,
    server::{
        now_ms,
        services::{
            escalation,
            fields::NamedInput,
            guard::{allows, attempt, audited, readable_workspaces, require},
            named::{self, Kind},
        },
        store::{self, audit, named::WorkspaceRow, StoreError},
        AppState,
    },
};

/// A 409 on `workspace` when the one named does not exist: a grant, a
/// token or a question about it would be about nothing.
pub async fn must_exist(conn: &mut store::Conn, workspace: Option<&WorkspaceKey>) -> Result<(), AppError> {
    match workspace {
        Some(ws) if store::named::find(conn, ws).await?.is_none() => {
            Err(AppError::unknown("workspace", format!("there is no workspace {ws}")))
        }
        _ => Ok(()),
    }
}

/// The fields of a workspace as a caller sends them.
pub type WorkspaceInput = NamedInput;

fn view(row: &WorkspaceRow) -> WorkspaceView {
    <WorkspaceKey as Kind>::view(row)
}

/// The workspaces the actor can read whose key or name contains `query`,
/// by key or by name (`sort`), in pages.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    query: &ListQuery<NamedOrder>,
) -> Result<Page<WorkspaceView>, AppError> {
    // The readable ones are known from the index: one query, none when there are none.
    let within = readable_workspaces(state, actor, Permission::WorkspaceRead);
    if within.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Page::whole(Vec::new()));
    }
    let mut conn = state.db.read().await?;
    let rows =
        store::named::search(&mut conn, &query.q, query.order, query.after.as_deref(), query.limit, within.as_deref())
            .await?;
    Ok(Page::of(rows.iter().map(view).collect(), query.limit, |w| w.key.to_string()))
}

/// One workspace.
pub async fn get(state: &AppState, actor: &Actor, key: &str) -> Result<WorkspaceView, AppError> {
    let key = named::parse_key::<WorkspaceKey>(key)?;
    require(state, actor, Permission::WorkspaceRead, Some(&key))?;
    let mut conn = state.db.read().await?;
    Ok(view(&named::load(&mut conn, &key).await?))
}

/// Creates a workspace.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: WorkspaceInput,
) -> Result<Written<WorkspaceView>, AppError> {
    let mut entry = attempt(actor, "workspace.create", "workspace", input.key.clone().unwrap_or_default());
    entry.workspace = input.key.clone();
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        require(state, actor, Permission::WorkspaceCreate, None)?;
        let created = named::insert_new::<WorkspaceKey>(&mut tx, &input, &entry).await?;
        let revision = tx.commit([]).await?;
        Ok(Written::new(created, revision))
    }
    .await;
    audited(state, entry, result).await
}

/// Renames or re-describes a workspace.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    key: &str,
    input: WorkspaceInput,
) -> Result<Written<WorkspaceView>, AppError> {
    let mut entry = attempt(actor, "workspace.update", "workspace", key);
    entry.workspace = Some(key.to_owned());
    let result = async {
        let key = named::parse_key::<WorkspaceKey>(key)?;
        require(state, actor, Permission::WorkspaceUpdate, Some(&key))?;
        let mut tx = state.db.write().await?;
        let updated = named::rewrite(&mut tx, &key, &input, &entry).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Written::unchanged(state, updated))
    }
    .await;
    audited(state, entry, result).await
}

/// Deletes a workspace and, in the same transaction, its policies.
pub async fn delete(state: &AppState, actor: &Actor, key: &str, expected: &Expected) -> Result<Written<()>, AppError> {
    let mut entry = attempt(actor, "workspace.delete", "workspace", key);
    entry.workspace = Some(key.to_owned());
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        let key = named::parse_key::<WorkspaceKey>(key)?;
        require(state, actor, Permission::WorkspaceDelete, Some(&key))?;
        let before = named::take(&mut tx, &key, expected).await?;
        // Deleting the workspace takes its policies from everyone in it.
        let taken = state.access.read().bindings_in_workspace(&key);
        escalation::forbid_removal(state, actor.holder(), &taken)?;
        let removed = store::policies::delete_in_workspace(&mut tx, &key).await?;
        store::named::delete(&mut tx, &key).await?;
        let mut success = entry.clone();
        success.before = Some(serde_json::json!({ "workspace": view(&before), "policies_deleted": removed.len() }));
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit(removed.iter().map(|p| Change::PolicyRemoved(p.fact()))).await?;
        Ok(Written::new((), revision))
    }
    .await;
    audited(state, entry, result).await
}

/// A workspace with its policies and the people who have access (each
/// `None` when the actor may not read them), and what the actor may change.
pub async fn detail(state: &AppState, actor: &Actor, key: &str) -> Result<crate::domain::WorkspaceDetail, AppError> {
    use crate::server::services::{decisions, policies};
    let key = named::parse_key::<WorkspaceKey>(key)?;
    require(state, actor, Permission::WorkspaceRead, Some(&key))?;
    let workspace = {
        let mut conn = state.db.read().await?;
        named::load(&mut conn, &key).await?
    };
    let filter = store::policies::PolicyFilter { workspace: Some(key.clone()), ..Default::default() };
    let policies = match policies::list_labelled(state, actor, filter, 200).await {
        Ok(items) => Some(items),
        Err(AppError::Forbidden { .. }) => None,
        Err(other) => return Err(other),
    };
    let people = match decisions::people_in_workspace(state, actor, &key).await {
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
        may_manage_policies: allows(&index, actor, Permission::PolicyManage, Some(key.as_str())),
    })
}
