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
        services::identities,
        AppState,
    },
    AppError,
};

use super::ApiSession;

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    invite: Option<String>,
    next: Option<String>,
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
fn back_with_error(invite: Option<&str>, error: &AppError) -> Response {
    let message = encode(&error.to_string());
    let target = match invite {
        Some(token) => format!("/invite/{}?error={message}", encode(token)),
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
    let (url, pending) = oauth::start(&state, provider, invite, next)?;
    session.0.insert(PENDING_KEY, &pending).await.map_err(|e| app::server::http::internal_error("session", e))?;
    Ok(Redirect::to(&url).into_response())
}

/// Checks the provider's answer, signs in (or up), and goes on.
pub async fn callback(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(provider): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let provider = Provider::parse(&provider).ok_or_else(|| AppError::not_found(format!("sign-in with {provider}")))?;
    // Single use: the pending sign-in is taken out of the session first.
    let pending: Option<PendingSignIn> =
        session.0.remove(PENDING_KEY).await.map_err(|e| app::server::http::internal_error("session", e))?;
    let invite = pending.as_ref().and_then(|p| p.invite.clone());
    let next = pending.as_ref().map_or_else(|| "/".to_owned(), |p| p.next.clone());
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
        identities::sign_in(&state, &identity, invite.as_deref()).await
    }
    .await;
    match outcome {
        Ok(user) => {
            session.sign_in(user.id).await?;
            Ok(Redirect::to(&next).into_response())
        }
        Err(error @ (AppError::Internal { .. } | AppError::Transport { .. })) => Err(error),
        Err(error) => {
            tracing::info!(provider = provider.as_str(), %error, "sign-in refused");
            Ok(back_with_error(invite.as_deref(), &error))
        }
    }
}
