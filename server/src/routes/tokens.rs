//! `/api/v1/me/tokens` and `/api/v1/users/{id}/tokens`: personal API tokens.

use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;

use app::{
    domain::{CreatedToken, TokenView, UserId},
    server::{
        http::ErrorBody,
        services::tokens::{self, TokenInput},
        AppState,
    },
    AppError,
};

use super::{ApiJson, ApiPath, SignedIn};

/// A new token's settings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenBody {
    pub name: String,
    /// `developer` (all workspace permissions you hold), `endpoint`
    /// (`endpoint:invoke` only) or `custom`.
    pub scope: String,
    /// For `custom`: permission keys.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Only inside this workspace.
    #[serde(default)]
    pub workspace: Option<String>,
    /// Default 90; at most the configured maximum.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

fn parse_user(text: &str) -> Result<UserId, AppError> {
    text.parse().map_err(|_| AppError::not_found(format!("user {text}")))
}

fn parse_token(text: &str) -> Result<uuid::Uuid, AppError> {
    text.parse().map_err(|_| AppError::not_found(format!("token {text}")))
}

/// `GET /me/tokens`.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "tokens", responses((status = 200, body = [TokenView]), (status = 401, body = ErrorBody)))]
pub async fn list_mine(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<Json<Vec<TokenView>>, AppError> {
    Ok(Json(tokens::list(&state, &actor, actor.id).await?))
}

/// `POST /me/tokens`: the secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "tokens", request_body = TokenBody, responses((status = 201, body = CreatedToken), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, description = "A token cannot make tokens", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let input = TokenInput {
        name: body.name,
        scope: body.scope,
        permissions: body.permissions,
        workspace: body.workspace,
        expires_in_days: body.expires_in_days,
    };
    Ok((StatusCode::CREATED, Json(tokens::create(&state, &actor, input).await?)))
}

/// `DELETE /me/tokens/{id}`.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "tokens", params(("id" = String, Path, description = "The token's id")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_mine(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    tokens::revoke(&state, &actor, actor.id, parse_token(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /users/{id}/tokens` (`user:manage`).
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "tokens", params(("id" = String, Path, description = "The user's id")), responses((status = 200, body = [TokenView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_of_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<TokenView>>, AppError> {
    Ok(Json(tokens::list(&state, &actor, parse_user(&id)?).await?))
}

/// `DELETE /users/{id}/tokens/{token_id}` (`user:manage`).
#[utoipa::path(delete, path = "/api/v1/users/{id}/tokens/{token_id}", tag = "tokens", params(("id" = String, Path, description = "The user's id"), ("token_id" = String, Path, description = "The token's id")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_of_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath((id, token_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, AppError> {
    tokens::revoke(&state, &actor, parse_user(&id)?, parse_token(&token_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /me/sessions`: the caller's sessions (for a token caller: all of
/// its owner's, none marked current).
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "tokens", responses((status = 200, body = [app::domain::SessionView]), (status = 401, body = ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    super::ApiSession(session): super::ApiSession,
    SignedIn(actor): SignedIn,
) -> Result<Json<Vec<app::domain::SessionView>>, AppError> {
    Ok(Json(app::server::services::account::sessions(&state, &actor, session.id().as_deref()).await?))
}

/// `DELETE /me/sessions/{id}`: ends one session.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "tokens", params(("id" = String, Path, description = "The session's handle, as the sessions list gives it")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end_session(
    State(state): State<AppState>,
    super::ApiSession(session): super::ApiSession,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    app::server::services::account::end_sessions(&state, &actor, session.id().as_deref(), Some(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new service account.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ServiceAccountBody {
    /// Lower-case letters, digits and dashes, e.g. `ci-deployer`.
    pub key: String,
    pub name: String,
}

/// `GET /service-accounts`.
#[utoipa::path(get, path = "/api/v1/service-accounts", tag = "service-accounts", responses((status = 200, body = [app::domain::UserView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_service_accounts(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<Json<Vec<app::domain::UserView>>, AppError> {
    Ok(Json(app::server::services::service_accounts::list(&state, &actor).await?))
}

/// `POST /service-accounts` (`user:manage`).
#[utoipa::path(post, path = "/api/v1/service-accounts", tag = "service-accounts", request_body = ServiceAccountBody, responses((status = 201, body = app::domain::UserView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_service_account(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<ServiceAccountBody>,
) -> Result<(StatusCode, Json<app::domain::UserView>), AppError> {
    let created = app::server::services::service_accounts::create(&state, &actor, &body.key, &body.name).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `POST /service-accounts/{id}/tokens` (`user:manage`): the secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/service-accounts/{id}/tokens", tag = "service-accounts", params(("id" = String, Path, description = "The service account's user id")), request_body = TokenBody, responses((status = 201, body = CreatedToken), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_service_account_token(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let input = TokenInput {
        name: body.name,
        scope: body.scope,
        permissions: body.permissions,
        workspace: body.workspace,
        expires_in_days: body.expires_in_days,
    };
    let created =
        app::server::services::service_accounts::create_token(&state, &actor, parse_user(&id)?, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
