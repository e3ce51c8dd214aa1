//! Optimistic concurrency for the services that edit a versioned row: take
//! the row first (its next version), then refuse with 412 a write made from
//! another version than the one there.

use serde::Serialize;

use crate::{
    domain::Expected,
    error::AppError,
    server::store::{self, versions::Versioned},
};

/// Takes `key` for this write and returns the version it had: 404 naming
/// `what` when there is no such row. Must come before the row is read.
pub async fn take(conn: &mut store::Conn, row: Versioned, key: &str, what: &str) -> Result<i64, AppError> {
    store::versions::next(conn, row, key).await?.ok_or_else(|| AppError::not_found(what.to_owned()))
}

/// 412 when the caller expected another version than `version`, with the
/// thing as it is now (`current`) so it can be shown.
pub fn expect(expected: &Expected, version: i64, what: &str, current: &impl Serialize) -> Result<(), AppError> {
    if expected.allows(version) {
        Ok(())
    } else {
        Err(AppError::stale(what, version, current))
    }
}
