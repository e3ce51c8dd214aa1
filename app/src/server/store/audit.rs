//! The append-only `audit_log` table.

use serde::{Deserialize, Serialize};
use sqlx::{any::AnyRow, Row};

use super::{Conn, StoreError};

/// Whether the attempt was carried out or refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(utoipa::ToSchema)]
pub enum Outcome {
    Success,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
        }
    }
}

/// One entry to write.
#[derive(Clone, Debug, Default)]
pub struct NewAuditEntry {
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub denied: bool,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub workspace: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}

/// A stored entry, as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub outcome: Outcome,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub workspace: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}

/// The longest text an entry's field keeps, in characters (a refused
/// attempt quotes what was sent, which may be megabytes).
pub const MAX_FIELD_CHARS: usize = 500;
/// The largest before/after document kept, in bytes of JSON.
pub const MAX_JSON_BYTES: usize = 16 * 1024;

fn capped(text: &Option<String>) -> Option<String> {
    text.as_ref().map(|t| match t.char_indices().nth(MAX_FIELD_CHARS) {
        Some((cut, _)) => format!("{}…", &t[..cut]),
        None => t.clone(),
    })
}

fn capped_json(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().map(|v| {
        let text = v.to_string();
        if text.len() <= MAX_JSON_BYTES {
            text
        } else {
            serde_json::json!({ "truncated": true, "bytes": text.len() }).to_string()
        }
    })
}

/// Writes one entry, every field capped.
pub async fn insert(conn: &mut Conn, entry: &NewAuditEntry, now: i64) -> Result<(), StoreError> {
    let outcome = if entry.denied { Outcome::Denied } else { Outcome::Success };
    sqlx::query(
        "insert into audit_log (at, actor_id, actor_email, action, outcome, target_type, target_id, workspace_key, \
         before_json, after_json, reason) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(now)
    .bind(capped(&entry.actor_id))
    .bind(capped(&entry.actor_email))
    .bind(capped(&Some(entry.action.clone())))
    .bind(outcome.as_str())
    .bind(capped(&entry.target_type))
    .bind(capped(&entry.target_id))
    .bind(capped(&entry.workspace))
    .bind(capped_json(&entry.before))
    .bind(capped_json(&entry.after))
    .bind(capped(&entry.reason))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Which entries to list.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub workspace: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

fn parse_json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn from_row(row: &AnyRow) -> Result<AuditRow, StoreError> {
    let outcome: String = row.try_get("outcome")?;
    Ok(AuditRow {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor_id: row.try_get("actor_id")?,
        actor_email: row.try_get("actor_email")?,
        action: row.try_get("action")?,
        outcome: if outcome == "denied" { Outcome::Denied } else { Outcome::Success },
        target_type: row.try_get("target_type")?,
        target_id: row.try_get("target_id")?,
        workspace: row.try_get("workspace_key")?,
        before: parse_json(row.try_get("before_json")?),
        after: parse_json(row.try_get("after_json")?),
        reason: row.try_get("reason")?,
    })
}

/// Entries matching `filter`, newest first, with ids below `before` (a cursor).
pub async fn list(
    conn: &mut Conn,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut conditions = super::Conditions::new();
    if let Some(before) = before {
        conditions.int(before, |p| format!("id < {p}"));
    }
    if let Some(actor) = filter.actor.clone().filter(|a| !a.is_empty()) {
        conditions.text(actor, |p| format!("(actor_id = {p} or actor_email = {p})"));
    }
    if let Some(action) = filter.action.clone().filter(|a| !a.is_empty()) {
        conditions.text(action, |p| format!("action = {p}"));
    }
    if let Some(workspace) = filter.workspace.clone().filter(|w| !w.is_empty()) {
        conditions.text(workspace, |p| format!("workspace_key = {p}"));
    }
    if let Some(since) = filter.since {
        conditions.int(since, |p| format!("at >= {p}"));
    }
    if let Some(until) = filter.until {
        conditions.int(until, |p| format!("at <= {p}"));
    }
    let limit = conditions.extra(limit);
    let sql = format!(
        "select id, at, actor_id, actor_email, action, outcome, target_type, target_id, workspace_key, before_json, \
         after_json, reason from audit_log{} order by id desc limit {limit}",
        conditions.where_clause()
    );
    let rows = conditions.fetch_all(conn, &sql).await?;
    rows.iter().map(from_row).collect()
}
