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
    /// The fields that were refused: every field of a validation error, or
    /// the one whose value is taken (a 409).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldError>>,
    /// A 412's current version (also its `ETag` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// A 412's resource as it is now, to show what changed before sending
    /// the change again with the new version.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
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
            AppError::Conflict { field: Some(field), message, .. } => {
                Some(vec![FieldError { field: field.clone(), message: message.clone() }])
            }
            _ => None,
        };
        let (current_version, current) = match &self {
            AppError::Stale { version, current, .. } => (Some(*version), serde_json::from_str(current).ok()),
            _ => (None, None),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.to_string(),
                fields,
                current_version,
                current,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(tag) = current_version.and_then(|v| HeaderValue::from_str(&crate::domain::etag(v)).ok()) {
            response.headers_mut().insert(header::ETAG, tag);
        }
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

/// The client's address, as found by [`client_ip`] once per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

/// Who sent a request that reached us from `peer`: the peer itself, unless
/// it is a trusted proxy; then the right-most address of `X-Forwarded-For`
/// (or RFC 7239 `Forwarded: for=`) that is not a trusted proxy. Addresses
/// left of that one are whatever the client claimed, and are ignored.
pub fn client_ip(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<std::net::IpAddr> = if headers.contains_key("x-forwarded-for") {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect()
    } else {
        headers
            .get_all(header::FORWARDED)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split([',', ';']))
            .filter_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for").then_some(value)
            })
            .filter_map(|value| {
                // for="[2001:db8::1]:4711", for=192.0.2.60, for="192.0.2.60:80"
                let value = value.trim_matches('"');
                let host = match value.strip_prefix('[') {
                    Some(v6) => v6.split(']').next().unwrap_or_default(),
                    None => value.split(':').next().unwrap_or_default(),
                };
                host.parse().ok()
            })
            .collect()
    };
    forwarded.iter().rev().find(|ip| !is_trusted(ip)).or(forwarded.first()).copied().unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::client_ip;
    use axum::http::HeaderMap;
    use std::net::IpAddr;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.0.0.3")]);
        // From the proxy: the right-most untrusted address (1.1.1.1 is the client's own claim).
        assert_eq!(client_ip(ip("10.0.0.2"), &xff, &trusted), ip("203.0.113.7"));
        // From anyone else the header is ignored.
        assert_eq!(client_ip(ip("198.51.100.1"), &xff, &trusted), ip("198.51.100.1"));
        // No proxies configured: never read.
        assert_eq!(client_ip(ip("10.0.0.2"), &xff, &[]), ip("10.0.0.2"));
        let rfc = headers(&[("forwarded", "for=192.0.2.60;proto=https, for=\"[2001:db8::1]:4711\"")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &rfc, &trusted), ip("2001:db8::1"));
        // A proxy that forwards nothing usable is the client.
        assert_eq!(client_ip(ip("10.0.0.2"), &headers(&[("x-forwarded-for", "junk")]), &trusted), ip("10.0.0.2"));
    }
}

/// OpenAPI schemas built from the code's own catalogs, for the fields whose
/// valid values are not a fixed literal (see `#[schema(schema_with = …)]`).
pub mod schema {
    use utoipa::openapi::{
        schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type},
        RefOr, Schema,
    };

    use crate::domain::Permission;

    /// One permission key of the installed catalog (`GET /api/v1/permissions`),
    /// or one of its aliases.
    pub fn permission() -> Schema {
        let aliases = crate::domain::catalog::installed().catalog.aliases.iter().map(|a| a.key.as_str());
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Permission::all().iter().map(|p| p.key()).chain(aliases)))
            .description(Some("A permission key (or alias) of GET /api/v1/permissions"))
            .into()
    }

    /// Permission keys (an empty list is an empty role).
    pub fn permissions() -> Schema {
        ArrayBuilder::new().items(RefOr::T(permission())).into()
    }

    /// Permission keys, or null for "leave them as they are".
    pub fn permissions_or_null() -> Schema {
        ArrayBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
            .items(RefOr::T(permission()))
            .into()
    }
}

/// Reads an optional JSON integer that a client may write as `184.0`: JSON
/// Schema counts that as an integer, serde's integers do not. A number with
/// a fraction, or out of range, is refused.
pub fn whole_number<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::{de::Error, Deserialize};
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else { return Ok(None) };
    let whole = number.as_i64().or_else(|| {
        number.as_f64().filter(|f| f.fract() == 0.0 && *f >= i64::MIN as f64 && *f <= i64::MAX as f64).map(|f| f as i64)
    });
    whole
        .and_then(|n| T::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("expected a whole number in range, not {number}")))
}
