//! Workspaces and teams: two tables of the same shape (key, name,
//! description, when made, version), read and written by one set of queries.

use sqlx::any::AnyRow;

use super::{Conn, StoreError};
pub use crate::domain::NamedOrder;
use crate::domain::{TeamKey, WorkspaceKey};

/// A key of a table of named things, and the table it keys (read from its
/// text column, see `columns`).
pub trait NamedKey: Clone + Sized + sqlx::Type<sqlx::Any> + for<'r> sqlx::Decode<'r, sqlx::Any> {
    /// The table: `workspaces` or `teams`.
    const TABLE: &'static str;
    fn from_text(text: &str) -> Option<Self>;
    fn text(&self) -> &str;
}

impl NamedKey for WorkspaceKey {
    const TABLE: &'static str = "workspaces";
    fn from_text(text: &str) -> Option<Self> {
        Self::parse(text).ok()
    }
    fn text(&self) -> &str {
        self.as_str()
    }
}

impl NamedKey for TeamKey {
    const TABLE: &'static str = "teams";
    fn from_text(text: &str) -> Option<Self> {
        Self::parse(text).ok()
    }
    fn text(&self) -> &str {
        self.as_str()
    }
}

/// A row of `workspaces` or `teams`.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct NamedRow<K> {
    pub key: K,
    pub name: String,
    pub description: String,
    pub created_at: i64,
    pub version: i64,
}

/// A row of `workspaces`.
pub type WorkspaceRow = NamedRow<WorkspaceKey>;
/// A row of `teams`.
pub type TeamRow = NamedRow<TeamKey>;

const COLUMNS: &str = "key, name, description, created_at, version";

fn from_row<K: NamedKey>(row: &AnyRow) -> Result<NamedRow<K>, StoreError> {
    Ok(sqlx::FromRow::from_row(row)?)
}

/// Rows whose key or name contains `query` (any case), in `order`, after
/// the row with the key `after` (a cursor), at most `limit`; only those
/// `within` when given.
pub async fn search<K: NamedKey>(
    conn: &mut Conn,
    query: &str,
    order: NamedOrder,
    after: Option<&str>,
    limit: i64,
    within: Option<&[K]>,
) -> Result<Vec<NamedRow<K>>, StoreError> {
    let table = K::TABLE;
    let mut conditions = super::Conditions::new();
    if let Some(keys) = within {
        conditions.any_of(keys.iter().map(|k| k.text().to_owned()), |list| format!("key in ({list})"));
    }
    if let Some(after) = after.filter(|a| !a.is_empty()) {
        conditions.text(after, |p| match order {
            NamedOrder::Key => format!("key > {p}"),
            NamedOrder::Name => format!("(name, key) > (select name, key from {table} where key = {p})"),
        });
    }
    if !query.trim().is_empty() {
        conditions.text(super::like_pattern(query), |p| {
            format!("(key like {p} escape '\\' or lower(name) like {p} escape '\\')")
        });
    }
    let order_by = match order {
        NamedOrder::Key => "key",
        NamedOrder::Name => "name, key",
    };
    let limit = conditions.extra(limit);
    let sql = format!("select {COLUMNS} from {table}{} order by {order_by} limit {limit}", conditions.where_clause());
    conditions.fetch_all(conn, &sql).await?.iter().map(from_row).collect()
}

/// One row.
pub async fn find<K: NamedKey>(conn: &mut Conn, key: &K) -> Result<Option<NamedRow<K>>, StoreError> {
    let row = sqlx::query(&format!("select {COLUMNS} from {} where key = $1", K::TABLE))
        .bind(key.text().to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Inserts a row; a taken key is a unique violation on `<table>.key`.
pub async fn insert<K: NamedKey>(conn: &mut Conn, row: &NamedRow<K>) -> Result<(), StoreError> {
    sqlx::query(&format!("insert into {} (key, name, description, created_at) values ($1, $2, $3, $4)", K::TABLE))
        .bind(row.key.text().to_owned())
        .bind(row.name.clone())
        .bind(row.description.clone())
        .bind(row.created_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rewrites a row's name and description.
pub async fn update<K: NamedKey>(conn: &mut Conn, row: &NamedRow<K>) -> Result<(), StoreError> {
    sqlx::query(&format!("update {} set name = $1, description = $2 where key = $3", K::TABLE))
        .bind(row.name.clone())
        .bind(row.description.clone())
        .bind(row.key.text().to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a row (what refers to it must be deleted first, by the caller).
pub async fn delete<K: NamedKey>(conn: &mut Conn, key: &K) -> Result<(), StoreError> {
    sqlx::query(&format!("delete from {} where key = $1", K::TABLE))
        .bind(key.text().to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
