//! Server functions of the Roles page.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use super::context;
use crate::{domain::RoleView, error::AppError};

/// Every role, built-in first, with how many policies use each.
#[server(prefix = "/sfn", endpoint = "roles/list", input = GetUrl)]
pub async fn list_roles() -> Result<Vec<RoleView>, AppError> {
    context::as_actor(|state, actor| async move { crate::server::services::roles::list(&state, &actor).await }).await
}

/// Creates a custom role (`mode` = `create`) or edits one (`update`, from
/// `version` when given). The form sends its ticked permissions as
/// `permissions[]`; none ticked sends nothing, which is an empty role.
#[server(prefix = "/sfn", endpoint = "roles/save")]
pub async fn save_role(
    mode: super::SaveMode,
    key: String,
    name: String,
    description: Option<String>,
    permissions: Option<Vec<String>>,
    version: Option<i64>,
) -> Result<RoleView, AppError> {
    use crate::server::services::roles::{self, RoleInput};
    let input = RoleInput::of_form(key, name, description, permissions, version);
    context::as_actor(|state, actor| async move { roles::save(&state, &actor, mode, input).await })
        .await
        .map(crate::server::Written::into_value)
}

/// Deletes a custom role that no policy uses (at the version shown, when given).
#[server(prefix = "/sfn", endpoint = "roles/delete")]
pub async fn delete_role(key: String, version: Option<i64>) -> Result<(), AppError> {
    context::as_actor(|state, actor| async move {
        crate::server::services::roles::delete(&state, &actor, &key, &crate::domain::Expected::version(version)).await
    })
    .await
    .map(crate::server::Written::into_value)
}
