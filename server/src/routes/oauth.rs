//! `/auth/{provider}/start` and `/auth/{provider}/callback`: the browser's
//! trip to GitHub or Google and back. Failures land on the sign-in page (or
//! the invitation's page) with a message a person can act on.

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use app::{
    api::safe_next,
    server::{
        oauth::{self, PendingSignIn, Provider, PENDING_KEY},
        services::{identities, sign_ins},
        AppState,
    },
    AppError,
};

use super::ApiSession;

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    invite: Option<String>,
    next: Option<String>,
    /// `1`: link to the signed-in user instead of signing in.
    link: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn encode(text: &str) -> String {
    app::ui::encode_query_value(text)
}

/// Back to where the person can try again, with the reason.
fn back_with_error(invite: Option<&str>, link: bool, error: &AppError) -> Response {
    let message = encode(&error.to_string());
    let target = match invite {
        Some(token) => format!("/invite/{}?error={message}", encode(token)),
        None if link => format!("/account?error={message}"),
        None => format!("/login?error={message}"),
    };
    Redirect::to(&target).into_response()
}

/// Sends the browser to the provider.
pub async fn start(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(provider): Path<String>,
    Query(query): Query<StartQuery>,
) -> Result<Response, AppError> {
    let provider = Provider::parse(&provider).ok_or_else(|| AppError::not_found(format!("sign-in with {provider}")))?;
    let next = safe_next(query.next.as_deref()).to_owned();
    let invite = query.invite.filter(|t| !t.is_empty());
    let link = query.link.as_deref() == Some("1");
    if link {
        // Only someone signed in can link an account to themselves.
        app::server::caller::require_user(&state, &session).await?;
    }
    let next = if link { "/account".to_owned() } else { next };
    let (url, pending) = oauth::start(&state, provider, invite, next, link)?;
    session.0.insert(PENDING_KEY, &pending).await.map_err(|e| app::server::http::internal_error("session", e))?;
    Ok(Redirect::to(&url).into_response())
}

/// Checks the provider's answer, signs in (or up), and goes on.
pub async fn callback(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    super::ClientAddr(client): super::ClientAddr,
    headers: axum::http::HeaderMap,
    Path(provider): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let provider = Provider::parse(&provider).ok_or_else(|| AppError::not_found(format!("sign-in with {provider}")))?;
    // Single use: the pending sign-in is taken out of the session first.
    let pending: Option<PendingSignIn> =
        session.0.remove(PENDING_KEY).await.map_err(|e| app::server::http::internal_error("session", e))?;
    let invite = pending.as_ref().and_then(|p| p.invite.clone());
    let next = pending.as_ref().map_or_else(|| "/".to_owned(), |p| p.next.clone());
    let link = pending.as_ref().is_some_and(|p| p.link);
    let outcome = async {
        let identity = oauth::finish(
            &state,
            provider,
            pending,
            query.code.as_deref(),
            query.state.as_deref(),
            query.error.as_deref(),
        )
        .await?;
        if link {
            let user = app::server::caller::require_user(&state, &session).await?;
            identities::link(&state, &user, &identity).await?;
            return Ok(user.user);
        }
        identities::sign_in(&state, &identity, invite.as_deref()).await
    }
    .await;
    match outcome {
        Ok(_) if link => Ok(Redirect::to("/account").into_response()),
        Ok(user) => {
            session
                .sign_in(user.id, app::server::sessions::SignInDevice::of(client, &headers), state.clock.now_ms())
                .await?;
            let who = sign_ins::Who { user: Some(user.id), email: Some(user.email.as_str()) };
            sign_ins::record(&state, "auth.sign_in", who, provider.as_str(), client, None).await?;
            Ok(Redirect::to(&next).into_response())
        }
        Err(error @ (AppError::Internal { .. } | AppError::Transport { .. })) => Err(error),
        Err(error) => {
            tracing::info!(provider = provider.as_str(), %error, "sign-in refused");
            let who = sign_ins::Who { user: None, email: None };
            sign_ins::record(&state, "auth.sign_in", who, provider.as_str(), client, Some(&error)).await?;
            Ok(back_with_error(invite.as_deref(), link, &error))
        }
    }
}
