//! REST handlers under `/api/v1` and the health checks. Each handler reads its
//! input, finds out who is asking, and calls one service.

pub mod answers;
pub mod audit;
pub mod authz;
pub mod health;
pub mod invitations;
pub mod named;
pub mod oauth;
pub mod openapi;
pub mod params;
pub mod permissions;
pub mod policies;
pub mod roles;
pub mod session;
pub mod teams;
pub mod tokens;
pub mod users;
pub mod workspaces;

use axum::{
    extract::{rejection::JsonRejection, FromRequest, FromRequestParts, Request},
    http::request::Parts,
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use serde::de::DeserializeOwned;
use std::net::IpAddr;
use tower_sessions::Session;

use app::{
    domain::{etag, Expected, Identifier},
    server::{
        caller::{require_user, Actor},
        http::ClientIp,
        sessions::AuthSession,
        AppState,
    },
    AppError,
};

/// The REST API, nested under `/api/v1`.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(session::login))
        .route("/auth/logout", post(session::logout))
        .route("/me", get(session::me).patch(session::update_me))
        .route("/me/tokens", get(tokens::list_mine).post(tokens::create))
        .route("/me/tokens/{id}", axum::routing::delete(tokens::revoke_mine))
        .route("/me/sessions", get(tokens::list_sessions))
        .route("/service-accounts", get(tokens::list_service_accounts).post(tokens::create_service_account))
        .route("/service-accounts/{id}/tokens", post(tokens::create_service_account_token))
        .route("/me/sessions/{id}", axum::routing::delete(tokens::end_session))
        .route("/users/{id}/tokens", get(tokens::list_of_user))
        .route("/users/{id}/tokens/{token_id}", axum::routing::delete(tokens::revoke_of_user))
        .route("/openapi.json", get(openapi::document))
        // A bulk invitation (up to 500 emails, or a CSV) may be larger.
        .route(
            "/invitations",
            get(invitations::list)
                .post(invitations::create)
                .layer(axum::extract::DefaultBodyLimit::max(BULK_BODY_LIMIT)),
        )
        .route("/invitations/accept", post(invitations::accept))
        .route("/invitations/{id}", axum::routing::delete(invitations::revoke))
        .route("/invitations/{id}/resend", post(invitations::resend))
        .merge(permissions::router())
        .merge(roles::router())
        .merge(users::router())
        .merge(workspaces::router())
        .merge(teams::router())
        .merge(policies::router())
        .merge(authz::router())
        .merge(audit::router())
        .fallback(|| async { AppError::not_found("this API route") })
        .layer(axum::extract::DefaultBodyLimit::max(JSON_BODY_LIMIT))
}

/// The largest JSON body of a REST write (issue 13: a refused attempt used
/// to be able to store up to the 2 MB default).
pub const JSON_BODY_LIMIT: usize = 16 * 1024;
/// The largest bulk invitation, and the largest server-function call.
pub const BULK_BODY_LIMIT: usize = 256 * 1024;

/// A JSON body whose rejection is a 400 in our error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(AppError::invalid("body", "send the body as JSON with Content-Type: application/json"));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                AppError::invalid("body", rejection.body_text())
            }
        })?;
        // Every body of this API is an object; serde would also read a
        // struct from an array (`[null, null]`), which no client means.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(AppError::invalid("body", "send a JSON object ({…})"));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

/// `application/json`, or a `+json` type, as axum's `Json` takes.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn too_large() -> AppError {
    AppError::TooLarge {
        message: format!(
            "the body is over this route's limit of {} KiB ({} KiB for invitations and check batches)",
            JSON_BODY_LIMIT / 1024,
            BULK_BODY_LIMIT / 1024
        ),
    }
}

/// `axum::extract::Query`, but an unreadable query string is a 400 in the
/// error envelope (axum answers plain text).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(AppError::invalid(
                "query",
                format!("the query string does not fit this route: {}", rejection.body_text()),
            )),
        }
    }
}

/// `axum::extract::Path`, but a path segment that cannot be read (not
/// UTF-8 once decoded) is a 400 in the error envelope.
pub struct ApiPath<T>(pub T);

/// The one id in the path, as its type: text that is not such an id is the
/// 404 of an id nobody has ([`Identifier::parse_id`]).
pub struct ApiId<T>(pub T);

impl<T: Identifier + Send, S: Send + Sync> FromRequestParts<S> for ApiId<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiPath(text) = ApiPath::<String>::from_request_parts(parts, state).await?;
        T::parse_id(&text).map(Self)
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => {
                Err(AppError::invalid("path", format!("the address cannot be read: {}", rejection.body_text())))
            }
        }
    }
}

fn json_error(rejection: JsonRejection) -> AppError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    let message = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON with Content-Type: application/json".to_owned()
        }
        JsonRejection::JsonDataError(e) => format!("the JSON does not fit: {}", e.body_text()),
        JsonRejection::JsonSyntaxError(e) => format!("the body is not valid JSON: {}", e.body_text()),
        other => other.body_text(),
    };
    AppError::invalid("body", message)
}

/// The browser session of this request.
pub struct ApiSession(pub AuthSession);

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, message)| app::server::http::internal_error("session layer", message))?;
        Ok(Self(AuthSession(session)))
    }
}

/// The user making this request, or a 401: from `Authorization: Bearer
/// pcs_…` (an API token, whose limits then apply), else the session.
pub struct SignedIn(pub Actor);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let secret = header
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .ok_or_else(|| AppError::Unauthenticated {
                    message: "use Authorization: Bearer followed by an API token".to_owned(),
                })?;
            let address = parts.extensions.get::<ClientIp>().and_then(|c| c.0);
            return Ok(Self(app::server::services::tokens::authenticate(state, secret.trim(), address).await?));
        }
        let ApiSession(session) = ApiSession::from_request_parts(parts, state).await?;
        Ok(Self(require_user(state, &session).await?))
    }
}

/// The client's address, when known (see `middleware::find_client`).
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<ClientIp>().and_then(|c| c.0)))
    }
}

/// The `If-Match` header as what a write expects of the version it changes
/// (none: whatever is there). One that cannot be read is a 400, never
/// ignored: a client that sent one wants its write to be conditional.
pub struct IfMatch(pub Expected);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let values: Vec<&str> = parts
            .headers
            .get_all(axum::http::header::IF_MATCH)
            .iter()
            .map(|v| v.to_str().map_err(|_| AppError::invalid("If-Match", "the header is not readable text")))
            .collect::<Result<_, _>>()?;
        if values.is_empty() {
            return Ok(Self(Expected::Any));
        }
        Expected::parse_if_match(&values.join(", ")).map(Self).map_err(|message| AppError::invalid("If-Match", message))
    }
}

/// A JSON answer with its version as the `ETag` header.
pub struct Tagged<T>(pub i64, pub T);

impl<T: IntoResponse> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut response = self.1.into_response();
        if let Ok(tag) = axum::http::HeaderValue::from_str(&etag(self.0)) {
            response.headers_mut().insert(axum::http::header::ETAG, tag);
        }
        response
    }
}
