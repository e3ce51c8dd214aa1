//! The append-only `audit_log` table.

use sqlx::{any::AnyRow, Row};

use super::{Conn, StoreError};
pub use crate::domain::{AuditEntryView, Outcome};

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

/// Serialises writers of the chain across processes (Postgres advisory
/// lock key; the access log's writers use another).
const CHAIN_LOCK: i64 = 0x0050_4341_5544_4954;

/// The hash of an entry: SHA-256 over the previous entry's hash and every
/// stored field, as one JSON array (so no two entries' fields can run into
/// each other).
pub fn chain_hash(prev: Option<&str>, id: i64, fields: &StoredFields) -> String {
    let canonical = serde_json::json!([
        prev,
        id,
        fields.at,
        fields.actor_id,
        fields.actor_email,
        fields.action,
        fields.outcome,
        fields.target_type,
        fields.target_id,
        fields.workspace,
        fields.before,
        fields.after,
        fields.reason,
    ]);
    crate::server::secrets::sha256_hex(&canonical.to_string())
}

/// An entry's columns as stored (before/after as their JSON text).
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredFields {
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub outcome: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    #[sqlx(rename = "workspace_key")]
    pub workspace: Option<String>,
    #[sqlx(rename = "before_json")]
    pub before: Option<String>,
    #[sqlx(rename = "after_json")]
    pub after: Option<String>,
    pub reason: Option<String>,
}

/// A whole stored entry: its fields and its place in the chain.
#[derive(sqlx::FromRow)]
struct StoredEntry {
    id: i64,
    #[sqlx(flatten)]
    fields: StoredFields,
    prev_hash: Option<String>,
    entry_hash: Option<String>,
}

/// The columns of a [`StoredEntry`].
const ENTRY_COLUMNS: &str = "id, at, actor_id, actor_email, action, outcome, target_type, target_id, workspace_key, \
                             before_json, after_json, reason, prev_hash, entry_hash";

/// Writes one entry, every field capped, chained to the one before it. In
/// its own transaction (a savepoint inside the caller's): the row is
/// written first, which takes SQLite's write lock, and on Postgres an
/// advisory lock held to the end of the caller's transaction orders every
/// process's writers, so no two entries chain to the same predecessor.
pub async fn insert(conn: &mut Conn, entry: &NewAuditEntry, now: i64) -> Result<(), StoreError> {
    use sqlx::Connection;
    let outcome = if entry.denied { Outcome::Denied } else { Outcome::Success };
    let fields = StoredFields {
        at: now,
        actor_id: capped(&entry.actor_id),
        actor_email: capped(&entry.actor_email),
        action: capped(&Some(entry.action.clone())).unwrap_or_default(),
        outcome: outcome.as_str().to_owned(),
        target_type: capped(&entry.target_type),
        target_id: capped(&entry.target_id),
        workspace: capped(&entry.workspace),
        before: capped_json(&entry.before),
        after: capped_json(&entry.after),
        reason: capped(&entry.reason),
    };
    let mut tx = conn.begin().await?;
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("select pg_advisory_xact_lock($1)").bind(CHAIN_LOCK).execute(&mut *tx).await?;
    }
    let id: i64 = sqlx::query(
        "insert into audit_log (at, actor_id, actor_email, action, outcome, target_type, target_id, workspace_key, \
         before_json, after_json, reason) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
    )
    .bind(fields.at)
    .bind(fields.actor_id.clone())
    .bind(fields.actor_email.clone())
    .bind(fields.action.clone())
    .bind(fields.outcome.clone())
    .bind(fields.target_type.clone())
    .bind(fields.target_id.clone())
    .bind(fields.workspace.clone())
    .bind(fields.before.clone())
    .bind(fields.after.clone())
    .bind(fields.reason.clone())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let prev: Option<String> = sqlx::query("select entry_hash from audit_log where id < $1 order by id desc limit 1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| row.try_get("entry_hash"))
        .transpose()?
        .flatten();
    let hash = chain_hash(prev.as_deref(), id, &fields);
    sqlx::query("update audit_log set prev_hash = $1, entry_hash = $2 where id = $3")
        .bind(prev)
        .bind(hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What [`verify`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainVerdict {
    /// Every chained entry is intact; `unchained` older entries predate it.
    Intact { entries: u64, unchained: u64 },
    /// The first entry whose hash or link does not match, and why.
    Broken { id: i64, why: String },
}

/// Walks the whole log in id order and checks every link and hash.
pub async fn verify(conn: &mut Conn) -> Result<ChainVerdict, StoreError> {
    let (mut entries, mut unchained) = (0u64, 0u64);
    let mut last: Option<(i64, Option<String>)> = None;
    loop {
        let after = last.as_ref().map_or(0, |(id, _)| *id);
        let rows: Vec<StoredEntry> =
            sqlx::query_as(&format!("select {ENTRY_COLUMNS} from audit_log where id > $1 order by id limit 1000"))
                .bind(after)
                .fetch_all(&mut *conn)
                .await?;
        if rows.is_empty() {
            return Ok(ChainVerdict::Intact { entries, unchained });
        }
        for StoredEntry { id, fields, prev_hash: prev, entry_hash: stored } in rows {
            let previous = last.as_ref().and_then(|(_, hash)| hash.clone());
            let Some(stored) = stored else {
                if previous.is_some() {
                    return Ok(ChainVerdict::Broken { id, why: "the entry has no hash after chained ones".into() });
                }
                unchained += 1;
                last = Some((id, None));
                continue;
            };
            if prev != previous {
                return Ok(ChainVerdict::Broken {
                    id,
                    why: "its link does not match the entry before it (one was removed, inserted or edited)".into(),
                });
            }
            if chain_hash(prev.as_deref(), id, &fields) != stored {
                return Ok(ChainVerdict::Broken { id, why: "its fields do not match its hash (it was edited)".into() });
            }
            entries += 1;
            last = Some((id, Some(stored)));
        }
    }
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

impl From<StoredEntry> for AuditEntryView {
    fn from(StoredEntry { id, fields, prev_hash, entry_hash }: StoredEntry) -> Self {
        AuditEntryView {
            id,
            at: fields.at,
            actor_id: fields.actor_id,
            actor_email: fields.actor_email,
            action: fields.action,
            outcome: if fields.outcome == "denied" { Outcome::Denied } else { Outcome::Success },
            target_type: fields.target_type,
            target_id: fields.target_id,
            workspace: fields.workspace,
            // Unreadable JSON (written before a fix, or edited) shows as none.
            before: parse_json(fields.before),
            after: parse_json(fields.after),
            reason: fields.reason,
            prev_hash,
            entry_hash,
        }
    }
}

/// Entries matching `filter`, newest first, with ids below `before` (a cursor).
pub async fn list(
    conn: &mut Conn,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntryView>, StoreError> {
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
    let sql =
        format!("select {ENTRY_COLUMNS} from audit_log{} order by id desc limit {limit}", conditions.where_clause());
    let rows = conditions.fetch_all(conn, &sql).await?;
    rows.iter().map(|row| Ok(<StoredEntry as sqlx::FromRow<AnyRow>>::from_row(row)?.into())).collect()
}
