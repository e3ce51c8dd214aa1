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
    use crate::{
        domain::dates::day_start_ms,
        server::{services::audit, store::audit::AuditFilter},
    };
    let result = async {
        let (state, signed_in) = context::actor().await?;
        let given = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let day = |field: &str, v: Option<String>| match given(v) {
            None => Ok(None),
            Some(text) => day_start_ms(&text)
                .map(Some)
                .ok_or_else(|| AppError::invalid(field, format!("{text} is not a date (YYYY-MM-DD)"))),
        };
        let filter = AuditFilter {
            actor: given(actor),
            action: given(action),
            workspace: given(workspace),
            since: day("since", since)?,
            // The whole last day counts.
            until: day("until", until)?.map(|start| start + 86_400_000 - 1),
        };
        let before = given(cursor).and_then(|c| c.parse().ok());
        let rows = audit::list(&state, &signed_in, &filter, before, ENTRIES_PER_PAGE).await?;
        let items = rows
            .into_iter()
            .map(|row| AuditEntryView {
                id: row.id,
                at: row.at,
                actor_email: row.actor_email,
                action: row.action,
                outcome: row.outcome.as_str().to_owned(),
                target: match (row.target_type, row.target_id) {
                    (Some(kind), Some(id)) => Some(format!("{kind} {id}")),
                    (kind, id) => kind.or(id),
                },
                workspace: row.workspace,
                before: row.before,
                after: row.after,
                reason: row.reason,
            })
            .collect();
        Ok(Page::of(items, ENTRIES_PER_PAGE, |e: &AuditEntryView| e.id.to_string()))
    }
    .await;
    context::respond(result)
}
