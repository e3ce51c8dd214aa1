//! The one error type of Portcullis. It crosses the wire to the browser (server
//! functions) and becomes `{"error":{"code","message"}}` in the REST API; its
//! HTTP status is decided in one place, [`AppError::status_code`].

use serde::{Deserialize, Serialize};
use server_fn_error::{FromServerFnError, ServerFnErrorErr};

// Server functions encode our errors as JSON, like their results.
mod server_fn_error {
    pub use leptos::server_fn::codec::JsonEncoding;
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

/// A field of a form or JSON body that was refused, with a message a person
/// can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Everything that can go wrong in a request, as the caller may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("{what} was not found")]
    NotFound { what: String },
    #[error("{message}")]
    Unauthenticated { message: String },
    #[error("{message}")]
    Forbidden { code: String, message: String },
    /// The request clashes with what exists; `field` names the input that
    /// clashed, when one did (a key or email already taken).
    #[error("{message}")]
    Conflict {
        code: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// Something that existed and can no longer be used (an expired,
    /// revoked or used invitation link).
    #[error("{message}")]
    Gone { code: String, message: String },
    #[error("{}", validation_summary(.fields))]
    Validation { fields: Vec<FieldError> },
    /// This process cannot answer now (its authorization index is loading,
    /// stale, or behind the revision asked for); another process, or this
    /// one a moment later, can.
    #[error("{message}")]
    Unavailable { code: String, message: String },
    #[error("{message}")]
    TooManyRequests { retry_after_secs: u64, message: String },
    /// The request is well formed but cannot be taken as it is (an
    /// `Idempotency-Key` sent again with another body).
    #[error("{message}")]
    Unprocessable { code: String, message: String },
    /// The request's body is over the route's limit.
    #[error("{message}")]
    TooLarge { message: String },
    /// The write was made from another version than the one there now
    /// (`If-Match`): `version` is the current one and `current` the thing as
    /// it is now (its JSON view), so the caller can show what changed.
    #[error("{message}")]
    Stale { message: String, version: i64, current: String },
    /// A server-side failure; the cause is in the log under this id.
    #[error("something went wrong on the server (reference {correlation_id})")]
    Internal { correlation_id: String },
    /// The request never got an answer from the server (network, decoding).
    #[error("the server could not be reached: {message}")]
    Transport { message: String },
}

/// The longest message an error carries: messages quote what was sent, and
/// a megabyte of input must not come back whole.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

fn capped(mut message: String) -> String {
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push('…');
    }
    message
}

fn validation_summary(fields: &[FieldError]) -> String {
    match fields {
        [] => "the request is not valid".to_owned(),
        [only] => format!("{}: {}", only.field, only.message),
        [first, rest @ ..] => format!("{}: {} (and {} more)", first.field, first.message, rest.len()),
    }
}

