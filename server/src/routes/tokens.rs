//! `/api/v1/me/tokens` and `/api/v1/users/{id}/tokens`: personal API tokens.

use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;

use app::{
    domain::{CreatedToken, Identifier, TokenId, TokenView, UserId},
    server::{
        http::ErrorBody,
        services::tokens::{self, TokenInput},
        AppState, Written,
    },
    AppError,
};

use super::{answers::Page, ApiId, ApiJson, ApiPath, SignedIn};

/// A new token's settings: the service's input, with its schema written
/// out below (which permissions it needs depends on its scope).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct TokenBody(pub TokenInput);

/// The longest a token lives when the configuration does not say
/// (`PORTCULLIS_TOKEN_MAX_LIFETIME`); the served document has the configured one.
pub const DEFAULT_MAX_DAYS: u32 = 365;

impl utoipa::PartialSchema for TokenBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use app::authz::TokenScope;
        use app::server::http::schema::permission;
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, SchemaType, Type};
        // The catalog's named scopes ignore `permissions`; `custom` needs one at least.
        let variant = |scopes: &[&'static str], custom: bool| {
            let mut object = ObjectBuilder::new()
                .property(
                    "name",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(100))
                        .pattern(Some(r"\S")),
                )
                .required("name")
                .property(
                    "scope",
                    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(scopes.iter().copied())),
                )
                .required("scope")
                .property(
                    "workspace",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                        .pattern(Some("^([a-z0-9][a-z0-9_-]{0,62})?$"))
                        .description(Some("Only inside this workspace")),
                )
                .property(
                    "expires_in_days",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
                        .minimum(Some(1))
                        .maximum(Some(DEFAULT_MAX_DAYS))
                        .description(Some("Default 90; at most the configured maximum")),
                );
            object = if custom {
                object
                    .property(
                        "permissions",
                        ArrayBuilder::new().items(utoipa::openapi::RefOr::T(permission())).min_items(Some(1)),
                    )
                    .required("permissions")
            } else {
                let ignored = ObjectBuilder::new().schema_type(Type::String);
                object.property(
                    "permissions",
                    ArrayBuilder::new().items(ignored).description(Some("Ignored: the scope decides")),
                )
            };
            object
        };
        let named: Vec<TokenScope> = TokenScope::all().filter(|s| matches!(s, TokenScope::Named(_))).collect();
        let keys: Vec<&'static str> = named.iter().map(|s| s.as_str()).collect();
        let mut described: Vec<String> =
            named.iter().map(|s| format!("`{}` ({})", s.as_str(), s.describe().1.to_lowercase())).collect();
        described.push("`custom` (the `permissions` listed)".into());
        let mut scopes = OneOfBuilder::new();
        if !keys.is_empty() {
            scopes = scopes.item(variant(&keys, false));
        }
        scopes
            .item(variant(&["custom"], true))
            .description(Some(format!("A token scope of the installed catalog: {}", described.join(", "))))
            .into()
    }
}

impl utoipa::ToSchema for TokenBody {}

/// `GET /me/tokens`.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "tokens", responses((status = 200, description = "OK", body = Page<TokenView>)))]
pub async fn list_mine(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<Json<Page<TokenView>>, AppError> {
    Ok(Json(Page::whole(tokens::list(&state, &actor, actor.id).await?)))
}

/// `POST /me/tokens`: the secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "tokens", request_body = TokenBody, responses((status = 201, body = app::server::written::Revised<CreatedToken>), (status = 403, description = "A token cannot make tokens", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<(StatusCode, Written<CreatedToken>), AppError> {
    Ok((StatusCode::CREATED, Written::unchanged(&state, tokens::create(&state, &actor, body.0).await?)))
}

/// `DELETE /me/tokens/{id}`.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "tokens", params(("id" = String, Path, description = "The token's id")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = super::answers::Done)))]
pub async fn revoke_mine(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<TokenId>,
) -> Result<Written<()>, AppError> {
    tokens::revoke(&state, &actor, actor.id, id.0).await
}

