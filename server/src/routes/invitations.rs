//! `/api/v1/invitations`: invite, list, resend, revoke, accept.

use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;

use app::{
    domain::{InvitationId, InvitationView},
    server::{
        http::ErrorBody,
        services::invitations::{self, InviteInput},
        AppState, Written,
    },
    AppError,
};

use super::{
    answers::Page,
    params::{ListParams, DEFAULT_LIMIT},
    ApiId, ApiJson, ApiQuery, SignedIn,
};

/// Who to invite, to what.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct InviteBody {
    /// One or many emails.
    #[schema(value_type = Vec<app::domain::Email>, min_items = 1, max_items = 500)]
    pub emails: Vec<String>,
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,62}$")]
    pub role: String,
    /// A workspace key; absent, empty or null for a global invitation.
    #[serde(default)]
    #[schema(pattern = "^([a-z0-9][a-z0-9_-]{0,62})?$")]
    pub workspace: Option<String>,
    /// A team the invitee joins; absent, empty or null for none.
    #[serde(default)]
    #[schema(pattern = "^([a-z0-9][a-z0-9_-]{0,62})?$")]
    pub team: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct InvitationQuery {
    /// `pending`, `expired`, `accepted` or `revoked`.
    status: Option<String>,
    #[serde(flatten)]
    page: ListParams,
}

/// `{"token": …}` from an invitation link.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AcceptBody {
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
}

/// `GET /invitations`.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "invitations", params(("q" = Option<String>, Query, description = "Part of the invited email"), ("status" = Option<String>, Query, pattern = "^(pending|expired|accepted|revoked)?$", description = "pending, expired, accepted or revoked"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<String>, Query, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$", description = "The next_cursor of the page before")), responses((status = 200, description = "Invitations, newest first", body = Page<InvitationView>)))]
pub async fn list(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiQuery(query): ApiQuery<InvitationQuery>,
) -> Result<Json<Page<InvitationView>>, AppError> {
    Ok(Json(invitations::page(&state, &actor, query.status.as_deref(), &query.page, DEFAULT_LIMIT).await?))
}

/// `POST /invitations`: invites each email; a pending one is resent.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "invitations", request_body = InviteBody, responses((status = 201, body = [InvitationView]), (status = 403, description = "Not allowed, or the invitation would grant what the caller does not hold", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Written<Vec<InvitationView>>), AppError> {
    let input =
        InviteInput { emails: body.emails.join("\n"), role: body.role, workspace: body.workspace, team: body.team };
    Ok((StatusCode::CREATED, Written::unchanged(&state, invitations::invite(&state, &actor, input).await?)))
}

/// `POST /invitations/{id}/resend`: a new link; the old one stops working.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/resend", tag = "invitations", params(("id" = String, Path, description = "The invitation's id")), responses((status = 200, body = app::server::written::Revised<InvitationView>), (status = 409, description = "Accepted or revoked", body = ErrorBody)))]
pub async fn resend(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<InvitationId>,
) -> Result<Written<InvitationView>, AppError> {
    Ok(Written::unchanged(&state, invitations::resend(&state, &actor, id.0).await?))
}

/// `DELETE /invitations/{id}`: revokes it.
#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "invitations", params(("id" = String, Path, description = "The invitation's id")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = super::answers::Done), (status = 409, description = "Already accepted or revoked", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<InvitationId>,
) -> Result<Written<()>, AppError> {
    invitations::revoke(&state, &actor, id.0).await?;
    Ok(Written::unchanged(&state, ()))
}

/// `POST /invitations/accept`: the signed-in user accepts an invitation of
/// their own email.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "invitations", request_body = AcceptBody, responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = super::answers::Done), (status = 403, description = "The invitation is for another email", body = ErrorBody), (status = 410, description = "Expired, revoked or used", body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Result<Written<()>, AppError> {
    invitations::accept_signed_in(&state, &actor, &body.token).await
}
