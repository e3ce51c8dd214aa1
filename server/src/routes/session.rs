//! Signing in and out over JSON, and who am I.

use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiSession, ClientAddr, IfMatch, SignedIn, Tagged};
use app::{
    domain::UserView,
    server::{http::ErrorBody, AppState, Written},
    AppError,
};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    #[schema(value_type = app::domain::Email)]
    email: String,
    #[schema(min_length = 1, max_length = 512)]
    password: String,
    /// Only when the password is a one-time one an administrator set: the
    /// user's own, which replaces it.
    #[serde(default)]
    #[schema(max_length = 512)]
    new_password: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserEnvelope {
    user: UserView,
}

/// `POST /api/v1/auth/login`: 200 with the user and a new session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody, responses((status = 200, description = "Signed in; a session cookie is set", body = app::server::written::Revised<UserEnvelope>), (status = 400, description = "A field is missing, or the one-time password needs a `new_password`", body = ErrorBody), (status = 401, description = "Wrong email or password", body = ErrorBody), (status = 429, description = "Too many failed sign-ins", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    ClientAddr(client): ClientAddr,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Written<UserEnvelope>, AppError> {
    let device = app::server::sessions::SignInDevice::of(client, &headers);
    use app::server::services::password_login::{sign_in, Credentials};
    let credentials = Credentials::of(body.email, body.password, body.new_password);
    let user = sign_in(&state, &session, credentials, client, device).await?;
    Ok(Written::unchanged(&state, UserEnvelope { user }))
}

/// `POST /api/v1/auth/logout`: deletes the session on the server.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 200, description = "The session was deleted on the server: `{\"revision\": N}`", body = super::answers::Done)))]
pub async fn logout(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    ClientAddr(client): ClientAddr,
) -> Result<Written<()>, AppError> {
    app::server::services::sign_ins::sign_out(&state, &session, client).await?;
    Ok(Written::unchanged(&state, ()))
}

/// `GET /api/v1/me`: the signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, description = "The signed-in user", body = UserEnvelope, headers(("ETag" = String, description = "The version, for If-Match")))))]
pub async fn me(SignedIn(user): SignedIn) -> Tagged<Json<UserEnvelope>> {
    Tagged(user.version, Json(UserEnvelope { user: user.view() }))
}

/// What a member may change about themselves.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ProfileBody {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
}

/// `PATCH /api/v1/me`: the display name (the email is not edited here).
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", request_body = ProfileBody, responses((status = 200, body = app::server::written::Revised<UserEnvelope>, headers(("ETag" = String, description = "The version, for If-Match"))), (status = 403, description = "Not allowed (an API token cannot change the profile)", body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Tagged<Written<UserEnvelope>>, AppError> {
    let user = app::server::services::account::update_display_name(&state, &actor, &body.name, &expected).await?;
    Ok(Tagged(user.version, Written::unchanged(&state, UserEnvelope { user })))
}
