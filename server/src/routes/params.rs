//! Query parameters: the list parameters every list shares (read by
//! `ListParams`) and how many a page holds by default.

pub use app::domain::ListParams;

/// How many items a page of the REST API holds when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
