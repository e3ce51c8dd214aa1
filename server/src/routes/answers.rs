//! The shapes of answers many routes share: a page of items (the domain's
//! `Page`, also what the console gets), and a write's access revision.

use serde::Serialize;

pub use app::domain::Page;

/// What a delete (and other writes without a body) answers: the access
/// revision that includes it, for `at_least_revision`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Done {
    pub revision: i64,
}
