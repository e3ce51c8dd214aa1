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
        let input = TokenInput::of_form(name, scope, permissions, workspace, expires_in_days.as_deref())?;
        tokens::create_owned(&state, &actor, owner_or_me(owner.as_deref(), &actor)?, input).await
    })
    .await
}

/// Revokes a token of `owner` (empty: the signed-in user).
#[server(prefix = "/sfn", endpoint = "tokens/revoke")]
pub async fn revoke_token(owner: Option<String>, id: String) -> Result<(), AppError> {
    use crate::{domain::TokenId, server::services::tokens};
    context::as_actor(|state, actor| async move {
        tokens::revoke(&state, &actor, owner_or_me(owner.as_deref(), &actor)?, TokenId::parse_id(&id)?.0).await
    })
    .await
    .map(crate::server::Written::into_value)
}

/// The signed-in user's sessions.
#[server(prefix = "/sfn", endpoint = "me/sessions/list", input = GetUrl)]
pub async fn list_my_sessions() -> Result<Vec<crate::domain::SessionView>, AppError> {
    context::as_actor_in_session(|state, actor, session| async move {
        crate::server::services::account::sessions(&state, &actor, session.id().as_deref()).await
    })
    .await
}

/// Ends one session (`id`, its handle), or all but this one (empty `id`).
#[server(prefix = "/sfn", endpoint = "me/sessions/end")]
pub async fn end_my_sessions(id: Option<String>) -> Result<usize, AppError> {
    context::as_actor_in_session(|state, actor, session| async move {
        let which = crate::domain::non_blank(id.as_deref());
        crate::server::services::account::end_sessions(&state, &actor, session.id().as_deref(), which).await
    })
    .await
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
    use crate::server::services::account::{self, NewPassword};
    let client = context::client_address().await;
    let change = NewPassword::of(current_password, new_password);
    context::as_actor_in_session(|state, actor, session| async move {
        account::set_password(&state, &actor, session.id().as_deref(), client, change).await
    })
    .await
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
    context::as_actor(|state, actor| async move { crate::server::services::account::memberships(&state, &actor).await })
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
