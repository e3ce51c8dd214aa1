//! Query parameters and their parsing: the list parameters every list
//! shares (read by `ListParams`), and whole numbers.

use app::AppError;

pub use app::domain::ListParams;

/// How many items a page of the REST API holds when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;

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
