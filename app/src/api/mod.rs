//! Server functions: the console's calls to the server. Each is a public HTTP
//! endpoint under `/sfn/…` with a fixed name; it finds out who is asking, calls
//! one service, and answers with [`AppError`] statuses.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::{
    domain::{DashboardStats, UserView},
    error::AppError,
};

#[cfg(feature = "ssr")]
mod context;

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

/// The signed-in user, or `None`.
#[server(prefix = "/sfn", endpoint = "me", input = GetUrl)]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    let (state, session) = context::state_and_session().await?;
    context::respond(crate::server::auth::current_user(&state, &session).await.map(|u| u.map(|u| u.view())))
}

/// Signs in with email and password, then goes to `next` (or the dashboard).
#[server(prefix = "/sfn", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<UserView, AppError> {
    use secrecy::SecretString;
    let (state, session) = context::state_and_session().await?;
    let client = context::client_address().await;
    let result = async {
        let user = crate::server::services::auth::login(&state, &email, SecretString::from(password), client).await?;
        session.sign_in(user.id).await?;
        Ok(user)
    }
    .await;
    if result.is_ok() {
        leptos_axum::redirect(safe_next(next.as_deref()));
    }
    context::respond(result)
}

/// Ends the session on the server and goes to the sign-in page.
#[server(prefix = "/sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let (_state, session) = context::state_and_session().await?;
    let result = session.sign_out().await;
    if result.is_ok() {
        leptos_axum::redirect("/login");
    }
    context::respond(result)
}

/// Counts for the dashboard.
#[server(prefix = "/sfn", endpoint = "dashboard", input = GetUrl)]
pub async fn load_dashboard() -> Result<DashboardStats, AppError> {
    let result = async {
        let (state, actor) = context::actor().await?;
        crate::server::services::dashboard::stats(&state, &actor).await
    }
    .await;
    context::respond(result)
}

/// Changes the signed-in user's display name.
#[server(prefix = "/sfn", endpoint = "account/name")]
pub async fn update_display_name(name: String) -> Result<UserView, AppError> {
    let result = async {
        let (state, actor) = context::actor().await?;
        crate::server::services::account::update_display_name(&state, &actor, &name).await
    }
    .await;
    context::respond(result)
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
