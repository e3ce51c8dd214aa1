//! Personal API tokens: a member makes them for programs (CI jobs, the
//! platform's services). What a token may do is its owner's current
//! permissions, narrowed by its scope and workspace, checked on every
//! request; a revoked or expired token, or a disabled owner, stops at once.

use crate::server::caller::Actor;
use crate::server::Written;
use crate::{
    authz::{TokenGrant, TokenScope},
    domain::{CreatedToken, Permission, PermissionSet, TokenView, UserId, UserStatus, WorkspaceKey},
    error::AppError,
    server::{
        index::ChangeSet,
        now_ms,
        services::{
            guard::{attempt, audited, require, require_session},
            workspaces,
        },
        store::{self, audit, tokens::TokenRow, users::UserRow, StoreError},
        AppState,
    },
};

/// What every secret starts with, so secret scanners can find leaked ones.
pub const PREFIX: &str = "pcs_";
/// The default lifetime.
pub const DEFAULT_DAYS: u32 = 90;
/// A use is recorded at most this often per token.
const TOUCH_EVERY_MS: i64 = 60_000;

/// What a member asks for: the REST body as it is (its schema, which
/// depends on the scope, is written out by the REST edge).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct TokenInput {
    pub name: String,
    /// One of the catalog's token scopes (neutree: `developer`, `endpoint`) or `custom`.
    pub scope: String,
    /// For `custom`: permission keys.
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub workspace: Option<String>,
    /// Days until it expires; default 90, at most the configured maximum.
    #[serde(default, deserialize_with = "crate::server::http::whole_number")]
    pub expires_in_days: Option<u32>,
}

impl TokenInput {
    /// A token request as the form sends it: no permission ticked sends
    /// none, and a blank lifetime is the default.
    pub fn of_form(
        name: String,
        scope: String,
        permissions: Option<Vec<String>>,
        workspace: Option<String>,
        expires_in_days: Option<&str>,
    ) -> Result<Self, AppError> {
        let expires_in_days = match crate::domain::non_blank(expires_in_days) {
            Some(days) => Some(days.parse().map_err(|_| AppError::invalid("expires_in_days", "a number of days"))?),
            None => None,
        };
        Ok(Self { name, scope, permissions: permissions.unwrap_or_default(), workspace, expires_in_days })
    }
}

fn new_secret() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rngs::OsRng;
    // 40 characters of 62: about 238 bits.
    let body: String = (0..40).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{PREFIX}{body}")
}

fn status(row: &TokenRow, now: i64) -> &'static str {
    if row.revoked_at.is_some() {
        "revoked"
    } else if row.expires_at <= now {
        "expired"
    } else {
        "active"
    }
}

fn view(row: &TokenRow, now: i64) -> TokenView {
    TokenView {
        id: row.id,
        name: row.name.clone(),
        prefix: row.prefix.clone(),
        scope: row.scope.clone(),
        permissions: row.permissions.iter().collect(),
        workspace: row.workspace.clone(),
        created_at: row.created_at,
        expires_at: row.expires_at,
        last_used_at: row.last_used_at,
        last_used_address: row.last_used_address.clone(),
        status: status(row, now).to_owned(),
    }
}

/// The limits a stored token puts on its owner.
pub fn grant_of(row: &TokenRow) -> TokenGrant {
    let scope = TokenScope::parse(&row.scope).unwrap_or(TokenScope::Custom);
    TokenGrant { permissions: scope.permissions(row.permissions), workspace: row.workspace.clone() }
}

/// Makes a token for the actor; the secret is in the answer only.
pub async fn create(state: &AppState, actor: &Actor, input: TokenInput) -> Result<CreatedToken, AppError> {
    if let Err(refused) = require_session(actor, "make tokens") {
        return audited(state, attempt(actor, "token.create", "token", ""), Err(refused)).await;
    }
    create_for(state, actor, actor.id, input).await
}

/// Makes a token for `owner`: the actor (as [`create`]) or a service
/// account the actor manages (as `service_accounts::create_token`).
pub async fn create_owned(
    state: &AppState,
    actor: &Actor,
    owner: UserId,
    input: TokenInput,
) -> Result<CreatedToken, AppError> {
    if owner == actor.id {
        create(state, actor, input).await
    } else {
        crate::server::services::service_accounts::create_token(state, actor, owner, input).await
    }
}

