//! Server functions of the Workspaces pages.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use super::context;
use crate::{
    domain::{Page, WorkspaceDetail, WorkspaceView},
    error::AppError,
};

/// A page of the workspaces the signed-in user can read whose key or name
/// contains `q`, by `key` or `name` (`sort`).
#[server(prefix = "/sfn", endpoint = "workspaces/list", input = GetUrl)]
pub async fn list_workspaces(
    q: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
) -> Result<Page<WorkspaceView>, AppError> {
    context::as_actor(|state, actor| async move {
        let query = crate::domain::ListParams { q, sort, cursor, limit: None }.read(super::PAGE)?;
        crate::server::services::workspaces::list(&state, &actor, &query).await
    })
    .await
}

/// Creates a workspace.
#[server(prefix = "/sfn", endpoint = "workspaces/create")]
pub async fn create_workspace(
    key: String,
    name: String,
    description: Option<String>,
) -> Result<WorkspaceView, AppError> {
    context::as_actor(|state, actor| async move {
        let input = crate::server::services::fields::NamedInput::of_form(Some(key), name, description, None);
        crate::server::services::workspaces::create(&state, &actor, input).await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// Deletes a workspace and its policies; `confirm` must repeat its key.
#[server(prefix = "/sfn", endpoint = "workspaces/delete")]
pub async fn delete_workspace(key: String, confirm: String, version: Option<i64>) -> Result<(), AppError> {
    use crate::{domain::Expected, server::services::workspaces};
    context::as_actor(|state, actor| async move {
        crate::server::services::fields::confirm_key(&key, &confirm)?;
        workspaces::delete(&state, &actor, &key, &Expected::version(version)).await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// A workspace with its policies and the people who have access.
#[server(prefix = "/sfn", endpoint = "workspaces/detail", input = GetUrl)]
pub async fn load_workspace_detail(key: String) -> Result<WorkspaceDetail, AppError> {
    context::as_actor(|state, actor| async move {
        crate::server::services::workspaces::detail(&state, &actor, key.trim()).await
    })
    .await
}

/// Renames or re-describes a workspace (its key cannot change).
#[server(prefix = "/sfn", endpoint = "workspaces/update")]
pub async fn update_workspace(
    key: String,
    name: String,
    description: Option<String>,
    version: Option<i64>,
) -> Result<WorkspaceView, AppError> {
    context::as_actor(|state, actor| async move {
        let input = crate::server::services::fields::NamedInput::of_form(None, name, description, version);
        crate::server::services::workspaces::update(&state, &actor, key.trim(), input).await
    })
    .await
    .map(crate::server::Written::into_value)
}
