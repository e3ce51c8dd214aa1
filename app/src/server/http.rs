//! How errors leave the server: causes are logged once, here, under a
//! correlation id; the caller gets `{"error":{"code","message"}}` and a status
//! from [`AppError::status_code`].

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

use crate::error::AppError;

/// Logs `cause` and returns the opaque error the caller sees.
pub fn internal_error(context: &str, cause: impl std::fmt::Display) -> AppError {
    let correlation_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    tracing::error!(%correlation_id, context, %cause, "internal error");
    AppError::Internal { correlation_id }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({ "code": self.code(), "message": self.to_string() });
        if let AppError::Validation { fields } = &self {
            body["fields"] = json!(fields);
        }
        let mut response = (status, Json(json!({ "error": body }))).into_response();
        if let AppError::TooManyRequests { retry_after_secs, .. } = &self {
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
