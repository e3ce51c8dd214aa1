//! The `version` column of roles, teams, workspaces and users (see
//! [`crate::domain::Expected`]).

use sqlx::Row;

use super::{Conn, StoreError};

/// A table whose rows carry a version.
#[derive(Clone, Copy, Debug)]
pub enum Versioned {
    Role,
    Team,
    Workspace,
    User,
}

impl Versioned {
    fn table_and_key(self) -> (&'static str, &'static str) {
        match self {
            Self::Role => ("roles", "key"),
            Self::Team => ("teams", "key"),
            Self::Workspace => ("workspaces", "key"),
            Self::User => ("users", "id"),
        }
    }
}

/// Adds one to a row's version and returns the version it had; `None`
/// without such a row. Call it first in a write: it also makes this
/// transaction the row's only writer until it ends (a row lock on Postgres,
/// the one writer on SQLite), so what is read after it is what the write
/// changes, and two writes from one version cannot both pass the check.
pub async fn next(conn: &mut Conn, row: Versioned, key: &str) -> Result<Option<i64>, StoreError> {
    let (table, column) = row.table_and_key();
    let found = sqlx::query(&format!("update {table} set version = version + 1 where {column} = $1 returning version"))
        .bind(key.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    found.map(|r| r.try_get::<i64, _>("version").map(|v| v - 1)).transpose().map_err(StoreError::from)
}
