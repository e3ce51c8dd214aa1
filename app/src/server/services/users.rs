//! Creating users and setting passwords from the command line and at start-up.

use secrecy::{ExposeSecret, SecretString};

use crate::{
    domain::{DisplayName, Email, UserView},
    error::AppError,
    server::{
        now_ms,
        password::check_strength,
        store::{self, users::NewUser, StoreError},
        AppState,
    },
};

/// Creates an active user with a password. A taken email is a 409.
pub async fn create_with_password(
    state: &AppState,
    email: Email,
    name: DisplayName,
    password: SecretString,
) -> Result<UserView, AppError> {
    check_strength(password.expose_secret()).map_err(|m| AppError::invalid("password", m))?;
    let password_hash = state.hasher.hash(password).await?;
    let mut tx = state.db.begin().await?;
    let email_text = email.to_string();
    let user = match store::users::insert(
        &mut tx,
        NewUser { email, name, password_hash: Some(password_hash) },
        now_ms(),
    )
    .await
    {
        Ok(user) => user,
        Err(e) if e.is_unique_violation("users", "email") => {
            return Err(AppError::conflict("email_taken", format!("a user with email {email_text} already exists")))
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await.map_err(StoreError::from)?;
    Ok(user.view())
}

/// Sets a user's password and ends all their sessions, in one transaction.
pub async fn set_password(state: &AppState, email: &Email, password: SecretString) -> Result<UserView, AppError> {
    check_strength(password.expose_secret()).map_err(|m| AppError::invalid("password", m))?;
    let hash = state.hasher.hash(password).await?;
    let mut tx = state.db.begin().await?;
    let user = store::users::find_by_email(&mut tx, email)
        .await?
        .ok_or_else(|| AppError::not_found(format!("user {email}")))?;
    store::users::set_password_hash(&mut tx, user.id, &hash).await?;
    store::sessions::delete_for_user(&mut tx, user.id).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(user.view())
}

/// How many users exist.
pub async fn count(state: &AppState) -> Result<i64, AppError> {
    let mut conn = state.db.acquire().await?;
    let (active, disabled) = store::users::count_by_status(&mut conn).await?;
    Ok(active + disabled)
}
