//! What the operator does from the command line and at start-up: creating
//! users with a password, setting passwords, counting users. Managing users
//! in the product is `people`.

use secrecy::{ExposeSecret, SecretString};

use crate::{
    authz::Change,
    domain::{DisplayName, Email, RoleKey, Scope, Subject, UserView},
    error::AppError,
    server::{
        now_ms,
        password::check_strength,
        store::{
            self,
            audit::{self, NewAuditEntry},
            users::{NewUser, PasswordOrigin},
            StoreError,
        },
        AppState,
    },
};

/// Creates an active user with a password from the command line or at first
/// start (no actor); `admin` also binds them to the admin role globally. A
/// taken email is a 409.
pub async fn create_with_password(
    state: &AppState,
    email: Email,
    name: DisplayName,
    password: SecretString,
    admin: bool,
) -> Result<UserView, AppError> {
    check_strength(password.expose_secret()).map_err(|m| AppError::invalid("password", m))?;
    let password_hash = state.hasher.hash(password).await?;
    let mut tx = state.access.begin_write(&state.db).await?;
    let email_text = email.to_string();
    let user = store::users::insert(
        &mut tx,
        NewUser { email, name, password: Some((password_hash, PasswordOrigin::Operator)), email_verified: false },
        now_ms(),
    )
    .await
    .map_err(|e| {
        e.conflict_on("users", "email", "email_taken", || format!("a user with email {email_text} already exists"))
    })?;
    let mut changes = vec![Change::UserSet { user: user.id, active: true }];
    let view = user.view();
    audit::insert(
        &mut tx,
        &NewAuditEntry {
            action: "user.create".into(),
            target_type: Some("user".into()),
            target_id: Some(user.id.to_string()),
            after: serde_json::to_value(&view).ok(),
            reason: Some(
                if admin {
                    "created from the command line or at first start, as an administrator"
                } else {
                    "created from the command line"
                }
                .into(),
            ),
            ..NewAuditEntry::default()
        },
        now_ms(),
    )
    .await?;
    if admin {
        let admin_role = RoleKey::parse(crate::domain::catalog::ADMIN_ROLE).expect("a valid key");
        let policy =
            store::policies::insert(&mut tx, &Subject::User(user.id), &admin_role, &Scope::Global, now_ms()).await?;
        changes.push(Change::PolicyAdded(policy.fact()));
    }
    tx.commit(changes).await?;
    Ok(view)
}

/// Sets a user's password and ends all their sessions, in one transaction.
pub async fn set_password(state: &AppState, email: &Email, password: SecretString) -> Result<UserView, AppError> {
    check_strength(password.expose_secret()).map_err(|m| AppError::invalid("password", m))?;
    let hash = state.hasher.hash(password).await?;
    let mut tx = state.db.write().await?;
    let user = store::users::find_by_email(&mut tx, email)
        .await?
        .ok_or_else(|| AppError::not_found(format!("user {email}")))?;
    store::users::set_password_hash(&mut tx, user.id, &hash, PasswordOrigin::Operator).await?;
    store::sessions::delete_for_user(&mut tx, user.id).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(user.view())
}

/// How many users exist.
pub async fn count(state: &AppState) -> Result<i64, AppError> {
    let mut conn = state.db.read().await?;
    let (active, disabled) = store::users::count_by_status(&mut conn).await?;
    Ok(active + disabled)
}
