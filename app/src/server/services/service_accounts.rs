//! Service accounts: non-human principals for platform services. Created by
//! holders of `user:manage`; they hold policies like any user and act only
//! through API tokens (no password, no sign-in).

use crate::server::caller::Actor;
use crate::server::Written;
use crate::{
    authz::Change,
    domain::{CreatedToken, DisplayName, Email, Permission, UserId, UserView, WorkspaceKey},
    error::AppError,
    server::{
        now_ms,
        services::{
            escalation::forbid_escalation,
            guard::{attempt, audited, require},
            tokens::{self, TokenInput},
        },
        store::{self, audit, users::UserRow},
        AppState,
    },
};

/// The mail domain of service accounts' (never mailed) addresses.
pub const DOMAIN: &str = "service.portcullis.local";

/// Creates a service account `key` (lower-case letters, digits, dashes).
pub async fn create(state: &AppState, actor: &Actor, key: &str, name: &str) -> Result<Written<UserView>, AppError> {
    let entry = attempt(actor, "service_account.create", "user", key);
    let result = async {
        require(state, actor, Permission::UserManage, None)?;
        // Keys follow the same rules as workspace keys.
        let key = WorkspaceKey::parse(key.trim()).map_err(|e| AppError::invalid("key", e.to_string()))?;
        let name = DisplayName::parse(name).map_err(|e| AppError::invalid("name", e.to_string()))?;
        let email = Email::parse(&format!("{key}@{DOMAIN}")).map_err(|e| AppError::invalid("key", e.to_string()))?;
        let mut tx = state.access.begin_write(&state.db).await?;
        let account = store::users::insert_service_account(&mut tx, &email, &name, now_ms()).await.map_err(|e| {
            // Its email is made of the key the caller chose.
            if e.is_unique_violation("users", "email") {
                AppError::taken("key", "service_account_exists", format!("there is already a service account {key}"))
            } else {
                e.into()
            }
        })?;
        let view = account.view();
        let mut success = entry.clone();
        success.target_id = Some(account.id.to_string());
        success.after = serde_json::to_value(&view).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit([Change::UserSet { user: account.id, active: true }]).await?;
        Ok(Written::new(view, revision))
    }
    .await;
    audited(state, entry, result).await
}

/// Every service account.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<UserView>, AppError> {
    require(state, actor, Permission::UserRead, None)?;
    let mut conn = state.db.read().await?;
    Ok(store::users::list_service_accounts(&mut conn).await?.iter().map(UserRow::view).collect())
}

/// Makes a token for a service account (`user:manage`).
pub async fn create_token(
    state: &AppState,
    actor: &Actor,
    account: UserId,
    input: TokenInput,
) -> Result<CreatedToken, AppError> {
    require(state, actor, Permission::UserManage, None)?;
    if actor.token.is_some() {
        return Err(AppError::forbidden("token_scope", "API tokens cannot make tokens: use the console"));
    }
    let found = {
        let mut conn = state.db.read().await?;
        store::users::find_by_id(&mut conn, account).await?
    };
    match found {
        Some(row) if row.kind == "service" => {
            // Whoever holds the secret acts as the account: the maker must
            // hold everything the token would confer.
            let limits = tokens::validate(state, &input)?.grant();
            let confers = limits.narrow(&state.access.read().bindings_of_user(&account));
            if let Err(refused) = forbid_escalation(state, actor.holder(), &confers) {
                return audited(state, attempt(actor, "token.create", "token", ""), Err(refused)).await;
            }
            tokens::create_for(state, actor, account, input).await
        }
        Some(_) => {
            Err(AppError::invalid("id", "tokens are made here only for service accounts; people make their own"))
        }
        None => Err(AppError::not_found(format!("service account {account}"))),
    }
}
