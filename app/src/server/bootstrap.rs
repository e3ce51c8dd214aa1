//! The first administrator, created on an empty database.

use secrecy::ExposeSecret;

use crate::{
    error::AppError,
    server::{password::generate_password, services, AppState},
};

/// What start-up did about the first administrator.
#[derive(Debug)]
pub enum FirstAdminOutcome {
    /// The database already had users.
    AlreadyHadUsers,
    /// Created with the configured password.
    Created { email: String },
    /// Created with a generated password, to be shown once.
    CreatedWithGeneratedPassword { email: String, password: String },
}

/// Creates the configured first admin when there are no users yet.
pub async fn ensure_first_admin(state: &AppState) -> Result<FirstAdminOutcome, AppError> {
    if services::operator::count(state).await? > 0 {
        return Ok(FirstAdminOutcome::AlreadyHadUsers);
    }
    let admin = &state.config.first_admin;
    let (password, generated) = match &admin.password {
        Some(password) => (password.clone(), false),
        None => (generate_password(), true),
    };
    let shown = generated.then(|| password.expose_secret().to_owned());
    match services::operator::create_with_password(state, admin.email.clone(), admin.name.clone(), password, true).await
    {
        Ok(user) => Ok(match shown {
            Some(password) => {
                FirstAdminOutcome::CreatedWithGeneratedPassword { email: user.email.to_string(), password }
            }
            None => FirstAdminOutcome::Created { email: user.email.to_string() },
        }),
        // Another process created it first.
        Err(AppError::Conflict { .. }) => Ok(FirstAdminOutcome::AlreadyHadUsers),
        Err(e) => Err(e),
    }
}
