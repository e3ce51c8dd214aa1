//! Server functions of the Audit page.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use super::context;
use crate::{
    domain::{AuditEntryView, Page},
    error::AppError,
};

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
) -> Result<Page<AuditEntryView>, AppError> {
    use crate::server::services::audit::{self, AuditQuery};
    context::as_actor(|state, signed_in| async move {
        // A filter form sends its empty fields; empty is no bound here.
        let given = |text: Option<String>| crate::domain::non_blank(text.as_deref()).map(str::to_owned);
        let filter = AuditQuery { actor, action, workspace, since: given(since), until: given(until) }.filter()?;
        let before = cursor.and_then(|c| c.trim().parse().ok());
        let items = audit::list(&state, &signed_in, &filter, before, ENTRIES_PER_PAGE).await?;
        Ok(Page::of(items, ENTRIES_PER_PAGE, |e: &AuditEntryView| e.id.to_string()))
    })
    .await
}
