//! Server functions of the Audit page.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use super::context;
use crate::{domain::AuditPage, error::AppError};

/// Entries per page in the console.
#[cfg(feature = "ssr")]
const ENTRIES_PER_PAGE: i64 = 50;

/// A page of the audit log, newest first, filtered by actor (email),
/// action, workspace and a range of days (`YYYY-MM-DD`, both included).
#[server(prefix = "/sfn", endpoint = "audit/list", input = GetUrl)]
pub async fn list_audit(
    actor: Option<String>,
    action: Option<String>,
    workspace: Option<String>,
    since: Option<String>,
    until: Option<String>,
    cursor: Option<String>,
) -> Result<AuditPage, AppError> {
    use crate::server::services::audit::{self, AuditQuery};
    let query = AuditQuery { actor, action, workspace, since, until }.without_blanks();
    let at = crate::domain::ListParams::at(cursor);
    context::as_actor(|state, signed_in| async move {
        audit::labelled_page(&state, &signed_in, &query, &at, ENTRIES_PER_PAGE).await
    })
    .await
}