/// A token request, checked.
pub struct ValidToken {
    name: String,
    scope: TokenScope,
    permissions: PermissionSet,
    days: u32,
    workspace: Option<WorkspaceKey>,
}

impl ValidToken {
    /// The limits the token will put on its owner.
    pub fn grant(&self) -> TokenGrant {
        TokenGrant { permissions: self.scope.permissions(self.permissions), workspace: self.workspace.clone() }
    }
}

/// Checks a token request; a 400 names each bad field.
pub fn validate(state: &AppState, input: &TokenInput) -> Result<ValidToken, AppError> {
    let mut fields = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        fields.push(crate::error::FieldError {
            field: "name".into(),
            message: "give the token a name of 1 to 100 characters".into(),
        });
    }
    let scope = TokenScope::parse(input.scope.trim());
    if scope.is_none() {
        fields.push(crate::error::FieldError {
            field: "scope".into(),
            message: format!(
                "pick one of: {}",
                TokenScope::all().map(TokenScope::as_str).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let permissions = match (scope, PermissionSet::parse_keys(&input.permissions)) {
        (Some(TokenScope::Custom), Ok(set)) if set.is_empty() => {
            fields.push(crate::error::FieldError {
                field: "permissions".into(),
                message: "tick at least one permission".into(),
            });
            set
        }
        (Some(TokenScope::Custom), Ok(set)) => set,
        (Some(TokenScope::Custom), Err(unknown)) => {
            fields.push(crate::error::FieldError {
                field: "permissions".into(),
                message: format!("unknown permissions: {}", unknown.join(", ")),
            });
            PermissionSet::EMPTY
        }
        _ => PermissionSet::EMPTY,
    };
    let max_days = u32::try_from(state.config.token_max_lifetime.as_secs() / 86_400).unwrap_or(u32::MAX).max(1);
    let days = input.expires_in_days.unwrap_or(DEFAULT_DAYS.min(max_days));
    if days == 0 || days > max_days {
        fields.push(crate::error::FieldError {
            field: "expires_in_days".into(),
            message: format!("use 1 to {max_days} days"),
        });
    }
    let workspace = match input.workspace.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        Some(key) => match WorkspaceKey::parse(key) {
            Ok(key) => Some(key),
            Err(e) => {
                fields.push(crate::error::FieldError { field: "workspace".into(), message: e.to_string() });
                None
            }
        },
        None => None,
    };
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    Ok(ValidToken { name, scope: scope.expect("checked above"), permissions, days, workspace })
}

/// Makes a token owned by `owner` (the actor, or a service account the
/// actor manages); the secret is in the answer only.
pub async fn create_for(
    state: &AppState,
    actor: &Actor,
    owner: UserId,
    input: TokenInput,
) -> Result<CreatedToken, AppError> {
    let entry = attempt(actor, "token.create", "token", "");
    let result = async {
        let ValidToken { name, scope, permissions, days, workspace } = validate(state, &input)?;
        // A catalog's scope may need a permission of its own (BentoCloud's
        // endpoint users make only protected-endpoint tokens): the owner
        // holds it where the token reaches, in its workspace or globally.
        if let Some(needed) = scope.requires() {
            let place = workspace.as_ref().map(WorkspaceKey::as_str);
            if !state.access.check(&owner, needed, place) {
                return Err(AppError::forbidden(
                    "forbidden",
                    format!(
                        "making a {:?} token needs the permission {needed} {}",
                        scope.describe().0,
                        workspace.as_ref().map_or(
                            "globally (or limit the token to a workspace where it is held)".to_owned(),
                            |w| format!("in workspace {w}")
                        )
                    ),
                ));
            }
        }
        let mut tx = state.db.write().await?;
        workspaces::must_exist(&mut tx, workspace.as_ref()).await?;
        let now = now_ms();
        let secret = new_secret();
        let row = TokenRow {
            id: uuid::Uuid::new_v4(),
            user_id: owner,
            name,
            prefix: secret.chars().take(PREFIX.len() + 8).collect(),
            scope: scope.as_str().to_owned(),
            permissions,
            workspace,
            created_at: now,
            expires_at: now + i64::from(days) * 86_400_000,
            last_used_at: None,
            last_used_address: None,
            revoked_at: None,
        };
        store::tokens::insert(&mut tx, &row, &crate::server::secrets::sha256_hex(&secret)).await?;
        let created = view(&row, now);
        let mut success = entry.clone();
        success.target_id = Some(row.id.to_string());
        success.after = serde_json::to_value(&created).ok();
        audit::insert(&mut tx, &success, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(CreatedToken { token: created, secret })
    }
    .await;
    audited(state, entry, result).await
}

/// The tokens of `user`: one's own, or anyone's for holders of `user:manage`.
pub async fn list(state: &AppState, actor: &Actor, user: UserId) -> Result<Vec<TokenView>, AppError> {
    if user == actor.id {
        require_session(actor, "list your tokens")?;
    } else {
        require(state, actor, Permission::UserManage, None)?;
    }
    let mut conn = state.db.read().await?;
    let now = now_ms();
    Ok(store::tokens::list_for(&mut conn, user).await?.iter().map(|r| view(r, now)).collect())
}

/// Revokes a token of `user` (one's own, or anyone's with `user:manage`).
pub async fn revoke(state: &AppState, actor: &Actor, user: UserId, id: uuid::Uuid) -> Result<Written<()>, AppError> {
    let entry = attempt(actor, "token.revoke", "token", id);
    let result = async {
        if user == actor.id {
            require_session(actor, "revoke your tokens")?;
        } else {
            require(state, actor, Permission::UserManage, None)?;
        }
        // A revision, so every process drops the token from its cache.
        let mut tx = state.access.begin_write(&state.db).await?;
        if !store::tokens::revoke(&mut tx, user, id, now_ms()).await? {
            return Err(AppError::not_found(format!("live token {id}")));
        }
        audit::insert(&mut tx, &entry, now_ms()).await?;
        let revision = tx.commit_set(ChangeSet { revoked_tokens: vec![id], ..ChangeSet::default() }).await?;
        Ok(Written::new((), revision))
    }
    .await;
    audited(state, entry, result).await
}

/// The token of `secret` and its live owner, or why not (401). Served from
/// the process's token cache when it can be.
pub async fn resolve(state: &AppState, secret: &str) -> Result<(TokenRow, UserRow), AppError> {
    let unauthenticated = |message: &str| AppError::Unauthenticated { message: message.to_owned() };
    if !secret.starts_with(PREFIX) {
        return Err(unauthenticated("that is not a Portcullis API token (they start with pcs_)"));
    }
    let secret_hash = crate::server::secrets::sha256_hex(secret);
    if let Some(cached) = state.access.tokens.get(&state.access, &secret_hash, now_ms()) {
        return Ok(cached);
    }
    let read_at = state.access.revision();
    let mut conn = state.db.read().await?;
    let row = store::tokens::find_by_secret(&mut conn, &secret_hash)
        .await?
        .ok_or_else(|| unauthenticated("unknown API token"))?;
    match status(&row, now_ms()) {
        "revoked" => return Err(unauthenticated("this API token was revoked")),
        "expired" => return Err(unauthenticated("this API token has expired")),
        _ => {}
    }
    let owner = store::users::find_by_id(&mut conn, row.user_id)
        .await?
        .filter(|u| u.status == UserStatus::Active)
        .ok_or_else(|| unauthenticated("the owner of this API token is disabled"))?;
    state.access.tokens.put(secret_hash, row.clone(), owner.clone(), read_at);
    Ok((row, owner))
}

/// The user a request's bearer token acts as, with the token's limits.
pub async fn authenticate(
    state: &AppState,
    secret: &str,
    address: Option<std::net::IpAddr>,
) -> Result<Actor, AppError> {
    let (row, owner) = match resolve(state, secret).await {
        Ok(found) => found,
        Err(refused @ AppError::Unauthenticated { .. }) => {
            crate::server::services::sign_ins::token_refused(state, secret, address, &refused).await;
            return Err(refused);
        }
        Err(other) => return Err(other),
    };
    let now = now_ms();
    if row.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY_MS) {
        state.access.tokens.touched(&crate::server::secrets::sha256_hex(secret), now);
        // Not worth failing a request over (the database may be briefly away).
        let touched = async {
            let mut tx = state.db.write().await?;
            store::tokens::touch(&mut tx, row.id, now, address.map(|a| a.to_string())).await?;
            tx.commit().await.map_err(store::StoreError::from)
        };
        if let Err(error) = touched.await {
            tracing::warn!(%error, "could not record an API token's last use");
        }
    }
    Ok(Actor::with_token(owner, grant_of(&row)))
}
