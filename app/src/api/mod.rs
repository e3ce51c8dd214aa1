//! Server functions: the console's calls to the server. Each is a public HTTP
//! endpoint under `/sfn/…` with a fixed name; it finds out who is asking, calls
//! one service, and answers with [`AppError`] statuses.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use crate::domain::Identifier;

use crate::{
    domain::{DashboardStats, Page, SignedInUser, UserView},
    error::AppError,
};

mod audit;
#[cfg(feature = "ssr")]
mod context;
mod invitations;
mod policies;
mod roles;
mod teams;
mod tokens;
mod workspaces;

pub use crate::domain::SaveMode;

/// An answer to one's own invitation (`accept`, `decline`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Accept,
    Decline,
}

/// Items per page of the console's lists.
#[cfg(feature = "ssr")]
const PAGE: i64 = 25;

pub use audit::*;
pub use invitations::*;
pub use policies::*;
pub use roles::*;
pub use teams::*;
pub use tokens::*;
pub use workspaces::*;

/// Where a sign-in may send the browser next: only paths on this site
/// (`/x`, not `//evil.example` or `https://…`), else the dashboard.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control()) =>
        {
            path
        }
        _ => "/",
    }
}

/// The signed-in user and their global permissions, or `None`.
#[server(prefix = "/sfn", endpoint = "me", input = GetUrl)]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    context::in_session(|state, session| async move { crate::server::caller::signed_in_user(&state, &session).await })
        .await
}

/// A page of users matching a search and a status, sorted by `sort`
/// (`email`, `name` or `newest`).
#[server(prefix = "/sfn", endpoint = "users/list", input = GetUrl)]
pub async fn list_users(
    q: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
) -> Result<Page<UserView>, AppError> {
    context::as_actor(|state, actor| async move {
        let query = crate::domain::ListParams { q, sort, cursor, limit: None }.read(PAGE)?;
        crate::server::services::people::list(&state, &actor, status.as_deref(), &query).await
    })
    .await
}

/// A user with their teams, their own policies and what they may do (in
/// `workspace`, or globally), each permission with the policies behind it.
#[server(prefix = "/sfn", endpoint = "users/detail", input = GetUrl)]
pub async fn load_user_detail(id: String, workspace: Option<String>) -> Result<crate::domain::UserDetail, AppError> {
    context::as_actor(|state, actor| async move {
        let id = crate::domain::UserId::parse_id(&id)?;
        let workspace = context::optional_workspace(workspace.as_deref(), "workspace")?;
        crate::server::services::people::detail(&state, &actor, id, workspace).await
    })
    .await
}

/// Creates a user; an empty password means none (they cannot sign in with one yet).
#[server(prefix = "/sfn", endpoint = "users/create")]
pub async fn create_user(email: String, name: String, password: Option<String>) -> Result<UserView, AppError> {
    use crate::server::services::people::{self, UserInput};
    let input = UserInput::of_form(email, name, password);
    context::as_actor(|state, actor| async move { people::create(&state, &actor, input).await })
        .await
        .map(crate::server::Written::into_value)
}

/// Disables or enables a user.
#[server(prefix = "/sfn", endpoint = "users/status")]
pub async fn set_user_status(id: String, status: String, version: Option<i64>) -> Result<UserView, AppError> {
    use crate::server::services::people::{self, UserPatch};
    context::as_actor(|state, actor| async move {
        people::update(&state, &actor, crate::domain::UserId::parse_id(&id)?, UserPatch::set_status(status, version))
            .await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// Renames a user.
#[server(prefix = "/sfn", endpoint = "users/rename")]
pub async fn rename_user(id: String, name: String, version: Option<i64>) -> Result<UserView, AppError> {
    use crate::server::services::people::{self, UserPatch};
    context::as_actor(|state, actor| async move {
        people::update(&state, &actor, crate::domain::UserId::parse_id(&id)?, UserPatch::rename(name, version)).await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// Gives a user a one-time password; they choose their own at next sign-in.
#[server(prefix = "/sfn", endpoint = "users/one-time-password")]
pub async fn set_one_time_password(id: String, password: String) -> Result<UserView, AppError> {
    let password = secrecy::SecretString::from(password);
    context::as_actor(|state, actor| async move {
        let id = crate::domain::UserId::parse_id(&id)?;
        crate::server::services::people::set_one_time_password(&state, &actor, id, password).await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// Deletes a user with their memberships and policies.
#[server(prefix = "/sfn", endpoint = "users/delete")]
pub async fn delete_user(id: String, version: Option<i64>) -> Result<(), AppError> {
    context::as_actor(|state, actor| async move {
        let id = crate::domain::UserId::parse_id(&id)?;
        crate::server::services::people::delete(&state, &actor, id, &crate::domain::Expected::version(version)).await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// Signs in with email and password, then goes to `next` (or the dashboard).
#[server(prefix = "/sfn", endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    new_password: Option<String>,
    next: Option<String>,
) -> Result<UserView, AppError> {
    use crate::server::services::password_login::{self, Credentials};
    let credentials = Credentials::of(email, password, new_password);
    let (client, device) = (context::client_address().await, context::device().await);
    let signed_in = context::in_session(|state, session| async move {
        password_login::sign_in(&state, &session, credentials, client, device).await
    });
    context::then_go(signed_in.await, safe_next(next.as_deref()))
}

/// The sign-in providers configured here (`github`, `google`), for the
/// sign-in buttons.
#[server(prefix = "/sfn", endpoint = "auth/providers", input = GetUrl)]
pub async fn sign_in_providers() -> Result<Vec<(String, String)>, AppError> {
    let (state, _session) = context::state_and_session().await?;
    let providers = crate::server::oauth::configured(&state);
    Ok(providers.into_iter().map(|p| (p.as_str().to_owned(), p.label().to_owned())).collect())
}

/// Ends the session on the server and goes to the sign-in page.
#[server(prefix = "/sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let client = context::client_address().await;
    let signed_out = context::in_session(|state, session| async move {
        crate::server::services::sign_ins::sign_out(&state, &session, client).await
    });
    context::then_go(signed_out.await, "/login")
}

/// Counts for the dashboard.
#[server(prefix = "/sfn", endpoint = "dashboard", input = GetUrl)]
pub async fn load_dashboard() -> Result<DashboardStats, AppError> {
    context::as_actor(|state, actor| async move { crate::server::services::dashboard::stats(&state, &actor).await })
        .await
}

/// The command palette: users, teams, workspaces and roles matching `q`.
#[server(prefix = "/sfn", endpoint = "palette", input = GetUrl)]
pub async fn palette_search(q: String) -> Result<Vec<crate::domain::Jump>, AppError> {
    context::as_actor(|state, actor| async move { crate::server::services::palette::search(&state, &actor, &q).await })
        .await
}

/// What the dashboard asks the viewer to look at.
#[server(prefix = "/sfn", endpoint = "dashboard/attention", input = GetUrl)]
pub async fn load_attention() -> Result<crate::domain::Attention, AppError> {
    context::as_actor(|state, actor| async move { crate::server::services::dashboard::attention(&state, &actor).await })
        .await
}

/// Changes the signed-in user's display name.
#[server(prefix = "/sfn", endpoint = "account/name")]
pub async fn update_display_name(name: String, version: Option<i64>) -> Result<UserView, AppError> {
    context::as_actor(|state, actor| async move {
        let expected = crate::domain::Expected::version(version);
        crate::server::services::account::update_display_name(&state, &actor, &name, &expected).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("/users?q=a")), "/users?q=a");
        for evil in ["//evil.example", "https://evil.example", "/\\evil.example", "", "account"] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
