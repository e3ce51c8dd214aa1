//! Roles: the built-in ones (permissions from the catalog) and custom ones.

use sqlx::{any::AnyRow, Row};

use super::{corrupt, Conn, StoreError};
use crate::domain::{catalog::installed, PermissionSet, RoleKey};

/// A row of `roles`, with built-in permissions taken from the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRow {
    pub key: RoleKey,
    pub name: String,
    pub description: String,
    pub permissions: PermissionSet,
    pub builtin: bool,
    pub created_at: i64,
    pub version: i64,
}

fn from_row(row: &AnyRow) -> Result<RoleRow, StoreError> {
    let key: String = row.try_get("key")?;
    let builtin = row.try_get::<i64, _>("builtin")? != 0;
    let permissions = match installed().builtin_role(&key).filter(|_| builtin) {
        Some(set) => set,
        None => {
            let text: String = row.try_get("permissions")?;
            let keys: Vec<&str> = text.split_whitespace().collect();
            // A permission removed from the catalog simply stops being granted.
            PermissionSet::parse_keys(&keys)
                .unwrap_or_else(|_| keys.iter().filter_map(|k| crate::domain::Permission::parse(k)).collect())
        }
    };
    Ok(RoleRow {
        key: RoleKey::parse(&key).map_err(|_| corrupt("roles.key", &key))?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        permissions,
        builtin,
        created_at: row.try_get("created_at")?,
        version: row.try_get("version")?,
    })
}

fn permissions_text(permissions: PermissionSet) -> String {
    permissions.iter().map(|p| p.key()).collect::<Vec<_>>().join(" ")
}

/// Every role, built-in first, then by key.
pub async fn list(conn: &mut Conn) -> Result<Vec<RoleRow>, StoreError> {
    let rows = sqlx::query(
        "select key, name, description, permissions, builtin, created_at, version from roles order by builtin desc, key",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// One role.
pub async fn find(conn: &mut Conn, key: &RoleKey) -> Result<Option<RoleRow>, StoreError> {
    let row = sqlx::query(
        "select key, name, description, permissions, builtin, created_at, version from roles where key = $1",
    )
    .bind(key.as_str().to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The key of another role called `name` (letter case aside), if any.
pub async fn named(conn: &mut Conn, name: &str, other_than: &RoleKey) -> Result<Option<RoleKey>, StoreError> {
    let key: Option<String> = sqlx::query_scalar("select key from roles where lower(name) = lower($1) and key <> $2")
        .bind(name)
        .bind(other_than.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(key.and_then(|k| RoleKey::parse(&k).ok()))
}

/// Inserts a custom role; a taken key is a unique violation on `roles.key`.
pub async fn insert(conn: &mut Conn, role: &RoleRow) -> Result<(), StoreError> {
    sqlx::query(
        "insert into roles (key, name, description, permissions, builtin, created_at) values ($1, $2, $3, $4, 0, $5)",
    )
    .bind(role.key.as_str().to_owned())
    .bind(role.name.clone())
    .bind(role.description.clone())
    .bind(permissions_text(role.permissions))
    .bind(role.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rewrites a custom role's name, description and permissions.
pub async fn update(conn: &mut Conn, role: &RoleRow) -> Result<(), StoreError> {
    sqlx::query("update roles set name = $1, description = $2, permissions = $3 where key = $4 and builtin = 0")
        .bind(role.name.clone())
        .bind(role.description.clone())
        .bind(permissions_text(role.permissions))
        .bind(role.key.as_str().to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a custom role.
pub async fn delete(conn: &mut Conn, key: &RoleKey) -> Result<(), StoreError> {
    sqlx::query("delete from roles where key = $1 and builtin = 0")
        .bind(key.as_str().to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
