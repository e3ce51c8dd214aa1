//! What a server function needs to know about its request.

use leptos::prelude::*;
use std::net::IpAddr;

use crate::{
    error::AppError,
    server::{caller::Actor, http::internal_error, sessions::AuthSession, AppState},
};

/// The shared state and this request's session.
pub async fn state_and_session() -> Result<(AppState, AuthSession), AppError> {
    let state = use_context::<AppState>().ok_or_else(|| internal_error("server function", "AppState not provided"))?;
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|e| internal_error("server function session", e))?;
    Ok((state, AuthSession(session)))
}

/// Runs a use case on this request's session (signed in or not), answering
/// with its error's status: sign-in, sign-out, invitation links.
pub async fn in_session<T, Fut>(use_case: impl FnOnce(AppState, AuthSession) -> Fut) -> Result<T, AppError>
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let result = async {
        let (state, session) = state_and_session().await?;
        use_case(state, session).await
    }
    .await;
    respond(result)
}

/// Runs a use case as the signed-in user on their session (401 without
/// one): what concerns the session itself (the sessions list, a new password).
pub async fn as_actor_in_session<T, Fut>(
    use_case: impl FnOnce(AppState, Actor, AuthSession) -> Fut,
) -> Result<T, AppError>
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    in_session(|state, session| async move {
        let actor = crate::server::caller::require_user(&state, &session).await?;
        use_case(state, actor, session).await
    })
    .await
}

/// Runs a use case as the signed-in user (401 without one) and answers
/// with its error's status: the whole of most server functions.
pub async fn as_actor<T, Fut>(use_case: impl FnOnce(AppState, Actor) -> Fut) -> Result<T, AppError>
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    as_actor_in_session(|state, actor, _| use_case(state, actor)).await
}

/// Sends the browser to `path` when the call worked.
pub fn then_go<T>(result: Result<T, AppError>, path: &str) -> Result<T, AppError> {
    if result.is_ok() {
        leptos_axum::redirect(path);
    }
    result
}

/// The device of this request, for a sign-in.
pub async fn device() -> crate::server::sessions::SignInDevice {
    let headers = use_context::<axum::http::request::Parts>().map(|parts| parts.headers).unwrap_or_default();
    crate::server::sessions::SignInDevice::of(client_address().await, &headers)
}

/// The client's address (the peer, or what a trusted proxy says).
pub async fn client_address() -> Option<IpAddr> {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<crate::server::http::ClientIp>().copied())
        .and_then(|client| client.0)
}

/// Gives a failed call the HTTP status of its error (401, 403, 409…), not 500.
/// A plain form post (no wasm yet) is left alone: it is answered with a
/// redirect back to the form, carrying the error in the query string.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let plain_form_post = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    });
    if let (Err(error), false) = (&result, plain_form_post) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = axum::http::StatusCode::from_u16(error.status_code()) {
                response.set_status(status);
            }
        }
    }
    result
}

/// A workspace key from a form field: empty or blank means none; a bad key
/// is a 400 naming `field`.
pub fn optional_workspace(value: Option<&str>, field: &str) -> Result<Option<crate::domain::WorkspaceKey>, AppError> {
    crate::domain::optional_key(field, value, crate::domain::WorkspaceKey::parse)
}