/// `GET /users/{id}/tokens` (`user:manage`).
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "tokens", params(("id" = String, Path, description = "The user's id")), responses((status = 200, description = "OK", body = Page<TokenView>)))]
pub async fn list_of_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<UserId>,
) -> Result<Json<Page<TokenView>>, AppError> {
    Ok(Json(Page::whole(tokens::list(&state, &actor, id).await?)))
}

/// `DELETE /users/{id}/tokens/{token_id}` (`user:manage`).
#[utoipa::path(delete, path = "/api/v1/users/{id}/tokens/{token_id}", tag = "tokens", params(("id" = String, Path, description = "The user's id"), ("token_id" = String, Path, description = "The token's id")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = super::answers::Done)))]
pub async fn revoke_of_user(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiPath((id, token_id)): ApiPath<(String, String)>,
) -> Result<Written<()>, AppError> {
    tokens::revoke(&state, &actor, UserId::parse_id(&id)?, TokenId::parse_id(&token_id)?.0).await
}

/// `GET /me/sessions`: the caller's sessions (for a token caller: all of
/// its owner's, none marked current).
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "tokens", responses((status = 200, description = "OK", body = Page<app::domain::SessionView>)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    super::ApiSession(session): super::ApiSession,
    SignedIn(actor): SignedIn,
) -> Result<Json<Page<app::domain::SessionView>>, AppError> {
    Ok(Json(Page::whole(app::server::services::account::sessions(&state, &actor, session.id().as_deref()).await?)))
}

/// `DELETE /me/sessions/{id}`: ends one session.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "tokens", params(("id" = String, Path, description = "The session's handle, as the sessions list gives it")), responses((status = 200, description = "Done: `{\"revision\": N}`, the access revision after the change", body = super::answers::Done)))]
pub async fn end_session(
    State(state): State<AppState>,
    super::ApiSession(session): super::ApiSession,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<Written<()>, AppError> {
    app::server::services::account::end_sessions(&state, &actor, session.id().as_deref(), Some(&id)).await?;
    Ok(Written::unchanged(&state, ()))
}

/// A new service account.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ServiceAccountBody {
    /// Lower-case letters, digits and dashes, e.g. `ci-deployer`.
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,62}$")]
    pub key: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
}

/// `GET /service-accounts`.
#[utoipa::path(get, path = "/api/v1/service-accounts", tag = "service-accounts", responses((status = 200, description = "OK", body = Page<app::domain::UserView>)))]
pub async fn list_service_accounts(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<Json<Page<app::domain::UserView>>, AppError> {
    Ok(Json(Page::whole(app::server::services::service_accounts::list(&state, &actor).await?)))
}

/// `POST /service-accounts` (`user:manage`).
#[utoipa::path(post, path = "/api/v1/service-accounts", tag = "service-accounts", request_body = ServiceAccountBody, responses((status = 201, body = app::server::written::Revised<app::domain::UserView>), (status = 409, body = ErrorBody)))]
pub async fn create_service_account(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<ServiceAccountBody>,
) -> Result<(StatusCode, Written<app::domain::UserView>), AppError> {
    let created = app::server::services::service_accounts::create(&state, &actor, &body.key, &body.name).await?;
    Ok((StatusCode::CREATED, created))
}

/// `POST /service-accounts/{id}/tokens` (`user:manage`): the secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/service-accounts/{id}/tokens", tag = "service-accounts", params(("id" = String, Path, description = "The service account's user id")), request_body = TokenBody, responses((status = 201, body = app::server::written::Revised<CreatedToken>)))]
pub async fn create_service_account_token(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiId(id): ApiId<UserId>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<(StatusCode, Written<CreatedToken>), AppError> {
    let created = app::server::services::service_accounts::create_token(&state, &actor, id, body.0).await?;
    Ok((StatusCode::CREATED, Written::unchanged(&state, created)))
}
