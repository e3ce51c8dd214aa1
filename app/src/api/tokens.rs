//! Server functions of the API tokens section of My account.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use super::context;
use crate::{
    domain::{CreatedToken, TokenView},
    error::AppError,
};

/// The signed-in user's tokens, newest first.
#[server(prefix = "/sfn", endpoint = "me/tokens/list", input = GetUrl)]
pub async fn list_my_tokens() -> Result<Vec<TokenView>, AppError> {
    let result = async {
        let (state, actor) = context::actor().await?;
        crate::server::services::tokens::list(&state, &actor, actor.id).await
    }
    .await;
    context::respond(result)
}

/// Makes a token; the secret is in this answer only.
#[server(prefix = "/sfn", endpoint = "me/tokens/create")]
pub async fn create_my_token(
    name: String,
    scope: String,
    permissions: Option<Vec<String>>,
    workspace: Option<String>,
    expires_in_days: Option<String>,
) -> Result<CreatedToken, AppError> {
    use crate::server::services::tokens::{self, TokenInput};
    let result = async {
        let (state, actor) = context::actor().await?;
        let expires_in_days = match expires_in_days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(days) => Some(days.parse().map_err(|_| AppError::invalid("expires_in_days", "a number of days"))?),
            None => None,
        };
        let permissions = permissions.unwrap_or_default();
        tokens::create(&state, &actor, TokenInput { name, scope, permissions, workspace, expires_in_days }).await
    }
    .await;
    context::respond(result)
}

/// Revokes one of the signed-in user's tokens.
#[server(prefix = "/sfn", endpoint = "me/tokens/revoke")]
pub async fn revoke_my_token(id: String) -> Result<(), AppError> {
    let result = async {
        let (state, actor) = context::actor().await?;
        let id = id.parse().map_err(|_| AppError::not_found(format!("token {id}")))?;
        crate::server::services::tokens::revoke(&state, &actor, actor.id, id).await
    }
    .await;
    context::respond(result)
}
