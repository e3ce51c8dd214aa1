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

/// What a sign-in form sends: `new_password` only when the account's
/// password is a one-time one an administrator set.
pub struct Credentials {
    pub email: String,
    pub password: SecretString,
    pub new_password: Option<SecretString>,
}

impl Credentials {
    /// As a form or JSON body sends them: an empty new password is none.
    pub fn of(email: String, password: String, new_password: Option<String>) -> Self {
        Self {
            email,
            password: SecretString::from(password),
            new_password: new_password.filter(|p| !p.is_empty()).map(SecretString::from),
        }
    }
}

/// The message that asks for a password of one's own.
pub const CHOOSE_YOUR_OWN: &str =
    "your password was set by an administrator for one use: choose a new password to finish signing in";

/// Checks an email and password and signs the session in from `device`.
pub async fn sign_in(
    state: &AppState,
    session: &crate::server::sessions::AuthSession,
    credentials: Credentials,
    client: Option<IpAddr>,
    device: crate::server::sessions::SignInDevice,
) -> Result<UserView, AppError> {
    let user = login(state, credentials, client).await?;
    session.sign_in(user.id, device, state.clock.now_ms()).await?;
    Ok(user)
}

/// Checks an email and password; [`sign_in`] also starts the session. A
/// one-time password signs in only with a new password of the user's own,
/// which replaces it.
pub async fn login(state: &AppState, credentials: Credentials, client: Option<IpAddr>) -> Result<UserView, AppError> {
    let Credentials { email, password, new_password } = credentials;
    let email = email.as_str();
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
    let given = password.expose_secret().to_owned();
    let password_ok = match state.hasher.verify(password, stored).await {
        Ok(ok) => ok,
        Err(error) => {
            state.throttle.abandoned(&state.db, attempt).await?;
            return Err(error);
        }
    };
    match user {
        Some(user) if password_ok && user.status == UserStatus::Active => {
            if user.password_must_change {
                // The right password: not a failure, and not yet a sign-in.
                if let Err(refused) = replace_one_time_password(state, &user, &given, new_password).await {
                    state.throttle.abandoned(&state.db, attempt).await?;
                    return Err(refused);
                }
            }
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

/// Sets the user's own password in place of the one-time one, or asks for it.
async fn replace_one_time_password(
    state: &AppState,
    user: &users::UserRow,
    given: &str,
    new_password: Option<SecretString>,
) -> Result<(), AppError> {
    let Some(new) = new_password else { return Err(AppError::invalid("new_password", CHOOSE_YOUR_OWN)) };
    crate::server::password::check_strength(new.expose_secret())
        .map_err(|message| AppError::invalid("new_password", message))?;
    if new.expose_secret() == given {
        return Err(AppError::invalid("new_password", "choose a password other than the one you were given"));
    }
    let hash = state.hasher.hash(new).await?;
    let mut tx = state.db.write().await?;
    users::set_password_hash(&mut tx, user.id, &hash, users::PasswordOrigin::Own).await?;
    let entry = crate::server::services::guard::attempt(user, "user.password.replace", "user", user.id);
    crate::server::store::audit::insert(&mut tx, &entry, now_ms()).await?;
    tx.commit().await.map_err(crate::server::store::StoreError::from)?;
    Ok(())
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
