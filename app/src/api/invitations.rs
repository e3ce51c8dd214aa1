//! Server functions of the Invitations page and of the invite link's page.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use crate::domain::Identifier;

#[cfg(feature = "ssr")]
use super::context;
use crate::{
    domain::{InvitationPage, InvitationPreview, InvitationView, UserView},
    error::AppError,
};

/// A page of invitations, newest first, filtered by email and status.
#[server(prefix = "/sfn", endpoint = "invitations/list", input = GetUrl)]
pub async fn list_invitations(
    q: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
) -> Result<InvitationPage, AppError> {
    let list = crate::domain::ListParams { q, ..crate::domain::ListParams::at(cursor) };
    context::as_actor(|state, actor| async move {
        let page = crate::server::services::invitations::page(&state, &actor, status.as_deref(), &list, super::PAGE);
        Ok(InvitationPage { page: page.await?, smtp_configured: state.config.mail.smtp_url.is_some() })
    })
    .await
}

/// Invites the pasted emails (a list or a CSV) with a role, a scope and a team.
#[server(prefix = "/sfn", endpoint = "invitations/create")]
pub async fn create_invitations(
    emails: String,
    role: String,
    workspace: Option<String>,
    team: Option<String>,
) -> Result<Vec<InvitationView>, AppError> {
    use crate::server::services::invitations::{self, InviteInput};
    context::as_actor(|state, actor| async move {
        invitations::invite(&state, &actor, InviteInput { emails, role, workspace, team }).await
    })
    .await
}

/// Mails a pending invitation again with a new link.
#[server(prefix = "/sfn", endpoint = "invitations/resend")]
pub async fn resend_invitation(id: String) -> Result<InvitationView, AppError> {
    context::as_actor(|state, actor| async move {
        let id = crate::domain::InvitationId::parse_id(&id).map(|id| id.0)?;
        crate::server::services::invitations::resend(&state, &actor, id).await
    })
    .await
}

/// Revokes a pending invitation.
#[server(prefix = "/sfn", endpoint = "invitations/revoke")]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    context::as_actor(|state, actor| async move {
        let id = crate::domain::InvitationId::parse_id(&id).map(|id| id.0)?;
        crate::server::services::invitations::revoke(&state, &actor, id).await
    })
    .await
}

/// What an invite link offers; anyone holding the link may ask.
#[server(prefix = "/sfn", endpoint = "invitations/preview", input = GetUrl)]
pub async fn preview_invitation(token: String) -> Result<InvitationPreview, AppError> {
    context::in_session(|state, _| async move { crate::server::services::invitations::preview(&state, &token).await })
        .await
}

/// Creates the invited account with a password, grants the invitation and
/// signs in; then goes to the dashboard.
#[server(prefix = "/sfn", endpoint = "invitations/accept-password")]
pub async fn accept_invitation_with_password(
    token: String,
    name: String,
    password: String,
) -> Result<UserView, AppError> {
    use crate::server::services::invitations;
    let (password, device) = (secrecy::SecretString::from(password), context::device().await);
    let joined = context::in_session(|state, session| async move {
        invitations::join_with_password(&state, &session, &token, &name, password, device).await
    });
    context::then_go(joined.await, "/")
}

/// The signed-in user accepts an invitation of their email; then goes to the dashboard.
#[server(prefix = "/sfn", endpoint = "invitations/accept")]
pub async fn accept_invitation(token: String) -> Result<(), AppError> {
    let accepted = context::as_actor(|state, actor| async move {
        crate::server::services::invitations::accept_signed_in(&state, &actor, &token).await
    });
    context::then_go(accepted.await.map(crate::server::Written::into_value), "/")
}
