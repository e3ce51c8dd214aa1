//! Server functions of the Policies page.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use super::context;
use crate::{
    domain::{Page, PolicyChoices, PolicyListing, PolicyView},
    error::AppError,
};

/// A page of policies, filtered by workspace, role and subject (`team:key`
/// or a user's email), oldest or newest first (`sort`); empty filters are
/// left out.
#[server(prefix = "/sfn", endpoint = "policies/list", input = GetUrl)]
pub async fn list_policies(
    workspace: Option<String>,
    role: Option<String>,
    subject: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
) -> Result<Page<PolicyListing>, AppError> {
    use crate::server::services::policies;
    let query = policies::PolicyQuery { workspace, role, subject, sort, ..Default::default() };
    let at = crate::domain::ListParams::at(cursor);
    context::as_actor(
        |state, actor| async move { policies::labelled_page(&state, &actor, &query, &at, super::PAGE).await },
    )
    .await
}

/// The roles, workspaces and teams the policy form offers; what the viewer
/// may not read is simply not offered.
#[server(prefix = "/sfn", endpoint = "policies/choices", input = GetUrl)]
pub async fn load_policy_choices() -> Result<PolicyChoices, AppError> {
    context::as_actor(|state, actor| async move { crate::server::services::policies::choices(&state, &actor).await })
        .await
}

/// Binds a role to a subject, globally (empty `workspace`) or in a workspace.
#[server(prefix = "/sfn", endpoint = "policies/create")]
pub async fn create_policy(subject: String, role: String, workspace: Option<String>) -> Result<PolicyView, AppError> {
    use crate::server::services::policies::{self, NewPolicy};
    context::as_actor(|state, actor| async move {
        policies::create(&state, &actor, NewPolicy::read(subject, &role, workspace.as_deref())?).await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// Deletes a policy.
#[server(prefix = "/sfn", endpoint = "policies/delete")]
pub async fn delete_policy(id: i64) -> Result<(), AppError> {
    context::as_actor(|state, actor| async move {
        crate::server::services::policies::delete(&state, &actor, crate::domain::PolicyId(id)).await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// The access explorer: what the user with `user` (an email) may do in
/// `workspace` (empty: globally), and the policies behind each permission.
#[server(prefix = "/sfn", endpoint = "access/explain", input = GetUrl)]
pub async fn explain_access(
    user: String,
    workspace: Option<String>,
) -> Result<crate::domain::AccessExplanation, AppError> {
    context::as_actor(|state, actor| async move {
        let workspace = context::optional_workspace(workspace.as_deref(), "workspace")?;
        crate::server::services::decisions::explain_user(&state, &actor, &user, workspace).await
    })
    .await
}

/// The access explorer: who holds `permission` in `workspace` (empty:
/// globally), and through which policies.
#[server(prefix = "/sfn", endpoint = "access/holders", input = GetUrl)]
pub async fn permission_holders(
    permission: String,
    workspace: Option<String>,
) -> Result<crate::domain::PermissionHolders, AppError> {
    context::as_actor(|state, actor| async move {
        let workspace = context::optional_workspace(workspace.as_deref(), "workspace")?;
        crate::server::services::decisions::holders(&state, &actor, &permission, workspace).await
    })
    .await
}
