//! The shapes of answers many routes share: a page of items, and a write's
//! access revision.

use axum::Json;
use serde::Serialize;

/// `{"items":[…],"next_cursor":…}`: the cursor is set when the page is full.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// Pass it as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

/// The whole list at once (`next_cursor` is always null).
pub fn everything<T>(items: Vec<T>) -> Json<Listing<T>> {
    Json(Listing { items, next_cursor: None })
}

/// A page of `items` asked for with `limit`: the cursor (from `cursor_of` the
/// last item) is set when the page is full.
pub fn listing<T>(items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Json<Listing<T>> {
    let next_cursor = if items.len() as i64 == limit { items.last().map(cursor_of) } else { None };
    Json(Listing { items, next_cursor })
}

/// What a delete (and other writes without a body) answers: the access
/// revision that includes it, for `at_least_revision`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Done {
    pub revision: i64,
}
