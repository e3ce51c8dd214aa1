//! How errors leave the server: causes are logged once, here, under a
//! correlation id; the caller gets `{"error":{"code","message"}}` and a status
//! from [`AppError::status_code`].

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

use crate::error::{AppError, FieldError};

/// The body of every error response: `{"error":{"code","message"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and people (`message`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    #[schema(example = "validation")]
    pub code: String,
    pub message: String,
    /// The fields that were refused (validation errors only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldError>>,
}

/// Logs `cause` and returns the opaque error the caller sees.
pub fn internal_error(context: &str, cause: impl std::fmt::Display) -> AppError {
    let correlation_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    tracing::error!(%correlation_id, context, %cause, "internal error");
    AppError::Internal { correlation_id }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let fields = match &self {
            AppError::Validation { fields } => Some(fields.clone()),
            _ => None,
        };
        let body = ErrorBody { error: ErrorDetail { code: self.code().to_owned(), message: self.to_string(), fields } };
        let mut response = (status, Json(body)).into_response();
        let retry_after = match &self {
            AppError::TooManyRequests { retry_after_secs, .. } => Some(*retry_after_secs),
            AppError::Unavailable { .. } => Some(1),
            _ => None,
        };
        if let Some(value) = retry_after.and_then(|secs| HeaderValue::from_str(&secs.to_string()).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
