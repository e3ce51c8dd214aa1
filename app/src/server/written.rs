//! What a write answers: its value and the access revision that includes
//! it. A caller passes the revision as `at_least_revision` to a check on any
//! process to see its own write. Over REST it is the `Portcullis-Revision`
//! header and a `revision` field of the JSON object (`{"revision": N}` for a
//! write with nothing else to say).

use axum::{
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

use crate::server::{http::internal_error, index::Revision, AppState};

/// The header that carries a write's revision.
pub const REVISION_HEADER: &str = "portcullis-revision";

/// A write's value and the revision its transaction produced (the current
/// one, for a write that changed nothing the index holds).
#[derive(Debug)]
pub struct Written<T> {
    pub value: T,
    pub revision: Revision,
}

impl<T> Written<T> {
    pub fn new(value: T, revision: Revision) -> Self {
        Self { value, revision }
    }

    /// A write outside access data (a profile, a name, a session): the
    /// index is where it was, so its current revision includes the write.
    pub fn unchanged(state: &AppState, value: T) -> Self {
        Self { value, revision: state.access.revision() }
    }

    /// What the console's server functions return: the value alone.
    pub fn into_value(self) -> T {
        self.value
    }
}

impl<T: Serialize> IntoResponse for Written<T> {
    fn into_response(self) -> Response {
        let revision = serde_json::Value::from(self.revision);
        let body = match serde_json::to_value(&self.value) {
            Ok(serde_json::Value::Object(mut object)) => {
                object.entry("revision").or_insert(revision);
                serde_json::Value::Object(object)
            }
            Ok(serde_json::Value::Null) => serde_json::json!({ "revision": revision }),
            Ok(other) => other,
            Err(error) => return internal_error("writing a response body", error).into_response(),
        };
        ([(REVISION_HEADER, self.revision.to_string())], Json(body)).into_response()
    }
}

/// The schema of a write's answer over REST (see [`Written`]): the value's
/// fields and the revision that includes the write.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a schema only: `Written` writes the answer
pub struct Revised<T> {
    #[serde(flatten)]
    value: T,
    /// The access revision that includes this write, for `at_least_revision`.
    revision: i64,
}
