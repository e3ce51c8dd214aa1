//! The halves of the workspace and team use cases that are the same: find
//! one by key, take it for a write, create one, rename or re-describe one.
//! Each use case keeps what differs: who may, which lock, what else goes.

use serde::Serialize;

use crate::{
    domain::{Expected, TeamKey, TeamView, WorkspaceKey, WorkspaceView},
    error::AppError,
    server::{
        now_ms,
        services::{
            fields::{apply_edit, parse_new, NamedInput},
            versions,
        },
        store::{
            self,
            audit::{self, NewAuditEntry},
            named::{NamedKey, NamedRow},
            versions::Versioned,
        },
    },
};

/// What a named thing is called, how its version is kept and how it is shown.
pub trait Kind: NamedKey + std::fmt::Display {
    /// `workspace` or `team`, as in "workspace ml not found".
    const WHAT: &'static str;
    const VERSIONED: Versioned;
    type View: Serialize;
    fn parse(text: &str) -> Result<Self, crate::domain::KeyError>;
    fn view(row: &NamedRow<Self>) -> Self::View;
}

impl Kind for WorkspaceKey {
    const WHAT: &'static str = "workspace";
    const VERSIONED: Versioned = Versioned::Workspace;
    type View = WorkspaceView;
    fn parse(text: &str) -> Result<Self, crate::domain::KeyError> {
        WorkspaceKey::parse(text)
    }
    fn view(row: &NamedRow<Self>) -> WorkspaceView {
        WorkspaceView {
            key: row.key.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            created_at: row.created_at,
            version: row.version,
        }
    }
}

impl Kind for TeamKey {
    const WHAT: &'static str = "team";
    const VERSIONED: Versioned = Versioned::Team;
    type View = TeamView;
    fn parse(text: &str) -> Result<Self, crate::domain::KeyError> {
        TeamKey::parse(text)
    }
    fn view(row: &NamedRow<Self>) -> TeamView {
        TeamView {
            key: row.key.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            created_at: row.created_at,
            version: row.version,
        }
    }
}

fn missing<K: Kind>(key: impl std::fmt::Display) -> AppError {
    AppError::not_found(format!("{} {key}", K::WHAT))
}

/// A key from a path: one that cannot exist is the same 404 as one that does not.
pub fn parse_key<K: Kind>(key: &str) -> Result<K, AppError> {
    <K as Kind>::parse(key).map_err(|_| missing::<K>(key))
}

/// The row, or 404.
pub async fn load<K: Kind>(conn: &mut store::Conn, key: &K) -> Result<NamedRow<K>, AppError> {
    store::named::find(conn, key).await?.ok_or_else(|| missing::<K>(key))
}

/// The row taken for this write, as it was: 404 when it is gone, 412 when
/// the caller expected another version.
pub async fn take<K: Kind>(conn: &mut store::Conn, key: &K, expected: &Expected) -> Result<NamedRow<K>, AppError> {
    let what = format!("{} {key}", K::WHAT);
    let version = versions::take(conn, K::VERSIONED, key.text(), &what).await?;
    let before = NamedRow { version, ..load(conn, key).await? };
    versions::expect(expected, version, &what, &K::view(&before))?;
    Ok(before)
}

/// Inserts a new row from `input` and audits `entry` as done; the caller
/// commits. A taken key is 409 `<what>_exists`.
pub async fn insert_new<K: Kind>(
    conn: &mut store::Conn,
    input: &NamedInput,
    entry: &NewAuditEntry,
) -> Result<K::View, AppError> {
    let mut fields = Vec::new();
    let Some((key, name, description)) = parse_new(input, <K as Kind>::parse, &mut fields) else {
        return Err(AppError::Validation { fields });
    };
    let row = NamedRow { key, name, description, created_at: now_ms(), version: 1 };
    store::named::insert(conn, &row).await.map_err(|e| {
        e.conflict_on(K::TABLE, "key", &format!("{}_exists", K::WHAT), || {
            format!("a {} with key {} already exists", K::WHAT, row.key)
        })
    })?;
    let created = K::view(&row);
    let mut success = entry.clone();
    success.after = serde_json::to_value(&created).ok();
    audit::insert(conn, &success, now_ms()).await?;
    Ok(created)
}

/// Takes the row at the version `input` expects, applies its name and
/// description and audits `entry` with before and after; the caller commits.
pub async fn rewrite<K: Kind>(
    conn: &mut store::Conn,
    key: &K,
    input: &NamedInput,
    entry: &NewAuditEntry,
) -> Result<K::View, AppError> {
    let before = take(conn, key, &input.expected).await?;
    let mut after = NamedRow { version: before.version + 1, ..before.clone() };
    let mut fields = Vec::new();
    apply_edit(&mut after.name, &mut after.description, input, &mut fields);
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    store::named::update(conn, &after).await?;
    let updated = K::view(&after);
    let mut success = entry.clone();
    success.before = serde_json::to_value(K::view(&before)).ok();
    success.after = serde_json::to_value(&updated).ok();
    audit::insert(conn, &success, now_ms()).await?;
    Ok(updated)
}
