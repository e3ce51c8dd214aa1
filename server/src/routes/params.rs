//! Query parameters every list shares, and their parsing: a page's
//! `limit` and `cursor`, optional keys, whole numbers and user ids.

use serde::Deserialize;

use app::{domain::UserId, AppError};

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

/// `limit` and `cursor` of every list.
#[derive(Debug, Deserialize)]
pub struct Page {
    // Text, not a number: query strings flattened into another struct arrive
    // as strings (serde_urlencoded with `flatten`).
    limit: Option<String>,
    pub cursor: Option<String>,
    /// Search text, for the lists that take one.
    pub q: Option<String>,
    /// The order, for the lists that offer several.
    pub sort: Option<String>,
}

impl Page {
    pub fn limit(&self) -> Result<i64, AppError> {
        match self.limit.as_deref().map(str::parse::<i64>) {
            None => Ok(DEFAULT_LIMIT),
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(AppError::invalid("limit", format!("use a number from 1 to {MAX_LIMIT}"))),
        }
    }
}

pub fn optional<T>(field: &str, value: Option<&str>, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => {
            parse(text).map(Some).ok_or_else(|| AppError::invalid(field, format!("{text:?} is not valid here")))
        }
    }
}

/// A whole-number query parameter: absent is `None`; anything else,
/// including empty, must be a number (the document types it so).
pub fn number<T: std::str::FromStr>(field: &str, value: Option<&str>) -> Result<Option<T>, AppError> {
    match value {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| {
            AppError::invalid(field, format!("{text:?} is not a whole number: leave {field} out, or give one"))
        }),
    }
}

pub fn parse_user_id(text: &str) -> Result<UserId, AppError> {
    text.parse().map_err(|_| AppError::not_found(format!("user {text}")))
}
