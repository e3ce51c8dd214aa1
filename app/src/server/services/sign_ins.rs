//! Sign-ins in the audit log (OWASP ASVS's authentication logging): every
//! successful and refused sign-in (password or provider), throttled
//! attempts, sign-outs and refused API tokens, each with the client's
//! address and the method. Filter them on the Audit page by action
//! (`auth.sign_in`, `auth.throttled`, `auth.sign_out`, `token.refused`).

use std::net::IpAddr;

use crate::{
    domain::UserId,
    error::AppError,
    server::{
        now_ms,
        store::audit::{self, NewAuditEntry},
        AppState,
    },
};

/// Who an event is about: the user when known, and the email as typed or
/// as the provider gave it.
pub struct Who<'a> {
    pub user: Option<UserId>,
    pub email: Option<&'a str>,
}

/// Records one event; `refused` carries why it was refused.
pub async fn record(
    state: &AppState,
    action: &str,
    who: Who<'_>,
    method: &str,
    address: Option<IpAddr>,
    refused: Option<&AppError>,
) -> Result<(), AppError> {
    let entry = NewAuditEntry {
        actor_id: who.user.map(|u| u.to_string()),
        actor_email: who.email.map(str::to_owned),
        action: action.to_owned(),
        denied: refused.is_some(),
        target_type: Some("session".into()),
        after: Some(serde_json::json!({ "method": method, "address": address.map(|a| a.to_string()) })),
        reason: refused.map(|e| format!("{}: {e}", e.code())),
        ..NewAuditEntry::default()
    };
    let mut tx = state.db.write().await?;
    audit::insert(&mut tx, &entry, now_ms()).await?;
    tx.commit().await.map_err(crate::server::store::StoreError::from)?;
    Ok(())
}

/// A refused API token, recorded at most a few times a minute per client
/// address (whoever sends garbage tokens must not fill the log); a failure
/// to write is logged, never turned into another error.
pub async fn token_refused(state: &AppState, secret: &str, address: Option<IpAddr>, error: &AppError) {
    let key = format!("token:{}", address.map_or_else(|| "unknown".to_owned(), |a| a.to_string()));
    if !state.refusals.allow(&key) {
        return;
    }
    // The prefix names the token without being a usable secret.
    let prefix: String = secret.chars().take(crate::server::services::tokens::PREFIX.len() + 8).collect();
    let who = Who { user: None, email: None };
    let recorded = record(state, "token.refused", who, &format!("api token {prefix}…"), address, Some(error)).await;
    if let Err(error) = recorded {
        tracing::warn!(%error, "could not audit a refused API token");
    }
}

/// Signs the session out and records it.
pub async fn sign_out(
    state: &AppState,
    session: &crate::server::sessions::AuthSession,
    address: Option<IpAddr>,
) -> Result<(), AppError> {
    let user = session.user_id().await?;
    session.sign_out().await?;
    if let Some(user) = user {
        record(state, "auth.sign_out", Who { user: Some(user), email: None }, "session", address, None).await?;
    }
    Ok(())
}
