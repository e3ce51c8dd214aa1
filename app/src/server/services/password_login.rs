//! Signing in with email and password.

use secrecy::{ExposeSecret, SecretString};
use std::net::IpAddr;

use crate::{
    domain::{Email, UserId, UserStatus, UserView},
    error::{AppError, FieldError},
    server::{
        now_ms,
        services::sign_ins::{record, Who},
        store::users,
        AppState,
    },
};

/// The one message for every failed sign-in, so it reveals nothing.
pub const WRONG_CREDENTIALS: &str = "wrong email or password";

/// Checks an email and password and signs the session in from `device`.
pub async fn sign_in(
    state: &AppState,
    session: &crate::server::sessions::AuthSession,
    email: &str,
    password: SecretString,
    client: Option<IpAddr>,
    device: crate::server::sessions::SignInDevice,
) -> Result<UserView, AppError> {
    let user = login(state, email, password, client).await?;
    session.sign_in(user.id, device, state.clock.now_ms()).await?;
    Ok(user)
}

/// Checks an email and password; [`sign_in`] also starts the session.
pub async fn login(
    state: &AppState,
    email: &str,
    password: SecretString,
    client: Option<IpAddr>,
) -> Result<UserView, AppError> {
    let mut missing = Vec::new();
    if email.trim().is_empty() {
        missing.push(FieldError { field: "email".into(), message: "enter your email address".into() });
    }
    if password.expose_secret().is_empty() {
        missing.push(FieldError { field: "password".into(), message: "enter your password".into() });
    }
    if !missing.is_empty() {
        return Err(AppError::Validation { fields: missing });
    }
    let Ok(email) = Email::parse(email) else {
        return Err(AppError::unauthenticated(WRONG_CREDENTIALS));
    };
    let who = |user: Option<UserId>| Who { user, email: Some(email.as_str()) };
    let attempt = match state.throttle.begin(&state.db, &email, client, now_ms()).await? {
        Ok(attempt) => attempt,
        Err(wait) => {
            let refused = too_many_failures(wait);
            record(state, "auth.throttled", who(None), "password", client, Some(&refused)).await?;
            return Err(refused);
        }
    };
    let user = {
        let mut conn = state.db.read().await?;
        users::find_by_email(&mut conn, &email).await?
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok = match state.hasher.verify(password, stored).await {
        Ok(ok) => ok,
        Err(error) => {
            state.throttle.abandoned(&state.db, attempt).await?;
            return Err(error);
        }
    };
    match user {
        Some(user) if password_ok && user.status == UserStatus::Active => {
            state.throttle.succeeded(&state.db, attempt).await?;
            record(state, "auth.sign_in", who(Some(user.id)), "password", client, None).await?;
            Ok(user.view())
        }
        // The attempt stays counted as a failure.
        user => {
            let refused = AppError::unauthenticated(WRONG_CREDENTIALS);
            record(state, "auth.sign_in", who(user.map(|u| u.id)), "password", client, Some(&refused)).await?;
            Err(refused)
        }
    }
}

/// The 429 of an attempt the throttle refused.
pub fn too_many_failures(wait: std::time::Duration) -> AppError {
    let retry_after_secs = wait.as_secs().max(1);
    AppError::TooManyRequests {
        retry_after_secs,
        message: format!("too many failed sign-ins: try again in {}", human_wait(retry_after_secs)),
    }
}

fn human_wait(seconds: u64) -> String {
    if seconds < 90 {
        format!("{seconds} seconds")
    } else {
        format!("{} minutes", seconds.div_ceil(60))
    }
}
