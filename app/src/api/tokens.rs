//! Server functions of the API tokens section of My account.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use crate::domain::Identifier;

#[cfg(feature = "ssr")]
use super::context;
use crate::{
    domain::{CreatedToken, TokenView},
    error::AppError,
};

/// The tokens of `owner` (a user id; empty: the signed-in user), newest first.
#[server(prefix = "/sfn", endpoint = "tokens/list", input = GetUrl)]
pub async fn list_tokens(owner: Option<String>) -> Result<Vec<TokenView>, AppError> {
    context::as_actor(|state, actor| async move {
        let owner = owner_or_me(owner.as_deref(), &actor)?;
        crate::server::services::tokens::list(&state, &actor, owner).await
    })
    .await
}

/// `owner` as a user id, or the actor when empty.
#[cfg(feature = "ssr")]
fn owner_or_me(
    owner: Option<&str>,
    actor: &crate::server::store::users::UserRow,
) -> Result<crate::domain::UserId, AppError> {
    match owner.map(str::trim).filter(|o| !o.is_empty()) {
        Some(id) => crate::domain::UserId::parse_id(id),
        None => Ok(actor.id),
    }
}

/// Makes a token for the signed-in user, or (with `owner`, for holders of
/// `user:manage`) for a service account; the secret is in this answer only.
#[server(prefix = "/sfn", endpoint = "tokens/create")]
pub async fn create_token(
    owner: Option<String>,
    name: String,
    scope: String,
    permissions: Option<Vec<String>>,
    workspace: Option<String>,
    expires_in_days: Option<String>,
) -> Result<CreatedToken, AppError> {
    use crate::server::services::tokens::{self, TokenInput};
    context::as_actor(|state, actor| async move {
        let expires_in_days = match expires_in_days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(days) => Some(days.parse().map_err(|_| AppError::invalid("expires_in_days", "a number of days"))?),
            None => None,
        };
        let permissions = permissions.unwrap_or_default();
        let input = TokenInput { name, scope, permissions, workspace, expires_in_days };
        let owner = owner_or_me(owner.as_deref(), &actor)?;
        if owner == actor.id {
            tokens::create(&state, &actor, input).await
        } else {
            crate::server::services::service_accounts::create_token(&state, &actor, owner, input).await
        }
    })
    .await
}

/// Revokes a token of `owner` (empty: the signed-in user).
#[server(prefix = "/sfn", endpoint = "tokens/revoke")]
pub async fn revoke_token(owner: Option<String>, id: String) -> Result<(), AppError> {
    context::as_actor(|state, actor| async move {
        let owner = owner_or_me(owner.as_deref(), &actor)?;
        let id = crate::domain::TokenId::parse_id(&id).map(|id| id.0)?;
        crate::server::services::tokens::revoke(&state, &actor, owner, id).await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// The signed-in user's sessions.
#[server(prefix = "/sfn", endpoint = "me/sessions/list", input = GetUrl)]
pub async fn list_my_sessions() -> Result<Vec<crate::domain::SessionView>, AppError> {
    let result = async {
        let (state, session) = context::state_and_session().await?;
        let actor = crate::server::caller::require_user(&state, &session).await?;
        crate::server::services::account::sessions(&state, &actor, session.id().as_deref()).await
    }
    .await;
    context::respond(result)
}

/// Ends one session (`id`, its handle), or all but this one (empty `id`).
#[server(prefix = "/sfn", endpoint = "me/sessions/end")]
pub async fn end_my_sessions(id: Option<String>) -> Result<usize, AppError> {
    let result = async {
        let (state, session) = context::state_and_session().await?;
        let actor = crate::server::caller::require_user(&state, &session).await?;
        let which = id.as_deref().map(str::trim).filter(|i| !i.is_empty());
        crate::server::services::account::end_sessions(&state, &actor, session.id().as_deref(), which).await
    }
    .await;
    context::respond(result)
}

/// How the signed-in user can sign in.
#[server(prefix = "/sfn", endpoint = "me/sign-in-methods", input = GetUrl)]
pub async fn load_sign_in_methods() -> Result<crate::domain::SignInMethods, AppError> {
    context::as_actor(
        |state, actor| async move { crate::server::services::account::sign_in_methods(&state, &actor).await },
    )
    .await
}

/// Unlinks a GitHub or Google account (not the last way to sign in).
#[server(prefix = "/sfn", endpoint = "me/unlink")]
pub async fn unlink_identity(provider: String) -> Result<(), AppError> {
    context::as_actor(|state, actor| async move {
        crate::server::services::account::unlink(&state, &actor, provider.trim()).await
    })
    .await
}

/// Sets or changes the signed-in user's password; other sessions end.
#[server(prefix = "/sfn", endpoint = "me/password")]
pub async fn change_password(current_password: Option<String>, new_password: String) -> Result<(), AppError> {
    use secrecy::SecretString;
    let result = async {
        let (state, session) = context::state_and_session().await?;
        let actor = crate::server::caller::require_user(&state, &session).await?;
        crate::server::services::account::set_password(
            &state,
            &actor,
            session.id().as_deref(),
            context::client_address().await,
            current_password.map(SecretString::from),
            SecretString::from(new_password),
        )
        .await
    }
    .await;
    context::respond(result)
}

/// Sets or clears the signed-in user's picture.
#[server(prefix = "/sfn", endpoint = "me/avatar")]
pub async fn set_my_avatar(avatar_url: String) -> Result<crate::domain::UserView, AppError> {
    context::as_actor(|state, actor| async move {
        crate::server::services::account::set_avatar(&state, &actor, &avatar_url).await
    })
    .await
}

/// The signed-in user's teams and pending invitations.
#[server(prefix = "/sfn", endpoint = "me/memberships", input = GetUrl)]
pub async fn load_my_memberships(
) -> Result<(Vec<crate::domain::MembershipView>, Vec<crate::domain::InvitationView>), AppError> {
    context::as_actor(|state, actor| async move {
        let teams = {
            let mut conn = state.db.read().await?;
            crate::server::store::teams::of_user(&mut conn, actor.id).await?
        };
        let invitations = crate::server::services::invitations::mine(&state, &actor).await?;
        let teams =
            teams.into_iter().map(|(team, team_role)| crate::domain::MembershipView { team, team_role }).collect();
        Ok((teams, invitations))
    })
    .await
}

/// Leaves a team (not the last administrator's way in).
#[server(prefix = "/sfn", endpoint = "me/leave-team")]
pub async fn leave_team(team: String) -> Result<(), AppError> {
    context::as_actor(|state, actor| async move {
        crate::server::services::account::leave_team(&state, &actor, team.trim()).await
    })
    .await
}

/// Accepts (`answer` = `accept`) or declines one of the signed-in user's invitations.
#[server(prefix = "/sfn", endpoint = "me/invitation")]
pub async fn answer_my_invitation(id: String, answer: super::Answer) -> Result<(), AppError> {
    context::as_actor(|state, actor| async move {
        let id = crate::domain::InvitationId::parse_id(&id).map(|id| id.0)?;
        let accept = answer == super::Answer::Accept;
        crate::server::services::invitations::answer_own(&state, &actor, id, accept).await
    })
    .await
}

/// Creates a service account (`user:manage`).
#[server(prefix = "/sfn", endpoint = "service-accounts/create")]
pub async fn create_service_account(key: String, name: String) -> Result<crate::domain::UserView, AppError> {
    context::as_actor(|state, actor| async move {
        crate::server::services::service_accounts::create(&state, &actor, &key, &name).await
    })
    .await
    .map(crate::server::Written::into_value)
}