impl AppError {
    /// A 404 for `what` ("user 42", "workspace ml-prod").
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: capped(what.into()) }
    }

    /// A 401 with a message.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::Unauthenticated { message: capped(message.into()) }
    }

    /// The 401 every request without a valid session or token gets.
    pub fn sign_in_required() -> Self {
        Self::unauthenticated("sign in to continue")
    }

    /// A 403 with a machine-readable code.
    pub fn forbidden(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Forbidden { code: code.into(), message: capped(message.into()) }
    }

    /// A 409 with a machine-readable code.
    pub fn conflict(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict { code: code.into(), message: capped(message.into()), field: None }
    }

    /// A 409 because the value of `field` is already taken.
    pub fn taken(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict { code: code.into(), message: capped(message.into()), field: Some(field.into()) }
    }

    /// A 409 because `field` names something that does not exist (a role,
    /// team, workspace or user): the request is well formed, the world is not
    /// as it assumes.
    pub fn unknown(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::taken(field, "unknown_reference", message)
    }

    /// A 410: `code` says why it is gone.
    pub fn gone(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Gone { code: code.into(), message: capped(message.into()) }
    }

    /// A 503 with a `code` and a message.
    pub fn unavailable(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Unavailable { code: code.into(), message: message.into() }
    }

    /// A 412: `what` is at `version` now, not the one the write expected;
    /// `current` is it as it is now.
    pub fn stale(what: &str, version: i64, current: &impl Serialize) -> Self {
        Self::Stale {
            message: capped(format!(
                "{what} was changed by someone else since you read it (it is at version {version} now): \
                 look at what changed, then send your change again"
            )),
            version,
            current: serde_json::to_string(current).unwrap_or_default(),
        }
    }

    /// What a 412 says is there now, as the view type it was made from.
    pub fn current<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        match self {
            Self::Stale { current, .. } => serde_json::from_str(current).ok(),
            _ => None,
        }
    }

    /// A 400 naming one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation { fields: vec![FieldError { field: field.into(), message: capped(message.into()) }] }
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Validation { .. } => 400,
            Self::Unauthenticated { .. } => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::Conflict { .. } => 409,
            Self::Gone { .. } => 410,
            Self::TooManyRequests { .. } => 429,
            Self::TooLarge { .. } => 413,
            Self::Unprocessable { .. } => 422,
            Self::Stale { .. } => 412,
            Self::Internal { .. } => 500,
            Self::Transport { .. } => 502,
            Self::Unavailable { .. } => 503,
        }
    }

    /// The stable machine-readable code of the JSON error body.
    pub fn code(&self) -> &str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::Unauthenticated { .. } => "unauthenticated",
            Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Gone { code, .. }
            | Self::Unprocessable { code, .. }
            | Self::Unavailable { code, .. } => code,
            Self::Validation { .. } => "validation",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::TooLarge { .. } => "too_large",
            Self::Stale { .. } => "version_mismatch",
            Self::Internal { .. } => "internal",
            Self::Transport { .. } => "transport",
        }
    }

    /// Whether the error is about given fields (a validation error, or a
    /// conflict naming the field that clashed): the form shows it there.
    pub fn names_a_field(&self) -> bool {
        matches!(self, Self::Validation { .. } | Self::Conflict { field: Some(_), .. })
    }

    /// The message for `field`, if this is a validation error or a
    /// conflict naming it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            Self::Validation { fields } => fields.iter().find(|f| f.field == field).map(|f| f.message.as_str()),
            Self::Conflict { field: Some(name), message, .. } if name == field => Some(message),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = server_fn_error::JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request reached us but its arguments were unreadable.
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                Self::invalid("request", message)
            }
            // On the server, what could not be decoded is the request (a
            // body that is not UTF-8, say); in the browser, the answer.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(message) => Self::invalid("request", message),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Registration(name) => Self::not_found(format!("server function {name}")),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::UnsupportedRequestMethod(method) => {
                Self::invalid("method", format!("{method} is not accepted here"))
            }
            other => Self::Transport { message: other.to_string() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        assert_eq!(AppError::invalid("email", "enter an email address").status_code(), 400);
        assert_eq!(AppError::sign_in_required().status_code(), 401);
        assert_eq!(AppError::forbidden("escalation", "no").code(), "escalation");
        let echoed = AppError::invalid("key", format!("there is no role {}", "x".repeat(1_000_000)));
        let message = echoed.field_message("key").unwrap();
        assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS + 1, "capped, with an ellipsis");
        assert!(AppError::not_found("é".repeat(5_000)).to_string().len() < 2_100);
        assert_eq!(AppError::conflict("last_admin", "no").status_code(), 409);
        assert_eq!(AppError::not_found("user x").to_string(), "user x was not found");
    }

    #[test]
    fn survives_the_wire() {
        let error = AppError::invalid("name", "enter a name");
        let bytes = error.ser();
        assert_eq!(AppError::de(bytes), error);
        assert_eq!(error.field_message("name"), Some("enter a name"));
    }
}
